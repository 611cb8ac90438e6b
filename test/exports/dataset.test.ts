import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { prepareExport, ExportFormat } from '../../server/exports/export-service';
import type { WaveRow } from '../../server/fielding/data/waves';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { realRegistry } from '../helpers/test-app';
import { DEMO_VALID } from '../helpers/pages';
import { readSav } from './sav-reader';
import { seedResponses, seedWave } from './fixtures';
import { registerVersions } from '../../server/questionnaires/version-registration';

const hasPspp = fs.existsSync('/usr/bin/pspp');
const itPspp = hasPspp ? it : it.skip;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ID = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;
const WHO = { actor: 'analist@example.org', via: 'cli' as const };

/** The demo questionnaire's answers: a victim, a non-victim without the optional number, a text to scrub, a test response. */
const RESPONSES = [
  { id: ID(1), answers: DEMO_VALID, attributes: { tier: 'gemeente' } },
  {
    id: ID(2),
    answers: { agressie_any: 2, veilig: { werk: 3, online: 1, thuis: 5 }, gedragscode_bekend: 98 },
    attributes: { tier: 'gemeente' },
  },
  {
    id: ID(3),
    answers: {
      agressie_any: 1,
      agressie_kanaal: [5],
      agressie_toelichting: '=HYPERLINK("x") mail jan@example.org of 06-12345678',
      veilig: { werk: 1, online: 2, thuis: 3 },
      gedragscode_bekend: 2,
      jaren_functie: 0,
      opmerkingen: '@Postcode 1234 AB, nummer 123456789, zie https://example.nl/x',
    },
    attributes: { tier: 'provincie' },
  },
  {
    id: ID(4),
    answers: { agressie_any: 99, veilig: { werk: 5, online: 5, thuis: 5 }, gedragscode_bekend: 1, jaren_functie: 12 },
    attributes: { tier: 'provincie' },
    submittedOn: '2024-03-01',
  },
  { id: ID(5), answers: DEMO_VALID, attributes: { tier: 'waterschap' }, isTest: true },
];

const HEADER = [
  'response_id',
  'wave_id',
  'edition',
  'questionnaire',
  'submitted_month',
  'language',
  'tier',
  'agressie_any',
  'agressie_kanaal_1',
  'agressie_kanaal_2',
  'agressie_kanaal_3',
  'agressie_kanaal_4',
  'agressie_kanaal_5',
  'agressie_toelichting',
  'veilig_werk',
  'veilig_online',
  'veilig_thuis',
  'gedragscode_bekend',
  'jaren_functie',
  'opmerkingen',
];

/** Rows as an analyst sees them: the row ids are fresh and random per download and the order is random, so rows are
 *  compared sorted, with the id checked apart. Tier codes follow the declared values (gemeente 1, provincie 2);
 *  language 1 = Dutch; the month becomes the quarter (one month has a single response). */
