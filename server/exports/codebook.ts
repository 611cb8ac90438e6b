/**
 * The codebook of a dataset, as JSON for programs and as HTML for people (views/analyst/codebook.ejs): every column
 * with its label and question text in Dutch and English, type and measurement level, codes and labels (missing codes
 * marked), when it is asked (routing), and in which editions it exists and whether it is comparable.
 */
import { MISSING_LABELS } from './files/dataset-spec';
import type { PreparedDataset } from './dataset-export';
import { MARKERS } from './files/scrub';
import { WITHHELD } from './files/disclosure';

export interface Codebook {
  questionnaire: string;
  population: string;
  trend: boolean;
  waves: Array<{ id: string; name: string; questionnaire: string }>;
  editions: string[];
  rows: number;
  missingCodes: typeof MISSING_LABELS;
  textColumns: string;
  disclosure: PreparedDataset['plan']['report'] & { withheldValue: string };
  redactionMarkers: Record<string, string>;
  columns: Array<{
    name: string;
    role: string;
    type: string;
    measure: string;
    kind?: string;
    label: { nl: string; en: string };
    question?: { nl: string; en: string };
    values: Array<{ value: number; label: { nl: string; en: string }; missing: boolean }>;
    /** editions of this file whose values the column holds */
    holds?: string[];
    editions?: Array<{ edition: string; version: string; status: string; question: string | null; comparable: boolean; routing: string; note?: { nl: string; en: string } }>;
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
    textColumns: 'Text columns are empty when the question was not asked or not answered; the routing says which. Free text is scrubbed: see redactionMarkers.',
    disclosure: { ...p.plan.report, withheldValue: WITHHELD },
    redactionMarkers: MARKERS,
    columns: p.spec.columns.map((c) => ({
      name: c.name,
      role: c.role,
      type: c.type,
      measure: c.measure,
      kind: c.kind,
      label: c.label,
      question: c.question,
      values: c.valueLabels.map((v) => ({ value: v.value, label: v.label, missing: c.missing.includes(v.value) })),
      holds: c.holds,
      editions: c.editions,
    })),
  };
}
