// Exports of a questionnaire that uses every answer-storing type (issue 15, point 6): one variable per multipletext
// item, matrixdropdown cell, dynamic panel (up to its maximum) and ranking position, SPSS-safe names (the long-name
// rule), codes for string choices, the codebook's labels; read back as CSV and, where PSPP is installed, as .sav.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { prepareExport, type ExportFormat } from '../../server/exports/export-service';
import { QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { registerVersions } from '../../server/questionnaires/version-registration';
import { spssName } from '../../server/questionnaires/variable-names';
import { codesOf } from '../../server/questionnaires/questionnaire-model';
import { freshDatabase, type TestDatabase } from '../helpers/databases';
import { seedResponses, seedWave } from './fixtures';

const hasPspp = fs.existsSync('/usr/bin/pspp');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'every-type-'));
const LONG = 'hoe_tevreden_bent_u_over_de_ondersteuning_door_de_organisatie';

const SURVEY = {
  elements: [
    { type: 'dropdown', name: 'kleur', choices: ['rood', 'groen', 'blauw'] },
    { type: 'radiogroup', name: 'vervoer', choices: [1, 2], showOtherItem: true },
    { type: 'tagbox', name: 'talen', choices: [1, 2, 3] },
    { type: 'boolean', name: 'akkoord' },
    { type: 'rating', name: 'cijfer', rateMax: 5 },
    { type: 'ranking', name: 'volgorde', choices: ['a', 'b', 'c'] },
    { type: 'multipletext', name: 'adres', items: [{ name: 'plaats' }, { name: 'jaar', inputType: 'number' }] },
    {
      type: 'matrixdropdown',
      name: 'kosten',
      rows: ['huur', 'reis'],
      columns: [
        { name: 'bedrag', cellType: 'text', inputType: 'number' },
        { name: 'soort', cellType: 'dropdown', choices: [1, 2] },
      ],
    },
    {
      type: 'paneldynamic',
      name: 'kinderen',
      maxPanelCount: 2,
      templateElements: [{ type: 'text', name: 'leeftijd', inputType: 'number' }],
    },
    { type: 'expression', name: 'totaal', expression: "sumInArray({kosten}, 'bedrag')" },
    { type: 'text', name: LONG },
    { type: 'signaturepad', name: 'handtekening' },
    { type: 'file', name: 'bijlage', maxSize: 1000 },
  ],
};

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const answers = (i: number) => ({
  kleur: ['rood', 'groen', 'blauw'][i % 3],
  ...(i === 0 ? { vervoer: 'other', 'vervoer-Comment': 'fiets' } : { vervoer: 2 }),
  talen: [1 + (i % 3)],
  akkoord: i % 2 === 0,
  cijfer: 1 + (i % 5),
  volgorde: i % 2 ? ['c', 'a', 'b'] : ['a', 'b', 'c'],
  adres: { plaats: 'Utrecht', jaar: 2000 + i },
  kosten: { huur: { bedrag: 100 + i, soort: 1 } },
  kinderen: i % 2 ? [{ leeftijd: 4 }, { leeftijd: 9 }] : [{ leeftijd: 12 }],
  totaal: 100 + i,
  [LONG]: 'Prima',
  ...(i === 0
    ? {
        handtekening: PNG,
        bijlage: [{ name: 'brief.txt', type: 'text/plain', content: 'data:text/plain;base64,aGk=' }],
      }
    : {}),
});

