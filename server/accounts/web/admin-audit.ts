import express, { Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { wantsJson } from '../../shared/web/errors';
import { auditPage } from '../audit';
import { renderSignedInPage } from '../../shared/web/signed-in-page';

/** The audit log, newest first, read-only: no route changes or removes an entry. */
export function adminAuditRouter(deps: AppDeps): Router {
  const router = express.Router();
  router.get('/audit', async (req, res) => {
    const before =
      typeof req.query.before === 'string' && /^\d{1,12}$/.test(req.query.before)
        ? Number(req.query.before)
        : undefined;
    const wave =
      typeof req.query.wave === 'string' && /^[0-9a-f-]{36}$/.test(req.query.wave) ? req.query.wave : undefined;
    const page = await auditPage(deps.db, before, wave);
    if (wantsJson(req)) return res.json(page);
    renderSignedInPage(res, 'admin/audit', { title: 'Audit log', ...page, waveFilter: wave });
  });
  return router;
}
