/**
 * Disclosure control of microdata releases: k-anonymity over all quasi-identifiers together (declared answers,
 * kept sample attributes, the response language and the submission period), by global recoding first and local
 * suppression last, in the manner of μ-ARGUS and sdcMicro. Works on counts only: the first pass over the rows
 * fills a KeyCounter (one entry per distinct combination of codes), the plan says what each combination is
 * released as, and the second pass applies it row by row.
 *
 * k-anonymity is strict here: a suppressed cell (code SUPPRESSED) is a value of its own when combinations are
 * counted, so every combination that occurs in the released file, read as it stands, is held by at least k rows of
 * its wave (the risk report's figures can be recounted from the file).
 *
 * 1. Global recoding: a search over the levels of the declared hierarchies (age bands → wider bands, role → role
 *    group → tier, province → region, month → quarter → year). Information loss = suppressed cells + stepShare ×
 *    rows per recoding step. Two greedy searches: from the finest levels the one step that lowers the loss most is
 *    taken, until none does; from the coarsest declared levels the one step back that lowers it most is undone,
 *    until none does (climbing alone stalls when nearly every row is at risk at the finest levels). Both judge the
 *    suppressed cells by the rows in combinations below k times the cells per such row that local suppression needed
 *    at the previous try (searched again, at most three times); of all levels tried, local suppression is run and
 *    the least loss is released.
 *    Global recoding never withholds a variable (only the submission period may become "not released").
 * 2. Local suppression: while a combination holds fewer than k rows, one of its quasi-identifiers is suppressed in
 *    those rows: the least important one whose suppression joins a combination of at least k, else the one in which
 *    the most rows differ from these only; the most important (declared importance: the tier) is left to step 3.
 * 3. Should the fully suppressed combination of a wave (and period) end below k, rows of the combination that can
 *    best spare them are fully suppressed too: never a whole variable.
 */

/** The declared missing code of a suppressed cell (SPSS user-missing, labelled). */
export const SUPPRESSED = 93;

export interface QiLevelSpec {
  name: string;
  /** level-0 code -> released code (codes not in the map are released unchanged) */
  map: Map<number, number>;
  labels: Array<{ value: number; label: { nl: string; en: string } }>;
}

export interface QiSpec {
  name: string;
  importance: number;
  /** recoding levels above the collected codes (level i + 1 = levels[i]) */
  levels: QiLevelSpec[];
  /** false: never suppressed cell by cell (the submission period: recoded globally only) */
  local: boolean;
}

export interface QiReport {
  name: string;
  /** the level released: "as collected" or the declared level's name */
  recoding: string;
  level: number;
  levels: number;
  suppressedCells: number;
}

export interface RiskFigures {
  /** combinations held by one row only */
  sampleUniques: number;
  /** combinations held by fewer than k rows */
  keysBelowK: number;
  /** smallest combination */
  minFrequency: number;
  /** sum of the individual risks: the expected number of correct re-identifications */
  expectedReidentifications: number;
  maxIndividualRisk: number;
  /** rows whose individual risk exceeds 0.1 */
  rowsAbove10pct: number;
}

export interface DisclosureReport {
  k: number;
  /** the smallest combination in the release (every wave) */
  kAchieved: number;
  rows: number;
  quasiIdentifiers: QiReport[];
  suppressedCells: number;
  fullySuppressedRows: number;
  before: RiskFigures;
  after: RiskFigures;
  /** sampling weight used for the population frequencies (per wave: population size / responses; the population
   *  from the administrator's totals, else the sample frame) */
  weights: Array<{ waveId: string; weight: number }>;
}

const SEP = '\u0001';

export interface KeyEntry {
  wave: number;
  codes: number[];
  n: number;
}

/** Distinct combinations (wave, codes) with their row counts, filled during the first pass. */
export class KeyCounter {
  readonly entries: KeyEntry[] = [];
  private readonly index = new Map<string, number>();
  readonly waves: string[] = [];
  private readonly waveIndex = new Map<string, number>();
  rows = 0;

  waveOf(waveId: string): number {
    let w = this.waveIndex.get(waveId);
    if (w === undefined) {
      w = this.waves.push(waveId) - 1;
      this.waveIndex.set(waveId, w);
    }
    return w;
  }

