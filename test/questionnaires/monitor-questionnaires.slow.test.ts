// The four MIV questionnaire versions and their variable maps: they load, are fully bilingual, follow the naming
// and coding rules, route follow-ups only after a yes in the screener, and agree with the variable maps.
import fs from 'node:fs';
import path from 'node:path';
import { Model } from 'survey-core';
import 'survey-core/i18n/dutch';
import { compileValidator } from '../../server/questionnaires/answer-validator';
import { LoadedQuestionnaire, parseQuestionnaireFile } from '../../server/questionnaires/questionnaire-file';
import { experiencedAggression, synthAnswers } from '../../server/fielding/synth/answers';
import { createRng } from '../../server/fielding/synth/rng';
import { FIRST_LEVEL_FOLLOW_UPS } from '../helpers/monitor';

const DIR = path.join(__dirname, '..', '..', 'questionnaires');
const KEYS = ['miv-politieke-ambtsdragers', 'miv-ambtenaren'] as const;
const POPULATION: Record<string, string> = {
  'miv-politieke-ambtsdragers': 'politieke-ambtsdragers',
  'miv-ambtenaren': 'ambtenaren',
};
const VERSIONS = ['2022.1', '2024.1'];
const SPSS_RESERVED = new Set(['all', 'and', 'by', 'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'not', 'or', 'to', 'with']);
const NAME = /^[a-z][a-z0-9_]*$/;
const ROW = /^[a-z][a-z0-9]*$/;
const LOCALIZED_KEYS = new Set([
  'title',
  'description',
  'text',
  'placeholder',
  'requiredErrorText',
  'otherText',
  'noneText',
  'completedHtml',
  'html',
  'minRateDescription',
  'maxRateDescription',
  'labelTrue',
  'labelFalse',
  'commentText',
]);
const FOLLOW_UP_PAGE = /^p_incident/;

type Json = any;
interface Version {
  file: LoadedQuestionnaire;
  key: string;
}
interface VarRef {
  name: string;
  question: string;
  row?: string;
  choice?: number;
  kind: string;
  sig: string;
}

function load(key: string, version: string): LoadedQuestionnaire {
  const file = path.join(DIR, key, `${version}.json`);
  return parseQuestionnaireFile(file, fs.readFileSync(file));
}
const versions: Version[] = KEYS.flatMap((key) => VERSIONS.map((v) => ({ key, file: load(key, v) })));
const maps: Record<string, Json> = Object.fromEntries(
  KEYS.map((k) => [k, JSON.parse(fs.readFileSync(path.join(DIR, k, 'variable-map.json'), 'utf8'))]),
);

function questions(survey: Json): Array<{ q: Json; page: string }> {
  const out: Array<{ q: Json; page: string }> = [];
  const walk = (els: Json[], page: string) =>
    els.forEach((e) => (e.type === 'panel' ? walk(e.elements, page) : out.push({ q: e, page })));
  for (const p of survey.pages) walk(p.elements, p.name);
  return out;
}

const strip = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'visibleIf' || k === 'isExclusive' ? undefined : v));

/** The analysable variables of a version, as the README describes them. */
function variables(survey: Json): VarRef[] {
  const out: VarRef[] = [];
  for (const { q } of questions(survey)) {
    if (q.type === 'matrix') {
      for (const r of q.rows)
        out.push({
          name: `${q.name}_${r.value}`,
          question: q.name,
          row: r.value,
          kind: 'matrix_row',
          sig: strip({ t: q.title, c: q.columns, r: r.text }),
        });
    } else if (q.type === 'checkbox') {
      for (const c of q.choices)
        out.push({
          name: `${q.name}_${c.value}`,
          question: q.name,
          choice: c.value,
          kind: 'checkbox_choice',
          sig: strip({ t: q.title, c: c.text }),
        });
    } else {
      const kind = q.type === 'comment' ? 'text' : q.type === 'text' ? 'number' : 'choice';
      out.push({
        name: q.name,
        question: q.name,
        kind,
        sig: strip({ t: q.title, c: q.choices, i: q.inputType, min: q.min, max: q.max }),
      });
    }
  }
  return out;
}

const refKey = (r: { question: string | null; row?: string; choice?: number }) =>
  `${r.question}|${r.row ?? ''}|${r.choice ?? ''}`;

function screenerCells(survey: Json): Array<[string, string]> {
  return questions(survey)
    .filter(({ q }) => q.type === 'matrix' && q.name.startsWith('scr_'))
    .flatMap(({ q }) => q.rows.map((r: Json) => [q.name, r.value] as [string, string]));
}

