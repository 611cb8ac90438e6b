import type { Db } from '../connection';

export interface ResponseRow {
  id: string;
  wave_id: string;
  questionnaire_id: string;
  attributes: string;
  answers: string;
  locale: string;
  submitted_on: string;
  is_test: boolean | number;
}

export async function insertResponse(db: Db, row: ResponseRow): Promise<void> {
  await db('responses').insert(row);
}

/** Responses of a wave in the order of their random id, which says nothing about the order of completion. */
export async function listResponses(db: Db, waveId: string): Promise<ResponseRow[]> {
  return db<ResponseRow>('responses').where({ wave_id: waveId }).orderBy('id');
}

export async function countResponses(db: Db, waveId: string): Promise<number> {
  const row = await db('responses').where({ wave_id: waveId }).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
