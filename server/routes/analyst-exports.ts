import express, { Router } from 'express';
import type { AppDeps } from '../app';
import { countRealResponses } from '../db/queries/responses';
import { listWaves } from '../db/queries/waves';
import { HttpError } from '../http/errors';
import { prepareDataset } from '../export/dataset-export';
import { reportLines } from '../export/dataset-formats';
import { headlineReport } from '../export/headline-report';
import { viewHelpers } from '../export/headline-output';
import { recordAudit } from '../services/audit';
import { ExportRefusedError } from '../services/exports';
import type { SignedInUser } from '../services/sessions';
import { keptAttributes } from '../services/waves';
import { formatOr400, kOf, optionsOf, prepareOr409, sendExport, waveOr404 } from './export-response';
import { renderSignedInPage } from './signed-in-page';

/** /analyst/exports: the waves with their downloads, the headline tables page, and the trend files. */
export function analystExportsRouter(deps: AppDeps): Router {
  const router = express.Router();
  const who = (res: express.Response) => ({ actor: (res.locals.user as SignedInUser).email, via: 'web' as const });

  router.get('/exports', async (_req, res) => {
    const waves = await listWaves(deps.db);
    const rows = [];
    for (const w of waves) {
      const q = deps.registry.get(w.questionnaire_id);
      rows.push({ id: w.id, name: w.name, questionnaire: w.questionnaire_id, edition: q?.edition ?? '', isDemo: Boolean(w.is_demo), responses: await countRealResponses(deps.db, w.id), attributes: keptAttributes(w) });
    }
    const keys = [...new Set(waves.filter((w) => !w.is_demo).map((w) => deps.registry.get(w.questionnaire_id)?.key).filter((k): k is string => !!k))].sort();
    renderSignedInPage(res, 'analyst/exports', { title: 'Exports', waves: rows, keys, k: kOf(deps) });
  });

  router.get('/exports/waves/:id/download/:format', async (req, res) => {
    const wave = await waveOr404(deps, req.params.id);
    const prepared = await prepareOr409(deps, { wave }, formatOr400(req.params.format), optionsOf(deps, req.query), who(res));
    await sendExport(deps, res, prepared);
  });

  router.get('/exports/trend/:key/download/:format', async (req, res) => {
    const key = req.params.key;
    if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(key)) throw new HttpError(404, 'There is no such questionnaire');
    const format = formatOr400(req.params.format);
    if (format === 'tables' || format === 'tables-html') throw new HttpError(400, 'Headline tables are made per wave');
    const prepared = await prepareOr409(deps, { trendKey: key }, format, optionsOf(deps, req.query), who(res));
    await sendExport(deps, res, prepared);
  });

  // the risk and utility report of the wave's microdata release, as a page (the same lines as the codebook's)
  router.get('/exports/waves/:id/risk', async (req, res) => {
    const wave = await waveOr404(deps, req.params.id);
    const opts = optionsOf(deps, req.query);
    let prepared;
    try {
      prepared = await prepareDataset(deps.db, deps.registry, [wave], { k: opts.k, lang: opts.lang });
    } catch (err) {
      if (err instanceof ExportRefusedError) throw new HttpError(409, err.message);
      throw err;
    }
    await recordAudit(deps.db, { ...who(res), action: 'export.download', waveId: wave.id, detail: { format: 'risk-page', via: 'web', k: opts.k, rows: prepared.rows } });
    renderSignedInPage(res, 'analyst/risk', { title: `Disclosure risk: ${wave.name}`, wave, report: prepared.report, lines: reportLines(prepared), k: opts.k });
  });

  router.get('/exports/waves/:id/tables', async (req, res) => {
    const wave = await waveOr404(deps, req.params.id);
    const opts = optionsOf(deps, req.query);
    let report;
    try {
      report = await headlineReport(deps.db, deps.registry, wave, { k: opts.k, weightBy: opts.weightBy });
    } catch (err) {
      if (err instanceof ExportRefusedError) throw new HttpError(409, err.message);
      throw err;
    }
    await recordAudit(deps.db, { ...who(res), action: 'export.download', waveId: wave.id, detail: { format: 'tables-page', via: 'web', weightBy: opts.weightBy ?? null, k: opts.k, rows: report.rows } });
    renderSignedInPage(res, 'analyst/tables', { title: `Headline tables: ${wave.name}`, report, helpers: viewHelpers(), lang: opts.lang, attributes: keptAttributes(wave), weight: opts.weightBy ?? '', waveId: wave.id });
  });

  return router;
}
