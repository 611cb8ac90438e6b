import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { isUniqueViolation } from '../shared/data/connection';
import { insertUser, Role, UserRow } from './data/users';
import { isValidEmail, normalizeEmail } from '../shared/email-address';
import { generatePassword, hashPassword, ScryptCost } from './passwords';
import { InvalidError } from '../shared/errors';

export const ROLES: readonly Role[] = ['admin', 'analyst'];

export class UserInputError extends InvalidError {}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Creates an account with a generated password, which is returned once and stored only as a slow hash. */
export async function addUser(
  db: Db,
  input: { email: string; role: string },
  now: Date,
  cost?: ScryptCost,
): Promise<{ user: Omit<UserRow, 'password_hash'>; password: string }> {
  const email = normalizeEmail(input.email ?? '');
  if (!isValidEmail(email)) throw new UserInputError('the e-mail address is not valid');
  if (!isRole(input.role)) throw new UserInputError(`the role must be one of: ${ROLES.join(', ')}`);
  const password = generatePassword();
  const row: UserRow = {
    id: crypto.randomUUID(),
    email,
    role: input.role,
    password_hash: await hashPassword(password, cost),
    created_at: now.toISOString(),
  };
  try {
    await insertUser(db, row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new UserInputError(`a user with the e-mail address ${email} exists already`);
    throw err;
  }
  const { password_hash: _hash, ...user } = row;
  return { user, password };
}

export type { Role };
