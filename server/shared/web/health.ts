import express, { Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { health } from '../health';

export function healthRouter(deps: AppDeps): Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    const report = await health(deps.db);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  return router;
}
