import { Db, isPostgres } from '../../shared/data/connection';

/**
 * PostgreSQL appends new and updated rows to its heap, so a plain SELECT returns responses (and the completed
 * invitations) in the order they were written: someone with the database in hand could line the two up.
 * CLUSTER rewrites both tables in the order of their random primary keys, which erases that order.
 * It takes a short exclusive lock; Veldwerk runs it when a wave closes and from `npm run cli -- db reorder`.
 * SQLite needs nothing: responses is a WITHOUT ROWID table kept in random-id order, and invitations change in place.
 */
export async function eraseStorageOrder(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await db.raw('CLUSTER responses USING responses_pkey');
  await db.raw('CLUSTER invitations USING invitations_pkey');
}
