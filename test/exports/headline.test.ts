import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { estimate, rakingWeights, suppress, weightsFor, wilson } from '../../server/exports/files/headline-stats';
import { headlineReport } from '../../server/exports/headline-report';
import { prepareExport } from '../../server/exports/export-service';
import { createInvitations } from '../../server/fielding/issue-invitations';
import { experiencedAggression, synthAnswerSets } from '../../server/fielding/synth/answers';
import type { WaveRow } from '../../server/fielding/data/waves';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { realRegistry } from '../helpers/test-app';
import { setPopulationTotals } from '../../server/fielding/population-totals';
import { seedResponses, seedWave } from './fixtures';
import { registerVersions } from '../../server/questionnaires/version-registration';

describe('headline statistics', () => {
  it('Wilson interval', () => {
    const [lo, hi] = wilson(0.5, 100);
    expect(lo).toBeCloseTo(0.4038, 3);
    expect(hi).toBeCloseTo(0.5962, 3);
    expect(wilson(0, 10)[0]).toBe(0);
  });

  it('post-stratified share: each stratum weighs N_h / n_h', () => {
    const strata = new Map([
      ['A', { d: 10, y: 5 }],
      ['B', { d: 10, y: 1 }],
    ]);
    const w = weightsFor(
      new Map([
        ['A', 10],
        ['B', 10],
      ]),
      new Map([
        ['A', 100],
        ['B', 300],
      ]),
    );
    const e = estimate(strata, w);
    expect(e.p).toBeCloseTo((100 * 0.5 + 300 * 0.1) / 400, 10);
    expect(e.lo as number).toBeLessThan(e.p as number);
    expect(e.hi as number).toBeGreaterThan(e.p as number);
    expect(estimate(strata).p).toBeCloseTo(0.3, 10); // unweighted
    // a census (n_h = N_h, declared) has no sampling variance; the same counts taken as a sample have some
    expect(
      estimate(
        strata,
        weightsFor(
          new Map([
            ['A', 10],
            ['B', 10],
          ]),
          new Map([
            ['A', 10],
            ['B', 10],
          ]),
          true,
        ),
      ).variance,
    ).toBeCloseTo(0, 12);
    expect(
      estimate(
        strata,
        weightsFor(
          new Map([
            ['A', 10],
            ['B', 10],
          ]),
          new Map([
            ['A', 10],
            ['B', 10],
          ]),
        ),
      ).variance,
    ).toBeGreaterThan(0.005);
  });

  it("weighted share, standard error and 95% interval equal R's survey package on a fixture", () => {
    // 100 respondents in three tiers, population totals per tier from the administrator (the frame is a sample).
    // Reference, computed once with R 4.2 and survey 4.1-1:
    //   d0 <- svydesign(ids = ~1, data = df, weights = ~1)
    //   ps <- postStratify(d0, ~h, data.frame(h = c("gemeente", "provincie", "waterschap"), Freq = c(9000, 570, 750)))
    //   svymean(~y, ps); svyciprop(~y, ps, method = "logit", df = Inf)
    const strata = new Map([
      ['gemeente', { d: 60, y: 33 }],
      ['provincie', { d: 25, y: 9 }],
      ['waterschap', { d: 15, y: 4 }],
    ]);
    const w = weightsFor(
      new Map([
        ['gemeente', 60],
        ['provincie', 25],
        ['waterschap', 15],
      ]),
      new Map([
        ['gemeente', 9000],
        ['provincie', 570],
        ['waterschap', 750],
      ]),
    );
    const e = estimate(strata, w);
    expect(e.p).toBeCloseTo(0.518914728682, 10);
    expect(Math.sqrt(e.variance as number)).toBeCloseTo(0.057156739485, 10);
    expect(e.lo).toBeCloseTo(0.407804783977, 9);
    expect(e.hi).toBeCloseTo(0.628184890517, 9);
    // the unweighted path is unchanged: p = 46 / 100 with Wilson's interval
    const u = estimate(strata);
    expect(u.p).toBeCloseTo(0.46, 12);
    expect([u.lo, u.hi]).toEqual(wilson(0.46, 100));
  });

  it("raked on two attributes: weights, share, standard error and interval equal R's survey package", () => {
    // Reference, computed once with R 4.2 and survey 4.1-1 on 100 respondents in tier x region cells:
    //   r <- rake(svydesign(ids = ~1, data = df, weights = ~1), list(~a, ~b),
    //             list(data.frame(a = c("gemeente", "provincie", "waterschap"), Freq = c(9000, 570, 750)),
    //                  data.frame(b = c("noord", "zuid"), Freq = c(4000, 6320))))
    //   svymean(~y, r); svyciprop(~y, r, method = "logit", df = Inf)
    const tiers = ['gemeente', 'provincie', 'waterschap'];
    const cells = [
      ['gemeente|noord', 40, 22],
      ['provincie|noord', 12, 4],
      ['waterschap|noord', 9, 3],
      ['gemeente|zuid', 25, 11],
      ['provincie|zuid', 8, 3],
      ['waterschap|zuid', 6, 1],
    ] as const;
    const w = rakingWeights(new Map(cells.map(([c, n]) => [c, n])), [
      {
        valueOf: new Map(cells.map(([c]) => [c, c.split('|')[0]])),
        totals: new Map(tiers.map((t, i) => [t, [9000, 570, 750][i]])),
      },
      {
        valueOf: new Map(cells.map(([c]) => [c, c.split('|')[1]])),
        totals: new Map([
          ['noord', 4000],
          ['zuid', 6320],
        ]),
      },
    ]);
    expect(w.weight.get('gemeente|noord')).toBeCloseTo(87.6477044301, 8);
    expect(w.weight.get('waterschap|zuid')).toBeCloseTo(78.2110016482, 8);
    const e = estimate(new Map(cells.map(([c, d, y]) => [c, { d, y }])), w);
    expect(e.p).toBeCloseTo(0.457587111253, 10);
    expect(Math.sqrt(e.variance as number)).toBeCloseTo(0.060473827631, 10);
    expect(e.lo).toBeCloseTo(0.3435300264, 9);
    expect(e.hi).toBeCloseTo(0.576270523552, 9);
  });

  it('primary and secondary suppression within a group that adds up to a total', () => {
    expect(suppress([20, 3, 30], [[0, 1, 2]], 5)).toEqual(['secondary', 'primary', null]);
    expect(suppress([20, 3, 4, 30], [[0, 1, 2, 3]], 5)).toEqual([null, 'primary', 'primary', null]); // 3 + 4 >= 5
    expect(suppress([20, 1, 2, 30], [[0, 1, 2, 3]], 5)).toEqual(['secondary', 'primary', 'primary', null]); // 1 + 2 < 5
    expect(suppress([3, 40], [[0], [1]], 5)).toEqual(['primary', null]); // alone in its group: nothing to add
  });
});

