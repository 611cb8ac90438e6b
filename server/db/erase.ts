import { Db, isPostgres } from './connection';

/** The tables whose rows carry contact data, tokens' hashes or in-progress answers of a wave. */
export const CONTACT_TABLES = ['invitations', 'progress', 'pending_imports', 'outbox', 'dev_mailbox'] as const;

/**
 * After deleting rows that must not be recoverable (staged imports): make them unreadable in the files, not only in
 * query results (SECURITY.md).
 * - SQLite: every connection runs with secure_delete, so the deleted cells and freed pages are zeroed already; a
 *   TRUNCATE checkpoint empties the WAL, whose frames held the pages' earlier images. When a reader keeps the WAL
 *   busy, the checkpoint thread truncates it a moment later.
 * - PostgreSQL: a DELETE only marks tuples dead; their bytes stay in the heap and TOAST until the space is reused.
 *   VACUUM FULL writes the table anew and drops its old files (it locks that table for the moment it takes).
 */
export async function eraseDeletedRows(db: Db, tables: readonly string[]): Promise<void> {
  if (isPostgres(db)) {
    for (const table of tables) await db.raw('VACUUM (FULL) ??', [table]);
    return;
  }
  await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
}

/**
 * After a purge: as above for every contact table, and on SQLite also VACUUM, which rebuilds every page of the file
 * from the live rows, so no free page and no slack left by a page split (say, of a file written before secure_delete
 * was on) keeps a byte of what was deleted. VACUUM needs a moment of exclusive access; other processes wait for it
 * up to busy_timeout. What stays out of the platform's reach (PostgreSQL's WAL segments and archive, base backups,
 * the file system's freed blocks) is for the operator: README "Anonymity at rest".
 */
export async function compactAfterPurge(db: Db): Promise<void> {
  if (!isPostgres(db)) await db.raw('VACUUM');
  await eraseDeletedRows(db, CONTACT_TABLES);
}
