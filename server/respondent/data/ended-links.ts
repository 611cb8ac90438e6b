import type { Db } from '../../shared/data/connection';

/** One purged wave's filter of its ended links (see db/migrations/012_ended_links.ts). */
export interface EndedLinksRow {
  wave_id: string;
  bits: number;
  hashes: number;
  filter: Buffer;
}

export async function insertEndedLinks(db: Db, row: EndedLinksRow): Promise<void> {
  await db('ended_links').insert(row);
}

export async function listEndedLinkWaves(db: Db): Promise<string[]> {
  return (await db('ended_links').select('wave_id')).map((r: { wave_id: string }) => r.wave_id);
}

export async function findEndedLinks(db: Db, waveIds: string[]): Promise<EndedLinksRow[]> {
  if (waveIds.length === 0) return [];
  const rows = await db<EndedLinksRow>('ended_links').whereIn('wave_id', waveIds).select('wave_id', 'bits', 'hashes', 'filter');
  return rows.map((r) => ({ ...r, bits: Number(r.bits), hashes: Number(r.hashes), filter: Buffer.from(r.filter) }));
}
