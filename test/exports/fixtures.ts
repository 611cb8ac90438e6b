/** Waves with stored responses for the export suites, written straight into the database. */
import crypto from 'node:crypto';
import type { Db } from '../../server/shared/data/connection';
import { insertWave, WaveRow } from '../../server/fielding/data/waves';
import type { QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { synthAnswerSets } from '../../server/fielding/synth/answers';
import { createRng } from '../../server/fielding/synth/rng';
import { OFFICE_HOLDER_ROLES, TIER_CODES } from '../../server/fielding/synth/reference-data';
import { generateSampleFrame, SampleRow } from '../../server/fielding/synth/sample-frame';

export interface SeedResponse {
  answers: Record<string, unknown>;
  attributes?: Record<string, string>;
  submittedOn?: string;
  isTest?: boolean;
  id?: string;
}

export async function seedWave(
  db: Db,
  questionnaireId: string,
  keptAttributes: string[],
  name = 'Exportgolf',
): Promise<WaveRow> {
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
  await seedResponses(
    db,
    wave,
    sets.map((answers, i) => ({
      answers,
      attributes: attributesOf(i),
      submittedOn: i % 3 === 0 ? '2024-03-02' : '2024-02-20',
    })),
  );
  return sets;
}

/**
 * A realistic wave of office holders: `n` people drawn from the synthetic sample frame, their answers synthetic but
 * with the background answers (tier, role, municipality size) matching their frame row, as real respondents give
 * them; gender, age and years in office vary. Kept attributes from the frame row. Optionally exactly one King's
 * Commissioner.
 */
export async function seedRealisticWave(
  db: Db,
  registry: QuestionnaireRegistry,
  opts: { n: number; kept: string[]; seed?: number; kingsCommissioners?: number; name?: string; closesOn?: string },
): Promise<{ wave: WaveRow; answers: Array<Record<string, unknown>>; frame: SampleRow[] }> {
  const seed = opts.seed ?? 11;
  const all = generateSampleFrame('politieke-ambtsdragers', { seed, size: opts.n * 3 }).filter(
    (r) => r.role !== 'commissaris_koning',
  );
  const frame = createRng(seed)
    .shuffle(all)
    .slice(0, opts.n - (opts.kingsCommissioners ?? 0));
  const cdk = generateSampleFrame('politieke-ambtsdragers', { seed }).filter((r) => r.role === 'commissaris_koning');
  frame.push(...cdk.slice(0, opts.kingsCommissioners ?? 0));
  const wave = await seedWave(db, 'miv-politieke-ambtsdragers@2024.1', opts.kept, opts.name ?? 'Realistische golf');
  if (opts.closesOn) {
    await db('waves').where({ id: wave.id }).update({ closes_on: opts.closesOn });
    wave.closes_on = opts.closesOn;
  }
  const q = registry.get(wave.questionnaire_id);
  if (!q) throw new Error('no office-holder questionnaire');
  const sets = synthAnswerSets(q, frame.length, seed, { commentRate: 0.2 });
  const sizeCode: Record<string, number> = { lt20k: 1, '20k_50k': 2, '50k_100k': 3, ge100k: 4 };
  sets.forEach((a, i) => {
    const row = frame[i];
    const role = OFFICE_HOLDER_ROLES[row.role as keyof typeof OFFICE_HOLDER_ROLES];
    const tier = TIER_CODES[row.tier as keyof typeof TIER_CODES];
    for (const k of ['functie_gem', 'functie_prov', 'functie_ws', 'gemeente_grootte']) delete a[k];
    a.bestuurslaag = tier;
    a[['functie_gem', 'functie_prov', 'functie_ws'][tier - 1]] = role.code;
    if (tier === 1) a.gemeente_grootte = sizeCode[row.size_class] ?? 2;
  });
  const responses = sets.map((answers, i) => ({
    answers,
    attributes: Object.fromEntries(opts.kept.map((k) => [k, String(frame[i][k as keyof SampleRow] ?? '')])),
    submittedOn: i % 4 === 0 ? '2024-03-04' : '2024-02-19',
  }));
  const ids = await seedResponses(db, wave, responses);
  for (let i = 0; i < ids.length; i++)
    if (frame[i].language === 'en') await db('responses').where({ id: ids[i] }).update({ locale: 'en' });
  return { wave, answers: sets, frame };
}
