import type { Db } from '../connection';

export interface PendingImportRow {
  id: string;
  wave_id: string;
  created_by: string;
  created_at: string;
  file_name: string;
  row_count: number;
  summary: string;
  invitees: string;
}

export async function insertPendingImport(db: Db, row: PendingImportRow): Promise<void> {
  await db('pending_imports').insert(row);
}

export async function findPendingImport(db: Db, id: string, waveId: string): Promise<PendingImportRow | undefined> {
  return db<PendingImportRow>('pending_imports').where({ id, wave_id: waveId }).first();
}

/** Returns false when the row was gone already (confirmed or cancelled by another request). */
export async function deletePendingImport(db: Db, id: string): Promise<boolean> {
  return (await db('pending_imports').where({ id }).delete()) === 1;
}

export async function deletePendingImportsOfWave(db: Db, waveId: string): Promise<number> {
  return db('pending_imports').where({ wave_id: waveId }).delete();
}

export async function deletePendingImportsBefore(db: Db, cutoff: string): Promise<number> {
  return db('pending_imports').where('created_at', '<', cutoff).delete();
}
