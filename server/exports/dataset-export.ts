/**
 * The dataset of one wave, or the trend file of several waves of one questionnaire key, in two passes over the
 * stored responses: the first reads only the kept attributes and submission days (to plan disclosure control), the
 * second reads the answers and streams rows to the chosen writer. Neither pass holds the rows in memory.
 */
import type { Db } from '../shared/data/connection';
import { countByMonthAndAttributes, responsePages } from '../respondent/data/responses';
import type { WaveRow } from '../fielding/data/waves';
import type { QuestionnaireRegistry, RegisteredQuestionnaire } from '../questionnaires/registry';
import { keptAttributes } from '../fielding/wave-rules';
import { Cell, Column, DatasetSpec, buildDatasetSpec, editionOf } from './files/dataset-spec';
import { CombinationCounter, DisclosurePlan, DisclosureReport, planDisclosure, WITHHELD } from './files/disclosure';
import { emptyCounts, RedactionCounts, scrubber } from './files/scrub';
import { variableMapFor } from './files/variable-map';
import { ConflictError } from '../shared/errors';

/** The export cannot be made (too few responses, versions the variable map does not know, …): nothing was written. */
/** An export that cannot be made (too few responses, unknown attribute): refused before any byte is written. */
export class ExportRefusedError extends ConflictError {}

export interface PreparedDataset {
  spec: DatasetSpec;
  plan: DisclosurePlan;
  waves: WaveRow[];
  rows: number;
  redactions: RedactionCounts;
  /** label language of the file */
  lang: 'nl' | 'en';
  /** the dataset's rows, read again from the database as they are consumed */
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

/**
 * Plans the export of the given waves (one wave: its dataset; several waves of one key: the trend file). Runs the
 * first pass; refuses when a wave has responses but fewer than k.
 */
export async function prepareDataset(db: Db, registry: QuestionnaireRegistry, waves: WaveRow[], opts: { k: number; lang?: 'nl' | 'en' }): Promise<PreparedDataset> {
  if (waves.length === 0) throw new ExportRefusedError('no waves to export');
  const questionnaires = questionnairesOf(registry, waves);
  const key = questionnaires[0].key;
  if (questionnaires.some((q) => q.key !== key)) throw new ExportRefusedError('a trend file stacks waves of one questionnaire (population) only');
  const known = versionsOfKey(registry, key);
  const map = variableMapFor(known);
  const sources = questionnaires.map((q) => ({ questionnaire: q, edition: editionOf(map, q) }));
  const attributes: string[] = [];
  for (const w of waves) for (const a of keptAttributes(w)) if (!attributes.includes(a)) attributes.push(a);

  const counter = new CombinationCounter();
  const perWave = new Map<string, number>();
  for (const w of waves) {
    for (const g of await countByMonthAndAttributes(db, w.id)) {
      const attrs = JSON.parse(g.attributes) as Record<string, unknown>;
      counter.add(w.id, g.month, attributes.map((a) => text(attrs[a])), g.n);
    }
  }
  for (const c of counter.counts.values()) perWave.set(c.waveId, (perWave.get(c.waveId) ?? 0) + c.n);
  for (const w of waves) {
    const n = perWave.get(w.id) ?? 0;
    if (n > 0 && n < opts.k) throw new ExportRefusedError(`wave "${w.name}" has ${n} responses, fewer than k = ${opts.k}: it cannot be exported without identifying people`);
  }
  const plan = planDisclosure(counter, attributes, opts.k);
  const redactions = emptyCounts();
  const spec = buildDatasetSpec(map, sources, attributes, scrubber(redactions), known);

  // string widths of the attribute columns: the longest released value
  const widths = attributes.map(() => Buffer.byteLength(WITHHELD));
  for (const c of counter.counts.values()) {
    const released = plan.release(c.waveId, c.month, c.attributes).attributes;
    released.forEach((v, i) => (widths[i] = Math.max(widths[i], Buffer.byteLength(v))));
  }
  spec.columns.filter((c) => c.role === 'attribute').forEach((c, i) => (c.width = Math.min(32767, widths[i])));

  const editionNumber = new Map(waves.map((w, i) => [w.id, typeof questionnaires[i].edition === 'number' || /^\d+$/.test(String(questionnaires[i].edition)) ? Number(questionnaires[i].edition) : null]));
  const nAttr = attributes.length;
  const firstVar = 5 + nAttr;
  async function* rowsOf(): AsyncGenerator<Cell[]> {
    const row: Cell[] = new Array(spec.columns.length);
    const releasedCache = new Map<string, { period: string; attributes: string[] }>();
    for (const w of waves) {
      for await (const page of responsePages(db, w.id)) {
        for (const r of page) {
          const reader = spec.readers.get(r.questionnaire_id);
          if (!reader) throw new Error(`response of version ${r.questionnaire_id} in wave ${w.id}`);
          const answers = JSON.parse(r.answers) as Record<string, unknown>;
          // rows share few attribute sets: parse and release each (wave, month, attributes) once
          const cacheKey = `${r.wave_id}|${r.submitted_on.slice(0, 7)}|${r.attributes}`;
          let released = releasedCache.get(cacheKey);
          if (!released) {
            const attrs = JSON.parse(r.attributes) as Record<string, unknown>;
            released = plan.release(r.wave_id, r.submitted_on.slice(0, 7), attributes.map((a) => text(attrs[a])));
            releasedCache.set(cacheKey, released);
          }
          row[0] = r.id;
          row[1] = r.wave_id;
          row[2] = editionNumber.get(r.wave_id) ?? null;
          row[3] = r.questionnaire_id;
          row[4] = released.period;
          for (let i = 0; i < nAttr; i++) row[5 + i] = released.attributes[i];
          const extract = reader.extract;
          for (let i = 0; i < extract.length; i++) row[firstVar + i] = extract[i](answers, reader.visibility);
          yield row;
        }
      }
    }
  }
  return { spec, plan, waves, rows: counter.total, redactions, lang: opts.lang ?? 'nl', rowsOf };
}

/** Columns as (name, label) for the labels sheet and the codebook: one line per value label. */
export function labelLines(columns: Column[]): Array<Array<string | number>> {
  const lines: Array<Array<string | number>> = [['variable', 'label_nl', 'label_en', 'type', 'measure', 'value', 'value_label_nl', 'value_label_en', 'missing']];
  for (const c of columns) {
    lines.push([c.name, c.label.nl, c.label.en, c.type, c.measure, '', '', '', '']);
    for (const v of c.valueLabels) lines.push([c.name, '', '', '', '', v.value, v.label.nl, v.label.en, c.missing.includes(v.value) ? 'missing' : '']);
  }
  return lines;
}

export function summaryOf(p: PreparedDataset, rows: number): ExportSummary {
  return { rows, columns: p.spec.columns.length, redactions: p.redactions, disclosure: p.plan.report };
}
