import { CombinationCounter, planDisclosure, WITHHELD } from '../../server/exports/files/disclosure';
import { neutraliseFormula, scrubText } from '../../server/exports/files/scrub';
import { createRng } from '../../server/fielding/synth/rng';

const W = 'wave-1';

function released(counter: CombinationCounter, attrs: string[], k: number) {
  const plan = planDisclosure(counter, attrs, k);
  const groups = new Map<string, number>();
  for (const c of counter.counts.values()) {
    const r = plan.release(c.waveId, c.month, c.attributes);
    const key = [c.waveId, r.period, ...r.attributes].join('|');
    groups.set(key, (groups.get(key) ?? 0) + c.n);
  }
  return { plan, groups };
}

describe('disclosure control of datasets', () => {
  it('one mayor of a small municipality: rare values go to "overig", and the small combination is withheld until every group has k', () => {
    const c = new CombinationCounter();
    c.add(W, '2024-02', ['gemeente', 'raadslid'], 20);
    c.add(W, '2024-02', ['gemeente', 'burgemeester'], 1);
    c.add(W, '2024-02', ['waterschap', 'dijkgraaf'], 2);
    c.add(W, '2024-02', ['provincie', 'statenlid'], 6);
    const { plan, groups } = released(c, ['tier', 'role'], 5);
    for (const n of groups.values()) expect(n).toBeGreaterThanOrEqual(5);
    expect(plan.release(W, '2024-02', ['gemeente', 'raadslid'])).toEqual({ period: '2024-02', attributes: ['gemeente', 'raadslid'] });
    // burgemeester (1) and dijkgraaf (2) are rare; together 3 < 5, so the next smallest role (statenlid, 6) joins them
    expect(plan.release(W, '2024-02', ['provincie', 'statenlid']).attributes).toEqual([WITHHELD, WITHHELD]);
    // the mayor is no longer unique: tier withheld in that row too, joining the "overig/overig" group
    expect(plan.release(W, '2024-02', ['gemeente', 'burgemeester']).attributes).toEqual([WITHHELD, WITHHELD]);
    expect(plan.report.attributes).toEqual([
      { name: 'tier', rareValues: 2, suppressedRows: 1, dropped: false },
      { name: 'role', rareValues: 3, suppressedRows: 0, dropped: false },
    ]);
    expect(plan.report.period).toBe('month');
  });

  it('the submission month becomes the quarter, then the year, when a month is small', () => {
    const c = new CombinationCounter();
    c.add(W, '2024-02', ['gemeente'], 10);
    c.add(W, '2024-03', ['gemeente'], 2);
    expect(released(c, ['tier'], 5).plan.release(W, '2024-03', ['gemeente']).period).toBe('2024-Q1');
    const d = new CombinationCounter();
    d.add(W, '2024-03', ['gemeente'], 10);
    d.add(W, '2024-04', ['gemeente'], 2);
    const p = released(d, ['tier'], 5).plan;
    expect(p.release(W, '2024-04', ['gemeente']).period).toBe('2024');
    expect(p.report.period).toBe('year');
  });

  it('withholds the last kept attribute in the rows of small combinations first', () => {
    const c = new CombinationCounter();
    for (const p of ['a', 'b']) for (const q of ['x', 'y']) c.add(W, '2024-02', [p, q], 3);
    const { plan, groups } = released(c, ['p', 'q'], 5);
    expect([...groups.values()]).toEqual([6, 6]);
    expect(plan.release(W, '2024-02', ['a', 'y']).attributes).toEqual(['a', WITHHELD]);
    expect(plan.report.attributes).toEqual([
      { name: 'p', rareValues: 0, suppressedRows: 0, dropped: false },
      { name: 'q', rareValues: 0, suppressedRows: 12, dropped: false },
    ]);
  });

  it('never releases a combination smaller than k (random tables)', () => {
    const rng = createRng(42);
    for (let trial = 0; trial < 200; trial++) {
      const c = new CombinationCounter();
      const k = rng.int(2, 10);
      const cells = rng.int(1, 40);
      for (let i = 0; i < cells; i++) {
        c.add(rng.chance(0.5) ? W : 'wave-2', `2024-0${rng.int(1, 4)}`, [`t${rng.int(1, 3)}`, `r${rng.int(1, 8)}`, `p${rng.int(1, 12)}`], rng.int(1, 12));
      }
      const totals = new Map<string, number>();
      for (const x of c.counts.values()) totals.set(x.waveId, (totals.get(x.waveId) ?? 0) + x.n);
      if ([...totals.values()].some((n) => n < k)) continue; // such an export is refused
      for (const n of released(c, ['tier', 'role', 'province'], k).groups.values()) expect(n).toBeGreaterThanOrEqual(k);
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
    for (const s of ['In 2022 en 2024 werd ik 3 keer bedreigd', 'Het ging om 12 mensen', 'Rond 10.00 uur', 'e.g. dit']) {
      expect(scrubText(s)).toEqual({ text: s, counts: { cells: 0, byKind: { email: 0, url: 0, phone: 0, postcode: 0, number: 0 } } });
    }
  });

  it('neutralises text that a spreadsheet would take for a formula', () => {
    for (const s of ['=1+1', '+31', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseFormula(s)).toBe(`'${s}`);
    for (const s of ['a=1', ' =1', 'x', '']) expect(neutraliseFormula(s)).toBe(s);
  });
});
