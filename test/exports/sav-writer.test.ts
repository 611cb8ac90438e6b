import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createSavWriter, type SavVariable } from '../../server/exports/files/sav/sav-writer';
import { readSav } from './sav-reader';

const hasPspp = fs.existsSync('/usr/bin/pspp');
const itPspp = hasPspp ? it : it.skip;
if (!hasPspp)
  console.warn('sav-writer tests: /usr/bin/pspp not found, PSPP cross-checks SKIPPED (apt-get install pspp)');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sav-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LONG_300 = 'ö'.repeat(200); // 400 bytes into a 300-byte variable: cut to 150 × 'ö'
const LONG_510 = 'x'.repeat(254) + 'é' + 'y'.repeat(300); // 'é' straddles the first segment boundary
const CUT_510 = 'x'.repeat(254) + 'é' + 'y'.repeat(254);

const VARS: SavVariable[] = [
  { name: 'id', type: 'numeric', label: 'Respondent', measure: 'nominal' },
  {
    name: 'tevredenheid_werk',
    type: 'numeric',
    label: 'Tevredenheid over het werk (één keuze)',
    measure: 'ordinal',
    valueLabels: [
      { value: 1, label: 'Zeer ontevreden' },
      { value: 5, label: 'Zeer tevreden' },
      { value: -1, label: 'Weet niet' },
    ],
    missing: [-1, -2],
  },
  { name: 'gewicht', type: 'numeric', decimals: 2 },
  {
    name: 'plaats',
    type: 'string',
    width: 12,
    label: 'Plaats',
    valueLabels: [{ value: 'café', label: 'In het café' }],
  },
  { name: 'ja_nee', type: 'string', width: 4, valueLabels: [{ value: 'ja', label: 'Ja, zeker' }] },
  { name: 'kort', type: 'string', width: 4 },
  { name: 'toelichting', type: 'string', width: 300, label: 'Toelichting (open)' },
  { name: 'toelichting_lang', type: 'string', width: 510 },
  { name: 'tevredenheid_team', type: 'numeric' }, // same 8-byte prefix as tevredenheid_werk
];
const ROWS = [
  [1, 5, 1.25, 'één, café', 'ja', 'één', LONG_300, LONG_510, 3],
  [2, -1, null, 'café', 'nee', 'café', null, '', undefined],
  [3, undefined, 1e10, null, null, 'abc', 'kort', 'kort', -2.5],
  [4, -2, Number.NaN, 'x'.repeat(20), 'ja', '', '', null, 0],
];

async function writeFile(file: string, compress = false, rows = ROWS): Promise<Buffer> {
  const w = createSavWriter(fs.createWriteStream(file), VARS, {
    fileLabel: 'Monitor Integriteit — test',
    created: new Date(2024, 2, 5, 9, 7, 3),
    compress,
  });
  for (const r of rows) await w.writeRow(r);
  await w.end();
  return fs.readFileSync(file);
}

