import type { Db } from '../connection';

export type Role = 'admin' | 'analyst';

export interface UserRow {
  id: string;
  email: string;
  role: Role;
  password_hash: string;
  created_at: string;
}

export async function insertUser(db: Db, row: UserRow): Promise<void> {
  await db('users').insert(row);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ email }).first();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

export async function listUsers(db: Db): Promise<Array<Omit<UserRow, 'password_hash'>>> {
  return db('users').select('id', 'email', 'role', 'created_at').orderBy('email');
}
