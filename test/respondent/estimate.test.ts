import { estimateMinutes } from '../../server/respondent/estimate';
import { realRegistry } from '../helpers/test-app';

describe('estimated time from length and routing', () => {
  test('the shortest route counts what is always shown, the longest everything', () => {
    const grid = { type: 'matrix', rows: Array.from({ length: 12 }, (_, i) => `r${i}`) }; // 8 + 60 s
    const survey = {
      pages: [
        { elements: [grid, { type: 'radiogroup' }, { type: 'comment', visibleIf: '{a} = 1' }] }, // 76 s + 30 s routed
        { visibleIf: '{a} = 1', elements: Array.from({ length: 20 }, () => ({ type: 'checkbox' })) }, // 240 s routed
        { elements: [{ type: 'panel', elements: Array.from({ length: 6 }, () => ({ type: 'text' })) }] }, // 90 s
      ],
    };
    expect(estimateMinutes(survey)).toEqual({ min: 3, max: 7 }); // 166 s … 436 s
  });

  test('a short questionnaire gives one figure, never zero', () => {
    expect(estimateMinutes({ pages: [{ elements: [{ type: 'radiogroup' }] }] })).toEqual({ min: 1, max: 1 });
    expect(estimateMinutes({})).toEqual({ min: 1, max: 1 });
  });

  test('the shipped questionnaires', () => {
    const byId = Object.fromEntries(
      realRegistry()
        .list()
        .map((q) => [q.id, estimateMinutes(q.survey as { pages?: [] })]),
    );
    expect(byId['demo@1']).toEqual({ min: 2, max: 2 });
    expect(byId['miv-politieke-ambtsdragers@2024.1']).toEqual({ min: 6, max: 11 });
    expect(byId['miv-ambtenaren@2024.1']).toEqual({ min: 6, max: 11 });
  });
});
