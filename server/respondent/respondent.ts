import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { eraseDeletedRows } from '../shared/data/erase';
import { writeTransaction } from '../shared/data/group-commit';
import { claimInvitationCompletion, markInvitationStartedUnlessCompleted } from '../fielding/data/invitations';
import { findLink, LinkInvitation } from './data/links';
import { deleteProgress, listUnsealedProgress, replaceProgressAnswers, saveProgress } from './data/progress';
import { insertResponse } from './data/responses';
import type { WaveRow } from '../fielding/data/waves';
import type { AnswerError } from '../questionnaires/questionnaire-validator';
import { asLocale, type Locale } from '../shared/locale';
import type { QuestionnaireRegistry, RegisteredQuestionnaire } from '../questionnaires/registry';
import { resolveVersion } from '../questionnaires/version-uploads';
import { dutchDay } from '../shared/calendar';
import { linkLookupBlockedFor, linkMissKey, linkMissWindowStart, recordLinkMiss } from './link-throttle';
import { isSealed, openProgress, progressKey as deriveProgressKey, sealProgress } from './progress-sealing';
import { deriveToken, hashToken, isWellFormedToken } from './personal-tokens';
import { keptValues, wavePhase } from '../fielding/wave-rules';
import { WavePage, wavePageOf } from './wave-pages';
import { waveOfEndedLink } from './ended-links';
import { findWave } from '../fielding/data/waves';

export type LinkState =
  | { kind: 'throttled'; retryAfter: number }
  | { kind: 'not-found' }
  | { kind: 'not-open' | 'closed' | 'completed'; wave: WaveRow; locale: Locale; page?: WavePage }
  /** a link of a purged wave: its invitation is gone, the wave's filter of ended links recognises it */
  | { kind: 'ended'; wave: WaveRow; locale: Locale; page?: WavePage }
  | {
      kind: 'open';
      wave: WaveRow;
      /** the wave's respondent page settings, read with a page view (not with autosave or completion) */
      page?: WavePage;
      invitation: LinkInvitation;
      questionnaire: RegisteredQuestionnaire;
      locale: Locale;
      answers: Record<string, unknown>;
      pageNo: number;
      /** the sequence number of the saved copy (0: none); the page numbers its autosaves from here */
      revision: number;
      /** seals and opens this link's in-progress answers (derived from the token, kept in no table) */
      progressKey: Buffer;
    };

/**
 * What a personal link opens, for a request from `address`: one database read gives the address's recent misses
 * (the link throttle), the invitation, its wave and, when asked for, the saved answers (the page needs them;
 * autosave and completion replace them). A malformed token is looked up like any other, so it takes as long.
 * An unknown token counts as a miss for the address.
 */
export async function openLink(
  db: Db,
  registry: QuestionnaireRegistry,
  token: string,
  address: string,
  now: Date,
  opts: { withProgress: boolean } = { withProgress: true },
): Promise<LinkState> {
  const wellFormed = isWellFormedToken(token);
  const found = await findLink(
    db,
    hashToken(wellFormed ? token : ''),
    linkMissKey(address),
    linkMissWindowStart(now),
    opts.withProgress,
  );
  const retryAfter = linkLookupBlockedFor(found.misses, found.oldestMiss, now);
  if (retryAfter > 0) return { kind: 'throttled', retryAfter };
  const { invitation, wave, progress } = found;
  // a version uploaded through another process is loaded from the database the first time a link needs it
  const questionnaire =
    wave && (registry.get(wave.questionnaire_id) ?? (await resolveVersion(db, registry, wave.questionnaire_id)));
  if (!wellFormed || !invitation || !wave || !questionnaire) {
    const endedWave = wellFormed && !invitation ? await waveOfEndedLink(db, token) : undefined;
    const ended = endedWave ? await findWave(db, endedWave) : undefined;
    if (ended) return { kind: 'ended', wave: ended, locale: 'nl' };
    await recordLinkMiss(db, address, now);
    return { kind: 'not-found' };
  }
  const locale = asLocale(invitation.language);
  const page = opts.withProgress ? wavePageOf(wave.id, found.page) : undefined;
  if (invitation.status === 'completed') return { kind: 'completed', wave, locale, page };
  const phase = wavePhase(wave, dutchDay(now));
  // test links also work before the wave opens, so a wave can be tried out end to end beforehand
  if (phase !== 'open' && !(phase === 'not-open' && invitation.is_test)) return { kind: phase, wave, locale, page };
  const progressKey = deriveProgressKey(token);
  const answers = progress ? savedAnswers(progressKey, invitation.id, progress.answers) : undefined;
  return {
    kind: 'open',
    wave,
    page,
    invitation,
    questionnaire,
    locale: asLocale(answers && progress?.locale, locale),
    answers: answers ?? {},
    pageNo: (answers && progress?.page_no) || 0,
    revision: Number(progress?.revision ?? 0),
    progressKey,
  };
}

