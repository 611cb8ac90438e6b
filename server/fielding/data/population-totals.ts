import type { Db } from '../../shared/data/connection';

export interface PopulationTotalRow {
  wave_id: string;
  attribute: string;
  value: string;
  total: number;
}

/** Replaces the administrator's population totals of one attribute of a wave, in one transaction. */
export async function replacePopulationTotals(db: Db, waveId: string, attribute: string, rows: Array<{ value: string; total: number }>): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('population_totals').where({ wave_id: waveId, attribute }).delete();
    if (rows.length > 0) await trx('population_totals').insert(rows.map((r) => ({ wave_id: waveId, attribute, value: r.value, total: r.total })));
  });
}

export async function listPopulationTotals(db: Db, waveId: string, attribute: string): Promise<PopulationTotalRow[]> {
  return db<PopulationTotalRow>('population_totals').where({ wave_id: waveId, attribute }).orderBy('value');
}
