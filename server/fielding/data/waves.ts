import type { Db } from '../../shared/data/connection';

export interface WaveRow {
  id: string;
  name: string;
  questionnaire_id: string;
  opens_on: string;
  closes_on: string;
  kept_attributes: string;
  is_demo: boolean | number;
  closed_at: string | null;
  created_at: string;
  /** set when the wave's contact data and tokens were deleted (see fielding/wave-purge.ts) */
  purged_at?: string | null;
}

export async function insertWave(db: Db, row: WaveRow): Promise<void> {
  await db('waves').insert(row);
}

export async function findWave(db: Db, id: string): Promise<WaveRow | undefined> {
  return db<WaveRow>('waves').where({ id }).first();
}

export async function findDemoWave(db: Db, questionnaireId: string): Promise<WaveRow | undefined> {
  return db<WaveRow>('waves').where({ is_demo: true, questionnaire_id: questionnaireId }).first();
}

export async function countWaves(db: Db): Promise<number> {
  const row = await db('waves').count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Newest first. */
export async function listWaves(db: Db): Promise<WaveRow[]> {
  return db<WaveRow>('waves').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]);
}

export type WaveSettings = Pick<WaveRow, 'name' | 'questionnaire_id' | 'opens_on' | 'closes_on' | 'kept_attributes'>;

export async function updateWaveSettings(db: Db, id: string, settings: WaveSettings): Promise<void> {
  await db('waves').where({ id }).update(settings);
}

/** Returns false when the wave was closed already. */
export async function setWaveClosed(db: Db, id: string, at: string): Promise<boolean> {
  return (await db('waves').where({ id }).whereNull('closed_at').update({ closed_at: at })) === 1;
}

/** Returns false when the wave was purged already. */
export async function setWavePurged(db: Db, id: string, at: string): Promise<boolean> {
  return (await db('waves').where({ id }).whereNull('purged_at').update({ purged_at: at })) === 1;
}

/** Locks the wave row until the transaction ends (PostgreSQL; SQLite's write lock already serialises writers). */
export async function lockWave(db: Db, id: string): Promise<WaveRow | undefined> {
  return db<WaveRow>('waves').where({ id }).forUpdate().first();
}
