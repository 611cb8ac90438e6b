/**
 * The dataset of one wave, or the trend file of several waves of one questionnaire key, in two passes over the
 * stored responses. The first reads every response once and keeps only counts: the combinations of its
 * quasi-identifiers (for disclosure control, disclosure.ts), the UTF-8 length of the longest text per column, and the
 * ids (to read the rows again in a fresh random order). The second reads the rows in that order, in batches, and
 * streams them to the chosen writer with a fresh random row id each. Neither pass holds the answers in memory.
 */
import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { countWaveInvitations, countWaveInvitationsByAttribute } from '../fielding/data/invitations';
import { ExportResponseRow, responsePages, responsesByIds } from '../respondent/data/responses';
import { listPopulationTotals, populationSizeOf } from '../fielding/data/population-totals';
import { listWaveFinalCounts } from '../fielding/data/wave-final-counts';
import type { WaveRow } from '../fielding/data/waves';
import type { LocalizedText } from '../questionnaires/questionnaire-file';
import type { QuestionnaireRegistry, RegisteredQuestionnaire } from '../questionnaires/registry';
import { keptAttributes, wavePhase } from '../fielding/wave-rules';
import {
  Cell,
  Column,
  DatasetSpec,
  buildDatasetSpec,
  editionOf,
  MISSING,
  MISSING_LABELS,
  modelOf,
} from './files/dataset-spec';
import { DeclaredLevel, declarationFor, DisclosureDeclaration } from './files/disclosure-declaration';
import { DisclosureReport, KeyCounter, planRelease, QiSpec, ReleasePlan, SUPPRESSED } from './files/disclosure';
import type { Answers } from './files/routing';
import { emptyCounts, RedactionCounts, scrubber } from './files/scrub';
import { variableMapFor } from './files/variable-map';
import { ConflictError } from '../shared/errors';

/** The export cannot be made (too few responses, versions the variable map does not know, …): nothing was written. */
/** An export that cannot be made (too few responses, unknown attribute): refused before any byte is written. */
export class ExportRefusedError extends ConflictError {}

/** SPSS's longest string (bytes). */
export const MAX_STRING_BYTES = 32767;

export interface ExportReport {
  disclosure: DisclosureReport;
  /** an interim release: made while a wave in it was open */
  interim: boolean;
  /** text columns whose longest value is longer than a .sav string can hold (cut in .sav only) */
  cuts: Array<{ column: string; longestBytes: number; rows: number }>;
}

export interface PreparedDataset {
  spec: DatasetSpec;
  plan: ReleasePlan;
  report: ExportReport;
  waves: WaveRow[];
  rows: number;
  redactions: RedactionCounts;
  /** label language of the file */
  lang: 'nl' | 'en';
  /** the dataset's rows, read again from the database in a fresh random order as they are consumed */
  rowsOf(): AsyncGenerator<Cell[]>;
}

export interface ExportSummary {
  rows: number;
  columns: number;
  redactions: RedactionCounts;
  disclosure: DisclosureReport;
}

export function questionnairesOf(registry: QuestionnaireRegistry, waves: WaveRow[]): RegisteredQuestionnaire[] {
  return waves.map((w) => {
    const q = registry.get(w.questionnaire_id);
    if (!q) throw new ExportRefusedError(`questionnaire version ${w.questionnaire_id} of wave ${w.id} is not loaded`);
    return q;
  });
}