  keyOf(waveId: string, codes: ReadonlyArray<number>): string {
    return `${this.waveOf(waveId)}${SEP}${codes.join(',')}`;
  }

  /** counts n rows with these codes; returns the combination's entry index */
  add(waveId: string, codes: ReadonlyArray<number>, n = 1): number {
    this.rows += n;
    const key = this.keyOf(waveId, codes);
    const i = this.index.get(key);
    if (i !== undefined) {
      this.entries[i].n += n;
      return i;
    }
    this.index.set(key, this.entries.length);
    this.entries.push({ wave: this.waveOf(waveId), codes: [...codes], n });
    return this.entries.length - 1;
  }

  find(waveId: string, codes: ReadonlyArray<number>): number | undefined {
    const w = this.waveIndex.get(waveId);
    return w === undefined ? undefined : this.index.get(`${w}${SEP}${codes.join(',')}`);
  }
}

export interface ReleasePlan {
  report: DisclosureReport;
  /** the levels chosen per quasi-identifier */
  levels: number[];
  /** A function giving the released codes of a row with these collected codes: call it once per row of a pass (some
   *  rows of a combination may be fully suppressed, counted per pass). */
  releaser(): (waveId: string, codes: ReadonlyArray<number>) => number[];
  /** the same, by the entry index KeyCounter.add returned */
  entryReleaser(): (entry: number) => number[];
  /** The released codes of the rank-th row (0-based, in first-pass order) of a combination: the same row gets the same
   *  values in every release of the same data, whatever order the release lists the rows in. */
  releaseRow(entry: number, rank: number): number[];
}

/** sdcMicro's individual risk (Benedetti–Franconi, approximation) of a row in a combination of fk sample rows whose weights sum to Fk. */
export function individualRisk(fk: number, Fk: number): number {
  if (fk <= 0) return 0;
  if (Fk <= fk) return 1 / fk;
  const p = fk / Fk;
  if (fk === 1) return (p / (1 - p)) * Math.log(1 / p);
  if (fk === 2) return p / (1 - p) - (p / (1 - p)) ** 2 * Math.log(1 / p);
  return p / (fk - (1 - p));
}

function riskFigures(groups: Iterable<{ wave: number; n: number }>, weights: number[], k: number): RiskFigures {
  const out: RiskFigures = {
    sampleUniques: 0,
    keysBelowK: 0,
    minFrequency: Infinity,
    expectedReidentifications: 0,
    maxIndividualRisk: 0,
    rowsAbove10pct: 0,
  };
  for (const g of groups) {
    if (g.n <= 0) continue;
    if (g.n === 1) out.sampleUniques++;
    if (g.n < k) out.keysBelowK++;
    out.minFrequency = Math.min(out.minFrequency, g.n);
    const r = individualRisk(g.n, g.n * (weights[g.wave] ?? 1));
    out.expectedReidentifications += r * g.n;
    out.maxIndividualRisk = Math.max(out.maxIndividualRisk, r);
    if (r > 0.1) out.rowsAbove10pct += g.n;
  }
  if (out.minFrequency === Infinity) out.minFrequency = 0;
  return out;
}

type Key = number | string;

interface Group {
  wave: number;
  /** dense indices of the released codes (KeySpace) */
  idx: number[];
  key: Key;
  n: number;
  /** entry indices and how many of their rows are in this group (an entry's rows may be split over groups) */
  members: Array<{ entry: number; rows: number }>;
}

/**
 * Combinations as numbers: each quasi-identifier's codes (at every level, and SUPPRESSED) get dense indices, and a
 * combination is a mixed-radix number (one more digit value per quasi-identifier stands for "any"). Falls back to
 * strings when the product of the radices would not fit in a double's integers.
 */
class KeySpace {
  readonly index: Array<Map<number, number>>;
  readonly codes: number[][];
  readonly mult: number[];
  readonly waveMult: number;
  readonly numeric: boolean;
  /** per quasi-identifier, per level: the dense index of each entry's code at that level */
  readonly atLevel: Int32Array[][];

