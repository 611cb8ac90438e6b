import type { Db } from '../shared/data/connection';
import { deleteSessionsOfUser } from './data/sessions';
import {
  countEnabledAdmins,
  findUserByEmail,
  findUserById,
  lockUserAndEnabledAdmins,
  Role,
  updateUser,
  UserSummary,
} from './data/users';
import { recordAudit } from './audit';
import { normalizeEmail } from '../shared/email-address';
import { generatePassword, hashPassword, ScryptCost } from './passwords';
import { isRole, ROLES } from './new-account';
import { DomainError } from '../shared/errors';
import { listUsers } from './data/users';

/**
 * What an administrator does to an existing account: disable it, enable it again, change its role, or give it a new
 * generated password (shown once). Disabling and a new password end the account's sessions at once; a new role
 * counts from the account's next request (sessions read the role from the database at every request).
 */
export type UserChange = { kind: 'disable' } | { kind: 'enable' } | { kind: 'role'; role: string } | { kind: 'reset' };

/** A change that is refused: no such account, a guard (conflict) or bad input (invalid); nothing was changed. */
export class UserChangeRefused extends DomainError {
  constructor(kind: 'not-found' | 'conflict' | 'invalid', message: string) {
    super(kind, message);
  }
}

export interface UserChangeResult {
  user: UserSummary;
  /** whether anything was changed (disabling a disabled account changes nothing and is not logged) */
  changed: boolean;
  /** the new password (kind 'reset' only): shown once, stored only as its hash */
  password?: string;
}

/** Who asks: a signed-in administrator (the guard against one's own account applies), or the command line. */
export interface UserChangeActor {
  actor: string;
  userId?: string;
}

/** Account ids are UUIDs; anything else (a NUL, a number PostgreSQL would refuse) is no account: 404, no query. */
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const NO_SUCH_USER = 'There is no such user';

const AUDIT_ACTION = {
  disable: 'user.disable',
  enable: 'user.enable',
  role: 'user.role',
  reset: 'user.reset-password',
} as const;

/**
 * Applies one change in one transaction, with the audit entry. The account and every enabled administrator are
 * locked first, so the guard "an enabled administrator remains" holds even when two requests arrive at once.
 */
export async function changeUser(
  db: Db,
  by: UserChangeActor,
  userId: string,
  change: UserChange,
  now: Date,
  cost?: ScryptCost,
): Promise<UserChangeResult> {
  if (!USER_ID.test(userId)) throw new UserChangeRefused('not-found', NO_SUCH_USER);
  if (change.kind === 'role' && !isRole(change.role))
    throw new UserChangeRefused('invalid', `The role must be one of: ${ROLES.join(', ')}`);
  // hashed before the transaction (scrypt takes most of a second, and no lock should wait for it), for an account
  // that exists (checked again in the transaction)
  if (change.kind === 'reset' && !(await findUserById(db, userId)))
    throw new UserChangeRefused('not-found', NO_SUCH_USER);
  const password = change.kind === 'reset' ? generatePassword() : undefined;
  const passwordHash = password === undefined ? undefined : await hashPassword(password, cost);

  return db.transaction(async (trx) => {
    const locked = await lockUserAndEnabledAdmins(trx, userId);
    const user = locked.find((u) => u.id === userId);
    if (!user) throw new UserChangeRefused('not-found', NO_SUCH_USER);
    const enabledAdmin = user.role === 'admin' && !user.disabled_at;
    const removesAdmin =
      enabledAdmin && (change.kind === 'disable' || (change.kind === 'role' && change.role !== 'admin'));
    if (removesAdmin && by.userId === user.id) {
      throw new UserChangeRefused(
        'conflict',
        change.kind === 'disable'
          ? 'You cannot disable your own account'
          : 'You cannot take the administrator role from your own account',
      );
    }

    let after: UserSummary = user;
    let detail: Record<string, unknown> = { id: user.id, email: user.email };
    if (change.kind === 'disable' || change.kind === 'enable') {
      const disabledAt = change.kind === 'disable' ? (user.disabled_at ?? now.toISOString()) : null;
      if ((user.disabled_at ?? null) === disabledAt) return { user, changed: false };
      await updateUser(trx, user.id, { disabled_at: disabledAt });
      after = { ...user, disabled_at: disabledAt };
    } else if (change.kind === 'role') {
      const role = change.role as Role;
      if (user.role === role) return { user, changed: false };
      await updateUser(trx, user.id, { role });
      after = { ...user, role };
      detail = { ...detail, from: user.role, to: role };
    } else {
      await updateUser(trx, user.id, { password_hash: passwordHash });
    }
    if (removesAdmin && (await countEnabledAdmins(trx)) === 0) {
      throw new UserChangeRefused(
        'conflict',
        `${user.email} is the last enabled administrator: make another account an administrator first`,
      );
    }
    // a disabled account and one with a new password are signed out everywhere at once
    if (change.kind === 'disable' || change.kind === 'reset')
      detail = { ...detail, sessionsEnded: await deleteSessionsOfUser(trx, user.id) };
    await recordAudit(trx, { actor: by.actor, action: AUDIT_ACTION[change.kind], detail, at: now });
    return { user: after, changed: true, password };
  });
}

/** The command line names accounts by e-mail address. */
export async function changeUserByEmail(
  db: Db,
  by: UserChangeActor,
  email: string,
  change: UserChange,
  now: Date,
  cost?: ScryptCost,
): Promise<UserChangeResult> {
  const normalized = normalizeEmail(email);
  const user = normalized && !normalized.includes('\u0000') ? await findUserByEmail(db, normalized) : undefined;
  if (!user) throw new UserChangeRefused('not-found', `There is no user with the e-mail address ${normalized}`);
  return changeUser(db, by, user.id, change, now, cost);
}

/** Every account with its role and status, for the administrators' list. */
export function listAccounts(db: Db): Promise<UserSummary[]> {
  return listUsers(db);
}
