/**
 * Exports for analysts, the same from the web pages, the API and the command line: a wave's dataset (CSV, CSV for
 * Dutch Excel, .xlsx, .sav), its codebook (HTML, JSON), its headline tables (CSV, HTML) and the trend file of a
 * questionnaire key. Preparing checks everything that can refuse the export before a byte is written; writing
 * streams the file and records one audit entry per wave (who, which wave, which format, what was redacted).
 */
import ejs from 'ejs';
import path from 'node:path';
import type { Db } from '../shared/data/connection';
import { listWaves, WaveRow } from '../fielding/data/waves';
import { buildCodebook } from './codebook';
import { createCsvWriter } from './files/csv-writer';
import { ExportRefusedError, prepareDataset, questionnairesOf } from './dataset-export';
import { CONTENT_TYPES, DATASET_FORMATS, DatasetFormat, EXTENSIONS, writeDataset } from './dataset-formats';
import { headlineReport } from './headline-report';
import { HEADLINE_CSV_HEADER, headlineCsvRows, viewHelpers } from './headline-output';
import { editionOfVersion, variableMapFor } from './files/variable-map';
import { projectRoot } from '../shared/project-root';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { recordAudit } from '../accounts/audit';
import { wavePhase } from '../fielding/wave-rules';

export { ExportRefusedError } from './dataset-export';

export const EXPORT_FORMATS = [...DATASET_FORMATS, 'codebook', 'codebook-json', 'tables', 'tables-html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(v: unknown): v is ExportFormat {
  return typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v);
}

export interface ExportOptions {
  k: number;
  lang?: 'nl' | 'en';
  /** headline tables: post-stratify on this kept attribute */
  weightBy?: string;
}

export interface ExportRequester {
  /** the user's e-mail, or cli:<user> */
  actor: string;
  via: 'web' | 'api' | 'cli';
}

export interface ExportOutcome {
  rows: number;
  release?: 'interim' | 'final';
  kAchieved?: number;
  suppressedCells?: number;
  redactedCells: number;
  redactions?: Record<string, number>;
}

export interface PreparedExport {
  fileName: string;
  contentType: string;
  /** streams the file into `out` (and ends it), then audits */
  write(out: NodeJS.WritableStream): Promise<ExportOutcome>;
}

function slug(s: string): string {
  return (
    s
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'export'
  );
}

function endWith(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(text, () => resolve());
  });
}

/**
 * Waves of a questionnaire key for its trend file, oldest edition first (demo waves excluded, and waves still open:
 * while a wave is open only its own risk-controlled file and its tables are released).
 */
export async function trendWaves(
  db: Db,
  registry: QuestionnaireRegistry,
  key: string,
  today = new Date().toISOString().slice(0, 10),
): Promise<WaveRow[]> {
  const versions = registry.list().filter((q) => q.key === key);
  if (versions.length === 0) throw new ExportRefusedError(`there is no questionnaire "${key}"`);
  const map = variableMapFor(versions);
  const order = (w: WaveRow) =>
    map.editions.indexOf(editionOfVersion(map, registry.get(w.questionnaire_id)?.version ?? '') ?? '');
  const waves = (await listWaves(db)).filter(
    (w) => !w.is_demo && registry.get(w.questionnaire_id)?.key === key && wavePhase(w, today) === 'closed',
  );
  if (waves.length === 0) throw new ExportRefusedError(`there are no closed waves of "${key}"`);
  return waves.sort((a, b) => order(a) - order(b) || a.created_at.localeCompare(b.created_at));
}

async function audit(
  db: Db,
  who: ExportRequester,
  waves: WaveRow[],
  format: ExportFormat,
  detail: Record<string, unknown>,
): Promise<void> {
  for (const w of waves) {
    await recordAudit(db, {
      actor: who.actor,
      action: 'export.download',
      waveId: w.id,
      detail: { format, via: who.via, ...detail },
    });
  }
}

/**
 * Prepares an export of one wave, or with `trendKey` of all waves of a questionnaire key (dataset formats and
 * codebooks only). Throws ExportRefusedError when it cannot be made.
 */
