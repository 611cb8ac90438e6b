import express, { Express } from 'express';
import helmet from 'helmet';
import http from 'node:http';
import proxyAddr from 'proxy-addr';
import path from 'node:path';
import { errorMiddleware, redactPath, sendError } from './shared/web/errors';
import { rejectMalformedPath } from './shared/web/malformed-path';
import { projectRoot } from './shared/project-root';
import { assets } from './shared/web/assets';
import { compression } from './shared/web/compression';
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
import type { AppDeps } from './app-deps';
import { optOutRouter } from './mail/web/opt-out';
import { systemClock } from './shared/calendar';

export type { AppDeps };

export function createApp(partial: Omit<AppDeps, 'clock' | 'log'> & Partial<Pick<AppDeps, 'clock' | 'log'>>): Express {
  const deps: AppDeps = { clock: systemClock, log: (line) => console.log(line), ...partial };
  const app = express();
  app.disable('x-powered-by');
  app.set('view engine', 'ejs');
  app.set('views', path.join(projectRoot, 'views'));
  // templates are part of a release: compile each once (express does this only under NODE_ENV=production; without
  // it, every respondent page was compiled anew, about 5% of the server's time under load)
  app.enable('view cache');
  // no ETag on generated pages and JSON: they are personal and no-store, so hashing every body bought nothing
  // (static assets keep serve-static's own ETag and Last-Modified)
  app.set('etag', false);
  app.set('query parser', 'simple');
  // behind a reverse proxy, the client address (sign-in throttle, audit log) comes from X-Forwarded-For
  if (deps.config.trustProxy !== undefined) app.set('trust proxy', deps.config.trustProxy);

  const security = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"], // SurveyJS sets style attributes on its elements
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' }, // personal tokens are in URLs
    strictTransportSecurity: deps.config.publicUrl.startsWith('https:'),
  });
  app.use(security);

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
  app.use(files.router);
  app.use(healthRouter(deps));
  app.use(respondentRouter(deps));
  app.use(wavePageRouter(deps));
  app.use(optOutRouter(deps));
  app.use(pagesRouter());
  app.use(signInRouter(deps));
  app.use('/admin', adminRouter(deps, [adminMailRouter(deps), wavePageAdminRouter(deps)]));
  app.use('/analyst', analystRouter(deps, [analystExportsRouter(deps), analystTokensRouter(deps)]));
  app.use('/api/v1', exportApiRouter(deps));

  app.use((req, res) => sendError(req, res, 404, 'Page not found'));
  app.use(errorMiddleware(deps.log));

  // ordinary autosaves and completions are answered before express's own request handling (see the fast path)
  const fastPath = respondentFastPath({
    deps,
    headers: headersOf(security),
    clientAddress: (req) => proxyAddr(req, app.get('trust proxy fn')),
  });
  const entry = app as unknown as { handle(req: http.IncomingMessage, res: http.ServerResponse, next?: unknown): void };
  const handle = entry.handle.bind(app);
  entry.handle = (req, res, next) => {
    if (!fastPath(req, res)) handle(req, res, next);
  };
  return app;
}

/** The headers a middleware that only sets headers (helmet) gives every response, taken once. */
function headersOf(
  middleware: (req: never, res: never, next: (err?: unknown) => void) => void,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  middleware({} as never, res as never, (err) => {
    if (err) throw err;
  });
  return headers;
}
