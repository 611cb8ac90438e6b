import crypto from 'node:crypto';
import express, { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { pageTexts } from '../../shared/i18n';
import type { AppDeps } from '../../app-deps';
import type { Role } from '../new-account';
import { MAX_SAMPLE_BYTES } from '../../fielding/sample-import';
import { clearFlash, isValidCsrfToken, resumeSession, setFlash, SignedInUser } from '../sessions';
import { HttpError, wantsJson } from '../../shared/web/errors';
import { uploadForm } from '../../shared/web/upload-form';

/** Cookies are Secure (and get the __Host- prefix) when Veldwerk is reached over https. */
export function isSecureSite(publicUrl: string): boolean {
  return publicUrl.startsWith('https:');
}

export function cookieName(base: 'session' | 'signin', secure: boolean): string {
  return secure ? `__Host-veldwerk_${base}` : `veldwerk_${base}`;
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionIdOf(req: Request, deps: AppDeps): string | undefined {
  return readCookie(req, cookieName('session', isSecureSite(deps.config.publicUrl)));
}

/** Sent by the pages' own background polling (the live monitor): it does not keep a session alive. */
export const POLL_HEADER = 'x-veldwerk-poll';

/** res.locals.user: the signed-in user, or undefined. */
export function loadSession(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    res.locals.user = await resumeSession(deps.db, sessionIdOf(req, deps), deps.clock(), {
      touch: req.get(POLL_HEADER) === undefined,
    });
    next();
  };
}

const HOME: Record<Role, string> = { admin: '/admin', analyst: '/analyst' };
const AREAS: Record<Role, RegExp> = { admin: /^\/(admin|analyst)(\/|\?|$)/, analyst: /^\/analyst(\/|\?|$)/ };

/** The sign-in page, with the page asked for to return to afterwards. */
export function signInPageFor(path: string): string {
  return path && path !== '/' ? `/signin?next=${encodeURIComponent(path)}` : '/signin';
}

/**
 * Where to go after signing in: the page asked for when it is a page of this role's own area on this site (a path,
 * never another host: no "//", no backslash, no control characters), else the role's home page.
 */
export function pageAfterSignIn(role: Role, next: unknown): string {
  if (typeof next !== 'string' || next.length > 500 || /[\\\u0000-\u001f\u007f]|\/\/|\/\.\.?(\/|$)/.test(next))
    return HOME[role];
  return AREAS[role].test(next) ? next : HOME[role];
}

/** Signed out: a page request goes to the sign-in page, anything else gets 401. A wrong role gets 403. */
/**
 * The sign-in form, with a fresh double-submit token in a cookie (sign-in.ts checks it). `next`: the page to return to.
 */
export function renderSignInForm(
  deps: AppDeps,
  res: Response,
  page: { status: number; email?: string; error?: string; note?: string; next?: string },
): void {
  const secure = isSecureSite(deps.config.publicUrl);
  const token = crypto.randomBytes(32).toString('base64url');
  res.cookie(cookieName('signin', secure), token, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
  res.set('Cache-Control', 'no-store');
  res.status(page.status).render('auth/sign-in', {
    locale: 'en',
    t: pageTexts('en'),
    signedInArea: true,
    title: 'Sign in',
    formToken: token,
    email: page.email ?? '',
    error: page.error,
    note: page.note,
    next: (page.next ?? '').slice(0, 500),
  });
}

export function requireRole(deps: AppDeps, ...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const user = res.locals.user as SignedInUser | undefined;
    if (!user) {
      if (wantsJson(req)) throw new HttpError(401, 'Sign in first');
      if (req.method === 'GET') return res.redirect(303, signInPageFor(req.originalUrl));
      // a form sent after the session ended: the sign-in form at once (401), and the page's script keeps what was
      // typed in this browser and puts it back on the form after signing in (server/public/admin-drafts.js)
      return renderSignInForm(deps, res, {
        status: 401,
        note: 'Your session had ended (after 30 minutes without a page, or 12 hours after signing in), so nothing was saved. Sign in again: what you typed is kept in this browser and comes back on the form.',
        next: req.originalUrl.split('?')[0],
      });
    }
    if (!roles.includes(user.role)) throw new HttpError(403, 'Your role does not allow this');
    next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Leaves a message for the page the browser is redirected to next (kept with the session, never in the URL). */
export function flashForNextPage(deps: AppDeps, req: Request, text: string): Promise<void> {
  return setFlash(deps.db, sessionIdOf(req, deps), text);
}

/**
 * A page (not an API call, not background polling) shows the session's waiting message once (res.locals.flash); it
 * is cleared by the page that shows it, before that page is sent, not by a refused request, so a mistyped address
 * does not eat it.
 */
function takeFlash(deps: AppDeps): RequestHandler {
  return (req, res, next) => {
    const user = res.locals.user as SignedInUser | undefined;
    if (user?.flash && req.method === 'GET' && !wantsJson(req) && req.get(POLL_HEADER) === undefined) {
      res.locals.flash = user.flash;
      const sessionId = sessionIdOf(req, deps);
      // the page that shows it clears it before it is sent (renderSignedInPage), so the next request never sees it
      // again; a refused request (4xx) or a redirect leaves it for the next page
      res.locals.consumeFlash = () => clearFlash(deps.db, sessionId);
    }
    next();
  };
}

/** true when `token` is the CSRF token of the request's session. */
function csrfTokenOk(deps: AppDeps, req: Request, token: unknown): boolean {
  const sessionId = sessionIdOf(req, deps);
  return Boolean(sessionId) && isValidCsrfToken(sessionId as string, token);
}

/** The synchronizer token of the session must come with every state-changing request (form field or header). */
export function verifyCsrf(deps: AppDeps): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!UNSAFE.has(req.method)) return next();
    const token = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    if (!csrfTokenOk(deps, req, token)) {
      throw new HttpError(403, 'This form has expired or did not come from Veldwerk: reload the page and try again');
    }
    next();
  };
}

/**
 * Everything an area for signed-in users needs, in order: no caching, the session, the role, the form body
 * (URL-encoded, or multipart with one file for uploads), and the CSRF check. Routes mounted after it can trust
 * res.locals.user and need no checks of their own beyond what they do.
 */
export function signedInArea(deps: AppDeps, roles: Role[]): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(loadSession(deps));
  router.use(requireRole(deps, ...roles));
  router.use(takeFlash(deps));
  router.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  // an upload's CSRF token is checked as its parts arrive, before the file is read (shared/web/upload-form.ts)
  router.use(uploadForm(MAX_SAMPLE_BYTES, (req, token) => csrfTokenOk(deps, req, token)));
  router.use(verifyCsrf(deps));
  return router;
}
