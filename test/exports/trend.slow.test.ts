import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { ConditionRunner } from 'survey-core';
import { experiencedAggression, synthAnswerSets } from '../../server/fielding/synth/answers';
import { prepareExport } from '../../server/exports/export-service';
import { Visibility } from '../../server/exports/files/routing';
import { readSurveyModel } from '../../server/questionnaires/questionnaire-model';
import type { WaveRow } from '../../server/fielding/data/waves';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { realRegistry } from '../helpers/test-app';
import { seedResponses, seedWave } from './fixtures';
import { registerVersions } from '../../server/questionnaires/version-registration';

const KEY = 'miv-politieke-ambtsdragers';
const WHO = { actor: 'cli:test', via: 'cli' as const };
const ROLES = ['raadslid', 'raadslid', 'wethouder', 'statenlid'];

async function exportText(
  t: TestDatabase,
  target: { wave: WaveRow } | { trendKey: string },
  format: 'csv' | 'codebook-json',
) {
  const prepared = await prepareExport({ db: t.db, registry: realRegistry() }, target, format, { k: 5 }, WHO);
  const chunks: Buffer[] = [];
  const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
  await prepared.write(out);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Row ids are fresh per download and rows come in a random order, so a row is matched to the answers it came from by
 * its matrix cells (screener, avoidance, integrity) and single choices (where not suppressed or recoded).
 */
function matcher(header: string[], sets: Array<Record<string, any>>) {
  const cells = header
    .map((name, i) => [name, i] as const)
    .filter(([name]) => /^(scr_|vermijden_|int_bekend_|int_vermoeden_)/.test(name));
  const used = new Set<number>();
  return (row: string[]): Record<string, any> => {
    const fits = (a: Record<string, any>) =>
      cells.every(([name, i]) => {
        const q = Object.keys(a).find(
          (k) =>
            name.startsWith(`${k}_`) &&
            a[k] &&
            typeof a[k] === 'object' &&
            String(a[k][name.slice(k.length + 1)]) === row[i],
        );
        return q !== undefined || row[i] === '94';
      }) &&
      header.every((name, i) => typeof a[name] !== 'number' || Number(row[i]) >= 93 || String(a[name]) === row[i]);
    const i = sets.findIndex((a, j) => !used.has(j) && fits(a));
    if (i < 0) throw new Error('a row that no answer set gives');
    used.add(i);
    return sets[i];
  };
}

describe.each(databaseKinds())('MIV datasets and the trend file (%s)', (kind) => {
  let t: TestDatabase;
  const answersByWave = new Map<string, Array<Record<string, unknown>>>();
  let w2022: WaveRow;
  let w2024: WaveRow;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    const registry = realRegistry();
    await registerVersions(t.db, registry);
    for (const [version, seed] of [
      ['2022.1', 1],
      ['2024.1', 2],
    ] as const) {
      const wave = await seedWave(t.db, `${KEY}@${version}`, ['tier', 'role'], `MIV ${version}`);
      const sets = synthAnswerSets(registry.get(wave.questionnaire_id) as never, 40, seed, { commentRate: 0.3 });
      const ids = await seedResponses(
        t.db,
        wave,
        sets.map((answers, i) => ({
          answers,
          attributes: { tier: i % 4 === 3 ? 'provincie' : 'gemeente', role: ROLES[i % 4] },
        })),
      );
      expect(ids).toHaveLength(40);
      answersByWave.set(wave.id, sets);
      if (version === '2022.1') w2022 = wave;
      else w2024 = wave;
    }
  });
  afterAll(() => t.drop());

  it('a wave: matrix rows carry the codes, checkbox choices 0/1, follow-ups of non-victims 96 (not asked), an optional number left open 95', async () => {
    const records: string[][] = parse(await exportText(t, { wave: w2024 }, 'csv'), { record_delimiter: ['\r\n'] });
    const h = records[0];
    const col = (r: string[], name: string) => r[h.indexOf(name)];
    expect(h).toEqual(
      expect.arrayContaining([
        'scr_verbaal_f2f',
        'dader_7',
        'dader_99',
        'recent_maanden',
        'veilig_gevoel_2024',
        'doxing',
        'opmerkingen',
        'functie',
        'agressie_ervaren',
      ]),
    );
    expect(h).not.toContain('werkdruk'); // dropped in 2024
    expect(h).not.toContain('veilig_gevoel'); // reworded: the name carries its edition in this file too
    expect(h).not.toContain('functie_prov'); // in the combined role
    const match = matcher(h, answersByWave.get(w2024.id) as Array<Record<string, any>>);
    let victims = 0;
    for (const r of records.slice(1)) {
      const a = match(r);
      expect(col(r, 'scr_verbaal_f2f')).toBe(String(a.scr_verbaal.f2f));
      expect(col(r, 'veilig_gevoel_2024')).toBe(String(a.veilig_freq)); // the stable name of the reworded 2024 question
      expect(col(r, 'agressie_ervaren')).toBe(experiencedAggression(a) ? '1' : '0');
      if (experiencedAggression(a)) {
        victims++;
        expect(col(r, 'dader_7')).toBe(a.dader.includes(7) ? '1' : '0');
        expect(col(r, 'recent_maanden')).toBe(a.recent_maanden === undefined ? '95' : String(a.recent_maanden));
      } else {
        for (const name of [
          'dader_7',
          'dader_99',
          'recent_vorm',
          'recent_maanden',
          'gevolg_stoppen',
          'nazorg_tevreden_2024',
        ])
          expect(col(r, name)).toBe('96');
        expect(col(r, 'dader_anders')).toBe('');
      }
      // the combined role: the answer, unless disclosure control recoded (≥ 100) or suppressed (93) it
      const role = a.functie_gem ?? a.functie_prov ?? a.functie_ws ?? 96;
      const released = Number(col(r, 'functie'));
      expect(released === role || released === 93 || released > 100).toBe(true);
    }
    expect(victims).toBeGreaterThan(5);
    expect(records.length - 1).toBe(40);
  });

  it('the trend file stacks both editions; reworded variables get a column per edition, absent ones 94', async () => {
    const records: string[][] = parse(await exportText(t, { trendKey: KEY }, 'csv'), { record_delimiter: ['\r\n'] });
    const h = records[0];
    const col = (r: string[], name: string) => r[h.indexOf(name)];
    expect(h).toEqual(
      expect.arrayContaining([
        'edition',
        'veilig_gevoel_2022',
        'veilig_gevoel_2024',
        'nazorg_tevreden_2022',
        'nazorg_tevreden_2024',
        'werkdruk',
        'doxing',
        'scr_verbaal_f2f',
      ]),
    );
    expect(h).not.toContain('veilig_gevoel');
    const rows = records.slice(1);
    expect(rows.map((r) => col(r, 'edition')).sort()).toEqual([...Array(40).fill('2022'), ...Array(40).fill('2024')]);
    const match = {
      [w2022.id]: matcher(h, answersByWave.get(w2022.id) as Array<Record<string, any>>),
      [w2024.id]: matcher(h, answersByWave.get(w2024.id) as Array<Record<string, any>>),
    };
    for (const r of rows) {
      const a = match[col(r, 'wave_id')](r);
      expect(col(r, 'scr_verbaal_f2f')).toBe(String(a.scr_verbaal.f2f)); // comparable: one column
      if (col(r, 'edition') === '2022') {
        expect(col(r, 'veilig_gevoel_2022')).toBe(String(a.veilig_gevoel));
        expect(col(r, 'veilig_gevoel_2024')).toBe('94');
        expect(col(r, 'doxing')).toBe('94');
        expect(col(r, 'werkdruk')).toBe(String(a.werkdruk));
        expect(col(r, 'wave_id')).toBe(w2022.id);
      } else {
        expect(col(r, 'veilig_gevoel_2024')).toBe(String(a.veilig_freq));
        expect(col(r, 'veilig_gevoel_2022')).toBe('94');
        expect(col(r, 'werkdruk')).toBe('94');
        expect(col(r, 'wave_id')).toBe(w2024.id);
      }
    }
    const book = JSON.parse(await exportText(t, { trendKey: KEY }, 'codebook-json'));
    const v24 = book.columns.find((c: { name: string }) => c.name === 'veilig_gevoel_2024');
    expect(v24.holds).toEqual(['2024']);
    expect(v24.editions.map((e: { status: string; comparable: boolean }) => [e.status, e.comparable])).toEqual([
      ['new', false],
      ['reworded', false],
    ]);
    expect(v24.values.some((v: { value: number; missing: boolean }) => v.value === 94 && v.missing)).toBe(true);
    expect(book.columns.find((c: { name: string }) => c.name === 'scr_verbaal_f2f').editions[1]).toMatchObject({
      status: 'same',
      comparable: true,
    });
  });
});

describe('routing: the compiled conditions agree with survey-core', () => {
  it.each(
    realRegistry()
      .list()
      .map((q) => [q.id, q] as const),
  )('%s', (_id, q) => {
    const model = readSurveyModel(q.survey);
    const vis = new Visibility(model.questions);
    const runners = new Map(model.questions.map((x) => [x.name, x.conditions.map((c) => new ConditionRunner(c))]));
    for (const answers of synthAnswerSets(q, 150, 9)) {
      for (const x of model.questions) {
        const expected = (runners.get(x.name) as ConditionRunner[]).every((r) => r.runValues(answers) === true);
        expect([x.name, vis.asked(x.name, answers)]).toEqual([x.name, expected]);
        if (answers[x.name] !== undefined) expect(expected).toBe(true);
      }
    }
  });
});
