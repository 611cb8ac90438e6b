/**
 * Synthetic completed answers for any questionnaire version: for demos, tests, benchmarks and the export work.
 *
 * The generator walks the version's questionnaire model (questionnaires/questionnaire-model.ts, the one the
 * validator and the exports read) in question order, evaluates each question's visibility chain (page, panels, question) with survey-core's expression engine on the answers so far, and answers only visible
 * questions: so the answers follow the version's routing and pass the server's validation (validateComplete).
 * Any definition works (generic answers by question type); for the MIV questionnaires a respondent "persona"
 * (tier, role, ...) and per-question distributions make the answers plausible:
 * - the screener (matrices named scr_*) is answered so that about AGGRESSION_RATES of respondents met at least
 *   one form of aggression (49% of office holders in 2022, 45% in 2024; civil servants 33% and 29%), higher for
 *   mayors and aldermen, front-office and enforcement staff;
 * - the follow-ups about the most recent incident agree with the screener (form, channel), police reports
 *   (aangifte) stay rare, and so on.
 * Deterministic: the same definition, rng seed and options give the same answers.
 */
import { ConditionRunner } from 'survey-core';
import { readSurveyModel, type SurveyModel } from '../../questionnaires/questionnaire-model';
import { CIVIL_SERVANT_ROLE_MIX, CIVIL_SERVANT_ROLES, CivilServantRole } from './reference-data';
import { createRng, Rng } from './rng';

/** The parts of a questionnaire file (questionnaires/<key>/<version>.json) the generator reads. */
export interface QuestionnaireLike {
  survey: object;
  /** the registry's questionnaire model of the version (read here when absent) */
  model?: SurveyModel;
  population?: string;
  edition?: number | string;
}

export interface SynthOptions {
  /** share of respondents who met at least one form of aggression (default: AGGRESSION_RATES, else 0.4) */
  aggressionRate?: number;
  /** share of optional comment questions that get a text (default 0.05) */
  commentRate?: number;
  /** share of other optional questions that get an answer (default 0.85) */
  optionalRate?: number;
  /** language of the synthetic comment texts (default nl) */
  locale?: 'nl' | 'en';
}

/** Published trend figures the generator aims at (% who met aggression in the past 12 months). */
export const AGGRESSION_RATES: Record<string, Record<string, number>> = {
  'politieke-ambtsdragers': { '2022': 0.49, '2024': 0.45 },
  ambtenaren: { '2022': 0.33, '2024': 0.29 },
};

/** Screener questions are single-choice matrices whose name starts with this; answer codes in SCREENER_YES = met it. */
export const SCREENER_PREFIX = 'scr_';
export const SCREENER_YES: readonly number[] = [2, 3, 4, 5];

export function defaultAggressionRate(population?: string, edition?: number | string): number {
  return AGGRESSION_RATES[population ?? '']?.[String(edition ?? '')] ?? 0.4;
}

/** Did these answers report at least one form of aggression in the screener? */
export function experiencedAggression(answers: Record<string, unknown>): boolean {
  for (const [name, value] of Object.entries(answers)) {
    if (!name.startsWith(SCREENER_PREFIX) || !value || typeof value !== 'object') continue;
    for (const v of Object.values(value as Record<string, unknown>))
      if (SCREENER_YES.includes(v as number)) return true;
  }
  return false;
}

// ------------------------------------------------------------------------------------------ compiled definition

/** A compiled visibleIf: survey-core's runner and the top-level answer names it reads (for memoizing). */
interface Cond {
  runner: ConditionRunner;
  deps: string[];
  volatile: boolean;
}
interface Choice {
  value: unknown;
  exclusive: boolean;
}
interface CQ {
  name: string;
  type: string;
  /** the visibility chain (page, panels, question) from the questionnaire model; all must hold */
  conds: Cond[];
  required: boolean;
  choices: Choice[];
  rows: string[];
  columns: unknown[];
  inputType: string;
  min: number | null;
  max: number | null;
  maxLength: number;
  valueTrue: unknown;
  valueFalse: unknown;
}
interface Plan {
  questions: CQ[];
}

const plans = new WeakMap<object, Plan>();
const runners = new Map<string, Cond>();