describe.each([false, true])('sav writer (compress=%s)', (compress) => {
  const file = path.join(tmp, compress ? 'small-c.sav' : 'small.sav');
  let sav: ReturnType<typeof readSav>;
  beforeAll(async () => {
    sav = readSav(await writeFile(file, compress));
  });

  it('writes the header and machine records', () => {
    expect(sav.product).toMatch(/^@\(#\) SPSS DATA FILE/);
    expect(sav.compression).toBe(compress ? 1 : 0);
    expect(sav.caseCount).toBe(4); // patched in for an fs.WriteStream
    expect(sav.created).toBe('05 Mar 24 09:07:03');
    expect(sav.fileLabel).toBe('Monitor Integriteit — test');
    expect(sav.encoding).toBe('UTF-8');
    expect(sav.integerInfo?.slice(4)).toEqual([1, 1, 2, 65001]);
    expect(sav.floatInfo).toEqual([-Number.MAX_VALUE, Number.MAX_VALUE, -1.7976931348623155e308]);
    expect(sav.extensionSubtypes).toEqual([3, 4, 11, 13, 14, 20, 21]);
    // 3 numerics + 2 + 1 + 1 + ceil(300/252)=2 segs (32+6 slots) + 3 segs (32+32+1) + 1
    expect(sav.caseSlots).toBe(1 + 1 + 1 + 2 + 1 + 1 + 38 + 65 + 1);
  });

  it('round-trips names, labels, formats, measures and missing values', () => {
    const v = sav.variables;
    expect(v.map((x) => x.name)).toEqual(VARS.map((x) => x.name));
    expect(v.map((x) => x.shortName)).toEqual([
      'ID',
      'TEVREDEN',
      'GEWICHT',
      'PLAATS',
      'JA_NEE',
      'KORT',
      'TOELICHT',
      'TOELIC_1',
      'TEVRED_1',
    ]);
    expect(v.map((x) => x.width)).toEqual([0, 0, 0, 12, 4, 4, 300, 510, 0]);
    expect(v.map((x) => x.measure)).toEqual([
      'nominal',
      'ordinal',
      'scale',
      'nominal',
      'nominal',
      'nominal',
      'nominal',
      'nominal',
      'scale',
    ]);
    expect(v[1].label).toBe('Tevredenheid over het werk (één keuze)');
    expect(v[1].missing).toEqual([-1, -2]);
    expect(v[1].valueLabels).toEqual(VARS[1].valueLabels);
    expect(v[2].printFormat).toEqual({ type: 5, width: 8, decimals: 2 });
    expect(v[3].valueLabels).toEqual([{ value: 'café', label: 'In het café' }]); // 7/21
    expect(v[4].valueLabels).toEqual([{ value: 'ja', label: 'Ja, zeker' }]); // type 3
    expect(v[6].label).toBe('Toelichting (open)');
    expect(v[6].printFormat).toEqual({ type: 1, width: 255, decimals: 0 });
  });

  it('round-trips data, system-missing and UTF-8-safe truncation', () => {
    expect(sav.rows).toHaveLength(4);
    expect(sav.rows[0]).toEqual([1, 5, 1.25, 'één, café', 'ja', 'éé', 'ö'.repeat(150), CUT_510, 3]);
    expect(Buffer.byteLength(CUT_510)).toBe(510);
    expect(sav.rows[1]).toEqual([2, -1, null, 'café', 'nee', 'caf', '', '', null]);
    expect(sav.rows[2]).toEqual([3, null, 1e10, '', '', 'abc', 'kort', 'kort', -2.5]);
    expect(sav.rows[3]).toEqual([4, -2, null, 'x'.repeat(12), 'ja', '', '', '', 0]);
  });

  itPspp('is read by PSPP without warnings, with labels and values', () => {
    const sps = path.join(tmp, `check-${compress}.sps`);
    fs.writeFileSync(sps, `GET FILE='${file}'.\nDISPLAY DICTIONARY.\nLIST.\n`);
    const out = execFileSync('/usr/bin/pspp', [sps], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
    expect(out).not.toMatch(/warning|error/i);
    for (const s of [
      'tevredenheid_werk',
      'toelichting_lang',
      'Zeer ontevreden',
      'Weet niet',
      'In het café',
      'Ja, zeker',
      'Ordinal',
      'Scale',
      '-1; -2',
      'A510',
      'F8.2',
      'één, café',
    ]) {
      expect(out).toContain(s);
    }
    const csv = path.join(tmp, `check-${compress}.csv`);
    execFileSync('/usr/bin/pspp-convert', [file, csv]);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(VARS.map((x) => x.name).join(','));
    expect(lines[1]).toBe(`1,5,1.25,"één, café",ja,éé,${'ö'.repeat(150)},${CUT_510},3`);
    expect(lines[2]).toBe('2,-1, ,café,nee,caf,,, ');
    expect(lines[3]).toBe('3, ,10000000000,,,abc,kort,kort,-2.5');
  });
});

describe('sav writer: streams and validation', () => {
  it('leaves the case count at -1 on a non-file stream and honours backpressure', async () => {
    const chunks: Buffer[] = [];
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        setImmediate(cb);
      },
    });
    const w = createSavWriter(slow, [
      { name: 'n', type: 'numeric' },
      { name: 's', type: 'string', width: 100 },
    ]);
    let promises = 0;
    for (let i = 0; i < 5000; i++) {
      const p = w.writeRow([i, `rij ${i}`]);
      if (p) {
        promises++;
        await p;
      }
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
    }
    await w.end();
    expect(promises).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(2 * 64 * 1024 + 16 * 1024);
    const sav = readSav(Buffer.concat(chunks));
    expect(sav.caseCount).toBe(-1);
    expect(sav.rows).toHaveLength(5000);
    expect(sav.rows[4999]).toEqual([4999, 'rij 4999']);
  });

  it('derives unique ASCII short names and keeps UTF-8 long names', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    const w = createSavWriter(out, [
      { name: 'één_vraag', type: 'numeric' },
      { name: 'Één_vraag_2', type: 'numeric' },
      { name: 'straße', type: 'string', width: 8 },
      { name: 'v1', type: 'numeric' },
      { name: 'V_1_lang', type: 'numeric' },
    ]);
    await w.writeRow([1, 2, 'ß', 3, 4]);
    await w.end();
    const sav = readSav(Buffer.concat(chunks));
    expect(sav.variables.map((v) => [v.name, v.shortName])).toEqual([
      ['één_vraag', 'N_VRAAG'],
      ['Één_vraag_2', 'N_VRAAG_'],
      ['straße', 'STRASSE'],
      ['v1', 'V1'],
      ['V_1_lang', 'V_1_LANG'],
    ]);
    expect(sav.rows).toEqual([[1, 2, 'ß', 3, 4]]);
  });

  it('surfaces output stream errors', async () => {
    const failing = new Writable({ write: (_c, _e, cb) => setImmediate(() => cb(new Error('disk full'))) });
    const w = createSavWriter(failing, [{ name: 'n', type: 'numeric' }]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(() => w.writeRow([1])).toThrow('disk full');
    await expect(w.end()).rejects.toThrow('disk full');
  });

  it('rejects invalid dictionaries and rows', () => {
    const sink = () => new PassThrough();
    expect(() => createSavWriter(sink(), [{ name: 'a b', type: 'numeric' }])).toThrow(/not a valid/);
    expect(() => createSavWriter(sink(), [{ name: 'x'.repeat(65), type: 'numeric' }])).toThrow(/64 bytes/);
    expect(() => createSavWriter(sink(), [{ name: 'TO', type: 'numeric' }])).toThrow(/reserved/);
    expect(() =>
      createSavWriter(sink(), [
        { name: 'a', type: 'numeric' },
        { name: 'A', type: 'numeric' },
      ]),
    ).toThrow(/duplicate/);
    expect(() => createSavWriter(sink(), [{ name: 'a', type: 'numeric', missing: [1, 2, 3, 4] }])).toThrow(/at most 3/);
    expect(() => createSavWriter(sink(), [{ name: 's', type: 'string', width: 40000 }])).toThrow(/width/);
    expect(() => createSavWriter(sink(), [{ name: 's', type: 'string', measure: 'scale' }])).toThrow(/scale/);
    expect(() =>
      createSavWriter(sink(), [{ name: 'a', type: 'numeric', valueLabels: [{ value: 'x', label: 'X' }] }]),
    ).toThrow(/type/);
    const w = createSavWriter(sink(), [{ name: 'a', type: 'numeric' }]);
    expect(() => w.writeRow([1, 2])).toThrow(/expected 1/);
    expect(() => w.writeRow(['1'])).toThrow(/numeric/);
  });

  it('streams 100,000 rows with flat memory; PSPP reads them all', async () => {
    const file = path.join(tmp, 'big.sav');
    const vars: SavVariable[] = [
      ...Array.from({ length: 40 }, (_, i): SavVariable => ({
        name: `vraag_${i + 1}`,
        type: 'numeric',
        valueLabels: [{ value: 1, label: 'Eén' }],
      })),
      { name: 'gemeente', type: 'string', width: 40 },
      { name: 'opmerking', type: 'string', width: 400 },
    ];
    const N = 100_000;
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    let halfwayPeak = rss0;
    const t0 = process.hrtime.bigint();
    const w = createSavWriter(fs.createWriteStream(file), vars, { compress: false });
    const row: Array<number | string | null> = new Array(vars.length);
    for (let r = 0; r < N; r++) {
      for (let i = 0; i < 40; i++) row[i] = (r + i) % 7 === 0 ? null : ((r * 31 + i) % 5) + 1;
      row[40] = `Gemeente ${r % 355}`;
      row[41] = r % 10 === 0 ? `Opmerking ${r}: één café `.repeat(8) : '';
      await w.writeRow(row);
      if (r % 2000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      if (r === N / 2) halfwayPeak = peak;
    }
    await w.end();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    const size = fs.statSync(file).size;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `sav stream: ${N} rows x ${vars.length} vars in ${secs.toFixed(2)} s = ${Math.round(N / secs)} rows/s; ` +
        `file ${mb(size)} MiB; RSS ${mb(rss0)} -> peak ${mb(peak)} MiB (growth ${mb(peak - rss0)} MiB, ` +
        `of which ${mb(peak - halfwayPeak)} MiB in the second 50,000 rows)`,
    );
    // The data set is never held in memory: no growth in proportion to rows.
    expect(peak - rss0).toBeLessThan(64 * 1024 * 1024);
    expect(peak - halfwayPeak).toBeLessThan(16 * 1024 * 1024);
    const sav = readSav(fs.readFileSync(file));
    expect(sav.caseCount).toBe(N);
    expect(sav.rows).toHaveLength(N);
    expect(sav.rows[N - 1][40]).toBe(`Gemeente ${(N - 1) % 355}`);
    if (!hasPspp) return console.warn('sav-writer: PSPP check of the 100,000-row file SKIPPED (no /usr/bin/pspp)');
    const sps = path.join(tmp, 'big.sps');
    fs.writeFileSync(sps, `GET FILE='${file}'.\nSYSFILE INFO FILE='${file}'.\nDESCRIPTIVES vraag_1.\n`);
    const info = execFileSync('/usr/bin/pspp', [sps], { encoding: 'utf8' });
    expect(info).not.toMatch(/warning|error/i);
    expect(info).toMatch(/Cases\s*\|\s*100000/);
  });
});
