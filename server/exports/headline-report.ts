/**
 * Headline tables of one wave, with the previous edition of the same questionnaire for the change, suppression of
 * small cells, and optional post-stratification on a kept attribute (population counts from the sample frame: the
 * wave's invitations, or the counts kept when the wave was purged).
 */
import type { Db } from '../shared/data/connection';
import { responsePages } from '../respondent/data/responses';
import { listWaves, WaveRow } from '../fielding/data/waves';
import type { LocalizedText } from '../questionnaires/questionnaire-file';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { keptAttributes, wavePhase } from '../fielding/wave-rules';
import { modelOf } from './files/dataset-spec';
import { ExportRefusedError, frameCounts, populationSource } from './dataset-export';
import { breakdownsFor, HeadlineCounter, indicatorsFor, Indicator } from './files/headline';
import {
  change,
  Change,
  estimate,
  Estimate,
  rakingWeights,
  suppress,
  Suppression,
  Weighting,
  weightsFor,
} from './files/headline-stats';
import { variableMapFor } from './files/variable-map';

export interface HeadlineCell {
  category: string;
  label: LocalizedText;
  /** null when suppressed */
  estimate: Estimate | null;
  suppressed: Suppression;
  previous: Estimate | null;
  change: Change | null;
}

export interface HeadlineTable {
  indicator: { id: string; label: LocalizedText; base: 'all' | 'victims' };
  breakdown: { id: string; label: LocalizedText };
  /** the indicator's questions are unchanged since the previous edition */
  comparable: boolean;
  cells: HeadlineCell[];
}

