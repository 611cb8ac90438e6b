/**
 * Statistics of the headline tables: shares with a 95% confidence interval, optionally post-stratified to the
 * population counts of the sample frame, the change against the previous edition, and cell suppression.
 *
 * - Unweighted: p = y / n with Wilson's score interval.
 * - Post-stratified: each response in stratum h weighs N_h / n_h. The variance of the weighted share is that of
 *   R's survey package for a post-stratified simple random sample (postStratify, then svymean): the linearised
 *   values w_i (y_i - p) / W, less their mean within the post-stratum, with n / (n - 1); multiplied by the
 *   finite-population correction 1 - n / N only when the wave is a census of its frame. The 95% interval is the
 *   logit interval of svyciprop(method = "logit", df = Inf): logit(p) ± z SE / (p (1 - p)), transformed back.
 * - Raked on several attributes: weights and variance as survey's rake() (see rakingWeights, rakedInterval).
 * - Change: difference of the two shares, z = d / sqrt(v1 + v0) (independent samples); significant when |z| > 1.96.
 * - Suppression: a cell with fewer than k respondents is suppressed (primary). In each group of cells that add up to
 *   a published total, when one cell is suppressed, or the suppressed cells together hold fewer than k, the
 *   smallest remaining cell is suppressed too (secondary), until neither holds.
 */

export const Z95 = 1.959963984540054;

/** Per stratum, within one cell: respondents in the cell's denominator (d) and how many of them count (y). */
export interface StratumCounts {
  d: number;
  y: number;
}

export interface Weighting {
  /** N_h / n_h per stratum value */
  weight: Map<string, number>;
  /** n_h: all responses per stratum */
  sampled: Map<string, number>;
  /** N_h */
  population: Map<string, number>;
  /** the responses are (nearly) all of the frame: finite-population correction */
  census: boolean;
  /** raking over several attributes: per margin, the group of each stratum (a cell of the cross-classification) and
   *  the weights right after that margin's step in the last round, as survey::rake keeps them for the variance */
  raking?: Array<{ group: Map<string, string>; factor: Map<string, number> }>;
}

export interface Estimate {
  n: number;
  p: number | null;
  lo: number | null;
  hi: number | null;
  variance: number | null;
}

