import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { isPopulation, POPULATIONS, writeSampleFrameCsv } from '../fielding/synth/sample-frame';
import { UsageError } from './usage-error';

/**
 * npm run cli -- sample synth --population politieke-ambtsdragers|ambtenaren [--size N] [--seed S] [--out FILE.csv]
 * A fictional sample frame shaped like the real population, as the CSV an administrator imports.
 */
export async function sampleSynth(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      population: { type: 'string' },
      size: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!isPopulation(values.population)) throw new UsageError(`--population must be one of ${POPULATIONS.join(', ')}`);
  if (values.size !== undefined && !/^[1-9]\d{0,6}$/.test(values.size))
    throw new UsageError('--size must be a whole number from 1 to 9,999,999');
  const csv = writeSampleFrameCsv(values.population, {
    size: values.size ? Number(values.size) : undefined,
    seed: values.seed ?? 1,
  });
  if (values.out) {
    fs.writeFileSync(values.out, csv);
    process.stderr.write(`Wrote ${csv.split('\r\n').length - 2} fictional people to ${values.out}.\n`);
  } else {
    process.stdout.write(csv);
  }
}