const KEY = 'miv-politieke-ambtsdragers';

describe.each(databaseKinds())('headline tables of a wave (%s)', (kind) => {
  let t: TestDatabase;
  let w2024: WaveRow;
  let answers2024: Array<Record<string, unknown>>;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    const registry = realRegistry();
    await registerVersions(t.db, registry);
    for (const [version, seed] of [
      ['2022.1', 3],
      ['2024.1', 4],
    ] as const) {
      const wave = await seedWave(t.db, `${KEY}@${version}`, ['role'], `MIV ${version}`);
      const sets = synthAnswerSets(registry.get(wave.questionnaire_id) as never, 200, seed);
      const roleOf = (i: number) => (i % 10 === 0 ? 'wethouder' : 'raadslid');
      await seedResponses(
        t.db,
        wave,
        sets.map((answers, i) => ({ answers, attributes: { role: roleOf(i) } })),
      );
      // the sample frame: 300 council members and 100 aldermen (the aldermen are over-represented among respondents... or not)
      await createInvitations(
        t.db,
        wave,
        [
          ...Array.from({ length: 300 }, () => ({ attributes: { role: 'raadslid' } })),
          ...Array.from({ length: 100 }, () => ({ attributes: { role: 'wethouder' } })),
        ],
        { now: new Date() },
      );
      if (version === '2024.1') {
        w2024 = wave;
        answers2024 = sets;
      }
    }
  });
  afterAll(() => t.drop());

  it('overall share that met aggression equals the count from the answers, with the change against 2022', async () => {
    const report = await headlineReport(t.db, realRegistry(), w2024, { k: 5 });
    expect(report.previous?.edition).toBe('2022');
    const overall = report.tables.find((x) => x.indicator.id === 'agressie' && x.breakdown.id === 'overall');
    const yes = answers2024.filter(experiencedAggression).length;
    expect(overall?.cells[0].estimate).toMatchObject({ n: 200, p: yes / 200 });
    expect(overall?.comparable).toBe(true);
    expect(overall?.cells[0].change?.difference).toBeCloseTo(yes / 200 - (overall?.cells[0].previous?.p as number), 10);
    const reported = report.tables.find((x) => x.indicator.id === 'aangifte' && x.breakdown.id === 'overall');
    expect(reported?.cells[0].estimate?.n).toBe(yes); // the base: those who met aggression
    expect(report.tables.map((x) => x.indicator.id)).toEqual(
      expect.arrayContaining(['vorm_verbaal', 'kanaal_online', 'intern_gemeld', 'vermoeden']),
    );
  });

  it('suppresses small cells, with a secondary cell in the same breakdown', async () => {
    const report = await headlineReport(t.db, realRegistry(), w2024, { k: 5 });
    for (const table of report.tables) {
      const hidden = table.cells.filter((c) => c.suppressed);
      for (const c of table.cells) if (c.estimate) expect(c.estimate.n).toBeGreaterThanOrEqual(5);
      if (table.breakdown.id !== 'role' && hidden.length > 0) expect(hidden.length).toBeGreaterThanOrEqual(2);
      for (const c of hidden) expect(c.estimate).toBeNull();
    }
    expect(report.tables.some((x) => x.cells.some((c) => c.suppressed === 'secondary'))).toBe(true);
  });

  it('weighted to the sample frame per role', async () => {
    const report = await headlineReport(t.db, realRegistry(), w2024, { k: 5, weightBy: 'role' });
    expect(report.weighting).toMatchObject({ by: 'role', strata: 2, uncoveredPopulation: 0, unweightedResponses: 0 });
    const cell = report.tables.find((x) => x.indicator.id === 'agressie' && x.breakdown.id === 'overall')?.cells[0]
      .estimate;
    const isAlderman = (i: number) => i % 10 === 0;
    const pw = answers2024.filter((a, i) => isAlderman(i) && experiencedAggression(a)).length / 20;
    const pr = answers2024.filter((a, i) => !isAlderman(i) && experiencedAggression(a)).length / 180;
    expect(cell?.p).toBeCloseTo((100 * pw + 300 * pr) / 400, 10);
    // the table says how it was weighted: no finite-population correction unless the wave is a census
    expect(report.notes.map((n) => n.en).join(' ')).toMatch(/No finite-population correction/);
    const census = await headlineReport(t.db, realRegistry(), w2024, { k: 5, weightBy: 'role', census: true });
    expect(census.notes.map((n) => n.en).join(' ')).toMatch(/Finite-population correction applied/);
    const wide = cell?.variance as number;
    expect(
      census.tables.find((x) => x.indicator.id === 'agressie' && x.breakdown.id === 'overall')?.cells[0].estimate
        ?.variance,
    ).toBeLessThan(wide);
    expect(report.weighting?.population).toBe('frame');
    expect(report.notes.some((n) => /INTERIM/.test(n.en))).toBe(false); // the wave closed in 2024
    const open = await headlineReport(t.db, realRegistry(), w2024, { k: 5, today: '2024-03-01' });
    expect(open.notes[0].en).toBe('INTERIM: the wave is still open; the figures will change.');
    expect(report.notes[0].en).toMatch(/sample frame's counts .* since no population totals were supplied/);
  });

  it('weighted to population totals the administrator supplies (the frame is a sample), the same in the weight variable', async () => {
    await expect(
      setPopulationTotals(t.db, realRegistry(), w2024, 'role', 'value,total\nwethouder,1300\nraadslid,x', 'cli:test'),
    ).rejects.toThrow(/line 3/);
    await expect(
      setPopulationTotals(t.db, realRegistry(), w2024, 'role', 'value,total\nkoning,1', 'cli:test'),
    ).rejects.toThrow(/not a declared value/);
    await expect(
      setPopulationTotals(t.db, realRegistry(), w2024, 'tier', 'value,total\ngemeente,1', 'cli:test'),
    ).rejects.toThrow(/not kept/);
    await setPopulationTotals(
      t.db,
      realRegistry(),
      w2024,
      'role',
      'value,total\nWethouder,1300\nraadslid,8700\n',
      'cli:test',
    );
    const report = await headlineReport(t.db, realRegistry(), w2024, { k: 5, weightBy: 'role' });
    expect(report.weighting?.population).toBe('administrator');
    expect(report.notes[0].en).toMatch(/population totals the administrator supplied/);
    const isAlderman = (i: number) => i % 10 === 0;
    const pw = answers2024.filter((a, i) => isAlderman(i) && experiencedAggression(a)).length / 20;
    const pr = answers2024.filter((a, i) => !isAlderman(i) && experiencedAggression(a)).length / 180;
    const cell = report.tables.find((x) => x.indicator.id === 'agressie' && x.breakdown.id === 'overall')?.cells[0]
      .estimate;
    expect(cell?.p).toBeCloseTo((1300 * pw + 8700 * pr) / 10000, 10);
    const audit = await t.db('audit_log').where({ action: 'wave.population-totals', wave_id: w2024.id });
    expect(JSON.parse(audit[0].detail)).toEqual({ attribute: 'role', strata: 2, total: 10000 });
    const prepared = await prepareExport(
      { db: t.db, registry: realRegistry() },
      { wave: w2024 },
      'csv',
      { k: 5, weightBy: 'role' },
      { actor: 'cli:test', via: 'cli' },
    );
    const chunks: Buffer[] = [];
    await prepared.write(new PassThrough().on('data', (c: Buffer) => chunks.push(c)));
    const rows = parse(Buffer.concat(chunks).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    const aldermen = rows.filter((r) => r.role === '2'); // wethouder: the second declared value
    expect(aldermen.length).toBeGreaterThan(0);
    for (const r of aldermen) expect(Number(r.gewicht)).toBeCloseTo(1300 / 20, 4);
    // where disclosure control suppressed the role, the weight is the wave's mean (10000 / 200), not the role's
    for (const r of rows.filter((x) => x.role === '93')) expect(Number(r.gewicht)).toBeCloseTo(50, 4);
    for (const r of rows.filter((x) => x.role === '3')) expect(Number(r.gewicht)).toBeCloseTo(8700 / 180, 4);
    const total = rows.reduce((sum, r) => sum + Number(r.gewicht), 0);
    expect(Math.abs(total - 10000) / 10000).toBeLessThan(0.05);
    // the risk measure's population frequencies come from the same population (10,000 / 200 responses), not from the
    // frame of 400 that is a sample of it: a combination held by 5 responses stands for about 250 people, not 10
    const book = await prepareExport(
      { db: t.db, registry: realRegistry() },
      { wave: w2024 },
      'codebook-json',
      { k: 5 },
      { actor: 'cli:test', via: 'cli' },
    );
    const bookChunks: Buffer[] = [];
    await book.write(new PassThrough().on('data', (c: Buffer) => bookChunks.push(c)));
    const disclosure = JSON.parse(Buffer.concat(bookChunks).toString('utf8')).disclosure;
    expect(disclosure.weights).toEqual([{ waveId: w2024.id, weight: 50 }]);
    expect(disclosure.after.maxIndividualRisk).toBeLessThan(0.05);
    // totals equal to what the wave invited, stratum by stratum: a census, with the finite-population correction
    const frame = (await t.db('invitations').where({ wave_id: w2024.id, is_test: false }).select('attributes')).map(
      (r: { attributes: string }) => JSON.parse(r.attributes).role,
    );
    const invited = (role: string) => frame.filter((x: string) => x === role).length;
    expect(invited('wethouder')).toBeGreaterThan(0);
    await setPopulationTotals(
      t.db,
      realRegistry(),
      w2024,
      'role',
      `value,total\nwethouder,${invited('wethouder')}\nraadslid,${invited('raadslid')}\n`,
      'cli:test',
    );
    const all = await headlineReport(t.db, realRegistry(), w2024, { k: 5, weightBy: 'role' });
    expect(all.weighting?.census).toBe(true);
    expect(all.notes.map((n) => n.en).join(' ')).toMatch(/invited the whole population/);
    await t.db('population_totals').where({ wave_id: w2024.id }).delete();
  });

  it('the same as CSV: suppressed cells have no figures', async () => {
    const prepared = await prepareExport(
      { db: t.db, registry: realRegistry() },
      { wave: w2024 },
      'tables',
      { k: 5, lang: 'en' },
      { actor: 'cli:test', via: 'cli' },
    );
    const chunks: Buffer[] = [];
    await prepared.write(new PassThrough().on('data', (c: Buffer) => chunks.push(c)));
    const rows: string[][] = parse(Buffer.concat(chunks).toString('utf8'), { record_delimiter: ['\r\n'] });
    expect(rows[0].slice(0, 8)).toEqual([
      'indicator',
      'indicator_label',
      'base',
      'breakdown',
      'category',
      'category_label',
      'n',
      'percent',
    ]);
    const overall = rows.find((r) => r[0] === 'agressie' && r[3] === 'overall') as string[];
    expect(overall[6]).toBe('200');
    for (const r of rows.slice(1).filter((x) => x[10] !== '')) expect(r.slice(6, 10)).toEqual(['', '', '', '']);
  });
});