/** All versions of the key, in version order, for the variable map. */
function versionsOfKey(registry: QuestionnaireRegistry, key: string): RegisteredQuestionnaire[] {
  return registry.list().filter((q) => q.key === key);
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const SCREENER_YES = new Set([2, 3, 4, 5]);

/* ------------------------------------------------------------------ quasi-identifiers at run time */

interface RuntimeQi {
  name: string;
  kind: 'period' | 'language' | 'attribute' | 'answer';
  /** the column that holds it (-1: the period, written as text) */
  column: number;
  spec: QiSpec;
  /** level-0 labels */
  labels: Map<number, LocalizedText>;
  /** attributes and language: value -> level-0 code */
  codes?: Map<string, number>;
  declaredLevels: DeclaredLevel[];
  attribute?: string;
  questions?: string[];
}

const codeAt = (i: number) => (i + 1 >= SUPPRESSED ? i + 8 : i + 1); // skip the missing range 93..99

function valueCoder(qi: RuntimeQi, value: string): number {
  const codes = qi.codes as Map<string, number>;
  let c = codes.get(value);
  if (c === undefined) {
    c = codeAt(codes.size);
    codes.set(value, c);
    qi.labels.set(c, value === '' ? { nl: '(leeg)', en: '(empty)' } : { nl: value, en: value });
  }
  return c;
}

/** Level maps of a declared hierarchy; members are level-0 codes, or values coded by `code`. */
function levelSpecs(levels: DeclaredLevel[], code: (m: number | string) => number) {
  return levels.map((l, li) => ({
    name: l.name,
    map: new Map(
      l.groups.flatMap((g, gi) => g.members.map((m) => [code(m), 100 * (li + 1) + gi + 1] as [number, number])),
    ),
    labels: l.groups.map((g, gi) => ({ value: 100 * (li + 1) + gi + 1, label: g.label })),
  }));
}

function monthCode(month: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? Number(m[1]) * 100 + Number(m[2]) : 0;
}

export const PERIOD_LEVELS = ['month', 'quarter', 'year', 'none'] as const;

/** The period released at a level, as text (CSV, xlsx), from its code at that level (yyyymm, yyyyq, yyyy, 0). */
export function periodText(code: number, level: number): string {
  if (code === 0 || level >= 3) return '';
  if (level === 2) return String(code);
  if (level === 1) return `${Math.floor(code / 10)}-Q${code % 10}`;
  return `${Math.floor(code / 100)}-${String(code % 100).padStart(2, '0')}`;
}

function periodSpec(months: Set<number>): QiSpec {
  const at = (lvl: number) =>
    new Map(
      [...months].map((c) => [
        c,
        lvl === 3
          ? 0
          : lvl === 2
            ? Math.floor(c / 100)
            : lvl === 1
              ? Math.floor(c / 100) * 10 + Math.floor(((c % 100) - 1) / 3) + 1
              : c,
      ]),
    );
  return {
    name: 'submitted_month',
    importance: 0,
    local: false,
    levels: [1, 2, 3].map((l) => ({ name: PERIOD_LEVELS[l], map: at(l), labels: [] })),
  };
}

function buildQis(
  decl: DisclosureDeclaration,
  spec: DatasetSpec,
  attributes: string[],
  declared: RegisteredQuestionnaire['sampleAttributes'],
): RuntimeQi[] {
  const col = (name: string) => spec.columns.findIndex((c) => c.name === name);
  const qis: RuntimeQi[] = [];
  qis.push({
    name: 'submitted_month',
    kind: 'period',
    column: -1,
    spec: { name: 'submitted_month', importance: 0, local: false, levels: [] },
    labels: new Map(),
    declaredLevels: [],
  });
  const lang: RuntimeQi = {
    name: 'language',
    kind: 'language',
    column: col('language'),
    declaredLevels: [],
    spec: { name: 'language', importance: decl.language.importance, local: true, levels: [] },
    labels: new Map([
      [1, { nl: 'Nederlands', en: 'Dutch' }],
      [2, { nl: 'Engels', en: 'English' }],
    ]),
    codes: new Map([
      ['nl', 1],
      ['en', 2],
    ]),
  };
  qis.push(lang);
  const attrColumns = spec.columns.filter((c) => c.role === 'attribute');
  attributes.forEach((a, i) => {
    const d = decl.attributes[a];
    const qi: RuntimeQi = {
      name: attrColumns[i].name,
      kind: 'attribute',
      column: spec.columns.indexOf(attrColumns[i]),
      attribute: a,
      spec: { name: attrColumns[i].name, importance: d?.importance ?? 2, local: true, levels: [] },
      labels: new Map(),
      codes: new Map(),
      declaredLevels: d?.levels ?? [],
    };
    const sample = declared.get(a);
    for (const [value, label] of sample?.values ?? []) {
      const c = codeAt(qi.codes!.size);
      qi.codes!.set(value, c);
      qi.labels.set(c, label);
    }
    qi.spec.levels = levelSpecs(qi.declaredLevels, (m) => valueCoder(qi, String(m)));
    if (sample) attrColumns[i].label = { nl: `${sample.label.nl} (steekproef)`, en: `${sample.label.en} (sample)` };
    qis.push(qi);
  });
  for (const a of decl.answers) {
    const column = col(a.name);
    if (column < 0) continue; // not in this file
    const c = spec.columns[column];
    c.quasiIdentifier = true;
    qis.push({
      name: a.name,
      kind: 'answer',
      column,
      questions: a.questions,
      declaredLevels: a.levels,
      spec: { name: a.name, importance: a.importance, local: true, levels: levelSpecs(a.levels, Number) },
      labels: new Map(c.valueLabels.filter((v) => v.value < SUPPRESSED).map((v) => [v.value, v.label])),
    });
  }
  return qis;
}

/** Derived columns: declared derived quasi-identifiers (one role variable) and "experienced aggression". */
function addDerivedColumns(spec: DatasetSpec, decl: DisclosureDeclaration, versions: RegisteredQuestionnaire[]): void {
  const missingLabels = MISSING_LABELS.filter((m) => m.value === MISSING.notAsked || m.value === MISSING.noAnswer);
  const missing = spec.columns.find((c) => c.role === 'variable' && c.type === 'numeric')?.missing ?? [];
  for (const a of decl.answers) {
    if (!a.derived || spec.columns.some((c) => c.name === a.name)) continue;
    spec.columns.push({
      name: a.name,
      label: a.derived.label,
      type: 'numeric',
      role: 'derived',
      measure: 'nominal',
      missing,
      rule: a.derived.rule,
      valueLabels: [...a.derived.values, ...missingLabels],
      quasiIdentifier: true,
    });
  }
  if (versions.some((q) => modelOf(q).questions.some((x) => x.type === 'matrix' && x.name.startsWith('scr_')))) {
    spec.columns.push({
      name: 'agressie_ervaren',
      label: { nl: 'Agressie meegemaakt (12 maanden)', en: 'Experienced aggression (12 months)' },
      type: 'numeric',
      role: 'derived',
      measure: 'nominal',
      missing,
      rule: {
        nl: '1 als minstens één cel van de screener (de matrixvragen scr_*) code 2 tot en met 5 heeft (een keer of vaker); anders 0. Weet niet (98) en zeg ik liever niet (99) tellen niet mee.',
        en: "1 when at least one cell of the screener (the scr_* matrix questions) holds code 2 to 5 (once or more); otherwise 0. Don't know (98) and rather not say (99) do not count.",
      },
      valueLabels: [
        { value: 1, label: { nl: 'Ja', en: 'Yes' } },
        { value: 0, label: { nl: 'Nee', en: 'No' } },
      ],
    });
  }
}

function experiencedAggression(a: Answers, screener: string[]): number {
  for (const name of screener) {
    const m = a[name] as Record<string, unknown> | undefined;
    if (!m || typeof m !== 'object') continue;
    for (const v of Object.values(m)) if (SCREENER_YES.has(v as number)) return 1;
  }
  return 0;
}

/**
 * Population counts per value of an attribute for weighting: the administrator's totals when the wave has them for
 * it, else the sample frame's counts (the invitations, or the counts kept when the wave was purged).
 */
export async function populationCounts(db: Db, wave: WaveRow, attribute: string): Promise<Map<string, number>> {
  return (await populationSource(db, wave, attribute)).counts;
}

export async function populationSource(
  db: Db,
  wave: WaveRow,
  attribute: string,
): Promise<{ counts: Map<string, number>; source: 'administrator' | 'frame' }> {
  const totals = await listPopulationTotals(db, wave.id, attribute);
  if (totals.length > 0)
    return { counts: new Map(totals.map((t) => [t.value, Number(t.total)])), source: 'administrator' };
  return { counts: await frameCounts(db, wave, attribute), source: 'frame' };
}

/** The sample frame's counts per value: the invitations, or the counts kept when the wave was purged. */
export async function frameCounts(db: Db, wave: WaveRow, attribute: string): Promise<Map<string, number>> {
  if (wave.purged_at) {
    const rows = await listWaveFinalCounts(db, wave.id);
    return new Map(rows.filter((r) => r.attribute === attribute).map((r) => [r.value, Number(r.invited)]));
  }
  const rows = await countWaveInvitationsByAttribute(db, wave.id, attribute);
  return new Map(rows.map((r) => [r.value ?? '', Number(r.invited)]));
}

/** Population size / responses per wave, for the population frequencies of the risk measure (1 when unknown): the
 *  population the administrator's totals give, else the sample frame's size. A frame that is itself a sample of the
 *  population (totals supplied) would otherwise make every combination look rarer in the population than it is. */
async function samplingWeight(db: Db, wave: WaveRow, responses: number): Promise<number> {
  const population = await populationSizeOf(db, wave.id);
  if (population !== null) return population > responses && responses > 0 ? population / responses : 1;
  let frame: number;
  if (wave.purged_at) {
    frame = (await listWaveFinalCounts(db, wave.id))
      .filter((r) => r.attribute === '')
      .reduce((s, r) => s + Number(r.invited), 0);
  } else {
    frame = Number((await countWaveInvitations(db, wave.id))?.invited ?? 0);
  }
  return frame > responses && responses > 0 ? frame / responses : 1;
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Fresh random UUIDs (v4), drawn from a buffer of random bytes for speed. */
function randomIds(): () => string {
  let buf = Buffer.alloc(0);
  let at = 0;
  return () => {
    if (at + 16 > buf.length) {
      buf = crypto.randomBytes(16 * 1024);
      at = 0;
    }
    const b = buf.subarray(at, at + 16);
    at += 16;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}

const BATCH = 500;

/**
 * Plans the export of the given waves (one wave: its dataset; several waves of one key: the trend file). Runs the
 * first pass; refuses when a wave has responses but fewer than k.
 */
export async function prepareDataset(
  db: Db,
  registry: QuestionnaireRegistry,
  waves: WaveRow[],
  opts: { k: number; lang?: 'nl' | 'en'; today?: string; stepShare?: number; weightBy?: string },
): Promise<PreparedDataset> {
  if (waves.length === 0) throw new ExportRefusedError('no waves to export');
  const questionnaires = questionnairesOf(registry, waves);
  const key = questionnaires[0].key;
  if (questionnaires.some((q) => q.key !== key))
    throw new ExportRefusedError('a trend file stacks waves of one questionnaire (population) only');
  const known = versionsOfKey(registry, key);
  const map = variableMapFor(known);
  const decl = declarationFor(known);
  const sources = questionnaires.map((q) => ({ questionnaire: q, edition: editionOf(map, q) }));
  const attributes: string[] = [];
  for (const w of waves) for (const a of keptAttributes(w)) if (!attributes.includes(a)) attributes.push(a);
  const leaveOut = decl.answers.filter((a) => a.derived).flatMap((a) => a.questions);
  if (opts.weightBy?.includes(','))
    throw new ExportRefusedError(
      'a weight variable is post-stratified on one attribute; raking on several is in the headline tables only',
    );
  if (opts.weightBy && !waves.every((w) => keptAttributes(w).includes(opts.weightBy as string))) {
    throw new ExportRefusedError(
      `"${opts.weightBy}" is not an attribute kept with the answers of every wave of this file`,
    );
  }

  const redactions = emptyCounts();
  const spec = buildDatasetSpec(map, sources, attributes, scrubber(redactions), known, leaveOut);
  addDerivedColumns(spec, decl, questionnaires);
  if (opts.weightBy) {
    spec.columns.push({
      name: 'gewicht',
      label: {
        nl: `Gewicht (poststratificatie naar ${opts.weightBy})`,
        en: `Weight (post-stratification on ${opts.weightBy})`,
      },
      type: 'numeric',
      role: 'derived',
      measure: 'scale',
      decimals: 4,
      valueLabels: [],
      missing: [],
      rule: {
        nl: `N_h / n_h: de populatieaantallen per waarde h van ${opts.weightBy} die de beheerder opgaf (anders de aantallen van het steekproefkader, de uitnodigingen), gedeeld door de responsen met die waarde, per golf; voor een samengevoegde groep de sommen over de groep; waar ${opts.weightBy} onderdrukt is (93) het gemiddelde gewicht van de golf (totaal kader / totaal responsen), zodat het gewicht de onderdrukte waarde niet verraadt; 0 voor een waarde zonder aantal in het kader.`,
        en: `N_h / n_h: the population totals per value h of ${opts.weightBy} that the administrator supplied (else the sample frame's counts, the invitations), divided by the responses with that value, per wave; for a merged group the sums over the group; where ${opts.weightBy} is suppressed (93) the wave's mean weight (whole frame / all responses), so that the weight does not give the suppressed value away; 0 for a value without a count in the frame.`,
      },
    });
  }
  const qis = buildQis(decl, spec, attributes, questionnaires[questionnaires.length - 1].sampleAttributes ?? new Map());
  // a second set of readers that return texts as stored: the first pass measures them scrubbed (without counting the
  // redactions), but scrubs only a text that could be the longest: a marker is at most 5/3 of what it replaces
  // (a postcode of 6 characters becomes "[postcode]"), so a text of b bytes is at most 5b/3 bytes scrubbed
  const measuring = buildDatasetSpec(map, sources, attributes, (x) => x, known, leaveOut);
  const scrubForWidth = scrubber(emptyCounts());
  const firstVar = spec.columns.findIndex((c) => c.role === 'variable');
  const textCols = spec.columns
    .map((c, i) => (c.role === 'variable' && c.type === 'string' ? i : -1))
    .filter((i) => i >= 0);
  const longest = new Map<number, number>(textCols.map((i) => [i, 1]));
  const tooLong = new Map<number, number>();

  const versionInfo = new Map<string, { screener: string[]; has: Set<string> }>();
  for (const q of questionnaires) {
    const m = modelOf(q);
    versionInfo.set(q.id, {
      screener: m.questions.filter((x) => x.type === 'matrix' && x.name.startsWith('scr_')).map((x) => x.name),
      has: new Set(m.questions.map((x) => x.name)),
    });
  }

  /** collected codes of a response's quasi-identifiers */
  const codesOf = (r: ExportResponseRow, answers: Answers, attrs: Record<string, unknown>): number[] => {
    const reader = spec.readers.get(r.questionnaire_id);
    const has = (versionInfo.get(r.questionnaire_id) as { has: Set<string> }).has;
    return qis.map((qi) => {
      switch (qi.kind) {
        case 'period':
          return monthCode(r.submitted_on.slice(0, 7));
        case 'language':
          return valueCoder(qi, r.locale ?? '');
        case 'attribute':
          return valueCoder(qi, text(attrs[qi.attribute as string]));
        default: {
          const qs = (qi.questions as string[]).filter((q) => has.has(q));
          if (qs.length === 0) return MISSING.notInEdition;
          for (const q of qs) if (typeof answers[q] === 'number') return answers[q] as number;
          return reader && qs.some((q) => reader.visibility.asked(q, answers)) ? MISSING.noAnswer : MISSING.notAsked;
        }
      }
    });
  };

  // first pass
  const counter = new KeyCounter();
  const ids = new Map<string, string[]>();
  const entryOf = new Map<string, Int32Array>();
  /** each row's rank among the rows of its combination, in first-pass (storage) order */
  const rankOf = new Map<string, Int32Array>();
  const seenOfEntry: number[] = [];
  const months = new Set<number>();
  for (const w of waves) {
    const mine: string[] = [];
    const entries: number[] = [];
    const ranks: number[] = [];
    ids.set(w.id, mine);
    counter.waveOf(w.id);
    for await (const page of responsePages(db, w.id)) {
      for (const r of page) {
        const answers = JSON.parse(r.answers) as Answers;
        const codes = codesOf(r, answers, JSON.parse(r.attributes) as Record<string, unknown>);
        months.add(codes[0]);
        const entry = counter.add(w.id, codes);
        entries.push(entry);
        ranks.push((seenOfEntry[entry] = (seenOfEntry[entry] ?? -1) + 1));
        mine.push(r.id);
        const reader = measuring.readers.get(r.questionnaire_id);
        if (!reader) throw new Error(`response of version ${r.questionnaire_id} in wave ${w.id}`);
        for (const c of textCols) {
          const v = reader.extract[c - firstVar](answers, reader.visibility);
          if (typeof v !== 'string' || v === '') continue;
          const raw = Buffer.byteLength(v);
          if ((raw * 5) / 3 <= (longest.get(c) as number) && raw * 5 <= MAX_STRING_BYTES * 3) continue;
          const bytes = Buffer.byteLength(scrubForWidth(v));
          if (bytes > (longest.get(c) as number)) longest.set(c, bytes);
          if (bytes > MAX_STRING_BYTES) tooLong.set(c, (tooLong.get(c) ?? 0) + 1);
        }
      }
    }
    entryOf.set(w.id, Int32Array.from(entries));
    rankOf.set(w.id, Int32Array.from(ranks));
  }
  for (const w of waves) {
    const n = ids.get(w.id)?.length ?? 0;
    if (n > 0 && n < opts.k)
      throw new ExportRefusedError(
        `wave "${w.name}" has ${n} responses, fewer than k = ${opts.k}: it cannot be exported without identifying people`,
      );
  }
  for (const c of textCols) spec.columns[c].width = Math.min(MAX_STRING_BYTES, longest.get(c) as number);
  const cuts = [...tooLong].map(([c, rows]) => ({
    column: spec.columns[c].name,
    longestBytes: longest.get(c) as number,
    rows,
  }));

  // the period: coarse enough that every period of a wave holds k rows, before the search
  qis[0].spec = periodSpec(months);
  let minPeriod = 0;
  for (; minPeriod < 3; minPeriod++) {
    const sizes = new Map<string, number>();
    for (const e of counter.entries) {
      const p = minPeriod === 0 ? e.codes[0] : (qis[0].spec.levels[minPeriod - 1].map.get(e.codes[0]) as number);
      sizes.set(`${e.wave}:${p}`, (sizes.get(`${e.wave}:${p}`) ?? 0) + e.n);
    }
    if ([...sizes.values()].every((n) => n >= opts.k)) break;
  }
  const weights: number[] = [];
  for (const w of waves) weights.push(await samplingWeight(db, w, ids.get(w.id)?.length ?? 0));

  // the weighting attribute is not recoded globally: merged strata would all get one weight (a release weighted by
  // role with the role recoded to the tier weighs nothing); local suppression protects it, its 93s get the mean weight
  const plan = planRelease(
    counter,
    qis.map((q) => q.spec),
    opts.k,
    {
      weights,
      minLevels: qis.map((_q, i) => (i === 0 ? minPeriod : 0)),
      maxLevels: qis.map((q) =>
        opts.weightBy && q.kind === 'attribute' && q.attribute === opts.weightBy ? 0 : Infinity,
      ),
      stepShare: opts.stepShare,
    },
  );
  const periodLevel = plan.levels[0];

  // value labels of the released codes
  for (let i = 1; i < qis.length; i++) {
    const qi = qis[i];
    const c = spec.columns[qi.column];
    const level = plan.levels[i];
    const merged = level > 0 ? qi.spec.levels[level - 1] : null;
    const own = [...qi.labels].filter(([v]) => !merged?.map.has(v)).map(([value, label]) => ({ value, label }));
    const structural = c.valueLabels.filter((v) => v.value > SUPPRESSED && v.value < 97);
    c.valueLabels = [...own, ...(merged?.labels ?? []), ...structural, MISSING_LABELS[0]].sort(
      (a, b) => a.value - b.value,
    );
    if (qi.kind !== 'answer') c.missing = [SUPPRESSED];
  }
  const periodColumn = spec.columns.find((c) => c.name === 'submitted_month') as Column;
  periodColumn.label = {
    nl: `Periode van invullen (${['maand', 'kwartaal', 'jaar', 'niet vrijgegeven'][periodLevel]})`,
    en: `Period of submission (${PERIOD_LEVELS[periodLevel]}${periodLevel === 3 ? ': not released' : ''})`,
  };

  // weights per wave and released code of the weighting attribute
  const weightColumn = spec.columns.findIndex((c) => c.name === 'gewicht');
  const weightOf = new Map<number, Map<number, number>>();
  if (opts.weightBy) {
    const qiAt = qis.findIndex((q) => q.kind === 'attribute' && q.attribute === opts.weightBy);
    const qi = qis[qiAt];
    const valueOf = new Map([...(qi.codes as Map<string, number>)].map(([v, c]) => [c, v]));
    const level = plan.levels[qiAt];
    const group = (code: number) => (level > 0 ? (qi.spec.levels[level - 1].map.get(code) ?? code) : code);
    for (let wi = 0; wi < waves.length; wi++) {
      const N = await populationCounts(db, waves[wi], opts.weightBy);
      const n = new Map<number, number>();
      for (const e of counter.entries)
        if (e.wave === counter.waveOf(waves[wi].id)) n.set(e.codes[qiAt], (n.get(e.codes[qiAt]) ?? 0) + e.n);
      const byGroup = new Map<number, { N: number; n: number }>();
      let totalN = 0;
      let totaln = 0;
      for (const [code, count] of n) {
        const pop = N.get(valueOf.get(code) ?? '') ?? 0;
        const g = byGroup.get(group(code)) ?? { N: 0, n: 0 };
        g.N += pop;
        g.n += count;
        byGroup.set(group(code), g);
        totaln += count;
        if (pop > 0) totalN += pop;
      }
      const weights = new Map<number, number>([...byGroup].map(([c, g]) => [c, g.n > 0 && g.N > 0 ? g.N / g.n : 0]));
      weights.set(SUPPRESSED, totaln > 0 ? totalN / totaln : 0);
      weightOf.set(counter.waveOf(waves[wi].id), weights);
    }
  }
  const weightQi = opts.weightBy ? qis.findIndex((q) => q.kind === 'attribute' && q.attribute === opts.weightBy) : -1;

  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const interim = waves.some((w) => wavePhase(w, today) !== 'closed');
  const report: ExportReport = { disclosure: plan.report, interim, cuts };

  const editionNumber = new Map(
    waves.map((w, i) => [
      w.id,
      typeof questionnaires[i].edition === 'number' || /^\d+$/.test(String(questionnaires[i].edition))
        ? Number(questionnaires[i].edition)
        : null,
    ]),
  );
  const aggressionColumn = spec.columns.findIndex((c) => c.name === 'agressie_ervaren');
  const nVars = spec.columns.filter((c) => c.role === 'variable').length;

  async function* rowsOf(): AsyncGenerator<Cell[]> {
    const row: Cell[] = new Array(spec.columns.length);
    const newId = randomIds();
    for (const w of waves) {
      const all = ids.get(w.id) as string[];
      const entries = entryOf.get(w.id) as Int32Array;
      const ranks = rankOf.get(w.id) as Int32Array;
      // a fresh random order: positions shuffled, read back in batches by primary key
      const order = shuffle(Array.from({ length: all.length }, (_x, i) => i));
      for (let b = 0; b < order.length; b += BATCH) {
        const batch = order.slice(b, b + BATCH);
        const byId = new Map(
          (
            await responsesByIds(
              db,
              w.id,
              batch.map((i) => all[i]),
            )
          ).map((r) => [r.id, r]),
        );
        for (const pos of batch) {
          const r = byId.get(all[pos]);
          if (!r) continue; // deleted since the first pass: never released unplanned
          const reader = spec.readers.get(r.questionnaire_id);
          if (!reader) throw new Error(`response of version ${r.questionnaire_id} in wave ${w.id}`);
          const answers = JSON.parse(r.answers) as Answers;
          // the combination this row was counted in by the first pass (the stored row does not change: responses
          // are written once), and its rank there: rows diverted in step 3 are the same ones in every release
          const released = plan.releaseRow(entries[pos], ranks[pos]);
          row[0] = newId();
          row[1] = r.wave_id;
          row[2] = editionNumber.get(r.wave_id) ?? null;
          row[3] = r.questionnaire_id;
          row[4] = periodText(released[0], periodLevel);
          const extract = reader.extract;
          for (let i = 0; i < nVars; i++) row[firstVar + i] = extract[i](answers, reader.visibility);
          for (let i = 1; i < qis.length; i++) row[qis[i].column] = released[i];
          if (aggressionColumn >= 0)
            row[aggressionColumn] = experiencedAggression(
              answers,
              (versionInfo.get(r.questionnaire_id) as { screener: string[] }).screener,
            );
          if (weightColumn >= 0)
            row[weightColumn] =
              Math.round(
                ((weightOf.get(counter.waveOf(w.id)) as Map<number, number>).get(released[weightQi]) ?? 0) * 1e4,
              ) / 1e4;
          yield row;
        }
      }
    }
  }
  return { spec, plan, report, waves, rows: counter.rows, redactions, lang: opts.lang ?? 'nl', rowsOf };
}

/** Columns as (name, label) for the labels sheet and the codebook: one line per value label. */
export function labelLines(columns: Column[]): Array<Array<string | number>> {
  const lines: Array<Array<string | number>> = [
    ['variable', 'label_nl', 'label_en', 'type', 'measure', 'value', 'value_label_nl', 'value_label_en', 'missing'],
  ];
  for (const c of columns) {
    lines.push([c.name, c.label.nl, c.label.en, c.type, c.measure, '', '', '', '']);
    for (const v of c.valueLabels)
      lines.push([
        c.name,
        '',
        '',
        '',
        '',
        v.value,
        v.label.nl,
        v.label.en,
        c.missing.includes(v.value) ? 'missing' : '',
      ]);
  }
  return lines;
}

export function summaryOf(p: PreparedDataset, rows: number): ExportSummary {
  return { rows, columns: p.spec.columns.length, redactions: p.redactions, disclosure: p.plan.report };
}
