import { Db, isPostgres } from '../../shared/data/connection';

/**
 * PostgreSQL stamps every row version with the id of the transaction that wrote it (the hidden column `xmin`,
 * readable by any role that may SELECT the table). A completion writes the response and marks the invitation
 * `completed` in one transaction, so `responses.xmin = invitations.xmin` would tie each response to its invitation,
 * and the ascending transaction ids would give the order of completion. This rewrites, in one transaction of its own,
 * every response in a (wave, submission day) group that still shares a transaction id with an invitation or holds
 * more than one: afterwards a day's responses of a wave carry one transaction id, that of a transaction that touched
 * no invitation. Runs every minute on PostgreSQL (server/main.ts), before CLUSTER at close and from `db reorder`.
 * The old row versions stay in the heap, invisible to queries, until vacuumed (CLUSTER at close drops them).
 * Returns the number of responses rewritten. SQLite keeps no such column: nothing to do.
 */
export async function blurWriteTransactions(db: Db): Promise<number> {
  if (!isPostgres(db)) return 0;
  const result = await db.transaction((trx) =>
    trx.raw(
      `with groups as (
         select distinct r.wave_id, r.submitted_on from responses r
           join invitations i on i.xmin::text = r.xmin::text and i.status = 'completed'
         union
         select wave_id, submitted_on from responses group by wave_id, submitted_on
           having count(distinct xmin::text) > 1
       )
       update responses r set locale = r.locale from groups g
        where r.wave_id = g.wave_id and r.submitted_on = g.submitted_on`,
    ),
  );
  return Number((result as { rowCount?: number }).rowCount ?? 0);
}

/**
 * PostgreSQL appends new and updated rows to its heap, so a plain SELECT returns responses (and the completed
 * invitations) in the order they were written: someone with the database in hand could line the two up.
 * CLUSTER rewrites both tables in the order of their random primary keys, which erases that order (and drops the
 * old row versions). It takes a short exclusive lock; Veldwerk runs it when a wave closes and from
 * `npm run cli -- db reorder`, after blurWriteTransactions, so that the transaction ids tie nothing either.
 * SQLite needs nothing: responses is a WITHOUT ROWID table kept in random-id order, and invitations change in place.
 */
export async function eraseStorageOrder(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await blurWriteTransactions(db);
  await db.raw('CLUSTER responses USING responses_pkey');
  await db.raw('CLUSTER invitations USING invitations_pkey');
}
