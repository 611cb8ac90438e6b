import type { Db } from '../../shared/data/connection';

/** Counts an attempt under each key before it is judged; returns the rows' ids, to take them back if it succeeds. */
export async function recordSignInAttempt(db: Db, keys: string[], at: string): Promise<number[]> {
  const rows: Array<{ id: number } | number> = await db('sign_in_failures').insert(keys.map((throttle_key) => ({ throttle_key, failed_at: at })), ['id']);
  return rows.map((r) => (typeof r === 'number' ? r : Number(r.id)));
}

export async function deleteSignInFailureRows(db: Db, ids: number[]): Promise<void> {
  if (ids.length > 0) await db('sign_in_failures').whereIn('id', ids).delete();
}

/** Failures per key since the given moment, with the oldest of them (it decides when the key is free again). */
export async function countSignInFailures(db: Db, keys: string[], since: string): Promise<Map<string, { failures: number; oldest: string }>> {
  const rows: Array<{ throttle_key: string; failures: number | string; oldest: string }> = await db('sign_in_failures')
    .whereIn('throttle_key', keys)
    .andWhere('failed_at', '>=', since)
    .groupBy('throttle_key')
    .select('throttle_key', db.raw('count(*) as failures'), db.raw('min(failed_at) as oldest'));
  return new Map(rows.map((r) => [r.throttle_key, { failures: Number(r.failures), oldest: r.oldest }]));
}

export async function clearSignInFailures(db: Db, key: string): Promise<void> {
  await db('sign_in_failures').where({ throttle_key: key }).delete();
}

export async function deleteSignInFailuresBefore(db: Db, cutoff: string): Promise<void> {
  await db('sign_in_failures').where('failed_at', '<', cutoff).delete();
}