function allScreener(survey: Json, code: number): Record<string, Record<string, number>> {
  const data: Record<string, Record<string, number>> = {};
  for (const [q, row] of screenerCells(survey)) (data[q] ??= {})[row] = code;
  return data;
}

function isLocalized(v: unknown): boolean {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.keys(v).sort().join(',') === 'en,nl' &&
    typeof (v as Json).nl === 'string' &&
    typeof (v as Json).en === 'string' &&
    (v as Json).nl.trim() !== '' &&
    (v as Json).en.trim() !== ''
  );
}

describe.each(versions.map((v) => [v.file.id, v] as const))('%s', (_id, { key, file }) => {
  const survey = file.survey as Json;

  test('file header: key, version, numeric edition, population, bilingual title', () => {
    expect(file.key).toBe(key);
    expect(file.edition).toBe(Number(file.version.split('.')[0]));
    expect(typeof file.edition).toBe('number');
    expect(file.population).toBe(POPULATION[key]);
    expect(isLocalized(file.title)).toBe(true);
  });

  test('loads in survey-core without JSON errors, and the server validator compiles it', () => {
    const model = new Model(survey);
    expect(model.jsonErrors ?? []).toEqual([]);
    expect(model.getAllQuestions().length).toBe(questions(survey).length);
    expect(() => compileValidator(survey)).not.toThrow();
  });

  test('every text exists in Dutch and English', () => {
    const problems: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (LOCALIZED_KEYS.has(k)) {
          if (!isLocalized(v)) problems.push(`${where}.${k}`);
        } else walk(v, `${where}.${k}`);
      }
    };
    walk(survey, 'survey');
    for (const { q } of questions(survey)) {
      if (!isLocalized(q.title)) problems.push(`${q.name}: title`);
      for (const list of ['choices', 'columns', 'rows'])
        for (const item of q[list] ?? [])
          if (!isLocalized(item.text)) problems.push(`${q.name}.${list}: ${item.value}`);
    }
    expect(problems).toEqual([]);
    // survey-core renders both languages
    const model = new Model(survey);
    for (const locale of ['nl', 'en'] as const) {
      model.locale = locale;
      for (const q of model.getAllQuestions())
        expect(q.locTitle.renderedHtml).toBe(
          (survey as Json) && questions(survey).find((x) => x.q.name === q.name)!.q.title[locale],
        );
    }
  });

  test('question and variable names are SPSS-safe, at most 32 characters and unique', () => {
    const qs = questions(survey).map(({ q }) => q.name);
    expect(new Set(qs).size).toBe(qs.length);
    const vars = variables(survey).map((v) => v.name);
    expect(new Set(vars).size).toBe(vars.length);
    for (const n of [...qs, ...vars]) {
      expect(n).toMatch(NAME);
      expect(n.length).toBeLessThanOrEqual(32);
      expect(SPSS_RESERVED.has(n)).toBe(false);
    }
    for (const { q } of questions(survey))
      if (q.type === 'matrix') for (const r of q.rows) expect(r.value).toMatch(ROW);
  });

  test("every choice has a unique integer code; 97/98/99 are not applicable / don't know / rather not say", () => {
    const reserved: Record<number, string> = {
      97: 'Niet van toepassing',
      98: 'Weet ik niet',
      99: 'Zeg ik liever niet',
    };
    const reservedEn: Record<number, string> = { 97: 'Not applicable', 98: "Don't know", 99: 'Rather not say' };
    let dk = 0;
    let rns = 0;
    for (const { q } of questions(survey)) {
      const sets = [q.choices, q.columns].filter(Boolean);
      if (['radiogroup', 'dropdown', 'checkbox'].includes(q.type)) expect(q.choices?.length).toBeGreaterThan(1);
      if (q.type === 'matrix') expect(q.columns?.length).toBeGreaterThan(1);
      for (const set of sets) {
        const codes = set.map((c: Json) => c.value);
        expect(new Set(codes).size).toBe(codes.length);
        for (const c of set) {
          expect(Number.isInteger(c.value)).toBe(true);
          const byText = Object.entries(reserved).find(([, t]) => t === c.text.nl);
          if (byText) expect(c.value).toBe(Number(byText[0]));
          if (reserved[c.value]) {
            expect(c.text.nl).toBe(reserved[c.value]);
            expect(c.text.en).toBe(reservedEn[c.value]);
          }
          if (c.value === 98) dk++;
          if (c.value === 99) rns++;
        }
      }
    }
    expect(dk).toBeGreaterThan(10);
    expect(rns).toBeGreaterThan(10);
  });

  test('conventions: supported types, no -Comment keys, required closed questions, bounded texts and numbers', () => {
    for (const { q } of questions(survey)) {
      expect(['radiogroup', 'dropdown', 'checkbox', 'matrix', 'text', 'comment']).toContain(q.type);
      for (const prop of [
        'showOtherItem',
        'hasOther',
        'showCommentArea',
        'hasComment',
        'choicesVisibleIf',
        'rowsVisibleIf',
      ])
        expect(q[prop]).toBeUndefined();
      for (const c of [...(q.choices ?? []), ...(q.columns ?? []), ...(q.rows ?? [])])
        expect(c.visibleIf).toBeUndefined();
      if (['radiogroup', 'dropdown', 'checkbox', 'matrix'].includes(q.type)) expect(q.isRequired).toBe(true);
      if (q.type === 'matrix') expect(q.eachRowRequired).toBe(true);
      if (q.type === 'comment') expect(q.maxLength).toBeGreaterThan(0);
      if (q.type === 'text') {
        expect(q.inputType).toBe('number');
        expect(Number.isFinite(q.min) && Number.isFinite(q.max)).toBe(true);
      }
      if (q.type === 'checkbox') {
        for (const c of q.choices) if (c.value === 99) expect(c.isExclusive).toBe(true);
      }
    }
  });

  describe('routing', () => {
    const cells = screenerCells(survey);
    const followUps = questions(survey)
      .filter(({ page }) => FOLLOW_UP_PAGE.test(page))
      .map(({ q }) => q);
    const validator = compileValidator(survey);

    test('the screener covers the six forms of aggression and the five channels', () => {
      expect([...new Set(cells.map(([q]) => q))].sort()).toEqual([
        'scr_bedreig',
        'scr_discrim',
        'scr_fysiek',
        'scr_schade',
        'scr_thuis',
        'scr_verbaal',
      ]);
      expect(cells.filter(([q]) => q === 'scr_verbaal').map(([, r]) => r)).toEqual([
        'f2f',
        'tel',
        'mail',
        'online',
        'thuis',
      ]);
      expect(followUps.length).toBeGreaterThanOrEqual(12);
    });

    test('the follow-up pages, and only they, are conditional on every screener cell', () => {
      const pages = survey.pages.filter((p: Json) => FOLLOW_UP_PAGE.test(p.name));
      expect(pages.map((p: Json) => p.name)).toEqual(['p_incident', 'p_incident_melden', 'p_incident_gevolgen']);
      for (const p of pages) {
        const terms = p.visibleIf.split(' or ');
        expect(terms).toEqual(cells.map(([m, row]) => `{${m}.${row}} anyof [2, 3, 4, 5]`));
      }
      for (const p of survey.pages) if (!FOLLOW_UP_PAGE.test(p.name)) expect(p.visibleIf).toBeUndefined();
      // questions add only their own extra conditions
      for (const { q } of questions(survey)) if (q.visibleIf) expect(q.visibleIf).not.toMatch(/scr_/);
    });

    const shown = (model: Model, name: string) => {
      const q = model.getQuestionByName(name);
      return q.isVisible && q.isParentVisible;
    };

    test.each([1, 98, 99])('no follow-up is visible when every screener answer is %s', (code) => {
      const model = new Model(survey);
      model.data = { ...allScreener(survey, code), intern_gemeld: 1, nazorg_ontv: 1, dader: [6], motief: 7 };
      for (const q of followUps) expect([q.name, shown(model, q.name)]).toEqual([q.name, false]);
      // while the questions after the follow-ups are there for everyone
      expect(shown(model, 'steun_behoefte')).toBe(true);
    });

    test('one yes (codes 2-5) in any single screener cell shows the follow-ups', () => {
      const model = new Model(survey);
      for (const [m, row] of cells) {
        for (const code of [2, 3, 4, 5]) {
          const data = allScreener(survey, 1);
          data[m][row] = code;
          model.data = data;
          for (const name of FIRST_LEVEL_FOLLOW_UPS)
            expect([m, row, code, name, shown(model, name)]).toEqual([m, row, code, name, true]);
          expect(shown(model, 'geregistreerd')).toBe(false);
          model.setValue('intern_gemeld', 1);
          expect(shown(model, 'geregistreerd')).toBe(true);
        }
      }
    });

    test('the server drops follow-up answers of a respondent who said no to every screener item', () => {
      // a complete answer set of someone who met no aggression, plus answers to two follow-ups
      const answers = {
        ...synthAnswers(file, createRng(`no-${file.id}`), { aggressionRate: 0 }),
        recent_vorm: 1,
        aangifte: 4,
      };
      expect(experiencedAggression(answers)).toBe(false);
      const result = validator.validateComplete(answers, 'nl');
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.answers).not.toHaveProperty('recent_vorm');
        expect(result.answers).not.toHaveProperty('aangifte');
      }
    });

    test('integrity follow-up only after a suspicion; municipality size only for municipalities', () => {
      const model = new Model(survey);
      model.data = {
        int_vermoeden: { belang: 1, meestemmen: 1, adviseur: 1, druk: 98, nietmelden: 99 },
        bestuurslaag: 2,
      };
      expect(shown(model, 'int_gemeld')).toBe(false);
      expect(shown(model, 'gemeente_grootte')).toBe(false);
      model.data = {
        int_vermoeden: { belang: 1, meestemmen: 1, adviseur: 1, druk: 2, nietmelden: 1 },
        bestuurslaag: 1,
      };
      expect(shown(model, 'int_gemeld')).toBe(true);
      expect(shown(model, 'gemeente_grootte')).toBe(true);
    });
  });
});

