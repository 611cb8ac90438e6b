import crypto from 'node:crypto';
import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import {
  cookieName,
  isSecureSite,
  pageAfterSignIn,
  readCookie,
  renderSignInForm,
  sessionIdOf,
  verifyCsrf,
} from './auth';
import { HttpError } from '../../shared/web/errors';
import { recordAudit } from '../audit';
import { endSession, resumeSession } from '../sessions';
import { signIn } from '../sign-in';
import { formText } from '../../shared/web/signed-in-page';

/**
 * Sign-in and sign-out. The sign-in form carries a token that must equal a cookie set with the form (double submit),
 * so another site cannot sign a browser in to an account of its choosing.
 */
export function signInRouter(deps: AppDeps): Router {
  const router = express.Router();
  const secure = isSecureSite(deps.config.publicUrl);
  const formCookie = cookieName('signin', secure);
  const form = express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 10 });

  const showForm = (res: Response, status: number, email: string, error?: string, next = '') =>
    renderSignInForm(deps, res, { status, email, error, next });

  router.get('/signin', async (req, res) => {
    const user = await resumeSession(deps.db, sessionIdOf(req, deps), deps.clock());
    const next = typeof req.query.next === 'string' ? req.query.next : '';
    if (user) return res.redirect(303, pageAfterSignIn(user.role, next));
    showForm(res, 200, '', undefined, next);
  });

  router.post('/signin', form, async (req: Request, res: Response) => {
    const cookieToken = readCookie(req, formCookie);
    const formToken = formText(req.body, '_csrf');
    if (
      !cookieToken ||
      cookieToken.length !== formToken.length ||
      !crypto.timingSafeEqual(Buffer.from(cookieToken), Buffer.from(formToken))
    ) {
      return showForm(res, 403, '', 'The sign-in form had expired. Please try again.');
    }
    const email = formText(req.body, 'email').slice(0, 320);
    const next = formText(req.body, 'next');
    const password = String((req.body as Record<string, unknown>).password ?? '').slice(0, 1024);
    const result = await signIn(deps.db, { email, password, address: req.ip ?? 'unknown' }, deps.clock());
    if (result.kind === 'throttled') {
      res.set('Retry-After', String(result.retryAfterSeconds));
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      return showForm(
        res,
        429,
        email,
        `Too many failed sign-in attempts. Sign-in is blocked for this account or address; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        next,
      );
    }
    if (result.kind === 'invalid')
      return showForm(res, 401, email, 'The e-mail address or the password is not right.', next);
    await endSession(deps.db, sessionIdOf(req, deps)); // a session this browser had before ends: one per sign-in
    res.clearCookie(formCookie, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
    res.cookie(cookieName('session', secure), result.sessionId, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
    res.redirect(303, pageAfterSignIn(result.role, next));
  });

  router.post('/signout', form, verifyCsrf(deps), async (req, res) => {
    const sessionId = sessionIdOf(req, deps);
    const user = await resumeSession(deps.db, sessionId, deps.clock());
    await endSession(deps.db, sessionId);
    if (user) await recordAudit(deps.db, { actor: user.email, action: 'signout', detail: '', at: deps.clock() });
    res.clearCookie(cookieName('session', secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
    if (req.accepts(['html', 'json']) === 'json') return res.json({ status: 'signed out' });
    res.redirect(303, '/signin');
  });

  router.all('/signin', () => {
    throw new HttpError(405, 'Method not allowed');
  });
  return router;
}
