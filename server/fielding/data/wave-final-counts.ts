import type { Db } from '../../shared/data/connection';

export interface ParticipationCounts {
  invited: number;
  queued: number;
  sent: number;
  bounced: number;
  opted_out: number;
  started: number;
  completed: number;
}

export interface WaveFinalCountRow extends ParticipationCounts {
  wave_id: string;
  /** '' for the whole wave */
  attribute: string;
  /** '' when invitations had no value */
  value: string;
}

export async function insertWaveFinalCounts(db: Db, rows: WaveFinalCountRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('wave_final_counts').insert(rows.slice(i, i + 200));
}

export async function listWaveFinalCounts(db: Db, waveId: string): Promise<WaveFinalCountRow[]> {
  return db<WaveFinalCountRow>('wave_final_counts').where({ wave_id: waveId }).orderBy([{ column: 'attribute' }, { column: 'value' }]);
}