  constructor(entries: KeyEntry[], qis: QiSpec[], waves: number) {
    this.index = qis.map(() => new Map<number, number>());
    this.codes = qis.map(() => []);
    const add = (j: number, c: number) => {
      if (!this.index[j].has(c)) {
        this.index[j].set(c, this.codes[j].length);
        this.codes[j].push(c);
      }
      return this.index[j].get(c) as number;
    };
    this.atLevel = qis.map((q, j) => {
      add(j, SUPPRESSED);
      return [0, ...q.levels.map((_l, i) => i + 1)].map((level) => {
        const out = new Int32Array(entries.length);
        entries.forEach((e, i) => {
          const c = e.codes[j];
          out[i] = add(j, level === 0 || c === SUPPRESSED ? c : (q.levels[level - 1].map.get(c) ?? c));
        });
        return out;
      });
    });
    let m = 1;
    this.mult = qis.map((_q, j) => {
      const here = m;
      m *= this.codes[j].length + 1; // + "any"
      return here;
    });
    this.waveMult = m;
    this.numeric = m * Math.max(1, waves) < 2 ** 52;
  }

  key(wave: number, idx: ArrayLike<number>): Key {
    if (!this.numeric) return `${wave}${SEP}${Array.prototype.join.call(idx, ',')}`;
    let s = wave * this.waveMult;
    for (let j = 0; j < idx.length; j++) s += idx[j] * this.mult[j];
    return s;
  }

  /** the key of `g` with quasi-identifier j at dense index x (x = codes[j].length: "any") */
  with(g: { wave: number; idx: number[]; key: Key }, j: number, x: number): Key {
    if (this.numeric) return (g.key as number) + (x - g.idx[j]) * this.mult[j];
    const c = g.idx.slice();
    c[j] = x;
    return this.key(g.wave, c);
  }

  sup(j: number): number {
    return this.index[j].get(SUPPRESSED) as number;
  }

  any(j: number): number {
    return this.codes[j].length;
  }
}

interface Outcome {
  cells: number;
  perQi: number[];
  fullySuppressedRows: number;
  /** per entry: the released codes of its rows (rows diverted in step 3 are released otherwise than the rest) */
  released: Array<Array<{ codes: number[]; rows: number }>>;
  groups: Group[];
}

/** Rows in combinations below k at these levels: what local suppression will have to protect (the search's proxy). */
function rowsAtRisk(entries: KeyEntry[], space: KeySpace, levels: number[], k: number): number {
  const sizes = new Map<Key, number>();
  const keys: Key[] = new Array(entries.length);
  const idx = new Array<number>(levels.length);
  for (let i = 0; i < entries.length; i++) {
    for (let j = 0; j < levels.length; j++) idx[j] = space.atLevel[j][levels[j]][i];
    const key = space.key(entries[i].wave, idx);
    keys[i] = key;
    sizes.set(key, (sizes.get(key) ?? 0) + entries[i].n);
  }
  let rows = 0;
  for (let i = 0; i < entries.length; i++) if ((sizes.get(keys[i]) as number) < k) rows += entries[i].n;
  return rows;
}

/** The numeric keys of the entries at these levels. */
function keysAt(entries: KeyEntry[], space: KeySpace, levels: number[]): Float64Array {
  const keys = new Float64Array(entries.length);
  const idx = new Array<number>(levels.length);
  for (let i = 0; i < entries.length; i++) {
    for (let j = 0; j < levels.length; j++) idx[j] = space.atLevel[j][levels[j]][i];
    keys[i] = space.key(entries[i].wave, idx) as number;
  }
  return keys;
}

/** rowsAtRisk with quasi-identifier j moved from level `level` to `target` (one up or one down), from the keys at
 *  the current levels (numeric keys). */
function rowsAtRiskStep(
  entries: KeyEntry[],
  space: KeySpace,
  base: Float64Array,
  j: number,
  level: number,
  target: number,
  k: number,
): number {
  const from = space.atLevel[j][level];
  const to = space.atLevel[j][target];
  const m = space.mult[j];
  const keys = new Float64Array(base.length);
  const sizes = new Map<number, number>();
  for (let i = 0; i < base.length; i++) {
    const key = base[i] + (to[i] - from[i]) * m;
    keys[i] = key;
    sizes.set(key, (sizes.get(key) ?? 0) + entries[i].n);
  }
  let rows = 0;
  for (let i = 0; i < keys.length; i++) if ((sizes.get(keys[i]) as number) < k) rows += entries[i].n;
  return rows;
}

