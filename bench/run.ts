/* npm run bench [-- respondent|mail|exports|import ...]: prints the figures the issues ask for (all sections by default).
   Figures only, no pass/fail: they vary with the machine. */
import os from 'node:os';
import { exportBench } from './exports';
import { mailBench } from './mail';
import { respondentBench } from './respondent-flow';
import { questionnaireBench } from './questionnaire-flow';
import { storageCostBench } from './storage-cost';
import { sampleImportBench } from './sample-import';

const SECTIONS: Record<string, () => Promise<unknown>> = {
  respondent: respondentBench,
  questionnaire: questionnaireBench,
  storage: storageCostBench,
  mail: mailBench,
  exports: exportBench,
  import: sampleImportBench,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in SECTIONS));
  if (unknown.length)
    throw new Error(`unknown bench section ${unknown.join(', ')}; choose from ${Object.keys(SECTIONS).join(', ')}`);
  console.log(`Veldwerk benchmarks — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
  for (const [name, run] of Object.entries(SECTIONS)) if (asked.length === 0 || asked.includes(name)) await run();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
