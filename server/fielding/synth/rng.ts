/**
 * A small seeded pseudo-random generator for synthetic data (sample frames, answers).
 * Not for anything secret: tokens and ids use node:crypto elsewhere.
 */

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] (both inclusive) */
  int(min: number, max: number): number;
  /** true with probability p */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** picks a key/value by weight; weights <= 0 are never picked */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  /** a new array in random order */
  shuffle<T>(items: readonly T[]): T[];
  /** an independent generator derived from this one's seed and a label (stable however much this one was used) */
  fork(label: string | number): Rng;
}

/** xmur3: string -> 32-bit seed */
function hashSeed(s: string): number {
  let h = 1779033703 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A deterministic generator (mulberry32) for a number or string seed. */
export function createRng(seed: number | string = 1): Rng {
  const seedText = String(seed);
  let state = hashSeed(seedText);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
    chance(p) {
      return next() < p;
    },
    pick(items) {
      if (items.length === 0) throw new Error('rng.pick: empty list');
      return items[Math.floor(next() * items.length)];
    },
    weighted(items) {
      let total = 0;
      for (const [, w] of items) if (w > 0) total += w;
      if (total <= 0) throw new Error('rng.weighted: no positive weight');
      let r = next() * total;
      for (const [v, w] of items) {
        if (w <= 0) continue;
        r -= w;
        if (r < 0) return v;
      }
      for (let i = items.length - 1; i >= 0; i--) if (items[i][1] > 0) return items[i][0];
      throw new Error('unreachable');
    },
    shuffle(items) {
      const a = items.slice();
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
      }
      return a;
    },
    fork(label) {
      return createRng(`${seedText}/${label}`);
    },
  };
  return rng;
}
