import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Db } from '../shared/data/connection';
import type { WaveRow } from '../fielding/wave-rules';
import { cliActor } from '../accounts/audit';
import { closeWave, createWaveAudited, loadWave, parseKeptAttributes } from '../fielding/wave-actions';
import { setPopulationTotals } from '../fielding/population-totals';
import { purgeWave } from '../fielding/wave-purge';
import { UsageError } from './usage-error';
import { withPlatform } from './with-platform';

export async function findWaveOrFail(db: Db, id: string): Promise<WaveRow> {
  const wave = await loadWave(db, id);
  if (!wave) throw new Error(`there is no wave with id ${id}`);
  return wave;
}

function waveId(
  args: string[],
  extra: Record<string, { type: 'boolean' }> = {},
): { id: string; flags: Record<string, boolean | undefined> } {
  const { values } = parseArgs({ args, options: { wave: { type: 'string' }, ...extra } });
  if (!values.wave) throw new UsageError('--wave ID is required');
  const { wave, ...flags } = values as Record<string, string | boolean | undefined>;
  return { id: wave as string, flags: flags as Record<string, boolean | undefined> };
}

async function create(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      questionnaire: { type: 'string' },
      opens: { type: 'string' },
      closes: { type: 'string' },
      keep: { type: 'string', default: '' },
    },
  });
  if (!values.name || !values.questionnaire || !values.opens || !values.closes) {
    throw new UsageError(
      'wave create needs --name, --questionnaire KEY@VERSION, --opens YYYY-MM-DD and --closes YYYY-MM-DD',
    );
  }
  await withPlatform(async ({ db, registry }) => {
    const input = {
      name: values.name as string,
      questionnaireId: values.questionnaire as string,
      opensOn: values.opens as string,
      closesOn: values.closes as string,
      keptAttributes: parseKeptAttributes(values.keep ?? ''),
    };
    const wave = await createWaveAudited(db, registry, input, cliActor(), new Date());
    process.stdout.write(
      `Created wave ${wave.id} "${wave.name}": ${wave.questionnaire_id}, links work ${wave.opens_on} to ${wave.closes_on}, kept with answers: ${input.keptAttributes.join(', ') || 'nothing'}.\n`,
    );
  });
}

async function close(args: string[]): Promise<void> {
  const { id } = waveId(args);
  await withPlatform(async ({ db }) => {
    const wave = await findWaveOrFail(db, id);
    await closeWave(db, wave, cliActor(), new Date());
    process.stdout.write(`Closed wave ${wave.id} "${wave.name}": its links show the closed page from now on.\n`);
  });
}

async function purge(args: string[]): Promise<void> {
  const { id, flags } = waveId(args, { yes: { type: 'boolean' } });
  if (!flags.yes) throw new UsageError('wave purge deletes contact data for good: add --yes to confirm');
  await withPlatform(async ({ db }) => {
    const wave = await findWaveOrFail(db, id);
    const result = await purgeWave(db, wave, cliActor(), new Date());
    process.stdout.write(
      `Purged wave ${wave.id} "${wave.name}": deleted ${result.invitations} invitations (names, e-mail addresses, organisations, tokens), ` +
        `${result.outboxMessages} outbox messages and ${result.pendingImports} pending imports; kept the counts per attribute. Responses are untouched.\n`,
    );
  });
}

/** wave population --wave ID --attribute NAME --file totals.csv: the population totals per stratum for weighting */
async function population(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { wave: { type: 'string' }, attribute: { type: 'string' }, file: { type: 'string' } },
  });
  if (!values.wave || !values.attribute || !values.file)
    throw new UsageError(
      'wave population needs --wave ID, --attribute NAME and --file TOTALS.csv ("value,total" lines)',
    );
  const text = fs.readFileSync(values.file, 'utf8');
  await withPlatform(async ({ db, registry }) => {
    const wave = await findWaveOrFail(db, values.wave as string);
    const n = await setPopulationTotals(db, registry, wave, values.attribute as string, text, cliActor());
    process.stdout.write(
      `Stored ${n} population totals of ${values.attribute} for wave ${wave.id} "${wave.name}": weighting on ${values.attribute} uses them from now on.\n`,
    );
  });
}

const WAVE_COMMANDS: Record<string, (args: string[]) => Promise<void>> = { create, close, purge, population };

/** npm run cli -- wave create|close|purge … */
export async function wave(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const handler = sub && Object.prototype.hasOwnProperty.call(WAVE_COMMANDS, sub) ? WAVE_COMMANDS[sub] : undefined;
  if (!handler)
    throw new UsageError(
      sub ? `Unknown wave command "${sub}"` : 'wave needs a command: create, close, purge or population',
    );
  await handler(rest);
}
