import type { Db } from '../../shared/data/connection';
import type { Role } from './users';

export interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export async function insertApiToken(db: Db, row: ApiTokenRow): Promise<void> {
  await db('api_tokens').insert(row);
}

/** A user's tokens, newest first (the hashes are not returned). */
export async function listApiTokens(db: Db, userId: string): Promise<Array<Omit<ApiTokenRow, 'token_hash'>>> {
  return db('api_tokens').where({ user_id: userId }).select('id', 'user_id', 'name', 'created_at', 'last_used_at', 'revoked_at').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]);
}

/** Returns false when the user has no such token or it was revoked already. */
export async function revokeApiToken(db: Db, userId: string, id: string, at: string): Promise<boolean> {
  return (await db('api_tokens').where({ id, user_id: userId }).whereNull('revoked_at').update({ revoked_at: at })) === 1;
}

/** Revokes every live token of a user (a new password: whoever held the old one may have made tokens). */
export async function revokeApiTokensOfUser(db: Db, userId: string, at: string): Promise<number> {
  return db('api_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: at });
}

/** The live token with this hash and its user. */
export async function findLiveApiToken(db: Db, tokenHash: string): Promise<(ApiTokenRow & { email: string; role: Role }) | undefined> {
  return db('api_tokens')
    .join('users', 'users.id', 'api_tokens.user_id')
    .where('api_tokens.token_hash', tokenHash)
    .whereNull('api_tokens.revoked_at')
    .whereNull('users.disabled_at') // a disabled account's tokens do not work until it is enabled again
    .first('api_tokens.*', 'users.email', 'users.role');
}

export async function touchApiToken(db: Db, id: string, at: string): Promise<void> {
  await db('api_tokens').where({ id }).update({ last_used_at: at });
}
