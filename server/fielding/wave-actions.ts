import type { Db } from '../shared/data/connection';
import { findWave, setWaveClosed, updateWaveSettings, WaveRow } from './data/waves';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { recordAudit } from '../accounts/audit';
import { blurWriteTransactions, eraseStorageOrder } from './data/storage-order';
import { eraseDeletedRows } from '../shared/data/erase';
import { dutchDay } from '../shared/calendar';
import { createInvitations, respondentLink } from './issue-invitations';
import { checkNewWave, createWave, keptAttributes, NewWave, WaveInputError, WavePhase, wavePhase } from './wave-rules';
import { ConflictError } from '../shared/errors';
import { listWaves } from './data/waves';
import { waveFieldworkBegan } from './data/invitations';

/** An action that the wave's state does not allow (already open, not closed, purged, …): HTTP 409. */
/** A wave in the wrong state for the action (closed, purged, already open). */
export class WaveStateError extends ConflictError {}

export interface WaveStatus {
  phase: WavePhase;
  purged: boolean;
  /** nothing went out yet and nobody answered (known only from waveStatusNow): settings can still change */
  draft?: boolean;
  /** settings can change until the wave opens, or while it is a draft */
  editable: boolean;
  /** samples can be added until it closes */
  importable: boolean;
  closable: boolean;
  purgeable: boolean;
}

/**
 * The wave's state at `now`. `fieldworkBegan` (see waveStatusNow) tells whether an invitation mail was queued or sent
 * or someone answered: until then an open wave is a draft, whose settings can still change.
 */
export function waveStatus(wave: WaveRow, now: Date, fieldworkBegan?: boolean): WaveStatus {
  const phase = wavePhase(wave, dutchDay(now));
  const purged = Boolean(wave.purged_at);
  const draft = fieldworkBegan === false && phase !== 'closed' && !purged;
  return {
    phase,
    purged,
    ...(fieldworkBegan === undefined ? {} : { draft }),
    editable: (phase === 'not-open' || draft) && !purged,
    importable: phase !== 'closed' && !purged,
    closable: !wave.closed_at && !purged,
    purgeable: phase === 'closed' && !purged,
  };
}

/** waveStatus with what the database says about the fieldwork (mail queued or sent, answers). */
export async function waveStatusNow(db: Db, wave: WaveRow, now: Date): Promise<WaveStatus> {
  return waveStatus(wave, now, await waveFieldworkBegan(db, wave.id));
}

export async function loadWave(db: Db, id: string): Promise<WaveRow | undefined> {
  return /^[0-9a-f-]{36}$/.test(id) ? findWave(db, id) : undefined;
}

export function waveFormValues(wave: WaveRow): NewWave {
  return {
    name: wave.name,
    questionnaireId: wave.questionnaire_id,
    opensOn: wave.opens_on,
    closesOn: wave.closes_on,
    keptAttributes: keptAttributes(wave),
  };
}

export async function createWaveAudited(
  db: Db,
  registry: QuestionnaireRegistry,
  input: NewWave,
  actor: string,
  now: Date,
): Promise<WaveRow> {
  const wave = await createWave(db, registry, input, now);
  await recordAudit(db, {
    actor,
    action: 'wave.create',
    waveId: wave.id,
    detail: { name: wave.name, questionnaire: wave.questionnaire_id },
    at: now,
  });
  return wave;
}

/** Changes a wave's settings; allowed only before it opens. */
export async function editWave(
  db: Db,
  registry: QuestionnaireRegistry,
  wave: WaveRow,
  input: NewWave,
  actor: string,
  now: Date,
): Promise<WaveRow> {
  if (!(await waveStatusNow(db, wave, now)).editable)
    throw new WaveStateError(
      'a wave can be changed only until it opens, or while nothing was sent and nobody answered',
    );
  checkNewWave(input, registry);
  const settings = {
    name: input.name.trim(),
    questionnaire_id: input.questionnaireId,
    opens_on: input.opensOn,
    closes_on: input.closesOn,
    kept_attributes: JSON.stringify(input.keptAttributes),
  };
  await updateWaveSettings(db, wave.id, settings);
  await recordAudit(db, {
    actor,
    action: 'wave.edit',
    waveId: wave.id,
    detail: { ...settings, kept_attributes: input.keptAttributes },
    at: now,
  });
  return { ...wave, ...settings };
}

