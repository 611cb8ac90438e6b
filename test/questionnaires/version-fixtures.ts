/** Definitions as SurveyJS Creator saves them (bare, no Veldwerk envelope), written for the version tests. */
const yesNo = [
  { value: 1, text: { nl: 'Ja', en: 'Yes' } },
  { value: 2, text: { nl: 'Nee', en: 'No' } },
  { value: 99, text: { nl: 'Zeg ik liever niet', en: 'Rather not say' } },
];

/** Edition 2026 of a small "werkbeleving" questionnaire. */
export function werkbeleving2026(): Record<string, unknown> {
  return {
    title: { nl: 'Werkbeleving 2026', en: 'Work experience 2026' },
    pages: [
      {
        name: 'p_werk',
        title: { nl: 'Uw werk', en: 'Your work' },
        elements: [
          {
            type: 'radiogroup',
            name: 'thuiswerk',
            title: { nl: 'Werkt u weleens thuis?', en: 'Do you ever work from home?' },
            isRequired: true,
            choices: yesNo,
          },
          {
            type: 'checkbox',
            name: 'thuis_dagen',
            title: { nl: 'Op welke dagen werkt u thuis?', en: 'On which days do you work from home?' },
            visibleIf: '{thuiswerk} = 1',
            choices: [
              { value: 1, text: { nl: 'Maandag', en: 'Monday' } },
              { value: 2, text: { nl: 'Dinsdag', en: 'Tuesday' } },
              { value: 5, text: { nl: 'Vrijdag', en: 'Friday' } },
            ],
          },
          {
            type: 'matrix',
            name: 'tevreden',
            title: { nl: 'Hoe tevreden bent u over…', en: 'How satisfied are you with…' },
            columns: [
              { value: 1, text: { nl: 'Ontevreden', en: 'Dissatisfied' } },
              { value: 2, text: { nl: 'Neutraal', en: 'Neutral' } },
              { value: 3, text: { nl: 'Tevreden', en: 'Satisfied' } },
            ],
            rows: [
              { value: 'collegas', text: { nl: 'uw collega’s', en: 'your colleagues' } },
              { value: 'leiding', text: { nl: 'uw leidinggevende', en: 'your manager' } },
            ],
          },
          {
            type: 'radiogroup',
            name: 'werkdruk',
            title: { nl: 'Hoe hoog is uw werkdruk?', en: 'How high is your workload?' },
            choices: [
              { value: 1, text: { nl: 'Laag', en: 'Low' } },
              { value: 2, text: { nl: 'Hoog', en: 'High' } },
            ],
          },
        ],
      },
      {
        name: 'p_thuis',
        title: { nl: 'Thuiswerken', en: 'Working from home' },
        visibleIf: '{thuiswerk} = 1 and {thuis_dagen} contains 5',
        elements: [
          {
            type: 'comment',
            name: 'thuis_toelichting',
            title: { nl: 'Waarom op vrijdag?', en: 'Why on Friday?' },
            maxLength: 500,
          },
        ],
      },
    ],
  };
}

/**
 * Edition 2027: thuiswerk reworded, a choice dropped from thuis_dagen and one relabelled, a matrix row added,
 * werkdruk renamed to werkdruk_freq with other codes, a new question, the last page asked more widely.
 */
export function werkbeleving2027(): Record<string, unknown> {
  const s = werkbeleving2026() as any;
  s.title = { nl: 'Werkbeleving 2027', en: 'Work experience 2027' };
  const [thuiswerk, dagen, tevreden] = s.pages[0].elements;
  thuiswerk.title = { nl: 'Werkt u weleens vanuit huis?', en: 'Do you ever work from home?' };
  dagen.choices = [
    { value: 1, text: { nl: 'Maandag', en: 'Monday' } },
    { value: 5, text: { nl: 'Vrijdag (hele dag)', en: 'Friday (all day)' } },
  ];
  tevreden.rows.push({ value: 'salaris', text: { nl: 'uw salaris', en: 'your pay' } });
  s.pages[1].visibleIf = '{thuiswerk} = 1'; // the last page for everyone who works from home
  s.pages[0].elements[3] = {
    type: 'radiogroup',
    name: 'werkdruk_freq',
    title: { nl: 'Hoe vaak is uw werkdruk te hoog?', en: 'How often is your workload too high?' },
    choices: [
      { value: 1, text: { nl: 'Nooit', en: 'Never' } },
      { value: 2, text: { nl: 'Soms', en: 'Sometimes' } },
      { value: 3, text: { nl: 'Vaak', en: 'Often' } },
    ],
  };
  s.pages[0].elements.push({
    type: 'text',
    name: 'uren',
    inputType: 'number',
    min: 0,
    max: 80,
    title: { nl: 'Hoeveel uur werkt u per week?', en: 'How many hours a week do you work?' },
  });
  return s;
}

export const WERKBELEVING_VALID = { thuiswerk: 1, thuis_dagen: [5], tevreden: { collegas: 3, leiding: 2 } };
