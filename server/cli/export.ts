import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { cliActor } from '../accounts/audit';
import { EXPORT_FORMATS, isExportFormat, prepareExport } from '../exports/export-service';
import { findWaveOrFail } from './waves';
import { UsageError } from './usage-error';
import { withPlatform } from './with-platform';

/**
 * npm run cli -- export --wave ID --format csv|csv-nl|xlsx|sav|codebook|codebook-json|tables|tables-html --out FILE
 * npm run cli -- export --trend KEY --format csv|csv-nl|xlsx|sav|codebook|codebook-json --out FILE
 * The file is written next to its final name and renamed when complete; the summary goes to stderr.
 */
export async function exportCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      wave: { type: 'string' },
      trend: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      lang: { type: 'string', default: 'nl' },
      weight: { type: 'string' },
    },
  });
  if (!values.wave === !values.trend) throw new UsageError('export needs --wave ID or --trend KEY (one of them)');
  let format = values.format;
  if (format === 'codebook' && values.out?.endsWith('.json')) format = 'codebook-json';
  if (!isExportFormat(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  if (!values.out) throw new UsageError('--out FILE is required');
  if (values.lang !== 'nl' && values.lang !== 'en') throw new UsageError('--lang must be nl or en');
  const outFile = values.out;
  await withPlatform(async ({ db, registry, config }) => {
    const target = values.wave ? { wave: await findWaveOrFail(db, values.wave) } : { trendKey: values.trend as string };
    const prepared = await prepareExport(
      { db, registry },
      target,
      format as never,
      { k: config.disclosureK, lang: values.lang as 'nl' | 'en', weightBy: values.weight },
      { actor: cliActor(), via: 'cli' },
    );
    const partial = `${outFile}.partial`;
    try {
      const outcome = await prepared.write(fs.createWriteStream(partial));
      fs.renameSync(partial, outFile);
      const redacted = outcome.redactions
        ? Object.entries(outcome.redactions)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')
        : '';
      process.stderr.write(
        `Wrote ${outFile}: ${outcome.rows} responses; free-text cells with redactions: ${outcome.redactedCells}${redacted ? ` (${redacted})` : ''}; k = ${config.disclosureK}.\n`,
      );
    } catch (err) {
      fs.rmSync(partial, { force: true });
      throw err;
    }
  });
}
