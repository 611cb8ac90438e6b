/**
 * The codebook of a dataset, as JSON for programs and as HTML for people (views/analyst/codebook.ejs): every column
 * with its label and question text in Dutch and English, type and measurement level, codes and labels (missing codes
 * marked), when it is asked (routing), and in which editions it exists and whether it is comparable.
 */
import { MISSING_LABELS, MISSING_RANGE } from './files/dataset-spec';
import type { ExportReport, PreparedDataset } from './dataset-export';
import { reportLines } from './dataset-formats';
import { MARKERS } from './files/scrub';

export interface Codebook {
  questionnaire: string;
  population: string;
  trend: boolean;
  waves: Array<{ id: string; name: string; questionnaire: string }>;
  editions: string[];
  rows: number;
  missingCodes: typeof MISSING_LABELS;
  /** SPSS: every numeric column declares this range missing; 97/98/99 are in it */
  missingRange: [number, number];
  textColumns: string;
  /** interim: made while a wave was open */
  release: 'interim' | 'final';
  rowIds: string;
  disclosure: ExportReport['disclosure'];
  cuts: ExportReport['cuts'];
  /** the risk and utility report as lines (as in the xlsx info sheet) */
  report: Array<[string, string | number]>;
  redactionMarkers: Record<string, string>;
  columns: Array<{
    name: string;
    role: string;
    type: string;
    measure: string;
    kind?: string;
    label: { nl: string; en: string };
    quasiIdentifier?: boolean;
    /** derived columns: how they are computed */
    rule?: { nl: string; en: string };
    question?: { nl: string; en: string };
    values: Array<{ value: number; label: { nl: string; en: string }; missing: boolean }>;
    /** editions of this file whose values the column holds */
    holds?: string[];
    editions?: Array<{
      edition: string;
      version: string;
      status: string;
      question: string | null;
      comparable: boolean;
      routing: string;
      note?: { nl: string; en: string };
    }>;
  }>;
}

export function buildCodebook(p: PreparedDataset): Codebook {
  const editions = [...new Set(p.spec.columns.flatMap((c) => c.holds ?? []))];
  return {
    questionnaire: p.spec.map.key,
    population: p.spec.map.population,
    trend: p.spec.trend,
    waves: p.waves.map((w) => ({ id: w.id, name: w.name, questionnaire: w.questionnaire_id })),
    editions: p.spec.map.editions.filter((e) => editions.includes(e)),
    rows: p.rows,
    missingCodes: MISSING_LABELS,
    missingRange: MISSING_RANGE,
    textColumns:
      'Text columns are empty when the question was not asked or not answered; the routing says which. Free text is scrubbed: see redactionMarkers.',
    release: p.report.interim ? 'interim' : 'final',
    rowIds:
      'response_id is a fresh random id per download and the rows come in a fresh random order: ids and positions do not link two downloads, but the answers themselves do (nearly every row is unique in its answers). Two releases of a growing wave, matched by their answers, show a row with the finer of its two backgrounds (a cell suppressed in one file is often released in the other) and single out the rows that arrived between them: k-anonymity holds within each file, not across two. Work from the final release.',
    disclosure: p.report.disclosure,
    cuts: p.report.cuts,
    report: reportLines(p),
    redactionMarkers: MARKERS,
    columns: p.spec.columns.map((c) => ({
      name: c.name,
      role: c.role,
      type: c.type,
      measure: c.measure,
      kind: c.kind,
      label: c.label,
      quasiIdentifier: c.quasiIdentifier,
      rule: c.rule,
      question: c.question,
      values: c.valueLabels.map((v) => ({ value: v.value, label: v.label, missing: c.missing.includes(v.value) })),
      holds: c.holds,
      editions: c.editions,
    })),
  };
}
