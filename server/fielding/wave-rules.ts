import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { insertWave, WaveRow } from './data/waves';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { isValidDay } from '../shared/calendar';

export class WaveInputError extends Error {}

/** Attributes that identify a person: never kept with answers. */
export const NEVER_KEPT = ['email', 'name', 'organisation'];
const ATTRIBUTE = /^[a-z][a-z0-9_]{0,31}$/;

export interface NewWave {
  name: string;
  questionnaireId: string;
  opensOn: string;
  closesOn: string;
  keptAttributes: string[];
  isDemo?: boolean;
}

export type WavePhase = 'not-open' | 'open' | 'closed';

export function wavePhase(wave: WaveRow, today: string): WavePhase {
  if (wave.closed_at || today > wave.closes_on) return 'closed';
  if (today < wave.opens_on) return 'not-open';
  return 'open';
}

export function keptAttributes(wave: WaveRow): string[] {
  return JSON.parse(wave.kept_attributes) as string[];
}

export function checkNewWave(input: NewWave, registry: QuestionnaireRegistry): void {
  const name = input.name?.trim();
  if (!name || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new WaveInputError('name is required: at most 200 characters, no control characters');
  }
  if (!registry.get(input.questionnaireId)) {
    throw new WaveInputError(`questionnaire version "${input.questionnaireId}" is not registered (use key@version)`);
  }
  if (!isValidDay(input.opensOn) || !isValidDay(input.closesOn)) {
    throw new WaveInputError('opening and closing dates must be real dates as YYYY-MM-DD');
  }
  if (input.closesOn < input.opensOn) throw new WaveInputError('the closing date is before the opening date');
  const seen = new Set<string>();
  for (const attr of input.keptAttributes) {
    if (!ATTRIBUTE.test(attr)) throw new WaveInputError(`kept attribute "${attr}" must match [a-z][a-z0-9_]*, at most 32 characters`);
    if (NEVER_KEPT.includes(attr)) throw new WaveInputError(`"${attr}" identifies a person and is never kept with answers`);
    if (seen.has(attr)) throw new WaveInputError(`kept attribute "${attr}" is listed twice`);
    seen.add(attr);
  }
}

export async function createWave(db: Db, registry: QuestionnaireRegistry, input: NewWave, now: Date): Promise<WaveRow> {
  checkNewWave(input, registry);
  const row: WaveRow = {
    id: crypto.randomUUID(),
    name: input.name.trim(),
    questionnaire_id: input.questionnaireId,
    opens_on: input.opensOn,
    closes_on: input.closesOn,
    kept_attributes: JSON.stringify(input.keptAttributes),
    is_demo: input.isDemo ?? false,
    closed_at: null,
    created_at: now.toISOString(),
  };
  await insertWave(db, row);
  return row;
}
