import type { Db } from '../../shared/data/connection';
import type { Writer } from '../../shared/data/group-commit';

export interface ProgressRow {
  invitation_id: string;
  answers: string;
  page_no: number;
  locale: string;
  revision: number;
}

export async function findProgress(db: Db, invitationId: string): Promise<ProgressRow | undefined> {
  return db<ProgressRow>('progress').where({ invitation_id: invitationId }).first();
}

/**
 * Inserts or replaces the saved answers of an invitation. With a sequence number (the page counts its saves), the copy
 * is replaced only by a higher one, and `revision` becomes that number: an autosave that arrives late (a keep-alive
 * request sent as the page closed, overtaken by the next page's save) never overwrites a newer copy. Without one, the
 * revision is counted up. Returns false when a newer copy was kept.
 */
export async function saveProgress(w: Writer, row: Omit<ProgressRow, 'revision'>, seq?: number): Promise<boolean> {
  if (seq === undefined) {
    await w.run(
      'insert into progress (invitation_id, answers, page_no, locale, revision) values (?, ?, ?, ?, 1) ' +
        'on conflict (invitation_id) do update set answers = excluded.answers, page_no = excluded.page_no, ' +
        'locale = excluded.locale, revision = progress.revision + 1',
      [row.invitation_id, row.answers, row.page_no, row.locale],
    );
    return true;
  }
  const changed = await w.run(
    'insert into progress (invitation_id, answers, page_no, locale, revision) values (?, ?, ?, ?, ?) ' +
      'on conflict (invitation_id) do update set answers = excluded.answers, page_no = excluded.page_no, ' +
      'locale = excluded.locale, revision = excluded.revision where progress.revision < excluded.revision',
    [row.invitation_id, row.answers, row.page_no, row.locale, seq],
  );
  return changed === 1;
}

export async function deleteProgress(w: Writer, invitationId: string): Promise<void> {
  await w.run('delete from progress where invitation_id = ?', [invitationId]);
}

/** Rows written before in-progress answers were sealed (plain JSON): at most `limit` of them. */
export async function listUnsealedProgress(db: Db, limit: number): Promise<Array<Pick<ProgressRow, 'invitation_id' | 'answers'>>> {
  return db<ProgressRow>('progress').whereNot('answers', 'like', 'v1:%').select('invitation_id', 'answers').limit(limit);
}

export async function replaceProgressAnswers(db: Db, invitationId: string, expected: string, answers: string): Promise<void> {
  await db('progress').where({ invitation_id: invitationId, answers: expected }).update({ answers });
}
