import crypto from 'node:crypto';
import type { Db } from '../db/connection';
import {
  claimInvitationCompletion,
  findInvitationByTokenHash,
  InvitationRow,
  markInvitationStarted,
} from '../db/queries/invitations';
import { deleteProgress, findProgress, saveProgress } from '../db/queries/progress';
import { insertResponse } from '../db/queries/responses';
import { findWave, WaveRow } from '../db/queries/waves';
import type { AnswerError, Locale } from '../questionnaires/answer-validator';
import type { QuestionnaireRegistry, RegisteredQuestionnaire } from '../questionnaires/registry';
import { dutchDay } from './calendar';
import { hashToken, isWellFormedToken } from './tokens';
import { keptAttributes, wavePhase } from './waves';

export type LinkState =
  | { kind: 'not-found' }
  | { kind: 'not-open' | 'closed' | 'completed'; wave: WaveRow; locale: Locale }
  | {
      kind: 'open';
      wave: WaveRow;
      invitation: InvitationRow;
      questionnaire: RegisteredQuestionnaire;
      locale: Locale;
      answers: Record<string, unknown>;
      pageNo: number;
    };

export function asLocale(value: unknown, fallback: Locale = 'nl'): Locale {
  return value === 'en' || value === 'nl' ? value : fallback;
}

/**
 * What a personal link opens. The saved answers are read only when asked for (the page needs them; autosave and
 * completion replace them), which keeps those two calls to two reads.
 */
export async function resolveLink(
  db: Db,
  registry: QuestionnaireRegistry,
  token: string,
  now: Date,
  opts: { withProgress: boolean } = { withProgress: true },
): Promise<LinkState> {
  if (!isWellFormedToken(token)) return { kind: 'not-found' };
  const invitation = await findInvitationByTokenHash(db, hashToken(token));
  if (!invitation) return { kind: 'not-found' };
  const wave = await findWave(db, invitation.wave_id);
  const questionnaire = wave && registry.get(wave.questionnaire_id);
  if (!wave || !questionnaire) return { kind: 'not-found' };
  const locale = asLocale(invitation.language);
  if (invitation.status === 'completed') return { kind: 'completed', wave, locale };
  const phase = wavePhase(wave, dutchDay(now));
  // test links also work before the wave opens, so a wave can be tried out end to end beforehand
  if (phase !== 'open' && !(phase === 'not-open' && invitation.is_test)) return { kind: phase, wave, locale };
  const progress = opts.withProgress ? await findProgress(db, invitation.id) : undefined;
  return {
    kind: 'open',
    wave,
    invitation,
    questionnaire,
    locale: asLocale(progress?.locale, locale),
    answers: progress ? JSON.parse(progress.answers) : {},
    pageNo: progress?.page_no ?? 0,
  };
}

export type SaveResult = { ok: true } | { ok: false; errors: AnswerError[] };

export interface ProgressInput { answers: unknown; pageNo: unknown; locale: unknown }

export async function saveAnswersInProgress(
  db: Db,
  state: Extract<LinkState, { kind: 'open' }>,
  input: ProgressInput,
): Promise<SaveResult> {
  const locale = asLocale(input.locale, state.locale);
  const pages = (state.questionnaire.survey.pages as unknown[]).length;
  const pageNo = input.pageNo ?? 0;
  if (typeof pageNo !== 'number' || !Number.isInteger(pageNo) || pageNo < 0 || pageNo >= pages) {
    const message = locale === 'nl' ? `pageNo moet een paginanummer van 0 tot ${pages - 1} zijn` : `pageNo must be a page number from 0 to ${pages - 1}`;
    return { ok: false, errors: [{ name: '', message }] };
  }
  const checked = state.questionnaire.validator.validatePartial(input.answers, locale);
  if (!checked.ok) return checked;
  await saveProgress(db, { invitation_id: state.invitation.id, answers: JSON.stringify(checked.answers), page_no: pageNo, locale });
  if (state.invitation.status === 'invited') await markInvitationStarted(db, state.invitation.id);
  return { ok: true };
}

export type CompleteResult = { status: 'stored' } | { status: 'already-completed' } | { status: 'invalid'; errors: AnswerError[] };

export async function completeResponse(
  db: Db,
  state: Extract<LinkState, { kind: 'open' }>,
  input: { answers: unknown; locale: unknown },
  now: Date,
): Promise<CompleteResult> {
  const locale = asLocale(input.locale, state.locale);
  const checked = state.questionnaire.validator.validateComplete(input.answers, locale);
  if (!checked.ok) return { status: 'invalid', errors: checked.errors };
  const attributes = JSON.parse(state.invitation.attributes) as Record<string, string>;
  const kept: Record<string, string> = {};
  for (const name of keptAttributes(state.wave)) if (name in attributes) kept[name] = attributes[name];
  const stored = await db.transaction(async (trx) => {
    if (!(await claimInvitationCompletion(trx, state.invitation.id))) return false;
    await insertResponse(trx, {
      id: crypto.randomUUID(),
      wave_id: state.wave.id,
      questionnaire_id: state.questionnaire.id,
      attributes: JSON.stringify(kept),
      answers: JSON.stringify(checked.answers),
      locale,
      submitted_on: dutchDay(now),
      is_test: Boolean(state.invitation.is_test),
    });
    await deleteProgress(trx, state.invitation.id);
    return true;
  });
  return stored ? { status: 'stored' } : { status: 'already-completed' };
}
