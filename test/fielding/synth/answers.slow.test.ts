// Synthetic answers: valid for the server (validateComplete) for every version, following the routing, reproducible,
// and with the published aggression rates.
import fs from 'node:fs';
import path from 'node:path';
import { compileValidator } from '../../../server/questionnaires/answer-validator';
import { parseQuestionnaireFile } from '../../../server/questionnaires/questionnaire-file';
import { experiencedAggression, synthAnswers, synthAnswerSets } from '../../../server/fielding/synth/answers';
import { createRng } from '../../../server/fielding/synth/rng';
import { FIRST_LEVEL_FOLLOW_UPS } from '../../helpers/monitor';

const DIR = path.join(__dirname, '..', '..', '..', 'questionnaires');
const load = (key: string, version: string) => {
  const file = path.join(DIR, key, `${version}.json`);
  return parseQuestionnaireFile(file, fs.readFileSync(file));
};
const MIV = [
  load('miv-politieke-ambtsdragers', '2022.1'),
  load('miv-politieke-ambtsdragers', '2024.1'),
  load('miv-ambtenaren', '2022.1'),
  load('miv-ambtenaren', '2024.1'),
];
const ALL = [...MIV, load('demo', '1')];

describe.each(ALL.map((q) => [q.id, q] as const))('%s', (_id, q) => {
  const sets = synthAnswerSets(q, 500, `test-${q.id}`);

  test('500 generated answer sets all pass the server validation unchanged', () => {
    const validator = compileValidator(q.survey);
    const failures: unknown[] = [];
    sets.forEach((answers, i) => {
      for (const locale of i < 50 ? (['nl', 'en'] as const) : (['nl'] as const)) {
        const result = validator.validateComplete(answers, locale);
        if (!result.ok) failures.push(result.errors);
        else if (JSON.stringify(result.answers) !== JSON.stringify(answers)) failures.push({ changed: answers });
      }
    });
    expect(failures.slice(0, 3)).toEqual([]);
  });

  test('deterministic with a seed', () => {
    expect(synthAnswerSets(q, 20, `test-${q.id}`)).toEqual(sets.slice(0, 20));
    expect(synthAnswers(q, createRng(99))).toEqual(synthAnswers(q, createRng(99)));
    expect(synthAnswerSets(q, 20, 'another seed')).not.toEqual(sets.slice(0, 20));
  });
});

describe.each(MIV.map((q) => [q.id, q] as const))('%s routing', (_id, q) => {
  test('follow-ups exactly for those who met aggression', () => {
    const sets = synthAnswerSets(q, 200, 'routing');
    for (const a of sets) {
      const victim = experiencedAggression(a);
      for (const name of FIRST_LEVEL_FOLLOW_UPS) expect([name, victim, name in a]).toEqual([name, victim, victim]);
      if (!victim)
        for (const k of Object.keys(a))
          expect(/^(recent_|dader|motief|intern_gemeld|aangifte|geregistreerd|gevolg|nazorg_)/.test(k)).toBe(false);
    }
    expect(sets.some(experiencedAggression)).toBe(true);
    expect(sets.every(experiencedAggression)).toBe(false);
  });

  test('the most recent incident is one the screener reported', () => {
    const form: Record<number, string> = {
      1: 'scr_verbaal',
      2: 'scr_bedreig',
      3: 'scr_fysiek',
      4: 'scr_schade',
      5: 'scr_thuis',
      6: 'scr_discrim',
    };
    for (const a of synthAnswerSets(q, 200, 'recent')) {
      const code = a.recent_vorm as number | undefined;
      if (!code || !form[code]) continue;
      expect(Object.values(a[form[code]] as Record<string, number>).some((v) => v >= 2 && v <= 5)).toBe(true);
    }
  });
});

describe('aggression rates', () => {
  const N = 1500;
  const pa2022Sets = synthAnswerSets(MIV[0], N, 'rates');
  const rate = (i: number) =>
    (i === 0 ? pa2022Sets : synthAnswerSets(MIV[i], N, 'rates')).filter(experiencedAggression).length / N;
  const pa2022 = rate(0);
  const pa2024 = rate(1);
  const amb2022 = rate(2);
  const amb2024 = rate(3);

  test('about half of political office holders in 2022, a little less in 2024', () => {
    expect(pa2022).toBeGreaterThan(0.45);
    expect(pa2022).toBeLessThan(0.53);
    expect(pa2024).toBeGreaterThan(0.41);
    expect(pa2024).toBeLessThan(0.49);
    expect(pa2024).toBeLessThan(pa2022);
  });

  test('civil servants about a third in 2022, a little less in 2024', () => {
    expect(amb2022).toBeGreaterThan(0.29);
    expect(amb2022).toBeLessThan(0.37);
    expect(amb2024).toBeGreaterThan(0.25);
    expect(amb2024).toBeLessThan(0.33);
    expect(amb2024).toBeLessThan(amb2022);
  });

  test('mayors and aldermen meet aggression more often than council members', () => {
    const byRole = (code: number) => {
      const group = pa2022Sets.filter((a) => a.functie_gem === code);
      expect(group.length).toBeGreaterThan(code === 1 ? 50 : 200);
      return group.filter(experiencedAggression).length / group.length;
    };
    expect(byRole(1)).toBeGreaterThan(0.65);
    expect(byRole(2)).toBeGreaterThan(0.58);
    expect(byRole(3)).toBeLessThan(0.5);
  });

  test('the rate can be set; police reports stay rare', () => {
    expect(synthAnswerSets(MIV[0], 200, 'zero', { aggressionRate: 0 }).some(experiencedAggression)).toBe(false);
    const victims = pa2022Sets.filter((a) => 'aangifte' in a);
    const reported = victims.filter((a) => a.aangifte === 1 || a.aangifte === 2).length / victims.length;
    expect(reported).toBeGreaterThan(0.03);
    expect(reported).toBeLessThan(0.15);
  });
});
