import type { Db } from '../shared/data/connection';
import { countLinkMisses, deleteLinkMissesBefore, recordLinkMiss as insertLinkMiss } from './data/link-misses';

/**
 * Guessing personal links: unknown tokens are counted per client address in the database (shared by every app
 * process), in their own table (link_misses), apart from the sign-in counters. Past the limit every link lookup from
 * that address gets 429 until the window has passed — whether the token it tries is valid or not, so a guess learns
 * nothing. The count is read in the same statement as the link itself (see data/links.ts).
 */
export const LINK_LIMITS = { missesPerAddress: 30, windowMs: 10 * 60 * 1000 };

export function linkMissKey(address: string): string {
  return `link-miss:${address.slice(0, 80)}`;
}

/** Misses older than this no longer count. */
export function linkMissWindowStart(now: Date): string {
  return new Date(now.getTime() - LINK_LIMITS.windowMs).toISOString();
}

/** Seconds until the address may look up links again, or 0 when it may now. */
export function linkLookupBlockedFor(misses: number, oldestMiss: string | null, now: Date): number {
  if (misses < LINK_LIMITS.missesPerAddress || !oldestMiss) return 0;
  return Math.max(1, Math.ceil((Date.parse(oldestMiss) + LINK_LIMITS.windowMs - now.getTime()) / 1000));
}

export async function recordLinkMiss(db: Db, address: string, now: Date): Promise<void> {
  await insertLinkMiss(db, linkMissKey(address), now.toISOString());
}

/** Forgets the misses outside the window (the server sweeps every few minutes; they count for nothing any more). */
export async function sweepOldLinkMisses(db: Db, now: Date): Promise<number> {
  return deleteLinkMissesBefore(db, linkMissWindowStart(now));
}

/**
 * Seconds until the address may look up links again (0: now), for the routes that look a personal token up on their
 * own (the opt-out link); the respondent's routes read the count with the link itself.
 */
export async function linkLookupWait(db: Db, address: string, now: Date): Promise<number> {
  const { misses, oldest } = await countLinkMisses(db, linkMissKey(address), linkMissWindowStart(now));
  return linkLookupBlockedFor(misses, oldest, now);
}