function expectedRows(waveId: string): string[][] {
  const meta = (tier: string) => ['<id>', waveId, '', 'demo@1', '2024-Q1', '1', tier];
  return sorted([
    [...meta('1'), '1', '0', '1', '0', '1', '0', 'Een boze beller', '4', '2', '5', '1', '6', ''],
    [...meta('1'), '2', '96', '96', '96', '96', '96', '', '3', '1', '5', '98', '95', ''],
    [
      ...meta('2'),
      '1',
      '0',
      '0',
      '0',
      '0',
      '1',
      '\'=HYPERLINK("x") mail [e-mail] of [telefoon]',
      '1',
      '2',
      '3',
      '2',
      '0',
      "'@Postcode [postcode], nummer [nummer], zie [url]",
    ],
    [...meta('2'), '99', '96', '96', '96', '96', '96', '', '5', '5', '5', '1', '12', ''],
  ]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
function sorted(rows: string[][]): string[][] {
  return rows.map((r) => ['<id>', ...r.slice(1)]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}
function released(rows: string[][]): string[][] {
  const ids = rows.map((r) => r[0]);
  expect(ids.every((id) => UUID.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.some((id) => RESPONSES.some((r) => r.id === id))).toBe(false); // never the stored id
  return sorted(rows);
}

async function exportToBuffer(t: TestDatabase, wave: WaveRow, format: ExportFormat, k = 2) {
  const prepared = await prepareExport({ db: t.db, registry: realRegistry() }, { wave }, format, { k }, WHO);
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const outcome = await prepared.write(out);
  return { outcome, bytes: Buffer.concat(chunks), prepared };
}

describe.each(databaseKinds())('wave dataset (%s)', (kind) => {
  let t: TestDatabase;
  let wave: WaveRow;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    await registerVersions(t.db, realRegistry());
    wave = await seedWave(t.db, 'demo@1', ['tier']);
    await seedResponses(t.db, wave, RESPONSES);
  });
  afterAll(() => t.drop());

  it('CSV: known answers give the exact rows (codes, 0/1 dummies, routing and no-answer codes, scrubbed and neutralised text), read back by a strict RFC 4180 parser', async () => {
    const { bytes, outcome } = await exportToBuffer(t, wave, 'csv');
    const text = bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/); // every line ends CRLF (no bare LF in this data)
    const records: string[][] = parse(text, {
      relax_quotes: false,
      relax_column_count: false,
      skip_empty_lines: false,
      record_delimiter: ['\r\n'],
    });
    expect(records[0]).toEqual(HEADER);
    expect(released(records.slice(1))).toEqual(expectedRows(wave.id));
    expect(outcome).toMatchObject({
      rows: 4,
      redactedCells: 2,
      redactions: { email: 1, phone: 1, postcode: 1, number: 1, url: 1 },
    });
    // one audit entry: who, which wave, which format; no answers in it
    const audit = await t.db('audit_log').where({ action: 'export.download', wave_id: wave.id });
    expect(audit).toHaveLength(1);
    expect(audit[0].actor).toBe(WHO.actor);
    expect(JSON.parse(audit[0].detail)).toMatchObject({
      format: 'csv',
      via: 'cli',
      rows: 4,
      redactedCells: 2,
      outcome: 'complete',
    });
    expect(audit[0].detail).not.toMatch(/boze|HYPERLINK|example/);
  });

  it('CSV for Dutch Excel: BOM, semicolons, same cells', async () => {
    const { bytes } = await exportToBuffer(t, wave, 'csv-nl');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records: string[][] = parse(bytes.toString('utf8').slice(1), {
      delimiter: ';',
      relax_quotes: false,
      record_delimiter: ['\r\n'],
    });
    expect(records[0]).toEqual(HEADER);
    expect(released(records.slice(1))).toEqual(expectedRows(wave.id));
  });

  it('xlsx: data sheet with the same cells, a labels sheet and an info sheet (read back with exceljs)', async () => {
    const { bytes } = await exportToBuffer(t, wave, 'xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(['data', 'labels', 'info']);
    const data = book.getWorksheet('data') as ExcelJS.Worksheet;
    const rows = (data.getSheetValues() as unknown[][])
      .slice(1)
      .map((r) => HEADER.map((_h, i) => (r[i + 1] === undefined ? '' : String(r[i + 1]))));
    expect(rows[0]).toEqual(HEADER);
    expect(released(rows.slice(1))).toEqual(expectedRows(wave.id));
    expect(typeof data.getRow(2).getCell(7).value).toBe('number');
    const labels = (book.getWorksheet('labels') as ExcelJS.Worksheet).getSheetValues() as unknown[][];
    expect(
      labels.some(
        (r) => r && r[1] === 'agressie_any' && r[6] === 96 && r[7] === 'Niet gevraagd (routing)' && r[9] === 'missing',
      ),
    ).toBe(true);
    expect(labels.some((r) => r && r[1] === 'agressie_kanaal_2' && r[6] === 1 && r[7] === 'Aangekruist')).toBe(true);
    const info = (book.getWorksheet('info') as ExcelJS.Worksheet).getSheetValues() as unknown[][];
    expect(info.some((r) => r && r[1] === 'free-text cells with redactions' && r[2] === 2)).toBe(true);
  });

  it('.sav: variable labels, value labels, missing codes, measurement levels and UTF-8 text (JavaScript reader)', async () => {
    const { bytes } = await exportToBuffer(t, wave, 'sav');
    fs.writeFileSync(path.join(tmp, `demo-${kind}.sav`), bytes);
    const sav = readSav(bytes);
    expect(sav.encoding).toBe('UTF-8');
    expect(sav.variables.map((v) => v.name)).toEqual(HEADER);
    const v = Object.fromEntries(sav.variables.map((x) => [x.name, x]));
    expect(v.agressie_any.label).toContain('agressie');
    // one range holds the structural codes and 97/98/99 (SPSS allows a range, not five discrete codes)
    expect(v.agressie_any.missing).toEqual([93, 99]);
    expect(v.agressie_any.missingIsRange).toBe(true);
    expect(v.agressie_any.valueLabels).toEqual(
      expect.arrayContaining([
        { value: 1, label: 'Ja' },
        { value: 99, label: 'Zeg ik liever niet' },
        { value: 96, label: 'Niet gevraagd (routing)' },
        { value: 95, label: 'Geen antwoord' },
      ]),
    );
    expect(v.agressie_kanaal_1.valueLabels).toEqual(
      expect.arrayContaining([
        { value: 0, label: 'Niet aangekruist' },
        { value: 1, label: 'Aangekruist' },
      ]),
    );
    expect(v.veilig_werk.measure).toBe('nominal');
    expect(v.jaren_functie.measure).toBe('scale');
    expect(v.tier.type).toBe('numeric');
    // codes in the order of the questionnaire's sample-attributes.json, with its labels
    expect(v.tier.valueLabels).toEqual(
      expect.arrayContaining([
        { value: 1, label: 'Gemeente' },
        { value: 2, label: 'Provincie' },
        { value: 93, label: 'Onderdrukt (openbaarmakingscontrole)' },
      ]),
    );
    // the period is an SPSS date (seconds since 14 October 1582): the first day of 2024-Q1, printed as a quarter
    expect(v.submitted_month.printFormat.type).toBe(29);
    expect(sav.rows.every((r) => r[4] === (Date.UTC(2024, 0, 1) - Date.UTC(1582, 9, 14)) / 1000)).toBe(true);
    // text columns as wide as their longest value in UTF-8 bytes
    expect(v.opmerkingen.width).toBe(Buffer.byteLength('@Postcode [postcode], nummer [nummer], zie [url]'));
    const rows = sav.rows.map((r) => r.map((x) => (x === null ? '' : String(x).trimEnd())));
    rows.forEach((r) => (r[4] = '2024-Q1'));
    expect(released(rows)).toEqual(expectedRows(wave.id).map((r) => r.map((x) => x.replace(/^'/, '')))); // no spreadsheet apostrophe in .sav
  });

  itPspp('.sav: PSPP opens it without warnings, every label in place', () => {
    const file = path.join(tmp, `demo-${kind}.sav`);
    const sps = path.join(tmp, `demo-${kind}.sps`);
    fs.writeFileSync(
      sps,
      `GET FILE='${file}'.\nDISPLAY DICTIONARY.\nFREQUENCIES agressie_any agressie_kanaal_2 jaren_functie.\nLIST response_id agressie_toelichting.\n`,
    );
    const out = execFileSync('/usr/bin/pspp', [sps], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
    expect(out).not.toMatch(/warning|error/i);
    for (const s of [
      'agressie_kanaal_2',
      'Niet gevraagd',
      'Geen antwoord',
      'Aangekruist',
      'Zeg ik liever niet',
      '93 THRU',
      'Scale',
      'Een boze beller',
      '[telefoon]',
    ]) {
      if (!out.includes(s)) throw new Error(`PSPP output lacks ${s}:\n${out}`);
    }
  });

  it('codebook: JSON with every column, codes, routing and editions; HTML escapes and lists them', async () => {
    const json = JSON.parse((await exportToBuffer(t, wave, 'codebook-json')).bytes.toString('utf8'));
    expect(json.columns.map((c: { name: string }) => c.name)).toEqual(HEADER);
    const kanaal = json.columns.find((c: { name: string }) => c.name === 'agressie_kanaal_3');
    expect(kanaal.editions[0]).toMatchObject({
      status: 'new',
      question: 'agressie_kanaal',
      routing: '{agressie_any} = 1',
    });
    expect(kanaal.values).toEqual(
      expect.arrayContaining([
        { value: 96, label: { nl: 'Niet gevraagd (routing)', en: 'Not asked (routing)' }, missing: true },
      ]),
    );
    expect(kanaal.question.en).toBeTruthy();
    const html = (await exportToBuffer(t, wave, 'codebook')).bytes.toString('utf8');
    expect(html).toContain('id="agressie_kanaal_3"');
    expect(html).toContain('{agressie_any} = 1');
    expect(html).not.toContain('<script');
  });

  it('refuses a wave with fewer than k responses, before writing anything', async () => {
    await expect(prepareExport({ db: t.db, registry: realRegistry() }, { wave }, 'csv', { k: 5 }, WHO)).rejects.toThrow(
      /fewer than k = 5/,
    );
  });
});
