import express, { Express } from 'express';
import http from 'node:http';
import path from 'node:path';
import { errorMiddleware, redactPath, sendError } from './shared/web/errors';
import { rejectMalformedPath } from './shared/web/malformed-path';
import { projectRoot } from './shared/project-root';
import { assets } from './shared/web/assets';
import { compression } from './shared/web/compression';
import { security, Security } from './shared/web/security';
import { healthRouter } from './shared/web/health';
import { respondentRouter } from './respondent/web/respondent-routes';
import { respondentFastPath } from './respondent/web/respondent-fast-path';
import { wavePageRouter } from './respondent/web/wave-page-routes';
import { wavePageAdminRouter } from './respondent/web/wave-page-admin';
import { pagesRouter } from './shared/web/pages';
import { adminRouter } from './fielding/web/admin';
import { analystRouter } from './exports/web/analyst';
import { analystExportsRouter } from './exports/web/analyst-exports';
import { analystTokensRouter } from './accounts/web/analyst-tokens';
import { exportApiRouter } from './exports/web/export-api';
import { signInRouter } from './accounts/web/sign-in';
import { adminMailRouter } from './mail/web/admin-mail';
import { adminQuestionnairesRouter } from './questionnaires/web/admin-questionnaires';
import { loadUploadedVersions } from './questionnaires/version-uploads';
import type { AppDeps } from './app-deps';
import { optOutRouter } from './mail/web/opt-out';
import { systemClock } from './shared/calendar';

export type { AppDeps };

/**
 * The whole request pipeline, composed here in the open: ordinary autosaves and completions are answered by the
 * respondent fast path (no express; see respondent-fast-path.ts), everything else by the express app. Both write the
 * same security headers and see the same client address (shared/web/security.ts). `fastPathAnswered` counts what the
 * fast path answered, so a test can tell that it still does.
 */
export interface Entry {
  app: Express;
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  fastPathAnswered(): number;
}

type AppInput = Omit<AppDeps, 'clock' | 'log'> & Partial<Pick<AppDeps, 'clock' | 'log'>>;

export function createEntry(partial: AppInput): Entry {
  const deps: AppDeps = { clock: systemClock, log: (line) => console.log(line), ...partial };
  const shared = security({ publicUrl: deps.config.publicUrl, trustProxy: deps.config.trustProxy });
  const app = expressApp(deps, shared);
  const fastPath = respondentFastPath({ deps, headers: shared.headers, clientAddress: shared.clientAddress });
  let answered = 0;
  return {
    app,
    handle: (req, res) => {
      if (fastPath(req, res)) answered++;
      else app(req, res);
    },
    fastPathAnswered: () => answered,
  };
}

/** The express app alone: every route, without the fast path in front (which answers the same, see createEntry). */
export function createApp(partial: AppInput): Express {
  const deps: AppDeps = { clock: systemClock, log: (line) => console.log(line), ...partial };
  return expressApp(deps, security({ publicUrl: deps.config.publicUrl, trustProxy: deps.config.trustProxy }));
}

function expressApp(deps: AppDeps, shared: Security): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('view engine', 'ejs');
  app.set('views', path.join(projectRoot, 'views'));
  // templates are part of a release: compile each once (express does this only under NODE_ENV=production; without
  // it, every respondent page was compiled anew, about 5% of the server's time under load)
  app.enable('view cache');
  // includes written from the views' root ('/respondent/top') are found without a file-system check on every render
  // (ejs looks for a relative include next to the including file first, with existsSync each time)
  app.set('view options', { root: path.join(projectRoot, 'views') });
  // no ETag on generated pages and JSON: they are personal and no-store, so hashing every body bought nothing
  // (static assets keep serve-static's own ETag and Last-Modified)
  app.set('etag', false);
  app.set('query parser', 'simple');
  // behind a reverse proxy, the client address (sign-in throttle, audit log) comes from X-Forwarded-For: express gets
  // the compiled function the fast path uses too
  app.set('trust proxy', shared.trust);

  app.use(shared.middleware);

  if (deps.config.logRequests) {
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        deps.log(`${req.method} ${redactPath(req.originalUrl)} ${res.statusCode} ${ms.toFixed(1)}ms`);
      });
      next();
    });
  }

  app.use(rejectMalformedPath());
  // pages and JSON compressed per response; the assets once, under content-hashed immutable addresses
  app.use(compression());
  const files = assets();
  app.locals.asset = files.url;
  // the respondent's routes first: page views are most of the traffic that reaches express
  app.use(respondentRouter(deps));
  app.use(files.router);
  app.use(healthRouter(deps));
  app.use(wavePageRouter(deps));
  app.use(optOutRouter(deps));
  app.use(pagesRouter());
  app.use(signInRouter(deps));
  // versions another process registered since this one started: every page of these areas lists or uses them
  app.use(['/admin', '/analyst', '/api/v1'], async (_req, _res, next) => {
    await loadUploadedVersions(deps.db, deps.registry, deps.log);
    next();
  });
  app.use(
    '/admin',
    adminRouter(deps, [adminMailRouter(deps), wavePageAdminRouter(deps), adminQuestionnairesRouter(deps)]),
  );
  app.use('/analyst', analystRouter(deps, [analystExportsRouter(deps), analystTokensRouter(deps)]));
  app.use('/api/v1', exportApiRouter(deps));

  app.use((req, res) => sendError(req, res, 404, 'Page not found'));
  app.use(errorMiddleware(deps.log));

  return app;
}
