/**
 * The monitor's key figures per wave: the share that met any aggression in the past 12 months (overall, per form and
 * per channel), the share of those who reported it (internally, to the police), and the share with a suspicion of
 * non-integrity; overall and by tier, role and gender, from the answers (background questions), optionally
 * post-stratified on a kept attribute. Computed in one streamed pass: only counts per cell and stratum are kept.
 */
import type { LocalizedText } from '../../questionnaires/questionnaire-file';
import type { Answers } from './routing';
import type { SurveyModel } from '../../questionnaires/questionnaire-model';

export interface Indicator {
  id: string;
  label: LocalizedText;
  /** 'victims': only respondents who were asked the follow-up (met aggression) */
  base: 'all' | 'victims';
  /** the questions it reads (for comparability with the previous edition) */
  questions: string[];
  /** 1 counts, 0 does not, null = not in the denominator */
  value(a: Answers): 0 | 1 | null;
}

export interface Category {
  key: string;
  label: LocalizedText;
  parent?: string;
}

export interface Breakdown {
  id: 'overall' | 'tier' | 'role' | 'gender';
  label: LocalizedText;
  /** categories in display order */
  categories: Category[];
  /** the breakdown whose categories this one's parents are (role within tier) */
  parent?: 'tier';
  categoryOf(a: Answers): string | null;
}

const YES = new Set([2, 3, 4, 5]);
const FORMS: Record<string, LocalizedText> = {
  scr_verbaal: { nl: 'Verbale agressie', en: 'Verbal aggression' },
  scr_bedreig: { nl: 'Bedreiging of intimidatie', en: 'Threats or intimidation' },
  scr_fysiek: { nl: 'Fysiek geweld', en: 'Physical violence' },
  scr_schade: { nl: 'Vernieling of beschadiging', en: 'Damage to property' },
  scr_thuis: { nl: 'Ongewenst bezoek of actie bij huis', en: 'Unwanted visit or action at home' },
  scr_discrim: { nl: 'Discriminatie', en: 'Discrimination' },
};

function matrixAny(a: Answers, names: string[], rows: string[] | null, hit: Set<number>): 0 | 1 {
  for (const n of names) {
    const m = a[n] as Record<string, unknown> | undefined;
    if (!m || typeof m !== 'object') continue;
    for (const [row, v] of Object.entries(m))
      if ((rows === null || rows.includes(row)) && hit.has(v as number)) return 1;
  }
  return 0;
}

export function indicatorsFor(model: SurveyModel): Indicator[] {
  const screener = model.questions.filter((q) => q.type === 'matrix' && q.name.startsWith('scr_'));
  const names = screener.map((q) => q.name);
  const out: Indicator[] = [];
  if (screener.length === 0) return out;
  out.push({
    id: 'agressie',
    label: { nl: 'Agressie meegemaakt (12 maanden)', en: 'Met aggression (12 months)' },
    base: 'all',
    questions: names,
    value: (a) => matrixAny(a, names, null, YES),
  });
  for (const q of screener) {
    const label = FORMS[q.name] ?? q.title;
    out.push({
      id: `vorm_${q.name.slice(4)}`,
      label: { nl: `Vorm: ${label.nl}`, en: `Form: ${label.en}` },
      base: 'all',
      questions: [q.name],
      value: (a) => matrixAny(a, [q.name], null, YES),
    });
  }
  const rowCount = new Map<string, { n: number; text: LocalizedText }>();
  for (const q of screener)
    for (const r of q.rows)
      rowCount.set(String(r.value), { n: (rowCount.get(String(r.value))?.n ?? 0) + 1, text: r.text });
  for (const [row, { n, text }] of rowCount) {
    if (n < 2) continue; // a channel is a row shared by several forms
    out.push({
      id: `kanaal_${row}`,
      label: { nl: `Kanaal: ${text.nl}`, en: `Channel: ${text.en}` },
      base: 'all',
      questions: names,
      value: (a) => matrixAny(a, names, [row], YES),
    });
  }
  const victims = (a: Answers, name: string, yes: (v: unknown) => boolean): 0 | 1 | null =>
    a[name] === undefined ? null : yes(a[name]) ? 1 : 0;
  if (model.byName.has('intern_gemeld')) {
    out.push({
      id: 'intern_gemeld',
      label: {
        nl: 'Gemeld in de eigen organisatie (van wie agressie meemaakte)',
        en: 'Reported within the organisation (of those who met aggression)',
      },
      base: 'victims',
      questions: ['intern_gemeld'],
      value: (a) => victims(a, 'intern_gemeld', (v) => v === 1),
    });
  }
  if (model.byName.has('aangifte')) {
    out.push({
      id: 'aangifte',
      label: {
        nl: 'Aangifte gedaan (van wie agressie meemaakte)',
        en: 'Reported to the police (of those who met aggression)',
      },
      base: 'victims',
      questions: ['aangifte'],
      value: (a) => victims(a, 'aangifte', (v) => v === 1 || v === 2),
    });
  }
  if (model.byName.has('int_vermoeden')) {
    out.push({
      id: 'vermoeden',
      label: { nl: 'Vermoeden van niet-integer handelen (12 maanden)', en: 'Suspected non-integrity (12 months)' },
      base: 'all',
      questions: ['int_vermoeden'],
      value: (a) => matrixAny(a, ['int_vermoeden'], null, new Set([2, 3])),
    });
  }
  return out;
}

