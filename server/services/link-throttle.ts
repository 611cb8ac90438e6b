import type { Db } from '../db/connection';
import { countSignInFailures, recordSignInFailures } from '../db/queries/sign-in-failures';

/**
 * Guessing personal links: unknown tokens are counted per client address in the database (shared by every app
 * process), under their own key, apart from the sign-in counters. Past the limit every link lookup from that address
 * gets 429 until the window has passed — whether the token it tries is valid or not, so a guess learns nothing.
 */
export const LINK_LIMITS = { missesPerAddress: 30, windowMs: 10 * 60 * 1000 };

function key(address: string): string {
  return `link-miss:${address.slice(0, 80)}`;
}

/** Seconds until the address may look up links again, or 0 when it may now. */
export async function linkLookupBlockedFor(db: Db, address: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - LINK_LIMITS.windowMs).toISOString();
  const count = (await countSignInFailures(db, [key(address)], since)).get(key(address));
  if (!count || count.failures < LINK_LIMITS.missesPerAddress) return 0;
  return Math.max(1, Math.ceil((Date.parse(count.oldest) + LINK_LIMITS.windowMs - now.getTime()) / 1000));
}

export async function recordLinkMiss(db: Db, address: string, now: Date): Promise<void> {
  await recordSignInFailures(db, [key(address)], now.toISOString());
}
