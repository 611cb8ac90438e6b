import type { Db } from '../connection';

export type InvitationStatus = 'invited' | 'started' | 'completed';

export interface InvitationRow {
  id: string;
  wave_id: string;
  token_hash: string | null;
  email: string | null;
  name: string | null;
  organisation: string | null;
  attributes: string;
  language: string;
  status: InvitationStatus;
  is_test: boolean | number;
  created_at: string;
}

export async function insertInvitations(db: Db, rows: InvitationRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('invitations').insert(rows.slice(i, i + 200));
}

export async function findInvitationByTokenHash(db: Db, tokenHash: string): Promise<InvitationRow | undefined> {
  return db<InvitationRow>('invitations').where({ token_hash: tokenHash }).first();
}

export async function markInvitationStarted(db: Db, id: string): Promise<void> {
  await db('invitations').where({ id, status: 'invited' }).update({ status: 'started' });
}

/**
 * Marks the invitation completed if it was not yet. Returns false when another request completed it first.
 * Being a write, it is the first statement of the completion transaction, so SQLite takes its write lock at once.
 */
export async function claimInvitationCompletion(db: Db, id: string): Promise<boolean> {
  const changed = await db('invitations').where({ id }).whereNot({ status: 'completed' }).update({ status: 'completed' });
  return changed === 1;
}
