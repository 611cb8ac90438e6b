import type { Db } from '../../shared/data/connection';

export type Role = 'admin' | 'analyst';

export interface UserRow {
  id: string;
  email: string;
  role: Role;
  password_hash: string;
  created_at: string;
  /** set while the account is disabled (it cannot sign in); null or absent: enabled */
  disabled_at?: string | null;
}

export type UserSummary = Omit<UserRow, 'password_hash'>;

export async function insertUser(db: Db, row: UserRow): Promise<void> {
  await db('users').insert(row);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ email }).first();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

export async function listUsers(db: Db): Promise<UserSummary[]> {
  return db('users').select('id', 'email', 'role', 'created_at', 'disabled_at').orderBy('email');
}

/**
 * The account and every enabled administrator, locked (PostgreSQL: FOR UPDATE, in id order; SQLite holds one writer
 * at a time anyway) until the transaction ends: two requests that each remove an administrator are serialized, so
 * the second one sees the first one's change before it checks that an enabled administrator remains.
 */
export async function lockUserAndEnabledAdmins(trx: Db, id: string): Promise<UserSummary[]> {
  return trx<UserRow>('users')
    .select('id', 'email', 'role', 'created_at', 'disabled_at')
    .where({ id })
    .orWhere((q) => q.where({ role: 'admin' }).whereNull('disabled_at'))
    .orderBy('id')
    .forUpdate();
}

export async function countEnabledAdmins(db: Db): Promise<number> {
  const row = await db('users').where({ role: 'admin' }).whereNull('disabled_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function updateUser(db: Db, id: string, change: Partial<Pick<UserRow, 'role' | 'password_hash' | 'disabled_at'>>): Promise<void> {
  await db('users').where({ id }).update(change);
}
