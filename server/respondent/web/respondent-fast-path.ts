import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppDeps } from '../../app-deps';
import {
  databaseUnavailableCode,
  HttpError,
  redactPath,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from '../../shared/web/errors';
import { pageTexts } from '../../shared/i18n';
import { nextSlice } from '../../shared/loop-slices';
import { openLink } from '../respondent';
import {
  answerCall,
  ApiAnswer,
  ApiCall,
  BODY_LIMIT_BYTES,
  bodyRefusal,
  CALLS,
  linkRefusal,
  refusal,
} from './respondent-api';

/**
 * Autosave and completion without express, for the ordinary call that the respondent page makes: `PUT
 * /s/<token>/progress` or `POST /s/<token>/complete`, no query, `Content-Type: application/json` (UTF-8), no
 * content encoding, a `Content-Length` within the limit. Any other request goes to express, whose routes answer it
 * the same way with more cases (respondent.ts).
 *
 * Why: on this 2-core machine, express's own handling of a request cost about 140 µs before any route ran, three
 * times node's HTTP server (a raw handler that reads and parses the same JSON body: 55 µs), and the completion's
 * own work about as much again. Autosave and completion are most of the platform's traffic during fieldwork.
 *
 * The answers are the express routes' answers (respondent-api.ts), the headers helmet's (taken once from the app's
 * helmet middleware) plus `Cache-Control: no-store`, the client address express's (its compiled 'trust proxy'), the
 * checks are done in the same order (link, then body), and failures go through the error middleware's rules: 503
 * with Retry-After when the database cannot write, 500 without internals otherwise. The log never sees the token.
 */
export interface FastPathOptions {
  deps: AppDeps;
  /** the security headers every response gets (helmet's) */
  headers: Record<string, string>;
  /** the client address as express computes `req.ip` */
  clientAddress(req: IncomingMessage): string | undefined;
}

const CALL_PATH = /^\/s\/([A-Za-z0-9_-]{1,200})\/(progress|complete)$/;
const JSON_UTF8 = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Returns a handler that answers the request and returns true, or returns false and leaves it to express. */
export function respondentFastPath(opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { deps } = opts;
  const baseHeaders = { ...opts.headers, 'cache-control': 'no-store' };

  const send = (req: IncomingMessage, res: ServerResponse, answer: ApiAnswer, extra?: Record<string, string>) => {
    const body = answer.body ? JSON.stringify(answer.body) : undefined;
    const headers: Record<string, string> = { ...baseHeaders, ...extra };
    if (body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    res.writeHead(answer.status, headers);
    res.end(body);
  };

  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    if (res.headersSent) return;
    const code = databaseUnavailableCode(err);
    if (code) {
      deps.log(`database unavailable (${code}): ${req.method} ${redactPath(req.url ?? '')}`);
      send(
        req,
        res,
        { status: 503, body: { error: pageTexts('nl').unavailableBody } },
        { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      );
      return;
    }
    deps.log(`error: ${req.method} ${redactPath(req.url ?? '')}: ${(err as Error)?.stack ?? String(err)}`);
    send(req, res, refusal(500, 'Internal error'));
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, call: ApiCall, token: string, raw: string) => {
    // reading the link, parsing, judging and storing run in bounded slices of the event loop (loop-slices.ts)
    await nextSlice();
    const link = await openLink(deps.db, deps.registry, token, opts.clientAddress(req) ?? 'unknown', deps.clock(), {
      withProgress: false,
    });
    const body = linkRefusal(link) ?? parseBody(raw);
    if (body instanceof HttpError) {
      const retryAfter = link.kind === 'throttled' ? { 'retry-after': String(link.retryAfter) } : undefined;
      return send(req, res, refusal(body.status, body.message), retryAfter);
    }
    if (link.kind !== 'open') return; // linkRefusal refused every other state above
    send(req, res, await answerCall(deps, call, link, body));
  };

  return (req, res) => {
    const matched = CALL_PATH.exec(req.url ?? '');
    if (!matched) return false;
    const call = matched[2] as ApiCall;
    if (req.method !== CALLS[call].method) return false;
    const type = req.headers['content-type'];
    const encoding = req.headers['content-encoding'];
    const length = req.headers['content-length'];
    if (!type || !JSON_UTF8.test(type)) return false;
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    if (length === undefined || !/^\d{1,7}$/.test(length) || Number(length) > BODY_LIMIT_BYTES) return false;

    const started = process.hrtime.bigint();
    if (deps.config.logRequests) {
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        deps.log(`${req.method} ${redactPath(req.url ?? '')} ${res.statusCode} ${ms.toFixed(1)}ms`);
      });
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined); // a request cut off midway: nobody is left to answer
    req.on('end', () => {
      answer(req, res, call, matched[1], Buffer.concat(chunks).toString('utf8')).catch((err) => fail(req, res, err));
    });
    return true;
  };
}

/**
 * The body as express.json({ strict: true }) and the routes' own check take it: an empty body is `{}`, anything that
 * does not start with `{` or `[` or does not parse is not JSON (400), and JSON that is not an object is refused (400).
 */
function parseBody(raw: string): Record<string, unknown> | HttpError {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.length === 0) return {};
  const first = text.trimStart()[0];
  let body: unknown;
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    body = JSON.parse(text);
  } catch {
    return new HttpError(400, 'The request body is not valid JSON');
  }
  return bodyRefusal(body) ?? (body as Record<string, unknown>);
}
