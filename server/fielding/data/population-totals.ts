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

/** The population size the administrator's totals give for a wave: the largest sum over one attribute's values
 *  (every attribute's totals cover the population; one may leave values out), or null when none were supplied. */
export async function populationSizeOf(db: Db, waveId: string): Promise<number | null> {
  const rows = await db('population_totals').where({ wave_id: waveId }).groupBy('attribute').select('attribute').sum({ n: 'total' });
  const sums = rows.map((r) => Number(r.n)).filter((n) => Number.isFinite(n) && n > 0);
  return sums.length > 0 ? Math.max(...sums) : null;
}

export async function listPopulationTotals(db: Db, waveId: string, attribute: string): Promise<PopulationTotalRow[]> {
  return db<PopulationTotalRow>('population_totals').where({ wave_id: waveId, attribute }).orderBy('value');
}
