import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliActor } from '../accounts/audit';
import { importSampleFile } from '../fielding/sample-import';
import { UsageError } from './usage-error';
import { sampleSynth } from './sample-synth';
import { findWaveOrFail } from './waves';
import { withPlatform } from './with-platform';

/** npm run cli -- sample import --wave ID FILE.csv: all rows or nothing; problems by line on stderr, exit 1. */
export async function sample(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'synth') return sampleSynth(rest);
  if (sub !== 'import')
    throw new UsageError(sub ? `Unknown sample command "${sub}"` : 'sample needs a command: import or synth');
  const { values, positionals } = parseArgs({
    args: rest,
    options: { wave: { type: 'string' }, 'skip-existing': { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (!values.wave || positionals.length !== 1) throw new UsageError('sample import needs --wave ID and one CSV file');
  const file = positionals[0];
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new Error(`cannot read the file ${file}`);
  await withPlatform(async ({ db, registry }) => {
    const wave = await findWaveOrFail(db, values.wave as string);
    const started = process.hrtime.bigint();
    const result = await importSampleFile(
      db,
      wave,
      path.basename(file),
      fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
      cliActor(),
      new Date(),
      registry.get(wave.questionnaire_id)?.sampleAttributes ?? new Map(),
      {
        skipExisting: values['skip-existing'],
      },
    );
    if (!result.ok) {
      const listed = result.problems.map((p) => `  line ${p.line}: ${p.message}`).join('\n');
      const more =
        result.problemCount > result.problems.length
          ? `\n  … and ${result.problemCount - result.problems.length} more`
          : '';
      throw new Error(
        `${file} was not imported, nothing changed. ${result.problemCount} problem(s):\n${listed}${more}`,
      );
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const lines = [
      `Imported ${result.count} people into wave ${wave.id} "${wave.name}" from ${file} in ${seconds.toFixed(1)} s.`,
    ];
    if (result.summary.skippedExisting) lines.push(`  skipped ${result.summary.skippedExisting} already in the wave`);
    for (const a of result.summary.attributes) {
      const shown = a.values
        .slice(0, 20)
        .map((v) => `${v.value === '' ? '(empty)' : v.value} ${v.count}`)
        .join(', ');
      lines.push(
        `  ${a.attribute}${a.kept ? ' (kept)' : ''}: ${shown}${a.values.length > 20 ? `, … ${a.values.length - 20} more values` : ''}`,
      );
    }
    for (const o of result.summary.outsidePopulation ?? [])
      lines.push(
        `  warning: ${o.people} people have a ${o.attribute} this questionnaire is not for: ${o.values
          .slice(0, 8)
          .map((v) => `${v.value} (${v.count})`)
          .join(', ')}; check that the file belongs to this wave`,
      );
    if (result.summary.missingKept.length)
      lines.push(`  note: no column for kept attribute(s) ${result.summary.missingKept.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  });
}
