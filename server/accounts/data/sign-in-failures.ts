import type { Db } from '../../shared/data/connection';

export async function recordSignInFailures(db: Db, keys: string[], at: string): Promise<void> {
  await db('sign_in_failures').insert(keys.map((throttle_key) => ({ throttle_key, failed_at: at })));
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