/** Local suppression (steps 2 and 3) on the entries recoded to `levels`. */
function suppressLocally(entries: KeyEntry[], qis: QiSpec[], levels: number[], k: number, space: KeySpace): Outcome {
  const groups = new Map<Key, Group>();
  const perQi = qis.map(() => 0);
  let cells = 0;
  entries.forEach((e, i) => {
    const idx = levels.map((l, j) => space.atLevel[j][l][i]);
    const key = space.key(e.wave, idx);
    const g = groups.get(key);
    if (g) {
      g.n += e.n;
      g.members.push({ entry: i, rows: e.n });
    } else groups.set(key, { wave: e.wave, idx, key, n: e.n, members: [{ entry: i, rows: e.n }] });
  });
  const localIdx = qis.map((q, j) => (q.local ? j : -1)).filter((j) => j >= 0);
  // the most important quasi-identifiers (the tier) are kept out of step 2: step 3 protects their small groups
  const top = Math.max(...localIdx.map((j) => qis[j].importance));
  const protectedIdx = localIdx.filter(
    (j) => qis[j].importance === top && localIdx.some((i) => qis[i].importance < top),
  );
  const stepTwo = localIdx.filter((j) => !protectedIdx.includes(j));
  const isSup = (g: Group, j: number) => g.idx[j] === space.sup(j);
  const moveTo = (from: Group, j: number) => {
    const key = space.with(from, j, space.sup(j));
    groups.delete(from.key);
    const target = groups.get(key);
    if (target) {
      target.n += from.n;
      for (const m of from.members) target.members.push(m);
      return target;
    }
    const idx = from.idx.slice();
    idx[j] = space.sup(j);
    const g: Group = { wave: from.wave, idx, key, n: from.n, members: from.members };
    groups.set(key, g);
    return g;
  };
  for (let round = 0; round < 2 * qis.length + 2; round++) {
    const small = [...groups.values()].filter((g) => g.n < k).sort((a, b) => a.n - b.n || (a.key < b.key ? -1 : 1));
    if (small.length === 0) break;
    // per quasi-identifier j: rows that share everything but j with a combination (its neighbourhood)
    const hood = new Map<number, Map<Key, number>>();
    for (const j of stepTwo) {
      const m = new Map<Key, number>();
      for (const g of groups.values()) {
        const w = space.with(g, j, space.any(j));
        m.set(w, (m.get(w) ?? 0) + g.n);
      }
      hood.set(j, m);
    }
    let moved = false;
    for (const g of small) {
      if (groups.get(g.key) !== g || g.n >= k) continue;
      let best: { j: number; merged: number; near: number } | null = null;
      for (const j of stepTwo) {
        if (isSup(g, j)) continue;
        const merged = (groups.get(space.with(g, j, space.sup(j)))?.n ?? 0) + g.n;
        const near = hood.get(j)?.get(space.with(g, j, space.any(j))) ?? 0;
        if (!best) best = { j, merged, near };
        else {
          // one that joins a combination of k, least important first; else the one whose neighbourhood (the rows
          // that differ from these only in it) is largest, so that later suppressions join them
          const okNew = merged >= k;
          const okBest = best.merged >= k;
          const imp = qis[j].importance - qis[best.j].importance;
          const better =
            okNew !== okBest
              ? okNew
              : okNew
                ? imp < 0 || (imp === 0 && merged > best.merged)
                : near > best.near || (near === best.near && imp < 0);
          if (better) best = { j, merged, near };
        }
      }
      if (!best) continue; // fully suppressed: step 3
      cells += g.n;
      perQi[best.j] += g.n;
      moveTo(g, best.j);
      moved = true;
    }
    if (!moved) break;
  }
  // step 3: a combination below k in which every other quasi-identifier is suppressed takes rows from the
  // combination of its stratum (wave, period, tier) that spares them at least cost; a stratum that holds fewer than k
  // rows in all loses its tier too (and then takes rows within the wave and period).
  let fullySuppressedRows = 0;
  const unsuppressed = (x: Group) => localIdx.filter((j) => !isSup(x, j)).length;
  const fill = (g: Group, strict: boolean): boolean => {
    const sameStratum = (x: Group) =>
      x !== g &&
      x.wave === g.wave &&
      qis.every((q, j) => (q.local && (!strict || !protectedIdx.includes(j))) || x.idx[j] === g.idx[j]);
    const donors = [...groups.values()].filter(sameStratum);
    if (donors.reduce((s, d) => s + d.n, g.n) < k) return false;
    while (g.n < k) {
      const need = k - g.n;
      const spare = donors
        .filter((d) => d.n - need >= k)
        .sort((a, b) => unsuppressed(a) - unsuppressed(b) || b.n - a.n)[0];
      const take = spare ?? donors.filter((d) => d.n > 0).sort((a, b) => a.n - b.n)[0];
      const rows = spare ? need : take.n;
      for (const j of localIdx)
        if (!isSup(take, j) && isSup(g, j)) {
          perQi[j] += rows;
          cells += rows;
        }
      fullySuppressedRows += rows;
      let left = rows;
      for (const m of take.members.sort((a, b) => b.rows - a.rows)) {
        if (left === 0) break;
        const t = Math.min(left, m.rows);
        m.rows -= t;
        left -= t;
        g.members.push({ entry: m.entry, rows: t });
      }
      take.members = take.members.filter((m) => m.rows > 0);
      take.n -= rows;
      g.n += rows;
      if (take.n === 0) groups.delete(take.key);
    }
    return true;
  };
  for (const g of [...groups.values()]) {
    if (g.n >= k || groups.get(g.key) !== g) continue;
    if (fill(g, true)) continue;
    // the stratum is too small: suppress the protected ones too, and fill within wave and period
    let target = g;
    for (const j of protectedIdx)
      if (!isSup(target, j)) {
        perQi[j] += target.n;
        cells += target.n;
        target = moveTo(target, j);
      }
    if (target.n < k) fill(target, false);
  }
  // where each entry's rows went: usually one group; rows diverted in step 3 elsewhere
  const released: Outcome['released'] = entries.map(() => []);
  for (const g of groups.values()) {
    const codes = g.idx.map((x, j) => space.codes[j][x]);
    for (const m of g.members) if (m.rows > 0) released[m.entry].push({ codes, rows: m.rows });
  }
  return { cells, perQi, fullySuppressedRows, released, groups: [...groups.values()] };
}

