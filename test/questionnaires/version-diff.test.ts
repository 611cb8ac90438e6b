import fs from 'node:fs';
import path from 'node:path';
import { QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { diffVersions } from '../../server/questionnaires/version-diff';
import { conditionInWords } from '../../server/questionnaires/routing-words';
import { questionnaireDocument } from '../../server/questionnaires/questionnaire-document';
import { jsonDepth } from '../../server/questionnaires/version-upload';
import { variableMapFor } from '../../server/exports/files/variable-map';
import { QUESTIONNAIRES_DIR } from '../helpers/test-app';

const registry = QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR);

describe.each(['miv-politieke-ambtsdragers', 'miv-ambtenaren'])('the 2022 → 2024 changes of %s', (key) => {
  const before = registry.get(`${key}@2022.1`)!;
  const after = registry.get(`${key}@2024.1`)!;
  const diff = diffVersions(before, after, variableMapFor([before, after]));

  test('the proposed statuses agree with the hand-made variable map, apart from renamed questions', () => {
    const map = JSON.parse(fs.readFileSync(path.join(QUESTIONNAIRES_DIR, key, 'variable-map.json'), 'utf8'));
    const proposed = new Map(diff.variables.map((v) => [v.stable ?? v.variable, v.proposed]));
    const disagreements: string[] = [];
    for (const v of map.variables) {
      const made = v.editions['2024'];
      const renamed = made.question && v.editions['2022'].question && made.question !== v.editions['2022'].question;
      if (renamed) {
        // a renamed question is proposed as dropped (old name) and new (new name): the administrator links them
        expect([v.name, proposed.get(v.name)]).toEqual([v.name, 'dropped']);
        continue;
      }
      const status = made.status === 'absent' ? undefined : made.status;
      if (proposed.get(v.name) !== status)
        disagreements.push(`${v.name}: map ${status}, proposed ${proposed.get(v.name)}`);
    }
    expect(disagreements).toEqual([]);
  });

  test('the question changes name what was added, removed and recoded', () => {
    const byName = new Map(diff.questions.map((q) => [q.name, q]));
    expect(byName.get('doxing')?.change ?? byName.get('veilig_freq')?.change).toBe('added');
    expect(byName.get('werkdruk')?.change).toBe('removed');
    expect(byName.get('gevolg')?.codes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ part: 'row', value: 'prive', change: 'removed' }),
        expect.objectContaining({ part: 'row', value: 'stoppen', change: 'added' }),
      ]),
    );
  });
});

describe('routing in words', () => {
  const model = registry.get('miv-politieke-ambtsdragers@2024.1')!.model;

  test('comparisons, lists, checkbox choices, matrix cells, not, empty and brackets', () => {
    expect(conditionInWords('{bestuurslaag} = 1', model)).toEqual({
      nl: 'bestuurslaag is 1 “Gemeente”',
      en: 'bestuurslaag is 1 “Municipality”',
    });
    expect(conditionInWords('{dader} contains 6 and {motief} <> 7', model)?.en).toBe(
      'at dader, 6 “Someone else” is ticked and motief is not 7 “Another motive”',
    );
    expect(conditionInWords('({scr_verbaal.f2f} anyof [2, 3]) or {scr_verbaal.tel} notempty', model)?.nl).toMatch(
      /^scr_verbaal\.f2f is een van 2 “[^”]+”, 3 “[^”]+” of scr_verbaal\.tel is beantwoord$/,
    );
    expect(conditionInWords('!({bestuurslaag} >= 2)', model)?.en).toBe('not: bestuurslaag is at least 2 “Province”');
    expect(conditionInWords("{opmerking} empty or {opmerking} = 'geen'", model)?.en).toBe(
      'opmerking is not answered or opmerking is "geen"',
    );
  });

  test('what it cannot read (functions, arithmetic) is left to be shown as written', () => {
    expect(conditionInWords('age({geboren}) > 18', model)).toBeUndefined();
    expect(conditionInWords('{a} + {b} > 3', model)).toBeUndefined();
    expect(conditionInWords('{a} = ', model)).toBeUndefined();
    expect(conditionInWords('('.repeat(100_000) + '{a} = 1' + ')'.repeat(100_000), model)).toBeUndefined();
  });

  test('the document shows each page condition once and the questions below it with their own', () => {
    const doc = questionnaireDocument(registry.get('miv-politieke-ambtsdragers@2024.1')!);
    const incident = doc.pages.find((p) => p.name === 'p_incident')!;
    expect(incident.routing?.en).toContain('scr_verbaal.f2f is one of 2');
    expect(incident.questions.find((q) => q.name === 'dader_anders')?.routing?.en).toBe(
      'at dader, 6 “Someone else” is ticked',
    );
    expect(incident.questions.find((q) => q.name === 'dader')?.routing).toBeUndefined();
    expect(doc.questionCount).toBe(registry.get('miv-politieke-ambtsdragers@2024.1')!.model.questions.length);
  });
});

test('JSON depth is measured without parsing, brackets inside strings do not count', () => {
  expect(jsonDepth('{"a": [1, {"b": "[[[[{{{{"}]}', 64)).toBe(3);
  expect(jsonDepth('{"a": "\\"[[["}', 64)).toBe(1);
  expect(jsonDepth('['.repeat(1_000_000), 64)).toBe(65); // stops counting past the limit
});
