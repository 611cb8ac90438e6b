import type { Db } from '../../shared/data/connection';

/** One unknown personal link looked up from a client address. */
export async function recordLinkMiss(db: Db, key: string, at: string): Promise<void> {
  await db('link_misses').insert({ throttle_key: key, missed_at: at });
}

/** Drops the misses that no longer count; returns how many. */
export async function deleteLinkMissesBefore(db: Db, cutoff: string): Promise<number> {
  return db('link_misses').where('missed_at', '<', cutoff).delete();
}

/** The address's misses since the given moment, and the oldest of them (it decides when the address is free again). */
export async function countLinkMisses(db: Db, key: string, since: string): Promise<{ misses: number; oldest: string | null }> {
  const row: { misses: number | string; oldest: string | null } | undefined = await db('link_misses')
    .where({ throttle_key: key })
    .andWhere('missed_at', '>=', since)
    .first(db.raw('count(*) as misses'), db.raw('min(missed_at) as oldest'));
  return { misses: Number(row?.misses ?? 0), oldest: row?.oldest ?? null };
}