export interface PlanOptions {
  /** sampling weight per wave index (population size / responses); default 1 */
  weights?: number[];
  /** share of the rows one recoding step is worth in suppressed cells (default 0.02) */
  stepShare?: number;
  /** lowest level per quasi-identifier (the period: coarse enough that every period of a wave holds k) */
  minLevels?: number[];
  /** highest level global recoding may choose per quasi-identifier (the weighting attribute: 0, so that the weight
   *  keeps its strata); local suppression still protects it cell by cell */
  maxLevels?: number[];
}

export function planRelease(counter: KeyCounter, qis: QiSpec[], k: number, opts: PlanOptions = {}): ReleasePlan {
  const entries = counter.entries;
  const weights = opts.weights ?? counter.waves.map(() => 1);
  const stepCost = Math.max(1, (opts.stepShare ?? 0.02) * counter.rows);
  const space = new KeySpace(entries, qis, counter.waves.length);
  const start = opts.minLevels?.slice() ?? qis.map(() => 0);
  const steps = (lv: number[]) => lv.reduce((s, l, j) => s + l - start[j], 0);
  const top = qis.map((q, j) => Math.max(start[j], Math.min(q.levels.length, opts.maxLevels?.[j] ?? Infinity)));
  /** Greedy search over the recoding lattice, judging levels by the rows local suppression will have to protect,
   *  each costing `perRow` cells (quick: counts only). 'up' climbs from the finest levels, one recoding step at a
   *  time while a step lowers the loss; 'down' descends from the coarsest declared levels, undoing one step at a time
   *  while that lowers it. Climbing alone stalls where every row is at risk at the finest levels (many
   *  quasi-identifiers, or a larger k): no single step then frees enough rows to pay for itself, although a few steps
   *  together free nearly all of them; the descent starts where few rows are at risk and finds those levels. */
  const search = (perRow: number, direction: 'up' | 'down'): number[] => {
    let levels = direction === 'up' ? start.slice() : top.slice();
    const lossOf = (atRisk: number, lv: number[]) => perRow * atRisk + stepCost * steps(lv);
    let loss = lossOf(rowsAtRisk(entries, space, levels, k), levels);
    for (;;) {
      let best: { levels: number[]; loss: number } | null = null;
      const base = space.numeric ? keysAt(entries, space, levels) : null;
      for (let j = 0; j < qis.length; j++) {
        if (direction === 'up' ? levels[j] >= top[j] : levels[j] <= start[j]) continue;
        const next = levels.slice();
        next[j] += direction === 'up' ? 1 : -1;
        const l = lossOf(
          base ? rowsAtRiskStep(entries, space, base, j, levels[j], next[j], k) : rowsAtRisk(entries, space, next, k),
          next,
        );
        if (l < (best?.loss ?? loss)) best = { levels: next, loss: l };
      }
      if (!best) return levels;
      ({ levels, loss } = best);
    }
  };
  // the cells per row at risk are learnt from local suppression itself: the climb runs, suppresses and recalibrates
  // (at most 3 times, as it always did); the descent then starts from the climb's last calibration (at most twice);
  // of every level set tried the least loss (suppressed cells + recoding steps) is released, so the descent can only
  // lower the loss the climb alone reached
  let chosen: { levels: number[]; outcome: Outcome; loss: number } | null = null;
  const tried = new Set<string>();
  let perRow = 1;
  for (const [direction, rounds] of [
    ['up', 3],
    ['down', 2],
  ] as const) {
    for (let round = 0; round < rounds; round++) {
      const lv = search(perRow, direction);
      if (tried.has(lv.join(','))) break;
      tried.add(lv.join(','));
      const o = suppressLocally(entries, qis, lv, k, space);
      const loss = o.cells + stepCost * steps(lv);
      if (!chosen || loss < chosen.loss) chosen = { levels: lv, outcome: o, loss };
      const atRisk = rowsAtRisk(entries, space, lv, k);
      if (atRisk === 0) break;
      perRow = Math.max(1, o.cells / atRisk);
    }
  }
  const { levels, outcome } = chosen as { levels: number[]; outcome: Outcome };

  const before = riskFigures(entries, weights, k);
  const after = riskFigures(outcome.groups, weights, k);
  const report: DisclosureReport = {
    k,
    kAchieved: after.minFrequency,
    rows: counter.rows,
    quasiIdentifiers: qis.map((q, j) => ({
      name: q.name,
      recoding: levels[j] === 0 ? 'as collected' : q.levels[levels[j] - 1].name,
      level: levels[j],
      levels: q.levels.length,
      suppressedCells: outcome.perQi[j],
    })),
    suppressedCells: outcome.cells,
    fullySuppressedRows: outcome.fullySuppressedRows,
    before,
    after,
    weights: counter.waves.map((waveId, i) => ({ waveId, weight: weights[i] ?? 1 })),
  };
  return {
    report,
    levels,
    releaser() {
      const byEntry = this.entryReleaser();
      return (waveId, codes) => {
        const i = counter.find(waveId, codes);
        if (i === undefined) throw new Error('disclosure: a row that was not counted in the first pass');
        return byEntry(i);
      };
    },
    releaseRow(entry, rank) {
      const r = outcome.released[entry];
      let upTo = 0;
      for (const x of r) {
        upTo += x.rows;
        if (rank < upTo) return x.codes;
      }
      return r[r.length - 1].codes;
    },
    entryReleaser() {
      const left = outcome.released.map((r) => (r.length > 1 ? r.map((x) => x.rows) : null));
      return (i) => {
        const r = outcome.released[i];
        const l = left[i];
        if (l) {
          for (let x = 0; x < l.length; x++) {
            if (l[x] > 0) {
              l[x]--;
              return r[x].codes;
            }
          }
        }
        return r[r.length - 1].codes;
      };
    },
  };
}