let t: TestDatabase;
let registry: QuestionnaireRegistry;
beforeAll(async () => {
  const dir = path.join(tmp, 'questionnaires', 'alles');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, '1.json'),
    JSON.stringify({
      key: 'alles',
      version: '1',
      edition: 1,
      population: 'test',
      title: { nl: 'Alles', en: 'Everything' },
      survey: SURVEY,
    }),
  );
  registry = QuestionnaireRegistry.fromDirectory(path.join(tmp, 'questionnaires'));
  t = await freshDatabase('sqlite');
  await registerVersions(t.db, registry);
});
afterAll(async () => {
  await t.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function exported(format: ExportFormat, answersOf = answers, name = `golf ${format}`): Promise<Buffer> {
  const wave = await seedWave(t.db, 'alles@1', [], name);
  const valid = await Promise.all(
    Array.from({ length: 6 }, (_, i) => registry.get('alles@1')!.validator.validateComplete(answersOf(i), 'nl')),
  );
  expect(valid.map((v) => v.ok)).toEqual([true, true, true, true, true, true]); // the server accepts them first
  await seedResponses(
    t.db,
    wave,
    valid.map((v) => ({ answers: v.ok ? v.answers : {} })),
  );
  const prepared = await prepareExport(
    { db: t.db, registry },
    { wave },
    format,
    { k: 2 },
    { actor: 'a@example.org', via: 'cli' },
  );
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  await prepared.write(out);
  return Buffer.concat(chunks);
}

test('the long-name rule: 27 characters, "_" and four of a hash; SPSS-safe characters; reserved words', () => {
  expect(spssName([LONG])).toMatch(/^hoe_tevreden_bent_u_over_de_[a-z0-9]{4}$/);
  expect(spssName([LONG]).length).toBeLessThanOrEqual(32);
  expect(spssName(['Één vraag?'])).toBe('een_vraag_');
  expect(spssName(['2e'])).toBe('v_2e');
  expect(spssName(['with'])).toBe('with_');
});

test('codes: whole numbers keep their value, other values follow the largest, stepping over 93–99', () => {
  const t = { nl: '', en: '' };
  const codes = (values: Array<number | string>) =>
    codesOf(values.map((value) => ({ value, text: t }))).map((c) => c.code);
  expect(codes(['a', 'b'])).toEqual([1, 2]);
  expect(codes([1, 2, 'other'])).toEqual([1, 2, 3]);
  expect(codes([10, 92, 'other', 'none'])).toEqual([10, 92, 100, 101]);
});

test('CSV: one column per item, cell, panel up to the maximum and rank; codes for string choices', async () => {
  const rows = parse(await exported('csv'), { columns: true, bom: true }) as Array<Record<string, string>>;
  const names = Object.keys(rows[0]);
  expect(names).toEqual(
    expect.arrayContaining([
      'kleur',
      'talen_1',
      'talen_2',
      'talen_3',
      'akkoord',
      'cijfer',
      'volgorde_1',
      'volgorde_2',
      'volgorde_3',
      'adres_plaats',
      'adres_jaar',
      'kosten_huur_bedrag',
      'kosten_huur_soort',
      'kosten_reis_bedrag',
      'kosten_reis_soort',
      'kinderen_1_leeftijd',
      'kinderen_2_leeftijd',
      'totaal',
      spssName([LONG]),
      'handtekening',
      'bijlage',
    ]),
  );
  expect(names).not.toContain('kinderen_3_leeftijd'); // maxPanelCount 2
  for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]{0,31}$/);
  const byYear = (y: number) => rows.find((r) => r.adres_jaar === String(y))!;
  const first = byYear(2000);
  expect(first).toMatchObject({
    kleur: '1',
    talen_1: '1',
    talen_2: '0',
    akkoord: '1',
    volgorde_1: '1',
    volgorde_3: '3',
    adres_plaats: 'Utrecht',
    kosten_huur_bedrag: '100',
    kosten_huur_soort: '1',
    kosten_reis_bedrag: '-95', // no answer: a number without a max below 93 has its structural codes negated
    kinderen_1_leeftijd: '12',
    kinderen_2_leeftijd: '-95',
    totaal: '100',
    handtekening: '1',
    bijlage: 'brief.txt',
  });
  expect(byYear(2001)).toMatchObject({
    kleur: '2',
    akkoord: '0',
    volgorde_1: '3',
    kinderen_2_leeftijd: '9',
    handtekening: '95',
    bijlage: '',
  });
});

(hasPspp ? test : test.skip)(
  '.sav: PSPP opens it without warnings, with the value labels of string choices',
  async () => {
    const file = path.join(tmp, 'alles.sav');
    fs.writeFileSync(file, await exported('sav'));
    const sps = path.join(tmp, 'alles.sps');
    fs.writeFileSync(
      sps,
      `GET FILE='${file}'.\nDISPLAY DICTIONARY.\nFREQUENCIES kleur volgorde_1 kosten_huur_soort.\n`,
    );
    const out = execFileSync('/usr/bin/pspp', [sps], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
    expect(out).not.toMatch(/warning|error/i);
    for (const s of ['kinderen_2_leeftijd', 'groen', spssName([LONG])])
      if (!out.includes(s)) throw new Error(`PSPP output lacks ${s}:\n${out}`);
  },
);

test('a number question without a max below 93: an answer of 95 stays a valid 95, no answer is -95, in every format', async () => {
  // amounts of 95 and 97 are real answers; the reis row was not answered
  const amounts = [95, 97, 100, 95, 120, 93];
  const withAmounts = (i: number) => ({ ...answers(i), kosten: { huur: { bedrag: amounts[i], soort: 1 } } });
  const rows = parse(await exported('csv', withAmounts, 'bedragen csv'), { columns: true, bom: true }) as Array<
    Record<string, string>
  >;
  expect(rows.map((r) => Number(r.kosten_huur_bedrag)).sort((a, b) => a - b)).toEqual([93, 95, 95, 97, 100, 120]);
  expect(rows.map((r) => r.kosten_reis_bedrag)).toEqual(Array(6).fill('-95'));
  const book = JSON.parse((await exported('codebook-json', withAmounts, 'bedragen codebook')).toString('utf8'));
  const col = book.columns.find((c: { name: string }) => c.name === 'kosten_huur_bedrag');
  expect(col.values).toEqual(
    expect.arrayContaining([{ value: -95, label: { nl: 'Geen antwoord', en: 'No answer' }, missing: true }]),
  );
  expect(col.values.some((v: { value: number }) => v.value === 95)).toBe(false);
  // the choice column beside it keeps 95 = no answer
  expect(book.columns.find((c: { name: string }) => c.name === 'kosten_reis_soort').values).toEqual(
    expect.arrayContaining([{ value: 95, label: { nl: 'Geen antwoord', en: 'No answer' }, missing: true }]),
  );
  if (!hasPspp) return;
  const file = path.join(tmp, 'bedragen.sav');
  fs.writeFileSync(file, await exported('sav', withAmounts, 'bedragen sav'));
  const sps = path.join(tmp, 'bedragen.sps');
  fs.writeFileSync(
    sps,
    `GET FILE='${file}'.\nDESCRIPTIVES VARIABLES=kosten_huur_bedrag kosten_reis_bedrag /STATISTICS=MEAN MIN MAX.\n`,
  );
  const out = execFileSync('/usr/bin/pspp', ['-O', 'format=csv', sps], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C.UTF-8' },
  });
  // all six amounts count (mean 100), none of them is taken for a missing code; the unanswered row has no valid case
  expect(out).toMatch(/kosten: huur: bedrag,6,100\.00,93,120/);
  expect(out).toMatch(/kosten: reis: bedrag,0,/);
});
