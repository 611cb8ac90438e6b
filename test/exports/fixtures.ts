/** Waves with stored responses for the export suites, written straight into the database. */
import crypto from 'node:crypto';
import type { Db } from '../../server/shared/data/connection';
import { insertWave, WaveRow } from '../../server/fielding/data/waves';
import type { QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { synthAnswerSets } from '../../server/fielding/synth/answers';

export interface SeedResponse {
  answers: Record<string, unknown>;
  attributes?: Record<string, string>;
  submittedOn?: string;
  isTest?: boolean;
  id?: string;
}

export async function seedWave(db: Db, questionnaireId: string, keptAttributes: string[], name = 'Exportgolf'): Promise<WaveRow> {
  const wave: WaveRow = {
    id: crypto.randomUUID(),
    name,
    questionnaire_id: questionnaireId,
    opens_on: '2024-02-01',
    closes_on: '2024-03-31',
    kept_attributes: JSON.stringify(keptAttributes),
    is_demo: false,
    closed_at: null,
    created_at: new Date().toISOString(),
  };
  await insertWave(db, wave);
  return wave;
}

export async function seedResponses(db: Db, wave: WaveRow, responses: SeedResponse[]): Promise<string[]> {
  const rows = responses.map((r) => ({
    id: r.id ?? crypto.randomUUID(),
    wave_id: wave.id,
    questionnaire_id: wave.questionnaire_id,
    attributes: JSON.stringify(r.attributes ?? {}),
    answers: JSON.stringify(r.answers),
    locale: 'nl',
    submitted_on: r.submittedOn ?? '2024-02-15',
    is_test: r.isTest ?? false,
  }));
  for (let i = 0; i < rows.length; i += 200) await db('responses').insert(rows.slice(i, i + 200));
  return rows.map((r) => r.id);
}

/** n synthetic, valid answer sets of the version with attributes from `attributesOf(i)`. */
export async function seedSynthetic(
  db: Db,
  registry: QuestionnaireRegistry,
  wave: WaveRow,
  n: number,
  attributesOf: (i: number) => Record<string, string>,
  seed = 7,
): Promise<Array<Record<string, unknown>>> {
  const q = registry.get(wave.questionnaire_id);
  if (!q) throw new Error(`no questionnaire ${wave.questionnaire_id}`);
  const sets = synthAnswerSets(q, n, seed, { commentRate: 0.3 });
  await seedResponses(db, wave, sets.map((answers, i) => ({ answers, attributes: attributesOf(i), submittedOn: i % 3 === 0 ? '2024-03-02' : '2024-02-20' })));
  return sets;
}
