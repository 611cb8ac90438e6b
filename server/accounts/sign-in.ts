import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import {
  clearSignInFailures,
  countSignInFailures,
  deleteSignInFailuresBefore,
  recordSignInFailures,
} from './data/sign-in-failures';
import { findUserByEmail, Role } from './data/users';
import { recordAudit } from './audit';
import { normalizeEmail } from '../shared/email-address';
import { verifyAgainstDummy, verifyPassword } from './passwords';
import { startSession } from './sessions';

/**
 * Failed sign-ins are counted in the database (shared by every app process) over a sliding window, separately per
 * client address and per account. A success clears only that account's counter, never an address's: signing in to
 * one's own account must not reset the count of guesses at others.
 */
export const SIGN_IN_LIMITS = { perAccount: 5, perAddress: 10, windowMs: 15 * 60 * 1000 };

export type SignInResult =
  | { kind: 'signed-in'; sessionId: string; role: Role; email: string }
  | { kind: 'invalid' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export function accountKey(email: string): string {
  return `account:${crypto.createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex')}`;
}

export function addressKey(address: string): string {
  return `address:${address.slice(0, 90)}`;
}

export async function signIn(
  db: Db,
  input: { email: string; password: string; address: string },
  now: Date,
): Promise<SignInResult> {
  const email = normalizeEmail(input.email).slice(0, 320);
  const keys = { account: accountKey(email), address: addressKey(input.address) };
  const since = new Date(now.getTime() - SIGN_IN_LIMITS.windowMs).toISOString();
  const counts = await countSignInFailures(db, [keys.account, keys.address], since);
  const blocking = [
    { count: counts.get(keys.account), limit: SIGN_IN_LIMITS.perAccount },
    { count: counts.get(keys.address), limit: SIGN_IN_LIMITS.perAddress },
  ].filter((c) => c.count && c.count.failures >= c.limit);
  if (blocking.length > 0) {
    const freeAt = Math.max(...blocking.map((c) => Date.parse(c.count!.oldest) + SIGN_IN_LIMITS.windowMs));
    return { kind: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)) };
  }

  // no account's address holds a NUL, and PostgreSQL refuses one in a query (an error, not "no such user")
  const user = email && !email.includes('\u0000') ? await findUserByEmail(db, email) : undefined;
  const ok = user ? await verifyPassword(input.password, user.password_hash) : await verifyAgainstDummy(input.password);
  // a disabled account gets the answer of a wrong password (after the same work), so the form reveals nothing
  const disabled = Boolean(user?.disabled_at);
  if (!user || !ok || disabled) {
    await recordSignInFailures(db, [keys.account, keys.address], now.toISOString());
    // an unknown "e-mail" may be a password typed in the wrong field: it is not written to the log
    const detail = ok && disabled ? { address: input.address, reason: 'account disabled' } : { address: input.address };
    await recordAudit(db, {
      actor: user ? user.email : '(unknown account)',
      action: 'signin.failure',
      detail,
      at: now,
    });
    return { kind: 'invalid' };
  }
  await clearSignInFailures(db, keys.account);
  await deleteSignInFailuresBefore(db, since);
  const sessionId = await startSession(db, user.id, now);
  await recordAudit(db, { actor: user.email, action: 'signin.success', detail: { address: input.address }, at: now });
  return { kind: 'signed-in', sessionId, role: user.role, email: user.email };
}