/** The saved answers of a progress row; undefined when they cannot be opened with this link's key. */
function savedAnswers(key: Buffer, invitationId: string, stored: string): Record<string, unknown> | undefined {
  const json = isSealed(stored) ? openProgress(key, invitationId, stored) : stored; // plain: written before sealing
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export type SaveResult =
  { ok: true } | { ok: false; errors: AnswerError[] } | { ok: false; completed: true } | { ok: false; stale: true };

export interface ProgressInput {
  answers: unknown;
  pageNo: unknown;
  locale: unknown;
  /** the page's running number of this save (optional): a save with a number at or below the saved copy's is refused */
  seq?: unknown;
}

/** The largest sequence number (the revision column is a 32-bit integer). */
export const MAX_SEQ = 2_147_483_647;

export async function saveAnswersInProgress(
  db: Db,
  state: Extract<LinkState, { kind: 'open' }>,
  input: ProgressInput,
): Promise<SaveResult> {
  const locale = asLocale(input.locale, state.locale);
  const pages = state.questionnaire.model.pages.length;
  const pageNo = input.pageNo ?? 0;
  if (typeof pageNo !== 'number' || !Number.isInteger(pageNo) || pageNo < 0 || pageNo >= pages) {
    const message =
      locale === 'nl'
        ? `pageNo moet een paginanummer van 0 tot ${pages - 1} zijn`
        : `pageNo must be a page number from 0 to ${pages - 1}`;
    return { ok: false, errors: [{ name: '', message }] };
  }
  const seq = input.seq;
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1 || seq > MAX_SEQ)) {
    const message =
      locale === 'nl'
        ? `seq moet een geheel getal van 1 tot ${MAX_SEQ} zijn`
        : `seq must be a whole number from 1 to ${MAX_SEQ}`;
    return { ok: false, errors: [{ name: '', message }] };
  }
  const checked = await state.questionnaire.validator.validatePartial(input.answers, locale);
  if (!checked.ok) return checked;
  const answers = sealProgress(state.progressKey, state.invitation.id, JSON.stringify(checked.answers));
  // marking the invitation started also checks, inside the transaction, that no completion came in meanwhile:
  // answers saved after it would stay linked to the invitation
  const saved = await writeTransaction(db, async (trx) => {
    if (!(await markInvitationStartedUnlessCompleted(trx, state.invitation.id))) return 'completed';
    const row = { invitation_id: state.invitation.id, answers, page_no: pageNo, locale };
    return (await saveProgress(trx, row, seq)) ? 'saved' : 'stale';
  });
  if (saved === 'completed') return { ok: false, completed: true };
  return saved === 'stale' ? { ok: false, stale: true } : { ok: true };
}

export type CompleteResult =
  { status: 'stored' } | { status: 'already-completed' } | { status: 'invalid'; errors: AnswerError[] };

export async function completeResponse(
  db: Db,
  state: Extract<LinkState, { kind: 'open' }>,
  input: { answers: unknown; locale: unknown },
  now: Date,
): Promise<CompleteResult> {
  const locale = asLocale(input.locale, state.locale);
  const checked = await state.questionnaire.validator.validateComplete(input.answers, locale);
  if (!checked.ok) return { status: 'invalid', errors: checked.errors };
  const kept = keptValues(
    state.wave,
    state.questionnaire.sampleAttributes,
    JSON.parse(state.invitation.attributes) as Record<string, unknown>,
  );
  const answers = JSON.stringify(checked.answers);
  const id = crypto.randomUUID();
  const stored = await writeTransaction(db, async (trx) => {
    if (!(await claimInvitationCompletion(trx, state.invitation.id))) return false;
    await insertResponse(trx, {
      id,
      wave_id: state.wave.id,
      questionnaire_id: state.questionnaire.id,
      attributes: JSON.stringify(kept),
      answers,
      locale,
      submitted_on: dutchDay(now),
      is_test: Boolean(state.invitation.is_test),
    });
    await deleteProgress(trx, state.invitation.id);
    return true;
  });
  return stored ? { status: 'stored' } : { status: 'already-completed' };
}

/**
 * Seals in-progress answers saved before sealing existed (plain JSON beside the invitation id), at start. The server
 * can do this without the links: each token is derived from TOKEN_SECRET and the invitation id. The plain copies are
 * then erased from the file (secure_delete, WAL truncation; VACUUM FULL on PostgreSQL).
 */
export async function sealLegacyProgress(db: Db): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await listUnsealedProgress(db, 500);
    if (rows.length === 0) break;
    for (const row of rows) {
      const key = deriveProgressKey(deriveToken(row.invitation_id));
      await replaceProgressAnswers(
        db,
        row.invitation_id,
        row.answers,
        sealProgress(key, row.invitation_id, row.answers),
      );
    }
    sealed += rows.length;
  }
  if (sealed > 0) await eraseDeletedRows(db, ['progress']);
  return sealed;
}
