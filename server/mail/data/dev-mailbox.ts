import { Db, MAX_SERIAL_ID } from '../../shared/data/connection';

export interface DevMailRow {
  id: number;
  wave_id: string | null;
  invitation_id: string | null;
  recipient: string;
  subject: string;
  headers: string;
  body: string;
  created_at: string;
}

export async function insertDevMail(db: Db, row: Omit<DevMailRow, 'id'>): Promise<void> {
  await db('dev_mailbox').insert(row);
}

/** Newest first. */
export async function listDevMail(db: Db, opts: { limit: number; waveId?: string }): Promise<DevMailRow[]> {
  const q = db<DevMailRow>('dev_mailbox').orderBy('id', 'desc').limit(opts.limit);
  if (opts.waveId) q.where({ wave_id: opts.waveId });
  return q;
}

export async function findDevMail(db: Db, id: number): Promise<DevMailRow | undefined> {
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_SERIAL_ID) return undefined; // no such row, and PostgreSQL would refuse the number
  return db<DevMailRow>('dev_mailbox').where({ id }).first();
}

export async function countDevMail(db: Db): Promise<number> {
  const row = await db('dev_mailbox').count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function deleteWaveDevMail(db: Db, waveId: string): Promise<number> {
  return db('dev_mailbox').where({ wave_id: waveId }).delete();
}
