import type { Db } from '../connection';

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

export async function saveProgress(db: Db, row: Omit<ProgressRow, 'revision'>): Promise<void> {
  await db('progress')
    .insert({ ...row, revision: 1 })
    .onConflict('invitation_id')
    .merge({ answers: row.answers, page_no: row.page_no, locale: row.locale, revision: db.raw('progress.revision + 1') });
}

export async function deleteProgress(db: Db, invitationId: string): Promise<void> {
  await db('progress').where({ invitation_id: invitationId }).delete();
}
