import express, { Router } from 'express';
import type { AppDeps } from '../../app-deps';

export function healthRouter(deps: AppDeps): Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await deps.db.raw('select 1');
      res.json({ status: 'ok', database: 'up' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  });
  return router;
}
