import type { Response } from 'express';
import type { AppDeps } from '../../app-deps';
import type { WaveRow } from '../../fielding/wave-rules';
import { HttpError } from '../../shared/web/errors';
import { loadWave } from '../../fielding/wave-actions';
import { ExportFormat, ExportOptions, isExportFormat, PreparedExport } from '../export-service';

export const DEFAULT_K = 5;

export function kOf(deps: AppDeps): number {
  return deps.config.disclosureK ?? DEFAULT_K;
}

export async function waveOr404(deps: AppDeps, id: unknown): Promise<WaveRow> {
  const wave = typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) ? await loadWave(deps.db, id) : undefined;
  if (!wave) throw new HttpError(404, 'There is no such wave');
  return wave;
}

export function formatOr400(value: unknown): ExportFormat {
  if (!isExportFormat(value)) throw new HttpError(400, 'Unknown export format');
  return value;
}

/** Export options from the query string: lang=en, weight=<kept attribute>. */
export function optionsOf(deps: AppDeps, query: Record<string, unknown>): ExportOptions {
  // one attribute (post-stratification) or up to three, comma-separated (raking; tables only)
  const weight =
    typeof query.weight === 'string' && /^[a-z][a-z0-9_]{0,31}(,[a-z][a-z0-9_]{0,31}){0,2}$/.test(query.weight)
      ? query.weight
      : undefined;
  return { k: kOf(deps), lang: query.lang === 'en' ? 'en' : 'nl', weightBy: weight };
}

/** Streams the file as a download. A failure after the first byte can only cut the connection (and is logged). */
export async function sendExport(deps: AppDeps, res: Response, prepared: PreparedExport): Promise<void> {
  res.status(200);
  res.set('Content-Type', prepared.contentType);
  res.set('Content-Disposition', `attachment; filename="${prepared.fileName}"`);
  res.set('X-Content-Type-Options', 'nosniff');
  if (res.req.method === 'HEAD') {
    res.end(); // headers only: nothing is exported, nothing audited
    return;
  }
  try {
    await prepared.write(res);
  } catch (err) {
    if (!res.headersSent) throw err;
    deps.log(`export of ${prepared.fileName} failed after the start: ${(err as Error).message}`);
    res.destroy();
  }
}
