import type { ErrorRequestHandler, Request, Response } from 'express';
import { pageTexts } from '../i18n';
import { asLocale } from '../services/respondent';

/** An error with an HTTP status and a message meant for the client. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
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
  res.render('errors/error', { t, locale, status, title: status >= 500 ? t.errorTitle : message, message: status >= 500 ? t.errorBody : '' });
}

interface BodyParserError { type?: string; status?: number; expose?: boolean }

/** The one error middleware: body-parser errors become 4xx, everything else a 500 without internals. */
export function errorMiddleware(log: (msg: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const bp = err as BodyParserError;
    if (err instanceof HttpError) return sendError(req, res, err.status, err.message, err.details);
    if (bp.type === 'entity.too.large') return sendError(req, res, 413, 'The request body is too large');
    if (bp.type === 'entity.parse.failed') return sendError(req, res, 400, 'The request body is not valid JSON');
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported') return sendError(req, res, 415, 'Unsupported body encoding');
    if (bp.expose && bp.status && bp.status >= 400 && bp.status < 500) return sendError(req, res, bp.status, 'The request could not be read');
    log(`error: ${req.method} ${redactPath(req.originalUrl)}: ${(err as Error)?.stack ?? String(err)}`);
    sendError(req, res, 500, 'Internal error');
  };
}

/** Personal tokens must never reach a log: /s/<token>/... becomes /s/[token]/..., the opt-out link /u/<token> too */
export function redactPath(url: string): string {
  return url.replace(/\/s\/[^/?#]+/g, '/s/[token]').replace(/\/u\/[^/?#]+/g, '/u/[token]').replace(/\?.*$/, (q) => (q.length > 1 ? '?[query]' : q));
}
