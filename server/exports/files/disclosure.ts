/**
 * Disclosure control of datasets: the quasi-identifiers of a row (the kept attributes and the submission month,
 * within its wave) are coarsened until every combination that occurs is held by at least k responses, so that no
 * row is unique. Steps, each taken only while some combination is still smaller than k:
 *
 *  1. rare values: per attribute, values held by fewer than k responses become "overig" (if that group is itself
 *     smaller than k, the next smallest value joins it);
 *  2. the submission month becomes the quarter, then the year, then nothing, while a period alone (within its
 *     wave) holds fewer than k responses;
 *  3. local suppression: in the rows of a too-small combination, the attributes are set to "overig", the last kept
 *     attribute first;
 *  4. global suppression: the attributes are set to "overig" in every row, the last kept attribute first.
 *
 * The plan maps each original combination to its released values; it is computed from counts only (a first pass
 * over the rows), and applied row by row while the export streams.
 */

export const WITHHELD = 'overig';

export type PeriodLevel = 'month' | 'quarter' | 'year' | 'none';
const PERIODS: PeriodLevel[] = ['month', 'quarter', 'year', 'none'];

export interface AttributeReport {
  name: string;
  /** values recoded to "overig" because fewer than k responses had them */
  rareValues: number;
  /** rows where the attribute was withheld to protect a small combination */
  suppressedRows: number;
  /** withheld in every row */
  dropped: boolean;
}

export interface DisclosureReport {
  k: number;
  period: PeriodLevel;
  attributes: AttributeReport[];
  /** combinations before and after (over all waves) */
  combinationsBefore: number;
  combinationsAfter: number;
}

/** Original combination (period then attributes) -> released values, per wave. */
export interface DisclosurePlan {
  release(waveId: string, month: string, attributes: string[]): { period: string; attributes: string[] };
  report: DisclosureReport;
}

export function periodOf(month: string, level: PeriodLevel): string {
  if (!month || level === 'none') return '';
  if (level === 'year') return month.slice(0, 4);
  if (level === 'quarter') return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
  return month;
}

const SEP = '\u0001';
export const comboKey = (waveId: string, month: string, attributes: string[]) => [waveId, month, ...attributes].join(SEP);

/** Counts per original combination, filled during the first pass. */
export class CombinationCounter {
  readonly counts = new Map<string, { waveId: string; month: string; attributes: string[]; n: number }>();
  add(waveId: string, month: string, attributes: string[], n = 1): void {
    const key = comboKey(waveId, month, attributes);
    const c = this.counts.get(key);
    if (c) c.n += n;
    else this.counts.set(key, { waveId, month, attributes, n });
  }
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c.n;
    return n;
  }
}

interface Rec { waveId: string; month: string; original: string[]; values: string[]; n: number }

function smallGroups(recs: Rec[], level: PeriodLevel, k: number): Set<string> {
  const sizes = new Map<string, number>();
  const keyOf = (r: Rec) => [r.waveId, periodOf(r.month, level), ...r.values].join(SEP);
  for (const r of recs) sizes.set(keyOf(r), (sizes.get(keyOf(r)) ?? 0) + r.n);
  const small = new Set<string>();
  for (const [key, n] of sizes) if (n < k) small.add(key);
  return small.size === 0 ? small : new Set(recs.filter((r) => small.has(keyOf(r))).map((r) => comboKey(r.waveId, r.month, r.original)));
}

/** Rare values of attribute i (within each wave) become WITHHELD; returns how many distinct values were recoded. */
function recodeRareValues(recs: Rec[], i: number, k: number): number {
  let recoded = 0;
  for (const waveId of new Set(recs.map((r) => r.waveId))) {
    const mine = recs.filter((r) => r.waveId === waveId);
    const totals = new Map<string, number>();
    for (const r of mine) totals.set(r.values[i], (totals.get(r.values[i]) ?? 0) + r.n);
    const rare = new Set([...totals].filter(([v, n]) => n < k && v !== WITHHELD).map(([v]) => v));
    if (rare.size === 0) continue;
    let pooled = [...totals].filter(([v]) => rare.has(v) || v === WITHHELD).reduce((s, [, n]) => s + n, 0);
    const rest = [...totals].filter(([v]) => !rare.has(v) && v !== WITHHELD).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    while (pooled < k && rest.length > 1) {
      const [v, n] = rest.shift() as [string, number];
      rare.add(v);
      pooled += n;
    }
    recoded += rare.size;
    for (const r of mine) if (rare.has(r.values[i])) r.values[i] = WITHHELD;
  }
  return recoded;
}

export function planDisclosure(counter: CombinationCounter, attributeNames: string[], k: number): DisclosurePlan {
  const recs: Rec[] = [...counter.counts.values()].map((c) => ({ waveId: c.waveId, month: c.month, original: c.attributes, values: [...c.attributes], n: c.n }));
  const report: DisclosureReport = {
    k,
    period: 'month',
    attributes: attributeNames.map((name) => ({ name, rareValues: 0, suppressedRows: 0, dropped: false })),
    combinationsBefore: recs.length,
    combinationsAfter: 0,
  };
  attributeNames.forEach((_a, i) => (report.attributes[i].rareValues = recodeRareValues(recs, i, k)));
  // the period: raised while a (wave, period) group alone is smaller than k
  let level = 0;
  const periodSmall = (lvl: PeriodLevel) => {
    const sizes = new Map<string, number>();
    for (const r of recs) sizes.set(`${r.waveId}${SEP}${periodOf(r.month, lvl)}`, (sizes.get(`${r.waveId}${SEP}${periodOf(r.month, lvl)}`) ?? 0) + r.n);
    return [...sizes.values()].some((n) => n < k);
  };
  while (level < PERIODS.length - 1 && periodSmall(PERIODS[level])) level++;
  let small = smallGroups(recs, PERIODS[level], k);
  for (let i = attributeNames.length - 1; i >= 0 && small.size > 0; i--) {
    for (const r of recs) {
      if (small.has(comboKey(r.waveId, r.month, r.original)) && r.values[i] !== WITHHELD) {
        r.values[i] = WITHHELD;
        report.attributes[i].suppressedRows += r.n;
      }
    }
    small = smallGroups(recs, PERIODS[level], k);
  }
  for (let i = attributeNames.length - 1; i >= 0 && small.size > 0; i--) {
    for (const r of recs) r.values[i] = WITHHELD;
    report.attributes[i].dropped = true;
    small = smallGroups(recs, PERIODS[level], k);
  }
  while (small.size > 0 && level < PERIODS.length - 1) small = smallGroups(recs, PERIODS[++level], k);
  report.period = PERIODS[level];
  const released = new Map<string, { period: string; attributes: string[] }>();
  for (const r of recs) released.set(comboKey(r.waveId, r.month, r.original), { period: periodOf(r.month, PERIODS[level]), attributes: r.values });
  report.combinationsAfter = new Set([...released.entries()].map(([key, v]) => [key.split(SEP)[0], v.period, ...v.attributes].join(SEP))).size;
  return {
    report,
    release(waveId, month, attributes) {
      const r = released.get(comboKey(waveId, month, attributes));
      if (!r) throw new Error('disclosure: a row that was not counted in the first pass');
      return r;
    },
  };
}