export function wilson(p: number, n: number): [number, number] {
  if (n <= 0) return [0, 1];
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function estimate(strata: Map<string, StratumCounts>, weighting?: Weighting): Estimate {
  let n = 0;
  let y = 0;
  for (const c of strata.values()) {
    n += c.d;
    y += c.y;
  }
  if (n === 0) return { n, p: null, lo: null, hi: null, variance: null };
  if (!weighting) {
    const p = y / n;
    const [lo, hi] = wilson(p, n);
    return { n, p, lo, hi, variance: (p * (1 - p)) / n };
  }
  let W = 0;
  let Wy = 0;
  for (const [h, c] of strata) {
    const w = weighting.weight.get(h) ?? 0;
    W += w * c.d;
    Wy += w * c.y;
  }
  if (W <= 0) return { n, p: null, lo: null, hi: null, variance: null };
  const p = Wy / W;
  if (weighting.raking) return { n, p, ...rakedInterval(strata, weighting, p, W) };
  // the linearised value of a response is w (y - p) / W; post-stratification leaves its deviation from the
  // post-stratum mean (responses with weight 0 count in n, as in the survey package)
  let ss = 0;
  let sampled = 0;
  let frame = 0;
  for (const [h, c] of strata) {
    const w = weighting.weight.get(h) ?? 0;
    sampled += c.d;
    frame += weighting.population.get(h) ?? 0;
    if (c.d === 0) continue;
    const z1 = (w * (1 - p)) / W;
    const z0 = (w * (0 - p)) / W;
    const mean = (c.y * z1 + (c.d - c.y) * z0) / c.d;
    ss += c.y * (z1 - mean) ** 2 + (c.d - c.y) * (z0 - mean) ** 2;
  }
  const fpc = weighting.census && frame > 0 ? Math.max(0, 1 - sampled / frame) : 1;
  const variance = sampled > 1 ? (fpc * ss * sampled) / (sampled - 1) : 0;
  const [lo, hi] = logitInterval(p, Math.sqrt(variance));
  return { n, p, lo, hi, variance };
}

/**
 * The variance of a raked share as survey's svyrecvar computes it: the linearised values are, ten times over the
 * margins, reduced by the margin's weight times the mean of value / weight within the margin's group; then the variance of
 * a simple random sample with replacement, n / (n - 1) times the sum of squares about the mean.
 */
function rakedInterval(
  strata: Map<string, StratumCounts>,
  weighting: Weighting,
  p: number,
  W: number,
): { lo: number; hi: number; variance: number } {
  const cells = [...strata].filter(([, c]) => c.d > 0);
  const x1 = cells.map(([h]) => ((weighting.weight.get(h) ?? 0) * (1 - p)) / W);
  const x0 = cells.map(([h]) => ((weighting.weight.get(h) ?? 0) * (0 - p)) / W);
  for (let it = 0; it < 10; it++) {
    for (const m of weighting.raking ?? []) {
      const sum = new Map<string, number>();
      const count = new Map<string, number>();
      cells.forEach(([h, c], i) => {
        const f = m.factor.get(h) || 1;
        const g = m.group.get(h) as string;
        sum.set(g, (sum.get(g) ?? 0) + (c.y * x1[i] + (c.d - c.y) * x0[i]) / f);
        count.set(g, (count.get(g) ?? 0) + c.d);
      });
      cells.forEach(([h], i) => {
        const f = m.factor.get(h) || 1;
        const g = m.group.get(h) as string;
        const mean = (sum.get(g) as number) / (count.get(g) as number);
        x1[i] -= f * mean;
        x0[i] -= f * mean;
      });
    }
  }
  let n = 0;
  let total = 0;
  cells.forEach(([, c], i) => {
    n += c.d;
    total += c.y * x1[i] + (c.d - c.y) * x0[i];
  });
  const mean = total / n;
  let ss = 0;
  cells.forEach(([, c], i) => (ss += c.y * (x1[i] - mean) ** 2 + (c.d - c.y) * (x0[i] - mean) ** 2));
  const variance = n > 1 ? (ss * n) / (n - 1) : 0;
  const [lo, hi] = logitInterval(p, Math.sqrt(variance));
  return { lo, hi, variance };
}

/**
 * Raking weights as survey::rake makes them from design weights 1: post-stratify on each margin in turn, and repeat
 * (at most ten times) until no cell of the cross-classification moves by 1 or more. `cells`: responses per cell;
 * `margins`: per attribute, the cell's value and the population total per value (a value without a total: weight 0).
 */
export function rakingWeights(
  cells: Map<string, number>,
  margins: Array<{ valueOf: Map<string, string>; totals: Map<string, number> }>,
): Weighting {
  const weight = new Map([...cells.keys()].map((c) => [c, 1]));
  let factors: Array<Map<string, number>> = [];
  let old = new Map(cells);
  for (let iter = 0; iter < 10; iter++) {
    factors = margins.map((m) => {
      const sums = new Map<string, number>();
      for (const [c, n] of cells)
        sums.set(
          m.valueOf.get(c) as string,
          (sums.get(m.valueOf.get(c) as string) ?? 0) + (weight.get(c) as number) * n,
        );
      // survey keeps, per margin, the weights right after its step (attr "weights" of the post-stratum)
      const after = new Map<string, number>();
      for (const c of cells.keys()) {
        const v = m.valueOf.get(c) as string;
        const N = m.totals.get(v) ?? 0;
        const sum = sums.get(v) as number;
        weight.set(c, (weight.get(c) as number) * (sum > 0 ? N / sum : 0));
        after.set(c, weight.get(c) as number);
      }
      return after;
    });
    const now = new Map([...cells].map(([c, n]) => [c, (weight.get(c) as number) * n]));
    const delta = Math.max(...[...now].map(([c, v]) => Math.abs(v - (old.get(c) as number))));
    old = now;
    if (delta < 1) break;
  }
  return {
    weight,
    sampled: cells,
    population: new Map(),
    census: false,
    raking: margins.map((m, i) => ({ group: m.valueOf, factor: factors[i] })),
  };
}

/** svyciprop's logit interval with a normal quantile: logit(p) ± z SE / (p (1 - p)). */
export function logitInterval(p: number, se: number): [number, number] {
  if (p <= 0 || p >= 1 || !(se > 0)) return [p, p];
  const eta = Math.log(p / (1 - p));
  const half = (Z95 * se) / (p * (1 - p));
  const expit = (x: number) => 1 / (1 + Math.exp(-x));
  return [expit(eta - half), expit(eta + half)];
}

export interface Change {
  difference: number;
  z: number | null;
  significant: boolean;
}

export function change(current: Estimate, previous: Estimate): Change | null {
  if (current.p === null || previous.p === null) return null;
  const difference = current.p - previous.p;
  const se = Math.sqrt((current.variance ?? 0) + (previous.variance ?? 0));
  if (!(se > 0)) return { difference, z: null, significant: false };
  const z = difference / se;
  return { difference, z, significant: Math.abs(z) > Z95 };
}

export type Suppression = 'primary' | 'secondary' | null;

/**
 * Suppression within groups of cells that add up to a published total: `cells` are the respondent counts, `groups`
 * lists the indices of each group; `already` carries marks made elsewhere. Returns the suppression per cell.
 */
export function suppress(counts: number[], groups: number[][], k: number, already?: Suppression[]): Suppression[] {
  const out: Suppression[] = counts.map((n, i) => already?.[i] ?? (n > 0 && n < k ? 'primary' : null));
  for (const group of groups) {
    const members = group.filter((i) => counts[i] > 0);
    for (;;) {
      const hidden = members.filter((i) => out[i] !== null);
      if (hidden.length === 0) break;
      const total = hidden.reduce((s, i) => s + counts[i], 0);
      const shown = members.filter((i) => out[i] === null);
      if ((hidden.length > 1 && total >= k) || shown.length === 0) break;
      const smallest = shown.sort((a, b) => counts[a] - counts[b] || a - b)[0];
      out[smallest] = 'secondary';
    }
  }
  return out;
}

/** Post-stratification weights from sample counts n_h and population counts N_h (strata without population: 0). */
export function weightsFor(sampled: Map<string, number>, population: Map<string, number>, census = false): Weighting {
  const weight = new Map<string, number>();
  for (const [h, n] of sampled) {
    const N = population.get(h) ?? 0;
    weight.set(h, n > 0 && N > 0 ? N / n : 0);
  }
  return { weight, sampled, population, census };
}
