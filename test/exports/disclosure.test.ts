import { individualRisk, KeyCounter, planRelease, QiSpec, SUPPRESSED } from '../../server/exports/files/disclosure';
import { neutraliseFormula, scrubText } from '../../server/exports/files/scrub';
import { createRng } from '../../server/fielding/synth/rng';

const W = 'wave-1';

/** Released combinations (suppressed = its own value) and their row counts, row by row as an export applies the plan. */
function released(counter: KeyCounter, qis: QiSpec[], k: number) {
  const plan = planRelease(counter, qis, k);
  const release = plan.releaser();
  const groups = new Map<string, number>();
  for (const e of counter.entries) {
    for (let i = 0; i < e.n; i++) {
      const key = [counter.waves[e.wave], ...release(counter.waves[e.wave], e.codes)].join('|');
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
  }
  return { plan, groups };
}

const flat = (name: string, importance = 5): QiSpec => ({ name, importance, local: true, levels: [] });
const age: QiSpec = {
  name: 'age',
  importance: 5,
  local: true,
  levels: [
    {
      name: 'wide',
      map: new Map([
        [1, 101],
        [2, 101],
        [3, 102],
        [4, 102],
      ]),
      labels: [],
    },
  ],
};

describe('disclosure control: global recoding first, local suppression last', () => {
  it("one mayor among council members: only the mayor's role is suppressed, the tier stays", () => {
    const c = new KeyCounter();
    c.add(W, [1, 3], 20); // tier 1, council member
    c.add(W, [1, 1], 1); // the mayor
    c.add(W, [2, 6], 8);
    const { plan, groups } = released(c, [flat('tier', 9), flat('role', 7)], 5);
    expect(Math.min(...groups.values())).toBeGreaterThanOrEqual(5);
    const release = plan.releaser();
    expect(release(W, [2, 6])).toEqual([2, 6]);
    // alone with a suppressed role the mayor is still one of a kind: four council members join them, the tier stays
    expect(release(W, [1, 1])).toEqual([1, SUPPRESSED]);
    const council = Array.from({ length: 20 }, () => release(W, [1, 3]).join(','));
    expect(council.filter((x) => x === `1,${SUPPRESSED}`)).toHaveLength(4);
    expect(council.filter((x) => x === '1,3')).toHaveLength(16);
    expect(plan.report.quasiIdentifiers.map((q) => q.suppressedCells)).toEqual([0, 5]);
    expect(plan.report.fullySuppressedRows).toBe(4);
  });

  it('recodes globally when that saves many suppressed cells (age bands merged), and reports the level', () => {
    const c = new KeyCounter();
    // 240 rows spread thinly over 4 age bands × 20 other values: merging two bands makes every cell 6
    for (let v = 0; v < 20; v++) for (let a = 1; a <= 4; a++) c.add(W, [v, a], 3);
    const { plan, groups } = released(c, [flat('other'), age], 5);
    expect(plan.report.quasiIdentifiers[1]).toMatchObject({
      name: 'age',
      recoding: 'wide',
      level: 1,
      suppressedCells: 0,
    });
    expect(plan.report.suppressedCells).toBe(0);
    expect(Math.min(...groups.values())).toBe(6);
  });

  it('never withholds a variable in every row when a coarser level satisfies k', () => {
    const c = new KeyCounter();
    for (let a = 1; a <= 4; a++) c.add(W, [a], 3);
    const { plan } = released(c, [age], 5);
    expect(plan.report.quasiIdentifiers[0]).toMatchObject({ level: 1, suppressedCells: 0 });
  });

  it('sample uniques and individual risk before and after', () => {
    const c = new KeyCounter();
    c.add(W, [1, 1], 1);
    c.add(W, [1, 2], 9);
    const { plan } = released(c, [flat('a'), flat('b')], 5);
    expect(plan.report.before).toMatchObject({ sampleUniques: 1, keysBelowK: 1, minFrequency: 1 });
    expect(plan.report.after).toMatchObject({ sampleUniques: 0, keysBelowK: 0 });
    expect(plan.report.kAchieved).toBeGreaterThanOrEqual(5);
  });

  it('individual risk as sdcMicro defines it (Benedetti–Franconi approximation)', () => {
    // fk = Fk: 1 / fk; fk = 1, 2 and > 2 from the closed forms with p = fk / Fk
    expect(individualRisk(3, 3)).toBeCloseTo(1 / 3, 12);
    expect(individualRisk(1, 10)).toBeCloseTo((0.1 / 0.9) * Math.log(10), 12);
    expect(individualRisk(2, 10)).toBeCloseTo(0.2 / 0.8 - (0.2 / 0.8) ** 2 * Math.log(5), 12);
    expect(individualRisk(5, 50)).toBeCloseTo(0.1 / (5 - 0.9), 12);
  });

  it('never releases a combination smaller than k (random tables, several waves, periods that stay)', () => {
    const rng = createRng(42);
    for (let trial = 0; trial < 150; trial++) {
      const c = new KeyCounter();
      const k = rng.int(2, 10);
      const cells = rng.int(1, 60);
      for (let i = 0; i < cells; i++) {
        c.add(
          rng.chance(0.5) ? W : 'wave-2',
          [rng.int(1, 3), rng.int(1, 4), rng.int(1, 8), rng.int(1, 12)],
          rng.int(1, 12),
        );
      }
      const totals = new Map<string, number>();
      for (const x of c.entries) totals.set(c.waves[x.wave], (totals.get(c.waves[x.wave]) ?? 0) + x.n);
      if ([...totals.values()].some((n) => n < k)) continue; // such an export is refused
      const qis = [
        flat('tier', 9),
        age,
        flat('role', 7),
        {
          ...flat('province', 3),
          levels: [
            {
              name: 'region',
              map: new Map(Array.from({ length: 12 }, (_x, i) => [i + 1, 101 + (i % 4)] as [number, number])),
              labels: [],
            },
          ],
        },
      ];
      const { groups, plan } = released(c, qis, k);
      for (const n of groups.values()) expect(n).toBeGreaterThanOrEqual(k);
      expect(plan.report.rows).toBe([...groups.values()].reduce((s, n) => s + n, 0));
    }
  });
});

describe('free-text scrubbing and formula cells', () => {
  it.each([
    ['Mail me op jan.jansen@gemeente.nl aub', 'Mail me op [e-mail] aub', 'email'],
    ['Zie https://www.example.nl/pagina?x=1 en www.test.com', 'Zie [url] en [url]', 'url'],
    ['kijk op gemeente-utrecht.nl/agressie', 'kijk op [url]', 'url'],
    ['Bel 06-12345678 of +31 6 1234 5678 of (020) 123 45 67', 'Bel [telefoon] of [telefoon] of [telefoon]', 'phone'],
    ['Ik woon op 3511 AB in Utrecht (ook 3511ab)', 'Ik woon op [postcode] in Utrecht (ook [postcode])', 'postcode'],
    ['BSN 123456789, IBAN NL91ABNA0417164300', 'BSN [nummer], IBAN NL91ABNA[nummer]', 'number'],
  ])('%s', (input, expected, kind) => {
    const { text, counts } = scrubText(input);
    expect(text).toBe(expected);
    expect(counts.cells).toBe(1);
    expect(counts.byKind[kind as 'email']).toBeGreaterThan(0);
  });

  it('leaves ordinary text alone: years, small numbers, words after numbers', () => {
    for (const s of [
      'In 2022 en 2024 werd ik 3 keer bedreigd',
      'Het ging om 12 mensen',
      'Rond 10.00 uur',
      'e.g. dit',
    ]) {
      expect(scrubText(s)).toEqual({
        text: s,
        counts: { cells: 0, byKind: { email: 0, url: 0, phone: 0, postcode: 0, number: 0 } },
      });
    }
  });

  it('neutralises text that a spreadsheet would take for a formula', () => {
    for (const s of ['=1+1', '+31', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseFormula(s)).toBe(`'${s}`);
    for (const s of ['a=1', ' =1', 'x', '']) expect(neutraliseFormula(s)).toBe(s);
  });
});
