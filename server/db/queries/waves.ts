import type { Db } from '../connection';

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
