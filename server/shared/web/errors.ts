import type { ErrorRequestHandler, Request, Response } from 'express';
import { pageTexts } from '../i18n';
import { DomainError, RefusalKind } from '../errors';
import { asLocale } from '../locale';

/** An error with an HTTP status and a message meant for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** JSON for API clients (they send JSON or ask for it), an HTML page for browsers. */
export function wantsJson(req: Request): boolean {
  return Boolean(req.is('application/json')) || req.accepts(['html', 'json']) === 'json';
}

export function sendError(req: Request, res: Response, status: number, message: string, details?: unknown): void {
  if (res.headersSent) return;
  res.status(status);
  if (wantsJson(req)) {
    res.json(details === undefined ? { error: message } : { error: message, ...details });
    return;
  }
  const locale = asLocale(req.query.lang);
  const t = pageTexts(locale);
  res.render('errors/error', {
    t,
    locale,
    status,
    title: status >= 500 ? t.errorTitle : message,
    message: status >= 500 ? t.errorBody : '',
  });
}

/** The one place where a service's refusal becomes an HTTP status. */
export const REFUSAL_STATUS: Record<RefusalKind, number> = {
  'not-found': 404,
  conflict: 409,
  invalid: 422,
  forbidden: 403,
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** How long a client should wait before trying again after a 503 ("a few minutes" in the message). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 120;

// SQLite: disk full, read-only (also READONLY_DBMOVED, _DIRECTORY …), I/O errors, a file that cannot be opened, and
// the write lock still held when busy_timeout has run out (extended codes: better-sqlite3 reports those)
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY)(_[A-Z_]+)?$/;
// PostgreSQL SQLSTATE: 53xxx insufficient resources (53100 disk_full), 25006 read_only_sql_transaction,
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions
const PG_UNAVAILABLE = /^(53[0-9A-Z]{3}|25006|57P0[123]|08[0-9A-Z]{3})$/;
const KNEX_ACQUIRE_TIMEOUT = 'Knex: Timeout acquiring a connection';

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * The code of a database failure that is the operator's problem (disk full, read-only, unreachable, overloaded),
 * not a bug; undefined for anything else. Only the code is returned: knex's messages carry the SQL with its values.
 */
export function databaseUnavailableCode(err: unknown): string | undefined {
  let e = err as ErrorLike | undefined;
  for (let depth = 0; e && depth < 3; depth++, e = e.cause as ErrorLike | undefined) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (SQLITE_UNAVAILABLE.test(code) || PG_UNAVAILABLE.test(code) || code === 'ECONNREFUSED')) return code;
    if (e.name === 'KnexTimeoutError' && typeof e.message === 'string' && e.message.startsWith(KNEX_ACQUIRE_TIMEOUT))
      return 'KNEX_ACQUIRE_TIMEOUT';
  }
  return undefined;
}

/** 503 with Retry-After: nothing was written now, what was written before is safe; in the client's language. */
function sendUnavailable(req: Request, res: Response): void {
  if (res.headersSent) return;
  const locale = asLocale(req.query.lang);
  const t = pageTexts(locale);
  // the respondent's link (and its autosave and completion) speaks of their answers; other pages more generally
  const message = /^\/s\//.test(req.path) ? t.unavailableBody : t.unavailableOther;
  res.status(503).set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS)).set('Cache-Control', 'no-store');
  if (wantsJson(req)) {
    res.json({ error: message });
    return;
  }
  res.render('errors/error', { t, locale, status: 503, title: t.unavailableTitle, message });
}

/**
 * The one error middleware: a service's refusal (DomainError) becomes its status, body-parser errors become 4xx, a database that cannot write or cannot be reached 503,
 * everything else a 500 without internals.
 */
export function errorMiddleware(log: (msg: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const bp = err as BodyParserError;
    if (err instanceof HttpError) return sendError(req, res, err.status, err.message, err.details);
    if (err instanceof DomainError) return sendError(req, res, REFUSAL_STATUS[err.kind], err.message, err.details);
    if (bp.type === 'entity.too.large') return sendError(req, res, 413, 'The request body is too large');
    if (bp.type === 'entity.parse.failed') return sendError(req, res, 400, 'The request body is not valid JSON');
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported')
      return sendError(req, res, 415, 'Unsupported body encoding');
    if (bp.expose && bp.status && bp.status >= 400 && bp.status < 500)
      return sendError(req, res, bp.status, 'The request could not be read');
    const unavailable = databaseUnavailableCode(err);
    if (unavailable) {
      log(`database unavailable (${unavailable}): ${req.method} ${redactPath(req.originalUrl)}`);
      return sendUnavailable(req, res);
    }
    log(`error: ${req.method} ${redactPath(req.originalUrl)}: ${(err as Error)?.stack ?? String(err)}`);
    sendError(req, res, 500, 'Internal error');
  };
}

/** Personal tokens must never reach a log: /s/<token>/... becomes /s/[token]/..., the opt-out link /u/<token> too */
export function redactPath(url: string): string {
  return url
    .replace(/\/s\/[^/?#]+/g, '/s/[token]')
    .replace(/\/u\/[^/?#]+/g, '/u/[token]')
    .replace(/\?.*$/, (q) => (q.length > 1 ? '?[query]' : q));
}
