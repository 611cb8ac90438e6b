/**
 * API tokens for the export API: an analyst creates one in the web pages, sees it once, and can revoke it. Only the
 * token's SHA-256 is stored (the token is 256 random bits, so a plain hash is enough); a revoked token, or one whose
 * user lost the analyst or admin role, no longer works.
 */
import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { findLiveApiToken, insertApiToken, listApiTokens, revokeApiToken, touchApiToken } from './data/api-tokens';
import type { Role } from './data/users';
import { recordAudit } from './audit';
import { InvalidError } from '../shared/errors';

export const TOKEN_PREFIX = 'vw_';
const TOKEN_SHAPE = /^vw_[A-Za-z0-9_-]{43}$/;

export class ApiTokenInputError extends InvalidError {}

const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

export async function createApiToken(
  db: Db,
  user: { userId: string; email: string },
  name: string,
  now: Date,
): Promise<{ id: string; token: string }> {
  const clean = name.trim();
  if (!clean || clean.length > 100 || /[\u0000-\u001f\u007f]/.test(clean))
    throw new ApiTokenInputError('Give the token a name of at most 100 characters (what it is for)');
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const id = crypto.randomUUID();
  await insertApiToken(db, {
    id,
    user_id: user.userId,
    name: clean,
    token_hash: sha256(token),
    created_at: now.toISOString(),
    last_used_at: null,
    revoked_at: null,
  });
  await recordAudit(db, { actor: user.email, action: 'api-token.create', detail: { id, name: clean }, at: now });
  return { id, token };
}

export function apiTokensOf(db: Db, userId: string) {
  return listApiTokens(db, userId);
}

export async function revokeOwnApiToken(
  db: Db,
  user: { userId: string; email: string },
  id: string,
  now: Date,
): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return false; // not an id (ids are UUIDs): PostgreSQL would refuse some, a NUL say
  const done = await revokeApiToken(db, user.userId, id, now.toISOString());
  if (done) await recordAudit(db, { actor: user.email, action: 'api-token.revoke', detail: { id }, at: now });
  return done;
}

export interface ApiCaller {
  userId: string;
  email: string;
  role: Role;
  tokenId: string;
  tokenName: string;
}

/** The caller of an `Authorization: Bearer vw_…` header, or undefined. Records when a token was last used (per minute). */
export async function authenticateApiToken(
  db: Db,
  header: string | undefined,
  now: Date,
): Promise<ApiCaller | undefined> {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  if (!m || !TOKEN_SHAPE.test(m[1])) return undefined;
  const row = await findLiveApiToken(db, sha256(m[1]));
  if (!row) return undefined;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000)
    await touchApiToken(db, row.id, now.toISOString());
  return { userId: row.user_id, email: row.email, role: row.role, tokenId: row.id, tokenName: row.name };
}
