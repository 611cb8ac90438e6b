import express, { Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { HttpError } from '../../shared/web/errors';
import { headlineTablesForPage, riskReportForPage, wavesWithResponseCounts } from '../wave-catalogue';
import { viewHelpers } from '../headline-output';
import type { SignedInUser } from '../../accounts/sessions';
import { keptAttributes } from '../../fielding/wave-rules';
import { prepareExport } from '../export-service';
import { formatOr400, kOf, optionsOf, sendExport, waveOr404 } from './export-response';
import { renderSignedInPage } from '../../shared/web/signed-in-page';

/** /analyst/exports: the waves with their downloads, the headline tables page, and the trend files. */
export function analystExportsRouter(deps: AppDeps): Router {
  const router = express.Router();
  const who = (res: express.Response) => ({ actor: (res.locals.user as SignedInUser).email, via: 'web' as const });

  router.get('/exports', async (_req, res) => {
    const counted = await wavesWithResponseCounts(deps.db);
    const waves = counted.map((c) => c.wave);
    const rows = counted.map(({ wave: w, responses }) => {
      const q = deps.registry.get(w.questionnaire_id);
      return {
        id: w.id,
        name: w.name,
        questionnaire: w.questionnaire_id,
        edition: q?.edition ?? '',
        isDemo: Boolean(w.is_demo),
        responses,
        attributes: keptAttributes(w),
      };
    });
    const keys = [
      ...new Set(
        waves
          .filter((w) => !w.is_demo)
          .map((w) => deps.registry.get(w.questionnaire_id)?.key)
          .filter((k): k is string => !!k),
      ),
    ].sort();
    renderSignedInPage(res, 'analyst/exports', { title: 'Exports', waves: rows, keys, k: kOf(deps) });
  });

  router.get('/exports/waves/:id/download/:format', async (req, res) => {
    const wave = await waveOr404(deps, req.params.id);
    const prepared = await prepareExport(
      deps,
      { wave },
      formatOr400(req.params.format),
      optionsOf(deps, req.query),
      who(res),
    );
    await sendExport(deps, res, prepared);
  });

  router.get('/exports/trend/:key/download/:format', async (req, res) => {
    const key = req.params.key;
    if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(key)) throw new HttpError(404, 'There is no such questionnaire');
    const format = formatOr400(req.params.format);
    if (format === 'tables' || format === 'tables-html') throw new HttpError(400, 'Headline tables are made per wave');
    const prepared = await prepareExport(deps, { trendKey: key }, format, optionsOf(deps, req.query), who(res));
    await sendExport(deps, res, prepared);
  });

  // the risk and utility report of the wave's microdata release, as a page (the same lines as the codebook's)
  router.get('/exports/waves/:id/risk', async (req, res) => {
    const wave = await waveOr404(deps, req.params.id);
    const opts = optionsOf(deps, req.query);
    const { report, lines } = await riskReportForPage(deps, wave, { k: opts.k, lang: opts.lang ?? 'nl' }, who(res));
    renderSignedInPage(res, 'analyst/risk', { title: `Disclosure risk: ${wave.name}`, wave, report, lines, k: opts.k });
  });

  router.get('/exports/waves/:id/tables', async (req, res) => {
    const wave = await waveOr404(deps, req.params.id);
    const opts = optionsOf(deps, req.query);
    const report = await headlineTablesForPage(deps, wave, { k: opts.k, weightBy: opts.weightBy }, who(res));
    renderSignedInPage(res, 'analyst/tables', {
      title: `Headline tables: ${wave.name}`,
      report,
      helpers: viewHelpers(),
      lang: opts.lang,
      attributes: keptAttributes(wave),
      weight: opts.weightBy ?? '',
      waveId: wave.id,
    });
  });

  return router;
}
