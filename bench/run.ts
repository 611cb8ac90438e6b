/* npm run bench: prints the figures the issues ask for. Figures only, no pass/fail: they vary with the machine. */
import os from 'node:os';
import { exportBench } from './exports';
import { mailBench } from './mail';
import { respondentBench } from './respondent-flow';

async function main(): Promise<void> {
  console.log(`Veldwerk benchmarks — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
  await respondentBench();
  await mailBench();
  await exportBench();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
