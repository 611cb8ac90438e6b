import express, { Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { signedInArea } from '../../accounts/web/auth';
import { renderSignedInPage } from '../../shared/web/signed-in-page';

/**
 * Everything under /analyst: analysts (and administrators), behind the same session, CSRF and body handling as
 * /admin. The exports are added here.
 */
export function analystRouter(deps: AppDeps, more: Router[] = []): Router {
  const router = express.Router();
  router.use(signedInArea(deps, ['analyst', 'admin']));
  router.get('/', (_req, res) => renderSignedInPage(res, 'analyst/home', { title: 'Analysis' }));
  for (const r of more) router.use(r);
  return router;
}