describe.each(KEYS.map((k) => [k] as const))('variable map %s', (key) => {
  const map = maps[key];
  const files = Object.fromEntries(VERSIONS.map((v) => [Number(v.split('.')[0]), load(key, v)]));
  const editions: number[] = map.editions;

  test('header: key, population, editions and versions match the version files', () => {
    expect(map.key).toBe(key);
    expect(map.population).toBe(POPULATION[key]);
    expect(editions).toEqual([2022, 2024]);
    for (const ed of editions) expect(map.versions[String(ed)]).toBe(files[ed].version);
  });

  test('stable names are SPSS-safe and unique; labels and notes are bilingual', () => {
    const names = map.variables.map((v: Json) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of map.variables) {
      expect(v.name).toMatch(NAME);
      expect(v.name.length).toBeLessThanOrEqual(32);
      expect(SPSS_RESERVED.has(v.name)).toBe(false);
      expect(isLocalized(v.label)).toBe(true);
      expect(['choice', 'matrix_row', 'checkbox_choice', 'number', 'text']).toContain(v.kind);
      expect(Object.keys(v.editions).sort()).toEqual(editions.map(String));
      for (const e of Object.values(v.editions) as Json[]) expect(isLocalized(e.note)).toBe(true);
    }
  });

  test('every variable of every version is in the map, and every map entry is in its version', () => {
    for (const ed of editions) {
      const defined = variables(files[ed].survey)
        .map((r) => `${refKey(r)}#${r.kind}`)
        .sort();
      const mapped = map.variables
        .filter((v: Json) => v.editions[ed].question !== null)
        .map((v: Json) => `${refKey(v.editions[ed])}#${v.kind}`)
        .sort();
      expect(mapped).toEqual(defined);
    }
  });

  test('statuses are consistent and "same" really is the same question', () => {
    for (const v of map.variables) {
      let seen = false;
      let prev: VarRef | undefined;
      editions.forEach((ed, i) => {
        const e = v.editions[ed];
        const ref = e.question === null ? undefined : variables(files[ed].survey).find((r) => refKey(r) === refKey(e));
        const where = `${v.name}@${ed}`;
        if (e.question === null) expect([where, e.status]).toEqual([where, seen ? 'dropped' : 'absent']);
        else if (!seen) expect([where, e.status]).toEqual([where, 'new']);
        else {
          expect([where, ['same', 'reworded']]).toEqual([where, expect.arrayContaining([e.status])]);
          expect(prev).toBeDefined(); // no reintroduction after a drop
          if (e.status === 'same') expect([where, ref!.sig]).toEqual([where, prev!.sig]);
          else expect([where, ref!.sig]).not.toEqual([where, prev!.sig]);
        }
        if (i === 0 && e.question !== null) expect(e.status).toBe('new');
        if (ref) seen = true;
        prev = ref;
      });
    }
  });

  test('2024 rewords at least two questions, adds some and drops some', () => {
    const status = (s: string) =>
      map.variables.filter((v: Json) => v.editions['2024'].status === s).map((v: Json) => v.name);
    expect(status('reworded').length).toBeGreaterThanOrEqual(2);
    expect(status('new').length).toBeGreaterThanOrEqual(1);
    expect(status('dropped').length).toBeGreaterThanOrEqual(1);
    expect(status('reworded')).toEqual(expect.arrayContaining(['veilig_gevoel', 'nazorg_tevreden']));
    // the headline indicator stays comparable
    for (const v of map.variables.filter((x: Json) => x.name.startsWith('scr_')))
      expect(v.editions['2024'].status).toBe('same');
  });
});