const ROLE_QUESTIONS: Record<string, string> = { functie_gem: '1', functie_prov: '2', functie_ws: '3' };

export function breakdownsFor(model: SurveyModel): Breakdown[] {
  const out: Breakdown[] = [
    {
      id: 'overall',
      label: { nl: 'Totaal', en: 'Total' },
      categories: [{ key: 'all', label: { nl: 'Totaal', en: 'Total' } }],
      categoryOf: () => 'all',
    },
  ];
  const tier = model.byName.get('bestuurslaag');
  if (tier) {
    out.push({
      id: 'tier',
      label: { nl: 'Bestuurslaag', en: 'Tier' },
      categories: tier.choices.map((c) => ({ key: String(c.value), label: c.text })),
      categoryOf: (a) => (a.bestuurslaag === undefined ? null : String(a.bestuurslaag)),
    });
  }
  const nested = Object.keys(ROLE_QUESTIONS).filter((n) => model.byName.has(n));
  if (nested.length > 0 && tier) {
    const categories: Category[] = [];
    for (const n of nested) {
      const parent = ROLE_QUESTIONS[n];
      const tierLabel = tier.choices.find((c) => String(c.value) === parent)?.text ?? { nl: parent, en: parent };
      for (const c of (model.byName.get(n) as { choices: Array<{ value: number | string; text: LocalizedText }> })
        .choices) {
        const label =
          typeof c.value === 'number' && c.value >= 97
            ? { nl: `${c.text.nl} (${tierLabel.nl})`, en: `${c.text.en} (${tierLabel.en})` }
            : c.text;
        categories.push({ key: `${parent}:${c.value}`, label, parent });
      }
    }
    out.push({
      id: 'role',
      label: { nl: 'Functie', en: 'Role' },
      categories,
      parent: 'tier',
      categoryOf: (a) => {
        for (const n of nested) if (a[n] !== undefined) return `${ROLE_QUESTIONS[n]}:${a[n]}`;
        return null;
      },
    });
  } else if (model.byName.has('functie')) {
    const q = model.byName.get('functie') as { choices: Array<{ value: number | string; text: LocalizedText }> };
    out.push({
      id: 'role',
      label: { nl: 'Functie', en: 'Role' },
      categories: q.choices.map((c) => ({ key: String(c.value), label: c.text })),
      categoryOf: (a) => (a.functie === undefined ? null : String(a.functie)),
    });
  }
  const gender = model.byName.get('geslacht');
  if (gender) {
    out.push({
      id: 'gender',
      label: { nl: 'Geslacht', en: 'Gender' },
      categories: gender.choices.map((c) => ({ key: String(c.value), label: c.text })),
      categoryOf: (a) => (a.geslacht === undefined ? null : String(a.geslacht)),
    });
  }
  return out;
}

/** Counts per indicator, breakdown, category and stratum, filled row by row. */
export class HeadlineCounter {
  /** `${indicator}|${breakdown}|${category}` -> stratum -> counts */
  readonly cells = new Map<string, Map<string, { d: number; y: number }>>();
  /** all responses per stratum */
  readonly strata = new Map<string, number>();
  rows = 0;

  constructor(
    readonly indicators: Indicator[],
    readonly breakdowns: Breakdown[],
  ) {}

  add(answers: Answers, stratum: string): void {
    this.rows++;
    this.strata.set(stratum, (this.strata.get(stratum) ?? 0) + 1);
    const cats = this.breakdowns.map((b) => b.categoryOf(answers));
    for (const ind of this.indicators) {
      const v = ind.value(answers);
      if (v === null) continue;
      for (let i = 0; i < this.breakdowns.length; i++) {
        if (cats[i] === null) continue;
        const key = `${ind.id}|${this.breakdowns[i].id}|${cats[i]}`;
        let m = this.cells.get(key);
        if (!m) this.cells.set(key, (m = new Map()));
        const c = m.get(stratum);
        if (c) {
          c.d++;
          c.y += v;
        } else m.set(stratum, { d: 1, y: v });
      }
    }
  }
}
