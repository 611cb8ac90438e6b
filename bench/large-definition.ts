/* The large definition of `npm run bench -- questionnaire`: 40 rated questions summed by expressions and a
   calculated value, a paneldynamic (people, up to 6), a matrixdropdown (costs per item) and routing on the score. */
const ITEMS = 40;
const choices = [1, 2, 3, 4, 5].map((v) => ({ value: v, text: { nl: `Keuze ${v}`, en: `Choice ${v}` } }));

export const LARGE_DEFINITION = {
  calculatedValues: [
    { name: 'totaal', expression: Array.from({ length: ITEMS }, (_, i) => `{v${i + 1}}`).join(' + ') },
  ],
  pages: [
    {
      name: 'p_items',
      elements: Array.from({ length: ITEMS }, (_, i) => ({
        type: i % 2 ? 'radiogroup' : 'dropdown',
        name: `v${i + 1}`,
        title: { nl: `Stelling ${i + 1}`, en: `Statement ${i + 1}` },
        isRequired: true,
        choices,
      })),
    },
    {
      name: 'p_score',
      elements: [
        { type: 'expression', name: 'score', expression: '{totaal}' },
        { type: 'expression', name: 'gemiddelde', expression: `round({totaal} / ${ITEMS}, 2)` },
        { type: 'comment', name: 'toelichting', visibleIf: '{score} > 150', maxLength: 500 },
      ],
    },
    {
      name: 'p_people',
      elements: [
        {
          type: 'paneldynamic',
          name: 'personen',
          minPanelCount: 1,
          maxPanelCount: 6,
          templateElements: [
            { type: 'text', name: 'naam', isRequired: true, maxLength: 80 },
            { type: 'dropdown', name: 'rol', isRequired: true, choices: [1, 2, 3, 4] },
            { type: 'text', name: 'jaren', inputType: 'number', min: 0, max: 60 },
            { type: 'boolean', name: 'actief', visibleIf: '{panel.rol} = 1' },
          ],
        },
      ],
    },
    {
      name: 'p_costs',
      elements: [
        {
          type: 'matrixdropdown',
          name: 'kosten',
          rows: ['huur', 'energie', 'reis', 'materiaal', 'opleiding', 'overig'],
          columns: [
            { name: 'bedrag', cellType: 'text', inputType: 'number', min: 0 },
            { name: 'soort', cellType: 'dropdown', choices: [1, 2, 3] },
          ],
        },
        { type: 'expression', name: 'kosten_totaal', expression: "sumInArray({kosten}, 'bedrag')" },
        { type: 'checkbox', name: 'kanalen', choices: [1, 2, 3, 4, 5, 6], showNoneItem: true },
      ],
    },
  ],
};

/** A valid completion, varied by i (the browser posts the expression values too; the server recomputes them). */
export function largeAnswers(i: number): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  let total = 0;
  for (let k = 1; k <= ITEMS; k++) {
    const v = ((i + k) % 5) + 1;
    a[`v${k}`] = v;
    total += v;
  }
  a.score = total;
  a.gemiddelde = Math.round((total / ITEMS) * 100) / 100;
  a.personen = Array.from({ length: (i % 4) + 1 }, (_, p) => ({
    naam: `Persoon ${p}`,
    rol: (p % 4) + 1,
    jaren: p * 3,
    ...(p % 4 === 0 ? { actief: true } : {}),
  }));
  a.kosten = { huur: { bedrag: 100 + i, soort: 1 }, reis: { bedrag: 20, soort: 2 } };
  a.kosten_totaal = 120 + i;
  a.kanalen = [1 + (i % 6)];
  return a;
}
