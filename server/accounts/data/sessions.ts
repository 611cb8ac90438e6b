import type { Db } from '../../shared/data/connection';
import type { Role } from './users';

export interface SessionRow {
  id_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
}

export interface SessionWithUser extends SessionRow {
  email: string;
  role: Role;
  /** a one-time message for the next page, or null */
  flash: string | null;
}

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db('sessions').insert(row);
}

export async function findSessionWithUser(db: Db, idHash: string): Promise<SessionWithUser | undefined> {
  return db('sessions')
    .join('users', 'users.id', 'sessions.user_id')
    .where('sessions.id_hash', idHash)
    .whereNull('users.disabled_at') // a disabled account's sessions are deleted too; this covers a race with that
    .first('sessions.id_hash', 'sessions.user_id', 'sessions.created_at', 'sessions.last_seen_at', 'sessions.flash', 'users.email', 'users.role');
}

export async function setSessionFlash(db: Db, idHash: string, flash: string | null): Promise<void> {
  await db('sessions').where({ id_hash: idHash }).update({ flash });
}

export async function touchSession(db: Db, idHash: string, at: string): Promise<void> {
  await db('sessions').where({ id_hash: idHash }).update({ last_seen_at: at });
}

/** Ends every session of the account (disabled, or a new password): in the database, so on every app process. */
export async function deleteSessionsOfUser(db: Db, userId: string): Promise<number> {
  return db('sessions').where({ user_id: userId }).delete();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db('sessions').where({ id_hash: idHash }).delete();
}

/** Removes the sessions idle since before idleCutoff or created before absoluteCutoff. */
export async function deleteExpiredSessions(db: Db, idleCutoff: string, absoluteCutoff: string): Promise<void> {
  await db('sessions').where('last_seen_at', '<', idleCutoff).orWhere('created_at', '<', absoluteCutoff).delete();
}
