import type { Db } from '../shared/data/connection';
import { listWaves, WaveRow } from '../fielding/data/waves';
import { countRealResponses } from '../respondent/data/responses';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import type { ExportRequester } from './export-service';
import { headlineReport, HeadlineReport } from './headline-report';
import { recordAudit } from '../accounts/audit';
import { ExportReport, prepareDataset } from './dataset-export';
import { reportLines } from './dataset-formats';

/** Every wave with its number of real (non-test) responses: what the export pages and the API list. */
export async function wavesWithResponseCounts(db: Db): Promise<Array<{ wave: WaveRow; responses: number }>> {
  const out = [];
  for (const wave of await listWaves(db)) out.push({ wave, responses: await countRealResponses(db, wave.id) });
  return out;
}

/** The headline tables of a wave for the page that shows them; audited like a download. Refuses below k. */
export async function headlineTablesForPage(
  deps: { db: Db; registry: QuestionnaireRegistry },
  wave: WaveRow,
  opts: { k: number; weightBy?: string },
  who: ExportRequester,
): Promise<HeadlineReport> {
  const report = await headlineReport(deps.db, deps.registry, wave, { k: opts.k, weightBy: opts.weightBy });
  await recordAudit(deps.db, {
    ...who,
    action: 'export.download',
    waveId: wave.id,
    detail: { format: 'tables-page', via: who.via, weightBy: opts.weightBy ?? null, k: opts.k, rows: report.rows },
  });
  return report;
}

/** The risk and utility report of the wave's microdata release for the page that shows it; audited like a download. */
export async function riskReportForPage(
  deps: { db: Db; registry: QuestionnaireRegistry },
  wave: WaveRow,
  opts: { k: number; lang: 'nl' | 'en' },
  who: ExportRequester,
): Promise<{ report: ExportReport; lines: ReturnType<typeof reportLines> }> {
  const prepared = await prepareDataset(deps.db, deps.registry, [wave], { k: opts.k, lang: opts.lang });
  await recordAudit(deps.db, {
    ...who,
    action: 'export.download',
    waveId: wave.id,
    detail: { format: 'risk-page', via: who.via, k: opts.k, rows: prepared.rows },
  });
  return { report: prepared.report, lines: reportLines(prepared) };
}
