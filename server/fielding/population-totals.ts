/**
 * Population totals for weighting, supplied by an administrator per stratum of a kept attribute ("value,total" lines):
 * the sample frame (the invitations) is not the population when a wave is a sample. Weighted tables and the weight
 * variable use these totals when the wave has them for the weighting attribute, and the frame's counts otherwise
 * (the tables' notes say which).
 */
import type { Db } from '../shared/data/connection';
import { replacePopulationTotals } from './data/population-totals';
import type { WaveRow } from './data/waves';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { declaredValue } from '../questionnaires/sample-attributes';
import { recordAudit } from '../accounts/audit';
import { keptAttributes } from './wave-rules';

export class PopulationTotalsError extends Error {}

/** Parses "value,total" lines (a header line "value,total" first) into totals; refuses anything else, naming the line. */
export function parsePopulationTotals(text: string): Array<{ value: string; total: number }> {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim());
  if (lines[0]?.toLowerCase().replace(/\s/g, '') !== 'value,total')
    throw new PopulationTotalsError('line 1 must be the header "value,total"');
  const out: Array<{ value: string; total: number }> = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((line, i) => {
    if (line === '') return;
    const m = /^(.+),\s*(\d{1,9})$/.exec(line);
    if (!m) throw new PopulationTotalsError(`line ${i + 2}: expected "value,total" with a whole number`);
    const value = m[1].trim();
    if (seen.has(value.toLowerCase())) throw new PopulationTotalsError(`line ${i + 2}: "${value}" is listed twice`);
    seen.add(value.toLowerCase());
    out.push({ value, total: Number(m[2]) });
  });
  if (out.length === 0) throw new PopulationTotalsError('no totals given');
  return out;
}

export async function setPopulationTotals(
  db: Db,
  registry: QuestionnaireRegistry,
  wave: WaveRow,
  attribute: string,
  text: string,
  actor: string,
): Promise<number> {
  if (!keptAttributes(wave).includes(attribute))
    throw new PopulationTotalsError(`"${attribute}" is not kept with the answers of wave "${wave.name}"`);
  const declared = registry.get(wave.questionnaire_id)?.sampleAttributes.get(attribute);
  const totals = parsePopulationTotals(text).map((t) => {
    const value = declared ? declaredValue(declared, t.value) : t.value;
    if (value === undefined) throw new PopulationTotalsError(`"${t.value}" is not a declared value of ${attribute}`);
    return { value, total: t.total };
  });
  await replacePopulationTotals(db, wave.id, attribute, totals);
  await recordAudit(db, {
    actor,
    action: 'wave.population-totals',
    waveId: wave.id,
    detail: { attribute, strata: totals.length, total: totals.reduce((s, t) => s + t.total, 0) },
  });
  return totals.length;
}
