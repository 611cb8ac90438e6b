/**
 * Disclosure control of released microdata on a realistic wave: k-anonymity over every declared quasi-identifier
 * (answers, kept attributes, language, period), the risk report recounted from the file, the King's Commissioner,
 * row ids that do not survive into the next download, interim releases, and the .sav details an analyst meets.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { prepareExport, ExportFormat } from '../../server/exports/export-service';
import type { WaveRow } from '../../server/fielding/data/waves';
import { experiencedAggression } from '../../server/fielding/synth/answers';
import { modelOf } from '../../server/exports/files/dataset-spec';
import { declarationFor } from '../../server/exports/files/disclosure-declaration';
import { headlineReport } from '../../server/exports/headline-report';
import { estimate, rakingWeights } from '../../server/exports/files/headline-stats';
import { setPopulationTotals } from '../../server/fielding/population-totals';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { realRegistry } from '../helpers/test-app';
import { readSav } from './sav-reader';
import { seedRealisticWave, seedResponses } from './fixtures';
import { registerVersions } from '../../server/questionnaires/version-registration';

const WHO = { actor: 'analist@example.org', via: 'cli' as const };
const K = 5;
const hasPspp = fs.existsSync('/usr/bin/pspp');
const itPspp = hasPspp ? it : it.skip;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdc-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function download(
  t: TestDatabase,
  target: { wave: WaveRow } | { trendKey: string },
  format: ExportFormat,
  k = K,
  weightBy?: string,
) {
  const prepared = await prepareExport({ db: t.db, registry: realRegistry() }, target, format, { k, weightBy }, WHO);
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const outcome = await prepared.write(out);
  return { outcome, bytes: Buffer.concat(chunks), prepared };
}

async function csvRows(t: TestDatabase, wave: WaveRow): Promise<Array<Record<string, string>>> {
  return parse((await download(t, { wave }, 'csv')).bytes, { columns: true }) as Array<Record<string, string>>;
}

async function codebook(t: TestDatabase, wave: WaveRow) {
  return JSON.parse((await download(t, { wave }, 'codebook-json')).bytes.toString('utf8'));
}

function groupSizes(rows: Array<Record<string, string | number | null>>, columns: string[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const r of rows) {
    const key = columns.map((c) => String(r[c])).join('|');
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  return sizes;
}

describe.each(databaseKinds())('disclosure control of releases (%s)', (kind) => {
  let t: TestDatabase;
  let wave: WaveRow;
  let seeded: Awaited<ReturnType<typeof seedRealisticWave>>;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    await registerVersions(t.db, realRegistry());
    seeded = await seedRealisticWave(t.db, realRegistry(), {
      n: 540,
      kept: ['tier', 'role', 'province'],
      kingsCommissioners: 1,
    });
    wave = seeded.wave;
  });
  afterAll(() => t.drop());

  it('540 office holders keeping tier, role and province: every combination of all quasi-identifiers holds k rows, the tiers are released, and the report recounts from the file', async () => {
    const rows = await csvRows(t, wave);
    const book = await codebook(t, wave);
    expect(rows).toHaveLength(540);
    const qis: string[] = book.disclosure.quasiIdentifiers.map((q: { name: string }) => q.name);
    expect(qis).toEqual([
      'submitted_month',
      'language',
      'tier',
      'role',
      'province',
      'bestuurslaag',
      'functie',
      'gemeente_grootte',
      'jaren_functie',
      'geslacht',
      'leeftijd',
    ]);
    const sizes = groupSizes(rows, ['wave_id', ...qis]);
    expect(Math.min(...sizes.values())).toBeGreaterThanOrEqual(K);
    expect(book.disclosure.kAchieved).toBe(Math.min(...sizes.values()));
    expect(book.disclosure.after.sampleUniques).toBe([...sizes.values()].filter((n) => n === 1).length);
    expect(book.disclosure.after.keysBelowK).toBe(0);
    for (const q of book.disclosure.quasiIdentifiers) {
      if (q.name === 'submitted_month') continue;
      expect([q.name, rows.filter((r) => r[q.name] === '93').length]).toEqual([q.name, q.suppressedCells]);
      // never withheld wholesale
      expect(rows.filter((r) => r[q.name] !== '93').length).toBeGreaterThan(rows.length / 2);
    }
    expect(book.disclosure.suppressedCells).toBe(rows.reduce((s, r) => s + qis.filter((q) => r[q] === '93').length, 0));
    // the tiers (each with far more than k rows) are all released, in the sample attribute and in the answer
    const tierCount = (codes: Array<string | number>) =>
      [1, 2, 3].map((c) => codes.filter((x) => String(x) === String(c)).length);
    expect(tierCount(rows.map((r) => r.bestuurslaag))).toEqual(
      tierCount(seeded.answers.map((a) => a.bestuurslaag as number)),
    );
    expect(tierCount(rows.map((r) => r.tier))).toEqual(
      tierCount(seeded.frame.map((f) => ({ gemeente: 1, provincie: 2, waterschap: 3 })[f.tier as 'gemeente'])),
    );
    expect(Math.min(...tierCount(rows.map((r) => r.tier)))).toBeGreaterThanOrEqual(K);
    // sample uniques before: recounted from what was collected
    const before = groupSizes(
      seeded.answers.map((a, i) => {
        const f = seeded.frame[i];
        const role = a.functie_gem ?? a.functie_prov ?? a.functie_ws;
        return {
          m: i % 4 === 0 ? '2024-03' : '2024-02',
          l: f.language,
          t: f.tier,
          r: f.role,
          p: f.province,
          b: a.bestuurslaag as number,
          f: role as number,
          s: (a.gemeente_grootte as number) ?? -1,
          j: a.jaren_functie as number,
          g: a.geslacht as number,
          a: a.leeftijd as number,
        };
      }),
      ['m', 'l', 't', 'r', 'p', 'b', 'f', 's', 'j', 'g', 'a'],
    );
    expect(book.disclosure.before.sampleUniques).toBe([...before.values()].filter((n) => n === 1).length);
    expect(book.disclosure.before.sampleUniques).toBeGreaterThan(100);
    expect(book.disclosure.after.expectedReidentifications).toBeLessThan(
      book.disclosure.before.expectedReidentifications / 4,
    );
    // the sums of the report agree with its lines
    expect(book.report).toEqual(
      expect.arrayContaining([['k achieved (smallest combination of quasi-identifiers)', book.disclosure.kAchieved]]),
    );
  });

  it('suppressed cells carry the declared missing code 93 with its label, in the codebook and in the .sav', async () => {
    const book = await codebook(t, wave);
    const col = (name: string) => book.columns.find((c: { name: string }) => c.name === name);
    for (const name of ['tier', 'province', 'geslacht', 'leeftijd', 'functie', 'language']) {
      expect(col(name).values).toEqual(
        expect.arrayContaining([
          {
            value: 93,
            label: { nl: 'Onderdrukt (openbaarmakingscontrole)', en: 'Suppressed (disclosure control)' },
            missing: true,
          },
        ]),
      );
    }
    const sav = readSav((await download(t, { wave }, 'sav')).bytes);
    const v = sav.variables.find((x) => x.name === 'province');
    expect(v?.missingIsRange).toBe(true);
    expect(v?.missing).toEqual([93, 99]);
    expect(v?.valueLabels).toEqual(
      expect.arrayContaining([{ value: 93, label: 'Onderdrukt (openbaarmakingscontrole)' }]),
    );
    // the risk report travels inside the .sav as document lines
    const docs = (sav.documents ?? []).join('\n');
    expect(docs).toContain(`k achieved (smallest combination of quasi-identifiers): ${book.disclosure.kAchieved}`);
    expect(docs).toMatch(/province: recoding: landsdeel/);
    expect((sav.documents ?? []).every((l) => Buffer.byteLength(l) <= 80)).toBe(true);
  });

  it("the one King's Commissioner of the wave never appears as such, in any format", async () => {
    const rows = await csvRows(t, wave);
    expect(rows.filter((r) => r.functie === '4')).toHaveLength(0);
    expect(rows.filter((r) => r.role === '4')).toHaveLength(0); // the sample attribute's code of commissaris_koning
    expect(rows[0]).not.toHaveProperty('functie_prov');
    const sav = readSav((await download(t, { wave }, 'sav')).bytes);
    const names = sav.variables.map((x) => x.name);
    for (const name of ['functie', 'role'])
      expect(sav.rows.filter((r) => r[names.indexOf(name)] === 4)).toHaveLength(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await download(t, { wave }, 'xlsx')).bytes as unknown as ArrayBuffer);
    const data = book.getWorksheet('data');
    const header = (data?.getRow(1).values as unknown[]).slice(1);
    const functie = header.indexOf('functie') + 1;
    let n = 0;
    data?.eachRow((row, i) => {
      if (i > 1 && row.getCell(functie).value === 4) n++;
    });
    expect(n).toBe(0);
    // the role is still released at a declared level (as collected, role group or tier), never withheld
    expect(rows.filter((r) => r.functie !== '93').length).toBeGreaterThan(rows.length / 2);
  });

  it('two downloads of the same data release the same rows (each with the same recodings and suppressions), only ids and order differ', async () => {
    const content = (rows: Array<Record<string, string>>) =>
      rows.map((r) => JSON.stringify({ ...r, response_id: '' })).sort();
    const a = await csvRows(t, wave);
    const b = await csvRows(t, wave);
    expect(content(b)).toEqual(content(a));
    expect(b.map((r) => r.response_id)).not.toEqual(a.map((r) => r.response_id));
  });

  it('two downloads around one completion share no row id and list the rows in another order', async () => {
    const first = await csvRows(t, wave);
    const a = seeded.answers[10];
    await seedResponses(t.db, wave, [
      {
        answers: a,
        attributes: { tier: seeded.frame[10].tier, role: seeded.frame[10].role, province: seeded.frame[10].province },
        submittedOn: '2024-02-19',
      },
    ]);
    const second = await csvRows(t, wave);
    expect(second).toHaveLength(first.length + 1);
    const ids = new Set(first.map((r) => r.response_id));
    expect(second.filter((r) => ids.has(r.response_id))).toHaveLength(0);
    expect(new Set(second.map((r) => r.response_id)).size).toBe(second.length);
    // row order is not kept: the first 20 rows differ in their answers
    const sig = (r: Record<string, string>) =>
      Object.entries(r)
        .filter(([k]) => k !== 'response_id')
        .map(([, v]) => v)
        .join('|');
    expect(first.slice(0, 20).map(sig)).not.toEqual(second.slice(0, 20).map(sig));
    // but the answers link them: the one new row is the one whose answers the first file lacks, and the codebook
    // tells the analyst so rather than promising that downloads cannot be linked
    const count = (rows: Array<Record<string, string>>) => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(sig(r), (m.get(sig(r)) ?? 0) + 1);
      return m;
    };
    const [was, is] = [count(first), count(second)];
    const grown = [...is].filter(([x, n]) => n > (was.get(x) ?? 0)).map(([x]) => x);
    expect(grown).toHaveLength(1);
    expect(grown[0].split('|')).toContain(String(a.bestuurslaag));
    const book = await codebook(t, wave);
    expect(book.rowIds).toMatch(/the answers themselves do/);
    expect(book.rowIds).toMatch(/k-anonymity holds within each file, not across two/);
  });

  it('derived variables: experienced aggression (any screener cell 2–5) and the combined role', async () => {
    const rows = await csvRows(t, wave);
    const expected = seeded.answers.slice(0, 540).map((a) => (experiencedAggression(a) ? 1 : 0));
    const got = rows.map((r) => Number(r.agressie_ervaren));
    expect(got.filter((x) => x === 1).length).toBeGreaterThanOrEqual(expected.filter((x) => x === 1).length);
    expect(got.filter((x) => x === 1).length).toBeLessThanOrEqual(expected.filter((x) => x === 1).length + 1);
    const book = await codebook(t, wave);
    const rule = book.columns.find((c: { name: string }) => c.name === 'agressie_ervaren').rule;
    expect(rule.nl).toMatch(/code 2 tot en met 5/);
    expect(book.columns.find((c: { name: string }) => c.name === 'functie').rule.en).toMatch(
      /functie_gem, functie_prov or functie_ws/,
    );
    // the combined role agrees with the tier wherever both are released
    const tierOfRole = (f: number) => (f <= 3 ? 1 : f <= 6 ? 2 : 3);
    for (const r of rows)
      if (Number(r.functie) < 10) expect(tierOfRole(Number(r.functie))).toBe(Number(r.bestuurslaag));
  });

  it('headline tables raked on tier and province to totals the administrator supplied, and the dataset refuses a raked weight', async () => {
    const provinces = [...new Set(seeded.frame.map((f) => f.province))];
    await setPopulationTotals(
      t.db,
      realRegistry(),
      wave,
      'tier',
      'value,total\ngemeente,9000\nprovincie,570\nwaterschap,750',
      'cli:test',
    );
    await setPopulationTotals(
      t.db,
      realRegistry(),
      wave,
      'province',
      ['value,total', ...provinces.map((p, i) => `${p},${500 + 100 * i}`)].join('\n'),
      'cli:test',
    );
    const report = await headlineReport(t.db, realRegistry(), wave, { k: K, weightBy: 'tier,province' });
    expect(report.notes.map((n) => n.en).join(' ')).toMatch(
      /raking, as rake\(\) in R's survey package\) on tier and province, to the population totals the administrator supplied/,
    );
    // the same estimate from the counts of the seeded rows, raked by the library function checked against R
    const rows = await t.db('responses').where({ wave_id: wave.id, is_test: false }).select('attributes', 'answers');
    const cells = new Map<string, { d: number; y: number }>();
    for (const r of rows) {
      const a = JSON.parse(r.attributes);
      const key = `${a.tier}\u0001${a.province}`;
      const c = cells.get(key) ?? { d: 0, y: 0 };
      c.d++;
      c.y += experiencedAggression(JSON.parse(r.answers)) ? 1 : 0;
      cells.set(key, c);
    }
    const w = rakingWeights(new Map([...cells].map(([c, x]) => [c, x.d])), [
      {
        valueOf: new Map([...cells.keys()].map((c) => [c, c.split('\u0001')[0]])),
        totals: new Map([
          ['gemeente', 9000],
          ['provincie', 570],
          ['waterschap', 750],
        ]),
      },
      {
        valueOf: new Map([...cells.keys()].map((c) => [c, c.split('\u0001')[1]])),
        totals: new Map(provinces.map((p, i) => [p, 500 + 100 * i])),
      },
    ]);
    const overall = report.tables.find((x) => x.indicator.id === 'agressie' && x.breakdown.id === 'overall')?.cells[0]
      .estimate;
    expect(overall?.p).toBeCloseTo(estimate(cells, w).p as number, 12);
    expect(overall?.variance).toBeCloseTo(estimate(cells, w).variance as number, 12);
    await expect(download(t, { wave }, 'csv', K, 'tier,province')).rejects.toThrow(
      /raking on several is in the headline tables only/,
    );
    await t.db('population_totals').where({ wave_id: wave.id }).delete();
  });

  it('k = 10 on 800 office holders keeping all four attributes: recoded rather than suppressed, no variable with a coarser level lost in most rows', async () => {
    const big = await seedRealisticWave(t.db, realRegistry(), {
      n: 800,
      kept: ['tier', 'role', 'province', 'size_class'],
      seed: 2,
      kingsCommissioners: 1,
      name: 'Grote golf',
    });
    const rows = parse((await download(t, { wave: big.wave }, 'csv', 10)).bytes, { columns: true }) as Array<
      Record<string, string>
    >;
    const book = JSON.parse((await download(t, { wave: big.wave }, 'codebook-json', 10)).bytes.toString('utf8'));
    const qis: Array<{ name: string; level: number; levels: number; suppressedCells: number }> =
      book.disclosure.quasiIdentifiers;
    expect(qis.map((q) => q.name)).toEqual(expect.arrayContaining(['tier', 'role', 'province', 'size_class']));
    expect(
      Math.min(
        ...groupSizes(
          rows,
          qis.map((q) => q.name),
        ).values(),
      ),
    ).toBeGreaterThanOrEqual(10);
    for (const q of qis) {
      if (q.name === 'submitted_month') continue;
      const suppressed = rows.filter((r) => r[q.name] === '93').length;
      expect([q.name, q.suppressedCells]).toEqual([q.name, suppressed]);
      // climbing from the finest levels alone stalled here: province kept as collected but 93 in 777 of 800 rows,
      // years in office and age band in about 640, while their declared coarser levels hold k
      if (q.level < q.levels) expect([q.name, suppressed <= rows.length / 2]).toEqual([q.name, true]);
    }
    expect(book.disclosure.suppressedCells).toBeLessThan(1500); // 3,146 before
    expect(rows.filter((r) => r.functie === '4' || r.role === '4')).toHaveLength(0);
  });

  it('a reworded question carries its edition in the single-wave file', async () => {
    const book = await codebook(t, wave);
    const names = book.columns.map((c: { name: string }) => c.name);
    expect(names).toContain('veilig_gevoel_2024');
    expect(names).toContain('nazorg_tevreden_2024');
    expect(names).not.toContain('veilig_gevoel');
    expect(names).toContain('doxing'); // new in 2024 only: one run, no suffix
  });

  it('a wave that keeps only tier and role, every tier with at least 41 rows: the tier is released in every row', async () => {
    const small = await seedRealisticWave(t.db, realRegistry(), {
      n: 326,
      kept: ['tier', 'role'],
      seed: 5,
      name: 'Tweede golf',
    });
    const rows = await csvRows(t, small.wave);
    const counts = [1, 2, 3].map((c) => rows.filter((r) => r.tier === String(c)).length);
    expect(counts.reduce((s, n) => s + n, 0)).toBe(326);
    expect(rows.filter((r) => r.tier === '93' || r.bestuurslaag === '93')).toHaveLength(0);
    expect(
      Math.min(
        ...groupSizes(rows, [
          'submitted_month',
          'language',
          'tier',
          'role',
          'bestuurslaag',
          'functie',
          'gemeente_grootte',
          'jaren_functie',
          'geslacht',
          'leeftijd',
        ]).values(),
      ),
    ).toBeGreaterThanOrEqual(K);

    // weighted to the frame's counts per tier (here: the counts kept at the purge): a weight variable in the file
    await t.db('waves').where({ id: small.wave.id }).update({ purged_at: '2024-04-01T00:00:00.000Z' });
    small.wave.purged_at = '2024-04-01T00:00:00.000Z';
    const N: Record<string, number> = { gemeente: 8800, provincie: 570, waterschap: 750 };
    const zero = { queued: 0, sent: 0, bounced: 0, opted_out: 0, started: 0, completed: 0 };
    await t.db('wave_final_counts').insert(
      Object.entries(N).map(([value, invited]) => ({
        wave_id: small.wave.id,
        attribute: 'tier',
        value,
        invited,
        ...zero,
      })),
    );
    const weighted = parse((await download(t, { wave: small.wave }, 'csv', K, 'tier')).bytes, {
      columns: true,
    }) as Array<Record<string, string>>;
    ['gemeente', 'provincie', 'waterschap'].forEach((tier, i) => {
      const mine = weighted.filter((r) => r.tier === String(i + 1));
      for (const r of mine) expect(Number(r.gewicht)).toBeCloseTo(N[tier] / mine.length, 4);
    });
    expect(weighted.reduce((s, r) => s + Number(r.gewicht), 0)).toBeCloseTo(8800 + 570 + 750, 0);
    const sav = readSav((await download(t, { wave: small.wave }, 'sav', K, 'tier')).bytes);
    const gewicht = sav.variables.find((v) => v.name === 'gewicht');
    expect(gewicht?.printFormat.decimals).toBe(4);
    const book = JSON.parse(
      (await download(t, { wave: small.wave }, 'codebook-json', K, 'tier')).bytes.toString('utf8'),
    );
    expect(book.columns.find((c: { name: string }) => c.name === 'gewicht').rule.en).toMatch(/N_h \/ n_h/);
    await expect(download(t, { wave: small.wave }, 'csv', K, 'province')).rejects.toThrow(/not an attribute kept/);
  });
});

describe('interim releases and .sav details', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    await registerVersions(t.db, realRegistry());
  });
  afterAll(() => t.drop());

  it('a release made while the wave is open says so (file name, codebook, .sav label, info sheet); the trend file leaves the open wave out', async () => {
    const open = await seedRealisticWave(t.db, realRegistry(), {
      n: 60,
      kept: [],
      name: 'Open golf',
      closesOn: '2999-12-31',
    });
    const csv = await download(t, { wave: open.wave }, 'csv');
    expect(csv.prepared.fileName).toBe('veldwerk-open-golf-voorlopig.csv');
    expect(csv.outcome.release).toBe('interim');
    expect(JSON.parse((await download(t, { wave: open.wave }, 'codebook-json')).bytes.toString()).release).toBe(
      'interim',
    );
    expect(readSav((await download(t, { wave: open.wave }, 'sav')).bytes).fileLabel).toMatch(/^VOORLOPIG: Open golf/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await download(t, { wave: open.wave }, 'xlsx')).bytes as unknown as ArrayBuffer);
    const info: string[] = [];
    book.getWorksheet('info')?.eachRow((r) => info.push(String(r.getCell(2).value)));
    expect(info.join('\n')).toMatch(/INTERIM/);
    await expect(download(t, { trendKey: 'miv-politieke-ambtsdragers' }, 'csv')).rejects.toThrow(/no closed waves/);
  });

  it('.sav: a text longer than SPSS can hold is cut at 32,767 bytes, and the export report says so', async () => {
    const w = await seedRealisticWave(t.db, realRegistry(), { n: 10, kept: [], name: 'Lange tekst', seed: 4 });
    const [first] = await t.db('responses').where({ wave_id: w.wave.id }).select('id', 'answers');
    const a = JSON.parse(first.answers);
    a.opmerkingen = '€'.repeat(12000); // 36,000 bytes: only possible past the questionnaire's maxLength, but never silent
    await t
      .db('responses')
      .where({ id: first.id })
      .update({ answers: JSON.stringify(a) });
    const sav = readSav((await download(t, { wave: w.wave }, 'sav')).bytes);
    const names = sav.variables.map((v) => v.name);
    expect(sav.variables[names.indexOf('opmerkingen')].width).toBe(32767);
    const cut = sav.rows
      .map((r) => String(r[names.indexOf('opmerkingen')] ?? '').trimEnd())
      .find((x) => x.startsWith('€'));
    expect(cut).toBe('€'.repeat(10922)); // whole characters only
    const book = JSON.parse((await download(t, { wave: w.wave }, 'codebook-json')).bytes.toString('utf8'));
    expect(book.cuts).toEqual([{ column: 'opmerkingen', longestBytes: 36000, rows: 1 }]);
    expect(book.report).toEqual(
      expect.arrayContaining([
        ['cut in .sav: opmerkingen', '1 values longer than 32767 bytes (longest 36000) end at 32767 bytes'],
      ]),
    );
    if (hasPspp) {
      const file = path.join(tmp, `${crypto.randomUUID()}.sav`);
      fs.writeFileSync(file, (await download(t, { wave: w.wave }, 'sav')).bytes);
      const sps = path.join(tmp, 'long.sps');
      fs.writeFileSync(
        sps,
        `GET FILE='${file}'.\nCOMPUTE len = LENGTH(RTRIM(opmerkingen)).\nDESCRIPTIVES VARIABLES=len /STATISTICS=MAX.\n`,
      );
      const out = execFileSync('/usr/bin/pspp', ['-O', 'format=csv', sps], {
        encoding: 'utf8',
        env: { ...process.env, LANG: 'C.UTF-8' },
      });
      expect(out).toMatch(/len,10,32766/); // 10,922 characters of 3 bytes
    }
  });

  itPspp(
    '.sav: a 2,000-character "€" comment and CJK text arrive whole, 98 is missing in DESCRIPTIVES, the period is a date, the language is a variable',
    async () => {
      const w = await seedRealisticWave(t.db, realRegistry(), { n: 40, kept: [], name: 'Sav golf', seed: 3 });
      const euro = '€'.repeat(2000);
      const cjk = '議員への脅迫'.repeat(300).slice(0, 2000);
      const rows = await t.db('responses').where({ wave_id: w.wave.id }).select('id', 'answers');
      // two respondents wrote long remarks; the others' frequency of feeling unsafe includes 98 (don't know)
      for (let i = 0; i < rows.length; i++) {
        const a = JSON.parse(rows[i].answers);
        if (i === 0) a.opmerkingen = euro;
        if (i === 1) a.opmerkingen = cjk;
        a.veilig_freq = i % 10 === 0 ? 98 : 1 + (i % 2);
        await t
          .db('responses')
          .where({ id: rows[i].id })
          .update({ answers: JSON.stringify(a) });
      }
      const { bytes } = await download(t, { wave: w.wave }, 'sav');
      const sav = readSav(bytes);
      const names = sav.variables.map((v) => v.name);
      const remarks = sav.rows.map((r) => String(r[names.indexOf('opmerkingen')] ?? '').trimEnd());
      expect(remarks).toContain(euro);
      expect(remarks).toContain(cjk);
      expect(sav.variables[names.indexOf('opmerkingen')].width).toBe(6000);
      expect(names).toContain('language');
      const month = sav.variables[names.indexOf('submitted_month')];
      expect(month.type).toBe('numeric');
      const file = path.join(tmp, `${crypto.randomUUID()}.sav`);
      fs.writeFileSync(file, bytes);
      const sps = path.join(tmp, 'check.sps');
      fs.writeFileSync(
        sps,
        `GET FILE='${file}'.\nDESCRIPTIVES VARIABLES=veilig_gevoel_2024.\nFREQUENCIES VARIABLES=submitted_month language.\nDISPLAY DOCUMENTS.\nCOMPUTE euro = LENGTH(RTRIM(opmerkingen)).\nDESCRIPTIVES VARIABLES=euro /STATISTICS=MAX.\n`,
      );
      const out = execFileSync('/usr/bin/pspp', ['-O', 'format=csv', sps], {
        encoding: 'utf8',
        env: { ...process.env, LANG: 'C.UTF-8' },
      });
      expect(out).not.toMatch(/error/i);
      // the valid answers are 1 and 2; 98 (don't know) is missing and does not pull the mean up
      const valid = rows.map((_r, i) => (i % 10 === 0 ? 98 : 1 + (i % 2))).filter((v) => v < 90);
      const desc = /onveilig gevoeld[^\n]*?,(\d+),([\d.]+),/.exec(out);
      expect(desc).not.toBeNull();
      expect(Number(desc?.[1])).toBe(valid.length);
      expect(Number(desc?.[2])).toBeCloseTo(valid.reduce((s, v) => s + v, 0) / valid.length, 2);
      expect(out).toMatch(/Minimum,,(1 Q 2024|(FEB|MAR) 2024)/); // a date, printed as one
      expect(out).toMatch(/Nederlands|Dutch/);
      expect(out).toMatch(/sample-unique combinations before \/ after/);
      expect(out).toMatch(/euro,[^\n]*6000/); // bytes: 2,000 characters of 3 bytes
    },
  );
});

describe('disclosure declarations (questionnaires/<key>/disclosure.json)', () => {
  it.each(['miv-politieke-ambtsdragers', 'miv-ambtenaren'])(
    '%s: every declared question and code exists, every attribute value is declared in sample-attributes.json',
    (key) => {
      const versions = realRegistry()
        .list()
        .filter((q) => q.key === key);
      const decl = declarationFor(versions);
      expect(decl.fromFile).toBe(true);
      for (const q of versions) {
        const model = modelOf(q);
        for (const a of decl.answers) {
          const asked = a.questions.filter((n) => model.byName.has(n));
          expect([q.id, a.name, asked.length > 0]).toEqual([q.id, a.name, true]);
          const codes = new Set(
            asked.flatMap((n) =>
              (model.byName.get(n) as { choices: Array<{ value: unknown }> }).choices.map((c) => c.value),
            ),
          );
          for (const l of a.levels)
            for (const g of l.groups)
              for (const m of g.members) expect([a.name, m, codes.has(m)]).toEqual([a.name, m, true]);
        }
        for (const [name, attr] of Object.entries(decl.attributes)) {
          const values = q.sampleAttributes.get(name)?.values;
          expect([name, values !== undefined]).toEqual([name, true]);
          for (const l of attr.levels)
            for (const g of l.groups)
              for (const m of g.members) expect([name, m, values?.has(String(m))]).toEqual([name, m, true]);
        }
      }
    },
  );
});
