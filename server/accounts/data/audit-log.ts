import { Db, MAX_SERIAL_ID } from '../../shared/data/connection';

export interface AuditRow {
  id: number;
  occurred_at: string;
  actor: string;
  action: string;
  wave_id: string | null;
  detail: string;
}

/** The audit log is append-only: this module has no update and no delete, and no route offers one. */
export async function insertAuditEntry(db: Db, row: Omit<AuditRow, 'id'>): Promise<void> {
  await db('audit_log').insert(row);
}

/** Newest first; `beforeId` pages back through older entries (one past the largest possible id bounds nothing). */
export async function listAuditEntries(db: Db, opts: { limit: number; beforeId?: number; waveId?: string }): Promise<AuditRow[]> {
  const query = db<AuditRow>('audit_log').orderBy('id', 'desc').limit(opts.limit);
  if (opts.beforeId !== undefined && opts.beforeId <= MAX_SERIAL_ID) query.where('id', '<', opts.beforeId);
  if (opts.waveId !== undefined) query.where('wave_id', opts.waveId);
  return query;
}
