import type { Db } from '../../shared/data/connection';

export interface MailTemplateRow {
  wave_id: string;
  kind: 'invite' | 'remind';
  language: 'nl' | 'en';
  subject: string;
  body: string;
  updated_at: string;
}

export async function findMailTemplate(db: Db, waveId: string, kind: MailTemplateRow['kind'], language: MailTemplateRow['language']): Promise<MailTemplateRow | undefined> {
  return db<MailTemplateRow>('mail_templates').where({ wave_id: waveId, kind, language }).first();
}

export async function saveMailTemplate(db: Db, row: MailTemplateRow): Promise<void> {
  await db('mail_templates')
    .insert(row)
    .onConflict(['wave_id', 'kind', 'language'])
    .merge({ subject: row.subject, body: row.body, updated_at: row.updated_at });
}

