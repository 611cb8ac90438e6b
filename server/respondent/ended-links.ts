import type { Db } from '../shared/data/connection';
import { EndedLinksRow, findEndedLinks, insertEndedLinks, listEndedLinkWaves } from './data/ended-links';
import { deriveToken, endedLinkFingerprint } from './personal-tokens';

/**
 * The links of a purged wave, remembered without remembering anyone: a Bloom filter over keyed fingerprints of the
 * wave's current links. A person who opens their link after the purge is told that the survey has ended; a link
 * that never existed is still told that it is unknown (a false match is about one in a million per purged wave).
 *
 * What the filter cannot do: list links, count more than roughly how many there were (the counts are kept anyway in
 * wave_final_counts), or be joined to a response (responses carry no invitation). Testing a link against it needs
 * the link itself and TOKEN_SECRET; the invitation ids the links were derived from are deleted by the same purge.
 */

/** One in a million false matches: bits per link = -ln(p) / ln(2)^2 ≈ 28.8, with 20 positions per link. */
const BITS_PER_LINK = 28.8;
const HASHES = 20;

export interface LinkFilter {
  bits: number;
  hashes: number;
  filter: Buffer;
}

/** The filter of these links (tokens as the respondents hold them). */
export function linkFilter(tokens: Iterable<string>, count: number): LinkFilter {
  const bits = Math.max(64, Math.ceil(count * BITS_PER_LINK));
  const filter = Buffer.alloc(Math.ceil(bits / 8));
  for (const token of tokens) for (const bit of positions(token, bits, HASHES)) filter[bit >> 3] |= 1 << (bit & 7);
  return { bits, hashes: HASHES, filter };
}

export function inLinkFilter(f: LinkFilter, token: string): boolean {
  for (const bit of positions(token, f.bits, f.hashes)) if (!(f.filter[bit >> 3] & (1 << (bit & 7)))) return false;
  return true;
}

/** Double hashing (Kirsch and Mitzenmacher) over two 48-bit parts of the link's keyed fingerprint. */
function positions(token: string, bits: number, hashes: number): number[] {
  const print = endedLinkFingerprint(token);
  const h1 = print.readUIntBE(0, 6);
  const odd = print.readUInt32BE(6);
  const h2 = odd % 2 ? odd : odd + 1; // below 2^32 + 1: h1 + i * h2 stays an exact integer in a double
  const out: number[] = [];
  for (let i = 0; i < hashes; i++) out.push((h1 + i * h2) % bits);
  return out;
}

/** Stores the filter of a wave's current links; runs inside the purge's transaction, before the invitations go. */
export async function rememberEndedLinks(
  db: Db,
  waveId: string,
  links: Array<{ id: string; link_generation: number }>,
): Promise<void> {
  const tokens = links.map((l) => deriveToken(l.id, l.link_generation));
  await insertEndedLinks(db, { wave_id: waveId, ...linkFilter(tokens, tokens.length) });
}

/** Filters read once per process and database: a purged wave's filter never changes. */
const loadedFor = new WeakMap<Db, Map<string, LinkFilter>>();

/** The purged wave this link belonged to, if any (only asked for links that match no invitation). */
export async function waveOfEndedLink(db: Db, token: string): Promise<string | undefined> {
  const waves = await listEndedLinkWaves(db);
  if (waves.length === 0) return undefined;
  let loaded = loadedFor.get(db);
  if (!loaded) loadedFor.set(db, (loaded = new Map()));
  const missing = waves.filter((id) => !loaded.has(id));
  for (const row of await findEndedLinks(db, missing)) loaded.set(row.wave_id, filterOf(row));
  for (const id of waves) {
    const f = loaded.get(id);
    if (f && inLinkFilter(f, token)) return id;
  }
  return undefined;
}

function filterOf(row: EndedLinksRow): LinkFilter {
  return { bits: row.bits, hashes: row.hashes, filter: row.filter };
}
