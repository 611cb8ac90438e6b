import express, { Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { wavesWithResponseCounts } from '../wave-catalogue';
import { HttpError } from '../../shared/web/errors';
import { ApiCaller, authenticateApiToken } from '../../accounts/api-tokens';
import { prepareExport } from '../export-service';
import { formatOr400, optionsOf, sendExport, waveOr404 } from './export-response';

/**
 * The export API: `Authorization: Bearer vw_…` (a token an analyst made on /analyst/tokens). Read-only, no cookies,
 * so no CSRF; answers are JSON, errors too. GET /waves, GET /waves/:id/export?format=…, GET /trend/:key/export?format=…
 */
export function exportApiRouter(deps: AppDeps): Router {
  const router = express.Router();
  router.use(async (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    // errors of this API are JSON whatever the client accepts (the one error middleware decides by Accept)
    req.headers.accept = 'application/json';
    const caller = await authenticateApiToken(deps.db, req.get('authorization'), deps.clock());
    if (!caller) {
      res.set('WWW-Authenticate', 'Bearer realm="veldwerk"');
      throw new HttpError(401, 'A valid API token is required (Authorization: Bearer <token>)');
    }
    if (caller.role !== 'analyst' && caller.role !== 'admin')
      throw new HttpError(403, 'Your role does not allow exports');
    res.locals.apiCaller = caller;
    next();
  });
  const who = (res: express.Response) => {
    const c = res.locals.apiCaller as ApiCaller;
    return { actor: `${c.email} (API token "${c.tokenName}")`, via: 'api' as const };
  };

  router.get('/waves', async (_req, res) => {
    const out = [];
    for (const { wave: w, responses } of await wavesWithResponseCounts(deps.db)) {
      out.push({
        id: w.id,
        name: w.name,
        questionnaire: w.questionnaire_id,
        opensOn: w.opens_on,
        closesOn: w.closes_on,
        keptAttributes: JSON.parse(w.kept_attributes),
        responses,
      });
    }
    res.json({ waves: out });
  });

  router.get('/waves/:id/export', async (req, res) => {
    const wave = await waveOr404(deps, req.params.id);
    const prepared = await prepareExport(
      deps,
      { wave },
      formatOr400(req.query.format ?? 'csv'),
      optionsOf(deps, req.query),
      who(res),
    );
    await sendExport(deps, res, prepared);
  });

  router.get('/trend/:key/export', async (req, res) => {
    const format = formatOr400(req.query.format ?? 'csv');
    if (format === 'tables' || format === 'tables-html') throw new HttpError(400, 'Headline tables are made per wave');
    const prepared = await prepareExport(
      deps,
      { trendKey: req.params.key },
      format,
      optionsOf(deps, req.query),
      who(res),
    );
    await sendExport(deps, res, prepared);
  });

  router.use((_req, _res) => {
    throw new HttpError(404, 'No such API endpoint');
  });
  return router;
}
