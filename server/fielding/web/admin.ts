import express, { Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { signedInArea } from '../../accounts/web/auth';
import { adminAuditRouter } from '../../accounts/web/admin-audit';
import { adminImportsRouter } from './admin-imports';
import { adminPeopleRouter } from './admin-people';
import { adminUsersRouter } from '../../accounts/web/admin-users';
import { adminWavesRouter } from './admin-waves';

/**
 * Everything under /admin: administrators only, with the session, CSRF and body handling of signedInArea in front.
 * Further admin pages (mail) are mounted here too, so they get the same checks.
 */
export function adminRouter(deps: AppDeps, more: Router[] = []): Router {
  const router = express.Router();
  router.use(signedInArea(deps, ['admin']));
  router.use(adminWavesRouter(deps));
  router.use(adminImportsRouter(deps));
  router.use(adminPeopleRouter(deps));
  router.use(adminUsersRouter(deps));
  router.use(adminAuditRouter(deps));
  for (const r of more) router.use(r);
  return router;
}
