import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import {
  deleteExpiredSessions,
  deleteSession,
  findSessionWithUser,
  insertSession,
  touchSession,
} from './data/sessions';
import type { Role } from './data/users';

/** A session ends after 30 minutes without a request, and 12 hours after sign-in whatever happens. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** last_seen_at is written at most once a minute per session, not at every request */
const TOUCH_AFTER_MS = 60 * 1000;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface SignedInUser {
  userId: string;
  email: string;
  role: Role;
  /** the synchronizer token of this session, for every state-changing form */
  csrfToken: string;
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The CSRF token is derived from the session id, which only the browser has: the database cannot give it away. */
export function csrfTokenFor(sessionId: string): string {
  return crypto.createHash('sha256').update(`veldwerk-csrf\0${sessionId}`, 'utf8').digest('base64url');
}

export function isValidCsrfToken(sessionId: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionId));
  const given = Buffer.from(token);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** Starts a session: 256 random bits, of which only the SHA-256 is stored. Returns the id for the cookie. */
export async function startSession(db: Db, userId: string, now: Date): Promise<string> {
  const sessionId = crypto.randomBytes(32).toString('base64url');
  const at = now.toISOString();
  await deleteExpiredSessions(
    db,
    new Date(now.getTime() - SESSION_IDLE_MS).toISOString(),
    new Date(now.getTime() - SESSION_ABSOLUTE_MS).toISOString(),
  );
  await insertSession(db, { id_hash: sha256(sessionId), user_id: userId, created_at: at, last_seen_at: at });
  return sessionId;
}

/**
 * The user of a live session, or undefined (unknown, malformed or expired: an expired session is deleted).
 * `touch: false` (background polling) does not count as activity, so an unattended page still times out.
 */
export async function resumeSession(
  db: Db,
  sessionId: string | undefined,
  now: Date,
  opts: { touch?: boolean } = {},
): Promise<SignedInUser | undefined> {
  if (!sessionId || !SESSION_ID.test(sessionId)) return undefined;
  const idHash = sha256(sessionId);
  const session = await findSessionWithUser(db, idHash);
  if (!session) return undefined;
  const idleFor = now.getTime() - Date.parse(session.last_seen_at);
  const age = now.getTime() - Date.parse(session.created_at);
  if (idleFor > SESSION_IDLE_MS || age > SESSION_ABSOLUTE_MS) {
    await deleteSession(db, idHash);
    return undefined;
  }
  if (opts.touch !== false && idleFor > TOUCH_AFTER_MS) await touchSession(db, idHash, now.toISOString());
  return { userId: session.user_id, email: session.email, role: session.role, csrfToken: csrfTokenFor(sessionId) };
}

export async function endSession(db: Db, sessionId: string | undefined): Promise<void> {
  if (sessionId && SESSION_ID.test(sessionId)) await deleteSession(db, sha256(sessionId));
}
