import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { insertWave, WaveRow } from './data/waves';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { declaredValue, looksIdentifying, SampleAttributeDeclaration } from '../questionnaires/sample-attributes';
import { isValidDay } from '../shared/calendar';
import { InvalidError } from '../shared/errors';

export class WaveInputError extends InvalidError {}

/** Attributes that identify a person: never kept with answers. */
export const NEVER_KEPT = ['email', 'name', 'organisation'];
const ATTRIBUTE = /^[a-z][a-z0-9_]{0,31}$/;
const MAX_KEPT = 8;

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
  const questionnaire = registry.get(input.questionnaireId);
  if (!questionnaire) {
    throw new WaveInputError(`questionnaire version "${input.questionnaireId}" is not registered (use key@version)`);
  }
  if (!isValidDay(input.opensOn) || !isValidDay(input.closesOn)) {
    throw new WaveInputError('opening and closing dates must be real dates as YYYY-MM-DD');
  }
  if (input.closesOn < input.opensOn) throw new WaveInputError('the closing date is before the opening date');
  const declared = questionnaire.sampleAttributes;
  const seen = new Set<string>();
  if (input.keptAttributes.length > MAX_KEPT)
    throw new WaveInputError(`at most ${MAX_KEPT} attributes can be kept with the answers`);
  for (const attr of input.keptAttributes) {
    const shown = attr.slice(0, 40);
    if (!ATTRIBUTE.test(attr))
      throw new WaveInputError(`kept attribute "${shown}" must match [a-z][a-z0-9_]*, at most 32 characters`);
    if (NEVER_KEPT.includes(attr) || looksIdentifying(attr))
      throw new WaveInputError(`"${attr}" identifies a person or how to reach them, and is never kept with answers`);
    if (!declared.has(attr)) {
      const allowed = [...declared.keys()].join(', ') || 'none';
      throw new WaveInputError(
        `"${attr}" is not an attribute ${questionnaire.key} declares for keeping with the answers (declared: ${allowed})`,
      );
    }
    if (seen.has(attr)) throw new WaveInputError(`kept attribute "${attr}" is listed twice`);
    seen.add(attr);
  }
}

/**
 * The wave's kept attributes of one invitation, as stored with its response: declared attributes only, each with a
 * declared value (in its declared spelling); anything else is left out.
 */
export function keptValues(
  wave: WaveRow,
  declared: SampleAttributeDeclaration,
  attributes: Record<string, unknown>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of keptAttributes(wave)) {
    const attribute = declared.get(name);
    const value = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
    const canonical = attribute && typeof value === 'string' ? declaredValue(attribute, value) : undefined;
    if (canonical !== undefined) kept[name] = canonical;
  }
  return kept;
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

/** The stored wave, as services hand it to routers and the command line. */
export type { WaveRow };