export interface HeadlineReport {
  wave: { id: string; name: string; edition: string };
  previous: { id: string; name: string; edition: string } | null;
  weighting: {
    by: string;
    strata: number;
    uncoveredPopulation: number;
    unweightedResponses: number;
    census: boolean;
    previousWeighted: boolean;
    population: 'administrator' | 'frame';
  } | null;
  /** what the reader must know about the weighting and the comparison, in Dutch and English */
  notes: LocalizedText[];
  k: number;
  rows: number;
  tables: HeadlineTable[];
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** separates the values of the raking attributes in a cell's key */
const CELL = '\u0001';

async function count(db: Db, wave: WaveRow, counter: HeadlineCounter, weightBy?: string): Promise<void> {
  for await (const page of responsePages(db, wave.id)) {
    for (const r of page) {
      const attrs = weightBy ? (JSON.parse(r.attributes) as Record<string, unknown>) : {};
      const stratum = weightBy
        ? weightBy
            .split(',')
            .map((a) => text(attrs[a]))
            .join(CELL)
        : '';
      counter.add(JSON.parse(r.answers) as Record<string, unknown>, stratum);
    }
  }
}

/** Whether the wave invited the whole population: the frame's count equals the administrator's total in every stratum. */
async function isCensus(db: Db, wave: WaveRow, attribute: string, totals: Map<string, number>): Promise<boolean> {
  const frame = await frameCounts(db, wave, attribute);
  return totals.size > 0 && [...totals].every(([v, n]) => frame.get(v) === n);
}

/** The latest earlier edition's wave of the same questionnaire key that has responses to compare with. */
async function previousWave(
  db: Db,
  registry: QuestionnaireRegistry,
  wave: WaveRow,
  edition: number,
): Promise<WaveRow | null> {
  const key = registry.get(wave.questionnaire_id)?.key;
  const candidates = (await listWaves(db)).filter((w) => {
    const q = registry.get(w.questionnaire_id);
    return w.id !== wave.id && !w.is_demo && q?.key === key && Number(q?.edition) < edition;
  });
  candidates.sort(
    (a, b) =>
      Number(registry.get(b.questionnaire_id)?.edition) - Number(registry.get(a.questionnaire_id)?.edition) ||
      b.created_at.localeCompare(a.created_at),
  );
  return candidates[0] ?? null;
}

function comparable(registry: QuestionnaireRegistry, wave: WaveRow, previous: WaveRow, ind: Indicator): boolean {
  const current = registry.get(wave.questionnaire_id);
  const before = registry.get(previous.questionnaire_id);
  if (!current || !before) return false;
  const map = variableMapFor(registry.list().filter((q) => q.key === current.key));
  const from = map.editions.findIndex((e) => map.versions[e] === before.version);
  const to = map.editions.findIndex((e) => map.versions[e] === current.version);
  if (from < 0 || to <= from) return false;
  const vars = map.variables.filter((v) => ind.questions.includes(v.editions[map.editions[to]]?.question ?? ''));
  return (
    vars.length > 0 &&
    vars.every((v) => map.editions.slice(from + 1, to + 1).every((e) => v.editions[e]?.status === 'same'))
  );
}

interface Computed {
  counter: HeadlineCounter;
  weighting?: Weighting;
}

/** Estimates and suppression for every cell of one wave's counts. */
function cellsOf(c: Computed, ind: Indicator, k: number) {
  const result = new Map<string, { estimate: Estimate; suppressed: Suppression }>();
  const b = c.counter.breakdowns;
  const keys: string[] = [];
  const counts: number[] = [];
  const groups = new Map<string, number[]>();
  for (const br of b) {
    for (const cat of br.categories) {
      const strata = c.counter.cells.get(`${ind.id}|${br.id}|${cat.key}`);
      if (!strata) continue;
      const e = estimate(strata, c.weighting);
      const i = keys.push(`${br.id}|${cat.key}`) - 1;
      counts.push(e.n);
      result.set(keys[i], { estimate: e, suppressed: null });
      const g = `${br.id}|${cat.parent ?? ''}`;
      groups.set(g, [...(groups.get(g) ?? []), i]);
    }
  }
  let marks = suppress(counts, [...groups.values()], k);
  // a suppressed tier must not be the visible sum of its roles: hide at least one role too, then re-check the groups
  for (let round = 0; round < 3; round++) {
    let changed = false;
    keys.forEach((key, i) => {
      if (!key.startsWith('tier|') || marks[i] === null) return;
      const children = keys
        .map((k2, j) => [k2, j] as const)
        .filter(([k2]) => k2.startsWith(`role|${key.slice(5)}:`))
        .map(([, j]) => j);
      if (children.length > 0 && children.every((j) => marks[j] === null)) {
        marks[children.sort((x, y) => counts[x] - counts[y])[0]] = 'secondary';
        changed = true;
      }
    });
    if (!changed) break;
    marks = suppress(counts, [...groups.values()], k, marks);
  }
  keys.forEach((key, i) => ((result.get(key) as { suppressed: Suppression }).suppressed = marks[i]));
  return result;
}

export async function headlineReport(
  db: Db,
  registry: QuestionnaireRegistry,
  wave: WaveRow,
  opts: { k: number; weightBy?: string; census?: boolean; today?: string },
): Promise<HeadlineReport> {
  const q = registry.get(wave.questionnaire_id);
  if (!q) throw new ExportRefusedError(`questionnaire version ${wave.questionnaire_id} is not loaded`);
  const by = opts.weightBy ? opts.weightBy.split(',') : [];
  for (const a of by)
    if (!keptAttributes(wave).includes(a))
      throw new ExportRefusedError(`"${a}" is not an attribute kept with the answers of this wave`);
  if (new Set(by).size !== by.length) throw new ExportRefusedError('each weighting attribute once');
  let source = 'unknown' as 'administrator' | 'frame' | 'unknown';
  const compute = async (w: WaveRow, weightBy?: string): Promise<Computed> => {
    const m = modelOf(registry.get(w.questionnaire_id) as typeof q);
    const counter = new HeadlineCounter(indicatorsFor(m), breakdownsFor(m));
    await count(db, w, counter, weightBy);
    if (!weightBy) return { counter };
    if (weightBy.includes(',')) {
      // raking over several attributes, to each one's population totals
      const attrs = weightBy.split(',');
      const margins = [];
      for (let i = 0; i < attrs.length; i++) {
        const population = await populationSource(db, w, attrs[i]);
        if (w.id === wave.id && population.source === 'frame') source = 'frame';
        margins.push({
          valueOf: new Map([...counter.strata.keys()].map((c) => [c, c.split(CELL)[i]])),
          totals: population.counts,
        });
      }
      if (w.id === wave.id && source !== 'frame') source = 'administrator';
      return { counter, weighting: rakingWeights(counter.strata, margins) };
    }
    const population = await populationSource(db, w, weightBy);
    if (w.id === wave.id) source = population.source;
    // a census: the administrator's population totals are what the wave invited, stratum by stratum
    const census =
      opts.census ?? (population.source === 'administrator' && (await isCensus(db, w, weightBy, population.counts)));
    return { counter, weighting: weightsFor(counter.strata, population.counts, census) };
  };
  const current = await compute(wave, opts.weightBy);
  if (current.counter.rows > 0 && current.counter.rows < opts.k)
    throw new ExportRefusedError(`the wave has ${current.counter.rows} responses, fewer than k = ${opts.k}`);
  const edition = Number(q.edition);
  const prevWave = Number.isFinite(edition) ? await previousWave(db, registry, wave, edition) : null;
  const prevWeightBy =
    prevWave && opts.weightBy && by.every((a) => keptAttributes(prevWave).includes(a)) ? opts.weightBy : undefined;
  const prev = prevWave ? await compute(prevWave, prevWeightBy) : null;
  const usablePrev = prev && prev.counter.rows >= opts.k ? prev : null;

  const tables: HeadlineTable[] = [];
  for (const ind of current.counter.indicators) {
    const cells = cellsOf(current, ind, opts.k);
    const prevInd = usablePrev?.counter.indicators.find((i) => i.id === ind.id);
    const prevCells = usablePrev && prevInd ? cellsOf(usablePrev, prevInd, opts.k) : null;
    const isComparable = !!(prevWave && prevInd && comparable(registry, wave, prevWave, ind));
    for (const br of current.counter.breakdowns) {
      const rows: HeadlineCell[] = [];
      for (const cat of br.categories) {
        const c = cells.get(`${br.id}|${cat.key}`);
        if (!c) continue;
        const p = prevCells?.get(`${br.id}|${cat.key}`);
        const previous = p && !p.suppressed && isComparable ? p.estimate : null;
        const shown = c.suppressed ? null : c.estimate;
        rows.push({
          category: cat.key,
          label: cat.label,
          estimate: shown,
          suppressed: c.suppressed,
          previous,
          change: shown && previous ? change(shown, previous) : null,
        });
      }
      if (rows.length > 0)
        tables.push({
          indicator: { id: ind.id, label: ind.label, base: ind.base },
          breakdown: { id: br.id, label: br.label },
          comparable: isComparable,
          cells: rows,
        });
    }
  }
  let weighting: HeadlineReport['weighting'] = null;
  if (opts.weightBy && current.weighting) {
    const w = current.weighting;
    const uncovered = [...w.population].filter(([h]) => !w.sampled.get(h)).reduce((s, [, n]) => s + n, 0);
    const unweighted = [...w.sampled].filter(([h]) => !(w.weight.get(h) ?? 0)).reduce((s, [, n]) => s + n, 0);
    weighting = {
      by: opts.weightBy,
      strata: w.weight.size,
      uncoveredPopulation: uncovered,
      unweightedResponses: unweighted,
      census: w.census,
      previousWeighted: !!prevWeightBy,
      population: source === 'administrator' ? 'administrator' : 'frame',
    };
  }
  const notes: LocalizedText[] = [];
  if (wavePhase(wave, opts.today ?? new Date().toISOString().slice(0, 10)) !== 'closed') {
    notes.push({
      nl: 'VOORLOPIG: de golf staat nog open; de cijfers veranderen nog.',
      en: 'INTERIM: the wave is still open; the figures will change.',
    });
  }
  if (weighting) {
    const how =
      by.length > 1
        ? {
            nl: `Gewogen (raking, zoals rake() van R's survey-pakket) naar ${by.join(' en ')}`,
            en: `Weighted (raking, as rake() in R's survey package) on ${by.join(' and ')}`,
          }
        : null;
    if (how) {
      notes.push(
        source === 'administrator'
          ? {
              nl: `${how.nl}, met de populatieaantallen die de beheerder opgaf; 95%-interval: logit-interval zoals svyciprop.`,
              en: `${how.en}, to the population totals the administrator supplied; 95% interval: the logit interval of svyciprop.`,
            }
          : {
              nl: `${how.nl}; voor minstens één kenmerk gaf de beheerder geen populatieaantallen op en gelden de aantallen van het steekproefkader; 95%-interval: logit-interval zoals svyciprop.`,
              en: `${how.en}; for at least one attribute no population totals were supplied and the sample frame's counts stand in; 95% interval: the logit interval of svyciprop.`,
            },
      );
    } else
      notes.push(
        source === 'administrator'
          ? {
              nl: `Gewogen (poststratificatie) naar ${weighting.by}, met de populatieaantallen die de beheerder opgaf; 95%-interval: logit-interval zoals svyciprop van R's survey-pakket.`,
              en: `Weighted (post-stratification) on ${weighting.by}, to the population totals the administrator supplied; 95% interval: the logit interval of svyciprop in R's survey package.`,
            }
          : {
              nl: `Gewogen (poststratificatie) naar ${weighting.by}, met de aantallen van het steekproefkader (de uitnodigingen) als populatie, want de beheerder gaf geen populatieaantallen op; 95%-interval: logit-interval zoals svyciprop van R's survey-pakket.`,
              en: `Weighted (post-stratification) on ${weighting.by}, with the sample frame's counts (the invitations) as the population, since no population totals were supplied; 95% interval: the logit interval of svyciprop in R's survey package.`,
            },
      );
    notes.push(
      weighting.census
        ? {
            nl: 'Eindige-populatiecorrectie toegepast: de golf nodigde de hele populatie uit (een volledige telling).',
            en: 'Finite-population correction applied: the wave invited the whole population (a census).',
          }
        : {
            nl: 'Geen eindige-populatiecorrectie: de uitgenodigden gelden als steekproef uit de populatie.',
            en: 'No finite-population correction: those invited are taken as a sample of the population.',
          },
    );
    if (usablePrev && !weighting.previousWeighted) {
      notes.push({
        nl: `De vorige editie kon niet naar ${weighting.by} gewogen worden (niet bewaard): haar cijfers zijn ongewogen, de verandering vergelijkt een gewogen met een ongewogen cijfer.`,
        en: `The previous edition could not be weighted on ${weighting.by} (not kept): its figures are unweighted, so the change compares a weighted with an unweighted figure.`,
      });
    }
  }
  const editionOf = (w: WaveRow) => String(registry.get(w.questionnaire_id)?.edition ?? '');
  return {
    wave: { id: wave.id, name: wave.name, edition: String(q.edition) },
    previous: prevWave && usablePrev ? { id: prevWave.id, name: prevWave.name, edition: editionOf(prevWave) } : null,
    weighting,
    notes,
    k: opts.k,
    rows: current.counter.rows,
    tables,
  };
}
