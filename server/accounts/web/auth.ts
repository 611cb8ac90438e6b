import express, { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import type { Role } from '../new-account';
import { MAX_SAMPLE_BYTES } from '../../fielding/sample-import';
import { isValidCsrfToken, resumeSession, SignedInUser } from '../sessions';
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

/** Signed out: a page request goes to the sign-in page, anything else gets 401. A wrong role gets 403. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const user = res.locals.user as SignedInUser | undefined;
    if (!user) {
      if (req.method === 'GET' && !wantsJson(req)) return res.redirect(303, '/signin');
      throw new HttpError(401, 'Sign in first');
    }
    if (!roles.includes(user.role)) throw new HttpError(403, 'Your role does not allow this');
    next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The synchronizer token of the session must come with every state-changing request (form field or header). */
export function verifyCsrf(deps: AppDeps): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!UNSAFE.has(req.method)) return next();
    const token = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    const sessionId = sessionIdOf(req, deps);
    if (!sessionId || !isValidCsrfToken(sessionId, token)) {
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
  router.use(requireRole(...roles));
  router.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  router.use(uploadForm(MAX_SAMPLE_BYTES));
  router.use(verifyCsrf(deps));
  return router;
}