/** Closes the wave at once: its links show the closed page from now on. */
export async function closeWave(db: Db, wave: WaveRow, actor: string, now: Date): Promise<void> {
  if (wave.purged_at || !(await setWaveClosed(db, wave.id, now.toISOString())))
    throw new WaveStateError('the wave is closed already');
  // PostgreSQL: neither the rows' physical order nor their transaction ids may hint at the order of completion or tie
  // a response to its invitation; the in-progress rows deleted at completion leave the heap (VACUUM FULL)
  await eraseStorageOrder(db);
  await eraseDeletedRows(db, ['progress']);
  await recordAudit(db, {
    actor,
    action: 'wave.close',
    waveId: wave.id,
    detail: `closed wave "${wave.name}"`,
    at: now,
  });
}

export const MAX_TEST_LINKS = 20;

/** Links for trying the wave out: their responses are marked as test and never counted or exported. */
export async function createTestLinks(
  db: Db,
  wave: WaveRow,
  count: number,
  language: 'nl' | 'en',
  publicUrl: string,
  actor: string,
  now: Date,
): Promise<string[]> {
  if (!waveStatus(wave, now).importable) throw new WaveStateError('a closed wave gets no test links');
  if (!Number.isInteger(count) || count < 1 || count > MAX_TEST_LINKS)
    throw new WaveInputError(`ask for 1 to ${MAX_TEST_LINKS} test links`);
  const invitees = Array.from({ length: count }, () => ({ language, attributes: {} }));
  const issued = await createInvitations(db, wave, invitees, { isTest: true, now });
  await recordAudit(db, { actor, action: 'wave.test-links', waveId: wave.id, detail: { count, language }, at: now });
  return issued.map((i) => respondentLink(publicUrl, i.token));
}

export type WaveField = 'name' | 'questionnaire' | 'opens_on' | 'closes_on' | 'kept';

/**
 * The problems of a wave form, per field, so each message can stand next to its field. Each field is checked by
 * checkNewWave itself, alone among known-good values, so the rules stay in one place.
 */
export function waveFormErrors(input: NewWave, registry: QuestionnaireRegistry): Partial<Record<WaveField, string>> {
  const good: NewWave = {
    name: 'x',
    questionnaireId: registry.list()[0]?.id ?? '',
    opensOn: '2000-01-01',
    closesOn: '2000-01-02',
    keptAttributes: [],
  };
  const tryOne = (variant: Partial<NewWave>): string | undefined => {
    try {
      checkNewWave({ ...good, ...variant }, registry);
      return undefined;
    } catch (err) {
      if (err instanceof WaveInputError) return err.message;
      throw err;
    }
  };
  const errors: Partial<Record<WaveField, string>> = {};
  const set = (field: WaveField, message: string | undefined) => {
    if (message) errors[field] = message;
  };
  set('name', tryOne({ name: input.name }));
  set('questionnaire', tryOne({ questionnaireId: input.questionnaireId }));
  set('opens_on', tryOne({ opensOn: input.opensOn, closesOn: '9999-12-31' }));
  set('closes_on', tryOne({ opensOn: '0001-01-01', closesOn: input.closesOn }));
  if (!errors.opens_on && !errors.closes_on)
    set('closes_on', tryOne({ opensOn: input.opensOn, closesOn: input.closesOn }));
  // the kept attributes are checked against the chosen questionnaire's declaration (the first one while none is chosen)
  const forKept = registry.get(input.questionnaireId) ? { questionnaireId: input.questionnaireId } : {};
  set('kept', tryOne({ ...forKept, keptAttributes: input.keptAttributes }));
  return errors;
}

/** "tier, role province" → ['tier', 'role', 'province'] */
export function parseKeptAttributes(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/** All waves, newest first (the administrator's list). */
export function allWaves(db: Db): Promise<WaveRow[]> {
  return listWaves(db);
}

/**
 * PostgreSQL: the responses that share a transaction id with their invitation (every completion until this runs) are
 * rewritten by a transaction of their own, a day's responses of a wave together (data/storage-order.ts). The server
 * runs it every minute; returns how many responses were rewritten.
 */
export function blurCompletionTransactions(db: Db): Promise<number> {
  return blurWriteTransactions(db);
}

/** PostgreSQL: rewrite responses and invitations in random-id order now (closing a wave does it too). */
export async function reorderStoredRows(db: Db): Promise<void> {
  await eraseStorageOrder(db);
}