export async function prepareExport(
  deps: { db: Db; registry: QuestionnaireRegistry },
  target: { wave: WaveRow } | { trendKey: string },
  format: ExportFormat,
  opts: ExportOptions,
  who: ExportRequester,
): Promise<PreparedExport> {
  const { db, registry } = deps;
  const waves = 'wave' in target ? [target.wave] : await trendWaves(db, registry, target.trendKey);
  const base = 'wave' in target ? `veldwerk-${slug(target.wave.name)}` : `veldwerk-trend-${slug(target.trendKey)}`;
  const lang = opts.lang ?? 'nl';
  const trend = 'trendKey' in target ? { trend: target.trendKey } : {};
  const guarded =
    (write: (out: NodeJS.WritableStream) => Promise<ExportOutcome>) => async (out: NodeJS.WritableStream) => {
      try {
        const outcome = await write(out);
        await audit(db, who, waves, format, { ...trend, k: opts.k, outcome: 'complete', ...outcome });
        return outcome;
      } catch (err) {
        await audit(db, who, waves, format, { ...trend, k: opts.k, outcome: 'failed' });
        throw err;
      }
    };

  if (format === 'tables' || format === 'tables-html') {
    if (!('wave' in target)) throw new ExportRefusedError('headline tables are made per wave');
    questionnairesOf(registry, waves);
    const report = await headlineReport(db, registry, target.wave, { k: opts.k, weightBy: opts.weightBy });
    const weighting = { weightBy: opts.weightBy ?? null };
    if (format === 'tables') {
      return {
        fileName: `${base}-tabellen.csv`,
        contentType: 'text/csv; charset=utf-8',
        write: guarded(async (out) => {
          const w = createCsvWriter(out, { dutchExcel: lang === 'nl' });
          await w.writeRow(HEADLINE_CSV_HEADER);
          for (const row of headlineCsvRows(report, lang)) await w.writeRow(row);
          await w.end();
          return { rows: report.rows, redactedCells: 0, ...weighting };
        }),
      };
    }
    const html = await ejs.renderFile(path.join(projectRoot, 'views/analyst/tables-standalone.ejs'), {
      report,
      helpers: viewHelpers(),
      lang,
    });
    return {
      fileName: `${base}-tabellen.html`,
      contentType: 'text/html; charset=utf-8',
      write: guarded(async (out) => {
        await endWith(out, html);
        return { rows: report.rows, redactedCells: 0, ...weighting };
      }),
    };
  }

  const prepared = await prepareDataset(db, registry, waves, { k: opts.k, lang, weightBy: opts.weightBy });
  const suffix = prepared.report.interim ? '-voorlopig' : '';
  if (format === 'codebook' || format === 'codebook-json') {
    const book = buildCodebook(prepared);
    const body =
      format === 'codebook-json'
        ? JSON.stringify(book, null, 2)
        : await ejs.renderFile(path.join(projectRoot, 'views/analyst/codebook.ejs'), { book });
    return {
      fileName: `${base}${suffix}-codeboek.${format === 'codebook-json' ? 'json' : 'html'}`,
      contentType: format === 'codebook-json' ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
      write: guarded(async (out) => {
        await endWith(out, body);
        return { rows: prepared.rows, redactedCells: 0 };
      }),
    };
  }
  const datasetFormat = format as DatasetFormat;
  return {
    fileName: `${base}${suffix}.${EXTENSIONS[datasetFormat]}`,
    contentType: CONTENT_TYPES[datasetFormat],
    write: guarded(async (out) => {
      const summary = await writeDataset(prepared, datasetFormat, out);
      const d = summary.disclosure;
      return {
        rows: summary.rows,
        redactedCells: summary.redactions.cells,
        redactions: summary.redactions.byKind,
        release: prepared.report.interim ? 'interim' : 'final',
        kAchieved: d.kAchieved,
        suppressedCells: d.suppressedCells,
      };
    }),
  };
}