function runner(expr: string): Cond {
  let c = runners.get(expr);
  if (!c) {
    const r = new ConditionRunner(expr);
    const deps = [...new Set(r.getVariables().map((v) => v.split(/[.[]/)[0]))];
    c = { runner: r, deps, volatile: r.hasFunction() };
    runners.set(expr, c);
  }
  return c;
}

/** The generator's plan, read from the questionnaire model (the registry's, or one read here for a bare definition). */
function compile(file: QuestionnaireLike): Plan {
  const cached = plans.get(file.survey);
  if (cached) return cached;
  const model = file.model ?? readSurveyModel(file.survey);
  const questions: CQ[] = model.questions
    .filter((q) => q.type !== 'expression')
    .map((q) => ({
      name: q.name,
      type: q.type,
      conds: q.conditions.map(runner),
      required: q.required,
      choices: q.choices
        .filter((c) => c.special !== 'other')
        .map((c) => ({ value: c.value, exclusive: c.isExclusive === true || (!!c.special && c.special !== 'other') })),
      rows: q.type === 'matrix' ? q.rows.map((r) => String(r.value)) : [],
      columns: q.type === 'matrix' ? q.columns.map((c) => c.value) : [],
      inputType: q.inputType ?? '',
      min: q.type === 'text' ? (q.min ?? null) : null,
      max: q.type === 'text' ? (q.max ?? null) : null,
      maxLength: q.maxLength ?? 500,
      valueTrue: q.valueTrue,
      valueFalse: q.valueFalse,
    }));
  const plan = { questions };
  plans.set(file.survey, plan);
  return plan;
}

/**
 * Evaluates conditions on the answers of one respondent, remembering each result until one of the answers it
 * reads changes (a long screener condition is evaluated once, not once per follow-up question).
 */
class Conditions {
  private step = 0;
  private readonly changedAt = new Map<string, number>();
  private readonly memo = new Map<Cond, { at: number; value: boolean }>();
  constructor(private readonly data: Record<string, unknown>) {}

  set(name: string, value: unknown): void {
    this.data[name] = value;
    this.changedAt.set(name, ++this.step);
  }

  holds(c: Cond, fallback: boolean): boolean {
    if (!c) return fallback;
    const m = this.memo.get(c);
    if (m && !c.volatile && c.deps.every((d) => (this.changedAt.get(d) ?? 0) <= m.at)) return m.value;
    let value: boolean;
    try {
      value = c.runner.runValues(this.data) === true;
    } catch {
      value = false;
    }
    this.memo.set(c, { at: this.step, value });
    return value;
  }

  /** every condition of a visibility chain holds */
  all(conds: Cond[]): boolean {
    return conds.every((c) => this.holds(c, true));
  }
}

// ------------------------------------------------------------------------------------------ persona

type Weights = Record<number, number>;

interface Persona {
  tier: number; // bestuurslaag code (99 = rather not say)
  role: number; // functie code
  relRisk: number;
  sizeClass: number;
  years: number;
  gender: number;
  age: number;
}

interface RoleSpec {
  tier: number;
  code: number;
  share: number;
  relRisk: number;
}

const OFFICE_HOLDER_SPEC = {
  tiers: { 1: 0.86, 2: 0.07, 3: 0.065, 99: 0.005 } as Weights,
  roles: [
    { tier: 1, code: 1, share: 0.07, relRisk: 1.6 },
    { tier: 1, code: 2, share: 0.18, relRisk: 1.4 },
    { tier: 1, code: 3, share: 0.75, relRisk: 0.9 },
    { tier: 2, code: 4, share: 0.02, relRisk: 1.6 },
    { tier: 2, code: 5, share: 0.13, relRisk: 1.2 },
    { tier: 2, code: 6, share: 0.85, relRisk: 0.9 },
    { tier: 3, code: 7, share: 0.05, relRisk: 1.0 },
    { tier: 3, code: 8, share: 0.17, relRisk: 0.8 },
    { tier: 3, code: 9, share: 0.78, relRisk: 0.6 },
  ] as RoleSpec[],
  sizeClass: { 1: 0.2, 2: 0.47, 3: 0.18, 4: 0.14, 98: 0.003, 99: 0.007 } as Weights,
  years: { 1: 0.2, 2: 0.3, 3: 0.25, 4: 0.17, 5: 0.07, 99: 0.01 } as Weights,
  gender: { 1: 0.64, 2: 0.34, 3: 0.005, 99: 0.015 } as Weights,
  age: { 1: 0.06, 2: 0.14, 3: 0.2, 4: 0.28, 5: 0.31, 99: 0.01 } as Weights,
};

const CIVIL_RISK: Record<CivilServantRole, number> = {
  leidinggevende: 1.1,
  beleid: 0.7,
  publiekscontact: 1.8,
  handhaving: 2.0,
  bedrijfsvoering: 0.6,
  bestuursondersteuning: 1.0,
};
const CIVIL_TIERS: Array<[number, keyof typeof CIVIL_SERVANT_ROLE_MIX, number]> = [
  [1, 'gemeente', 0.52],
  [2, 'provincie', 0.05],
  [3, 'waterschap', 0.04],
  [4, 'rijk', 0.385],
];
const CIVIL_SERVANT_SPEC = {
  tiers: { ...Object.fromEntries(CIVIL_TIERS.map(([code, , w]) => [code, w])), 99: 0.005 } as Weights,
  roles: CIVIL_TIERS.flatMap(([tier, tierId]) => {
    const mix = CIVIL_SERVANT_ROLE_MIX[tierId];
    const total = Object.values(mix).reduce((a, b) => a + b, 0) / 0.96;
    const roles: RoleSpec[] = (Object.keys(mix) as CivilServantRole[]).map((r) => ({
      tier,
      code: CIVIL_SERVANT_ROLES[r].code,
      share: mix[r] / total,
      relRisk: CIVIL_RISK[r],
    }));
    roles.push({ tier, code: 7, share: 0.04, relRisk: 0.8 }); // "anders"
    return roles;
  }),
  sizeClass: { 1: 0.1, 2: 0.3, 3: 0.2, 4: 0.39, 98: 0.005, 99: 0.005 } as Weights,
  years: { 1: 0.1, 2: 0.17, 3: 0.2, 4: 0.25, 5: 0.27, 99: 0.01 } as Weights,
  gender: { 1: 0.5, 2: 0.48, 3: 0.007, 99: 0.013 } as Weights,
  age: { 1: 0.12, 2: 0.22, 3: 0.22, 4: 0.26, 5: 0.17, 99: 0.01 } as Weights,
};
type Spec = typeof OFFICE_HOLDER_SPEC;

function specFor(population?: string): Spec | null {
  if (population === 'politieke-ambtsdragers') return OFFICE_HOLDER_SPEC;
  if (population === 'ambtenaren') return CIVIL_SERVANT_SPEC;
  return null;
}

const meanRisk = new Map<Spec, number>();
function averageRisk(spec: Spec): number {
  let m = meanRisk.get(spec);
  if (m === undefined) {
    m = 0;
    let known = 0;
    for (const [tier, w] of Object.entries(spec.tiers)) {
      if (Number(tier) === 99) continue;
      known += w;
      const roles = spec.roles.filter((r) => r.tier === Number(tier));
      const total = roles.reduce((a, r) => a + r.share, 0);
      for (const r of roles) m += w * (r.share / total) * r.relRisk;
    }
    m /= known;
    meanRisk.set(spec, m);
  }
  return m;
}

function pickWeights(rng: Rng, w: Weights): number {
  return rng.weighted(Object.entries(w).map(([k, v]) => [Number(k), v] as const));
}

function drawPersona(spec: Spec | null, rng: Rng): Persona | null {
  if (!spec) return null;
  const tier = pickWeights(rng, spec.tiers);
  let role = 99;
  let relRisk = 1;
  if (tier !== 99) {
    const roles = spec.roles.filter((r) => r.tier === tier);
    const r = rng.weighted(roles.map((x) => [x, x.share] as const));
    relRisk = r.relRisk / averageRisk(spec);
    role = rng.chance(0.01) ? 99 : r.code;
  }
  return {
    tier,
    role,
    relRisk,
    sizeClass: pickWeights(rng, spec.sizeClass),
    years: pickWeights(rng, spec.years),
    gender: pickWeights(rng, spec.gender),
    age: pickWeights(rng, spec.age),
  };
}

// ------------------------------------------------------------------------------------------ distributions

/** Relative chance that a respondent who met aggression met it in this screener cell. */
const SCREENER_CELL: Record<string, number> = {
  'scr_verbaal.f2f': 0.45,
  'scr_verbaal.tel': 0.2,
  'scr_verbaal.mail': 0.3,
  'scr_verbaal.online': 0.55,
  'scr_verbaal.thuis': 0.08,
  'scr_bedreig.f2f': 0.12,
  'scr_bedreig.tel': 0.06,
  'scr_bedreig.mail': 0.1,
  'scr_bedreig.online': 0.25,
  'scr_bedreig.thuis': 0.05,
  'scr_fysiek.f2f': 0.03,
  'scr_fysiek.thuis': 0.01,
  'scr_schade.werk': 0.03,
  'scr_schade.prive': 0.03,
  'scr_thuis.bezoek': 0.05,
  'scr_thuis.actie': 0.03,
  'scr_thuis.opwacht': 0.02,
  'scr_discrim.f2f': 0.06,
  'scr_discrim.tel': 0.02,
  'scr_discrim.mail': 0.04,
  'scr_discrim.online': 0.1,
  'scr_discrim.thuis': 0.01,
};
const SCREENER_FREQ: Weights = { 2: 0.4, 3: 0.38, 4: 0.14, 5: 0.08 };
const SCREENER_NO: Weights = { 1: 0.985, 98: 0.01, 99: 0.005 };
/** recent_vorm code per screener question; recent_kanaal code per screener row */
const FORM_CODE: Record<string, number> = {
  scr_verbaal: 1,
  scr_bedreig: 2,
  scr_fysiek: 3,
  scr_schade: 4,
  scr_thuis: 5,
  scr_discrim: 6,
};
const CHANNEL_CODE: Record<string, number> = {
  f2f: 1,
  tel: 2,
  mail: 3,
  online: 4,
  thuis: 5,
  prive: 5,
  bezoek: 5,
  actie: 5,
  opwacht: 5,
  werk: 6,
};

interface Ctx {
  rng: Rng;
  persona: Persona | null;
  victim: boolean;
  answers: Record<string, unknown>;
  population?: string;
}

type WeightSpec = Weights | ((ctx: Ctx) => Weights);
const byVictim =
  (yes: Weights, no: Weights): WeightSpec =>
  (ctx) =>
    ctx.victim ? yes : no;

/** Answer distributions per question (or per matrix row as "question.row"); codes missing here are not chosen. */
const SINGLE: Record<string, WeightSpec> = {
  recent_ernst: (ctx) =>
    [2, 3, 5].includes(ctx.answers.recent_vorm as number)
      ? { 1: 0.03, 2: 0.12, 3: 0.3, 4: 0.35, 5: 0.17, 98: 0.02, 99: 0.01 }
      : { 1: 0.12, 2: 0.33, 3: 0.33, 4: 0.15, 5: 0.04, 98: 0.02, 99: 0.01 },
  dader_bekend: { 1: 0.35, 2: 0.58, 98: 0.05, 99: 0.02 },
  motief: (ctx) =>
    ctx.population === 'ambtenaren'
      ? { 1: 0.25, 2: 0.35, 3: 0.12, 4: 0.07, 5: 0.02, 6: 0.12, 7: 0.03, 98: 0.03, 99: 0.01 }
      : { 1: 0.35, 2: 0.2, 3: 0.15, 4: 0.07, 5: 0.08, 6: 0.08, 7: 0.03, 98: 0.03, 99: 0.01 },
  intern_gemeld: (ctx) =>
    [3, 5].includes(ctx.answers.recent_vorm as number) || (ctx.answers.recent_ernst as number) >= 4
      ? { 1: 0.7, 2: 0.26, 98: 0.02, 99: 0.02 }
      : { 1: 0.4, 2: 0.55, 98: 0.03, 99: 0.02 },
  aangifte: (ctx) =>
    [3, 5].includes(ctx.answers.recent_vorm as number) || (ctx.answers.recent_ernst as number) >= 5
      ? { 1: 0.2, 2: 0.08, 3: 0.12, 4: 0.56, 98: 0.03, 99: 0.01 }
      : { 1: 0.03, 2: 0.015, 3: 0.05, 4: 0.875, 98: 0.02, 99: 0.01 },
  geregistreerd: { 1: 0.42, 2: 0.2, 98: 0.36, 99: 0.02 },
  nazorg_ontv: { 1: 0.35, 2: 0.2, 3: 0.4, 98: 0.03, 99: 0.02 },
  nazorg_tevreden: { 1: 0.05, 2: 0.1, 3: 0.2, 4: 0.45, 5: 0.15, 98: 0.03, 99: 0.02 },
  nazorg_cijfer: {
    1: 0.01,
    2: 0.01,
    3: 0.02,
    4: 0.03,
    5: 0.06,
    6: 0.14,
    7: 0.28,
    8: 0.28,
    9: 0.09,
    10: 0.04,
    98: 0.03,
    99: 0.01,
  },
  veilig_gevoel: byVictim(
    { 1: 0.05, 2: 0.17, 3: 0.3, 4: 0.38, 5: 0.07, 98: 0.02, 99: 0.01 },
    { 1: 0.01, 2: 0.03, 3: 0.14, 4: 0.55, 5: 0.25, 98: 0.01, 99: 0.01 },
  ),
  veilig_freq: byVictim(
    { 1: 0.25, 2: 0.3, 3: 0.33, 4: 0.08, 5: 0.02, 98: 0.01, 99: 0.01 },
    { 1: 0.65, 2: 0.22, 3: 0.11, 4: 0.01, 98: 0.005, 99: 0.005 },
  ),
  werkdruk: { 1: 0.01, 2: 0.04, 3: 0.4, 4: 0.4, 5: 0.12, 98: 0.02, 99: 0.01 },
  doxing: byVictim({ 1: 0.12, 2: 0.82, 98: 0.05, 99: 0.01 }, { 1: 0.02, 2: 0.93, 98: 0.04, 99: 0.01 }),
  steun_behoefte: byVictim({ 1: 0.35, 2: 0.55, 98: 0.08, 99: 0.02 }, { 1: 0.15, 2: 0.75, 98: 0.08, 99: 0.02 }),
  training_bekend: { 1: 0.45, 2: 0.5, 98: 0.05 },
  training_gevolgd: { 1: 0.3, 2: 0.15, 3: 0.53, 99: 0.02 },
  aanspreekpunt: { 1: 0.55, 2: 0.2, 98: 0.23, 99: 0.02 },
  int_gemeld: { 1: 0.35, 2: 0.6, 99: 0.05 },
  publiekscontact: (ctx) =>
    [3, 4].includes(ctx.persona?.role ?? 0)
      ? { 1: 0.7, 2: 0.2, 3: 0.05, 4: 0.04, 5: 0.005, 99: 0.005 }
      : { 1: 0.1, 2: 0.2, 3: 0.2, 4: 0.3, 5: 0.19, 99: 0.01 },
  gevolg: { 1: 0.5, 2: 0.35, 3: 0.1, 97: 0.03, 98: 0.01, 99: 0.01 },
  'gevolg.socmed': { 1: 0.45, 2: 0.28, 3: 0.1, 97: 0.15, 98: 0.01, 99: 0.01 },
  vermijden: byVictim(
    { 1: 0.55, 2: 0.3, 3: 0.1, 97: 0.03, 98: 0.01, 99: 0.01 },
    { 1: 0.82, 2: 0.13, 3: 0.02, 97: 0.02, 98: 0.005, 99: 0.005 },
  ),
  'vermijden.online': byVictim(
    { 1: 0.45, 2: 0.3, 3: 0.12, 97: 0.11, 98: 0.01, 99: 0.01 },
    { 1: 0.72, 2: 0.12, 3: 0.03, 97: 0.12, 98: 0.005, 99: 0.005 },
  ),
  int_bekend: { 1: 0.6, 2: 0.3, 3: 0.08, 98: 0.02 },
  'int_bekend.vertrouw': { 1: 0.4, 2: 0.35, 3: 0.22, 98: 0.03 },
  int_vermoeden: { 1: 0.915, 2: 0.025, 3: 0.01, 98: 0.04, 99: 0.01 },
};

/** Per checkbox: chance that each (non-exclusive) choice is ticked; the exclusive choice is picked alone at `only`. */
const MULTI: Record<string, { p: (ctx: Ctx) => Record<number, number>; only?: number }> = {
  dader: {
    p: (ctx) => {
      const online = ctx.answers.recent_kanaal === 4;
      return ctx.population === 'ambtenaren'
        ? { 1: 0.85, 2: 0.08, 3: 0.03, 4: 0.05, 5: 0.03, 6: 0.04, 7: online ? 0.3 : 0.06 }
        : { 1: 0.75, 2: 0.08, 3: 0.08, 4: 0.06, 5: 0.03, 6: 0.04, 7: online ? 0.35 : 0.1 };
    },
    only: 0.01,
  },
  nazorg_van: { p: () => ({ 1: 0.5, 2: 0.45, 3: 0.2, 4: 0.1, 5: 0.1, 6: 0.07, 7: 0.4, 8: 0.03 }), only: 0.01 },
  steun_vorm: { p: () => ({ 1: 0.45, 2: 0.35, 3: 0.2, 4: 0.15, 5: 0.3, 6: 0.35, 7: 0.05 }), only: 0.02 },
  int_meld_bij: { p: () => ({ 1: 0.5, 2: 0.3, 3: 0.25, 4: 0.03, 5: 0.03, 6: 0.08 }), only: 0.03 },
};

/** Optional comments that elaborate an "other" answer are filled more often than general remarks. */
const COMMENT_RATE: Record<string, number> = { dader_anders: 0.5, motief_anders: 0.6 };

const TEXTS = {
  nl: [
    'Geen verdere opmerkingen.',
    'Het voorval heeft lang nagespeeld.',
    'Meer aandacht voor online haat zou goed zijn.',
    'De ondersteuning vanuit de organisatie kwam snel op gang.',
    'Ik mis een duidelijk protocol voor dit soort situaties.',
    'Iemand die ontevreden was over een besluit.',
    'Een buurtbewoner.',
    'Onvrede over de manier waarop een aanvraag was behandeld.',
  ],
  en: [
    'No further comments.',
    'The incident stayed with me for a long time.',
    'More attention to online hate would be welcome.',
    'Support from the organisation started quickly.',
    'I miss a clear protocol for situations like this.',
    'Someone who was unhappy about a decision.',
  ],
};

// ------------------------------------------------------------------------------------------ generation

function resolve(spec: WeightSpec | undefined, ctx: Ctx): Weights | undefined {
  return typeof spec === 'function' ? spec(ctx) : spec;
}

/** Picks among `allowed` using `w` (codes outside `allowed` dropped); undefined if nothing usable. */
function pickAllowed(rng: Rng, w: Weights | undefined, allowed: readonly unknown[]): unknown {
  if (!w) return undefined;
  const items = allowed
    .filter((v) => typeof v === 'number' && (w[v] ?? 0) > 0)
    .map((v) => [v, w[v as number]] as const);
  return items.length ? rng.weighted(items) : undefined;
}

/** Generic distribution: substantive answers evenly, 97/98/99 (n.a., don't know, rather not say) rarely. */
function genericPick(rng: Rng, values: readonly unknown[]): unknown {
  const special: Record<number, number> = { 97: 0.02, 98: 0.03, 99: 0.015 };
  const substantive = values.filter((v) => !(typeof v === 'number' && v in special));
  const rest = 1 - values.reduce<number>((a, v) => a + (typeof v === 'number' && v in special ? special[v] : 0), 0);
  const items = values.map(
    (v) => [v, typeof v === 'number' && v in special ? special[v] : rest / Math.max(1, substantive.length)] as const,
  );
  return rng.weighted(items);
}

function planScreener(plan: Plan, ctx: Ctx): Map<string, Record<string, number>> {
  const { rng } = ctx;
  const cells: Array<[string, string, number]> = [];
  for (const q of plan.questions) {
    if (q.type !== 'matrix' || !q.name.startsWith(SCREENER_PREFIX)) continue;
    for (const row of q.rows) cells.push([q.name, row, SCREENER_CELL[`${q.name}.${row}`] ?? 0.1]);
  }
  const out = new Map<string, Record<string, number>>();
  const hits = new Set<number>();
  if (ctx.victim && cells.length) {
    cells.forEach(([, , p], i) => rng.chance(p) && hits.add(i));
    if (hits.size === 0) hits.add(rng.weighted(cells.map((c, i) => [i, c[2]] as const)));
  }
  cells.forEach(([q, row], i) => {
    const value = hits.has(i) ? pickWeights(rng, SCREENER_FREQ) : pickWeights(rng, SCREENER_NO);
    if (!out.has(q)) out.set(q, {});
    out.get(q)![row] = value;
  });
  return out;
}

/** recent_vorm / recent_kanaal in line with what the screener reported. */
function recentIncident(q: CQ, ctx: Ctx): unknown {
  const { rng, answers } = ctx;
  const met: Array<[string, string, number]> = [];
  for (const [name, value] of Object.entries(answers)) {
    if (!name.startsWith(SCREENER_PREFIX) || !value || typeof value !== 'object') continue;
    for (const [row, v] of Object.entries(value as Record<string, number>))
      if (SCREENER_YES.includes(v)) met.push([name, row, v]);
  }
  const allowed = q.choices.map((c) => c.value);
  if (!met.length) return undefined;
  if (rng.chance(0.02)) return pickAllowed(rng, { 98: 0.5, 99: 0.5 }, allowed);
  if (q.name === 'recent_vorm') {
    const w: Weights = {};
    for (const [name, , v] of met) if (FORM_CODE[name]) w[FORM_CODE[name]] = (w[FORM_CODE[name]] ?? 0) + v - 1;
    return pickAllowed(rng, w, allowed);
  }
  const form = Object.entries(FORM_CODE).find(([, code]) => code === answers.recent_vorm)?.[0];
  const rows = met.filter(([name]) => !form || name === form);
  const w: Weights = {};
  for (const [, row, v] of rows.length ? rows : met)
    if (CHANNEL_CODE[row]) w[CHANNEL_CODE[row]] = (w[CHANNEL_CODE[row]] ?? 0) + v - 1;
  return pickAllowed(rng, w, allowed);
}

function personaAnswer(q: CQ, ctx: Ctx): unknown {
  const p = ctx.persona;
  if (!p) return undefined;
  const allowed = q.choices.map((c) => c.value);
  const want: Record<string, number> = {
    bestuurslaag: p.tier,
    functie: p.role,
    functie_gem: p.role,
    functie_prov: p.role,
    functie_ws: p.role,
    gemeente_grootte: p.sizeClass,
    jaren_functie: p.years,
    jaren_dienst: p.years,
    geslacht: p.gender,
    leeftijd: p.age,
  };
  if (!(q.name in want)) return undefined;
  const v = want[q.name];
  if (allowed.includes(v)) return v;
  return allowed.includes(99) ? 99 : undefined;
}

function answerChoice(q: CQ, ctx: Ctx): unknown {
  const allowed = q.choices.map((c) => c.value);
  if (!allowed.length) return undefined;
  if (q.name === 'recent_vorm' || q.name === 'recent_kanaal') {
    const v = recentIncident(q, ctx);
    if (v !== undefined) return v;
  }
  const fromPersona = personaAnswer(q, ctx);
  if (fromPersona !== undefined) return fromPersona;
  return pickAllowed(ctx.rng, resolve(SINGLE[q.name], ctx), allowed) ?? genericPick(ctx.rng, allowed);
}

function answerCheckbox(q: CQ, ctx: Ctx): unknown[] | undefined {
  const { rng } = ctx;
  const exclusive = q.choices.filter((c) => c.exclusive).map((c) => c.value);
  const regular = q.choices.filter((c) => !c.exclusive).map((c) => c.value);
  const spec = MULTI[q.name];
  if (exclusive.length && (!regular.length || rng.chance(spec?.only ?? 0.02))) return [rng.pick(exclusive)];
  if (!regular.length) return undefined;
  const p = spec?.p(ctx);
  const chosen = regular.filter((v) => rng.chance(p && typeof v === 'number' && v in p ? p[v] : 1.5 / regular.length));
  if (!chosen.length) {
    const w = regular.map((v) => [v, p && typeof v === 'number' && v in p ? p[v] : 1] as const);
    chosen.push(rng.weighted(w.some(([, x]) => x > 0) ? w : regular.map((v) => [v, 1] as const)));
  }
  return chosen;
}

function answerMatrix(q: CQ, ctx: Ctx, screener: Map<string, Record<string, number>> | null): Record<string, unknown> {
  const planned = screener?.get(q.name);
  const out: Record<string, unknown> = {};
  for (const row of q.rows) {
    if (planned && planned[row] !== undefined && q.columns.includes(planned[row])) {
      out[row] = planned[row];
      continue;
    }
    const w = resolve(SINGLE[`${q.name}.${row}`], ctx) ?? resolve(SINGLE[q.name], ctx);
    out[row] = pickAllowed(ctx.rng, w, q.columns) ?? genericPick(ctx.rng, q.columns);
  }
  return out;
}

function answerNumber(q: CQ, ctx: Ctx): number {
  const min = q.min ?? 0;
  const max = Math.max(min, q.max ?? min + 100);
  if (q.name === 'recent_maanden') {
    // recent incidents are remembered more often
    const span = max - min + 1;
    return min + Math.min(span - 1, Math.floor(span * Math.pow(ctx.rng.next(), 1.8)));
  }
  return ctx.rng.int(Math.ceil(min), Math.floor(max));
}

function answerText(q: CQ, locale: 'nl' | 'en', rng: Rng): string {
  if (q.inputType === 'email') return `persoon${rng.int(1, 9999)}@example.org`;
  const text = rng.pick(TEXTS[locale]);
  return text.slice(0, q.maxLength);
}

/**
 * A completed, valid answer set for a questionnaire version (a questionnaire file, or anything with `survey`).
 * Answers only visible questions, in definition order, so the routing holds.
 */
export function synthAnswers(file: QuestionnaireLike, rng: Rng, opts: SynthOptions = {}): Record<string, unknown> {
  const plan = compile(file);
  const persona = drawPersona(specFor(file.population), rng);
  const target = opts.aggressionRate ?? defaultAggressionRate(file.population, file.edition);
  const pVictim = Math.min(0.97, Math.max(0, target * (persona?.relRisk ?? 1)));
  const answers: Record<string, unknown> = {};
  const ctx: Ctx = { rng, persona, victim: rng.chance(pVictim), answers, population: file.population };
  const commentRate = opts.commentRate ?? 0.05;
  const optionalRate = opts.optionalRate ?? 0.85;
  const locale = opts.locale ?? 'nl';
  let screener: Map<string, Record<string, number>> | null = null;
  const conditions = new Conditions(answers);

  for (const q of plan.questions) {
    if (!conditions.all(q.conds)) continue;
    let value: unknown;
    switch (q.type) {
      case 'radiogroup':
      case 'dropdown':
      case 'rating':
        if (!q.required && !rng.chance(optionalRate)) continue;
        value = answerChoice(q, ctx);
        break;
      case 'checkbox':
        if (!q.required && !rng.chance(optionalRate)) continue;
        value = answerCheckbox(q, ctx);
        break;
      case 'matrix':
        if (q.name.startsWith(SCREENER_PREFIX) && !screener) screener = planScreener(plan, ctx);
        value = answerMatrix(q, ctx, screener);
        break;
      case 'boolean':
        if (!q.required && !rng.chance(optionalRate)) continue;
        value = rng.chance(0.5) ? q.valueTrue : q.valueFalse;
        break;
      case 'text':
        if (q.inputType === 'number') {
          if (!q.required && !rng.chance(optionalRate)) continue;
          value = answerNumber(q, ctx);
        } else {
          if (!q.required && !rng.chance(commentRate)) continue;
          value = answerText(q, locale, rng);
        }
        break;
      case 'comment':
        if (!q.required && !rng.chance(COMMENT_RATE[q.name] ?? commentRate)) continue;
        value = answerText(q, locale, rng);
        break;
      default:
        continue;
    }
    if (value !== undefined) conditions.set(q.name, value);
  }
  return answers;
}

/** `count` answer sets from one seed (each set from its own forked generator, so sets are independent of count). */
export function synthAnswerSets(
  file: QuestionnaireLike,
  count: number,
  seed: number | string = 1,
  opts: SynthOptions = {},
): Array<Record<string, unknown>> {
  const base = createRng(seed);
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i++) out.push(synthAnswers(file, base.fork(i), opts));
  return out;
}
