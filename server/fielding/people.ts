/**
 * One person of a wave, for the administrator who helps them: find them by e-mail or name, see where they are (mail
 * sent or bounced, opted out, started, completed) and what was mailed, send the invitation again, give them a fresh
 * link, or change their language. Nothing here reads or shows answers; every change is in the audit log.
 */
import type { Db } from '../shared/data/connection';
import {
  findWavePerson,
  markInvitationMailQueued,
  PersonRow,
  replaceInvitationLink,
  searchWavePeople,
  setInvitationLanguage,
} from './data/invitations';
import type { WaveRow } from './data/waves';
import { listOutboxOf, queueMessageFor, setPendingLanguage, OutboxKind, OutboxState } from '../mail/data/outbox';
import { findProgress, replaceProgressAnswers } from '../respondent/data/progress';
import { deriveToken, hashToken } from '../respondent/personal-tokens';
import { openProgress, progressKey, sealProgress } from '../respondent/progress-sealing';
import { recordAudit } from '../accounts/audit';
import { waveStatus } from './wave-actions';
import { ConflictError, InvalidError, NotFoundError } from '../shared/errors';
import type { Locale } from '../shared/locale';

export const PEOPLE_PAGE_SIZE = 50;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a person is, as an administrator reads it. */
export interface Person {
  id: string;
  email: string;
  name: string | null;
  organisation: string | null;
  language: Locale;
  /** not started, started, completed */
  progress: 'not started' | 'started' | 'completed';
  /** the invitation mail: not yet sent, waiting in the outbox, sent, bounced */
  mail: 'not sent' | 'waiting' | 'sent' | 'bounced';
  optedOut: boolean;
  /** the link was replaced this many times */
  freshLinks: number;
}

export interface MailHistoryEntry {
  kind: OutboxKind;
  state: OutboxState;
  language: string;
  queuedAt: string;
  /** pending: when it is due; sent: when the server accepted it */
  dueAt: string | null;
  sentAt: string | null;
  attempts: number;
  /** why it bounced, failed or was cancelled (addresses removed) */
  reason: string | null;
}

const PROGRESS: Record<PersonRow['status'], Person['progress']> = {
  invited: 'not started',
  started: 'started',
  completed: 'completed',
};
const MAIL: Record<string, Person['mail']> = { none: 'not sent', queued: 'waiting', sent: 'sent', bounced: 'bounced' };

function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    email: row.email ?? '',
    name: row.name,
    organisation: row.organisation,
    language: row.language === 'en' ? 'en' : 'nl',
    progress: PROGRESS[row.status] ?? 'not started',
    mail: MAIL[row.mail_state] ?? 'not sent',
    optedOut: Boolean(row.opted_out),
    freshLinks: Number(row.link_generation ?? 0),
  };
}

function checkSearchText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > 200 || /[\u0000-\u001f\u007f]/.test(trimmed))
    throw new InvalidError('Search for at most 200 characters of an e-mail address or a name');
  return trimmed;
}

/** The wave's people whose e-mail address or name contains the text (all, in name order, when it is empty). */
export async function findPeople(
  db: Db,
  wave: WaveRow,
  text: string,
): Promise<{ people: Person[]; more: boolean; purged: boolean }> {
  if (wave.purged_at) return { people: [], more: false, purged: true };
  const rows = await searchWavePeople(db, wave.id, checkSearchText(text), PEOPLE_PAGE_SIZE);
  return {
    people: rows.slice(0, PEOPLE_PAGE_SIZE).map(toPerson),
    more: rows.length > PEOPLE_PAGE_SIZE,
    purged: false,
  };
}

async function loadPerson(db: Db, wave: WaveRow, id: string): Promise<PersonRow> {
  if (wave.purged_at) throw new NotFoundError(`The contact data of ${wave.name} was purged: nobody can be looked up`);
  const row = ID.test(id) ? await findWavePerson(db, wave.id, id.toLowerCase()) : undefined;
  if (!row) throw new NotFoundError(`No such person in ${wave.name}`);
  return row;
}

/** The person and their mail history, newest first. */
export async function personDetail(
  db: Db,
  wave: WaveRow,
  id: string,
): Promise<{ person: Person; mails: MailHistoryEntry[] }> {
  const row = await loadPerson(db, wave, id);
  const mails = (await listOutboxOf(db, row.id)).map((m) => ({
    kind: m.kind,
    state: m.state,
    language: m.language,
    queuedAt: m.created_at,
    dueAt: m.state === 'pending' ? m.next_attempt_at : null,
    sentAt: m.sent_at,
    attempts: Number(m.attempts),
    reason: m.last_error,
  }));
  return { person: toPerson(row), mails };
}

/** What the wave's state and the person's allow: why a mail or a fresh link cannot be given now, if so. */
export function personActions(
  wave: WaveRow,
  person: Person,
  now: Date,
): { resend?: string; freshLink?: string; language?: string } {
  const status = waveStatus(wave, now);
  const waveOver = status.phase === 'closed' ? `${wave.name} is closed` : undefined;
  return {
    resend:
      waveOver ??
      (person.progress === 'completed'
        ? 'they completed the questionnaire'
        : person.optedOut
          ? 'they opted out of mail from this survey'
          : undefined),
    freshLink: waveOver ?? (person.progress === 'completed' ? 'they completed the questionnaire' : undefined),
    language: waveOver,
  };
}

function refuseUnless(reason: string | undefined, what: string): void {
  if (reason) throw new ConflictError(`${what} is not possible: ${reason}.`);
}

/**
 * Sends the invitation mail again (due now). Refused when the wave is closed, the person completed or opted out, or
 * a message to them is already waiting to go out. Returns the person as they are now.
 */
export async function resendInvitation(
  db: Db,
  wave: WaveRow,
  id: string,
  opts: { actor: string; now: Date },
): Promise<Person> {
  const person = toPerson(await loadPerson(db, wave, id));
  refuseUnless(personActions(wave, person, opts.now).resend, 'Sending the invitation again');
  const queued = await db.transaction(async (trx) => {
    const n = await queueMessageFor(trx, {
      waveId: wave.id,
      invitationId: person.id,
      kind: 'invite',
      language: person.language,
      now: opts.now,
      dueAt: opts.now,
    });
    if (n === 0) return false;
    await markInvitationMailQueued(trx, person.id);
    await recordAudit(trx, {
      actor: opts.actor,
      action: 'person.resend',
      waveId: wave.id,
      detail: { invitation: person.id, language: person.language },
      at: opts.now,
    });
    return true;
  });
  if (!queued)
    throw new ConflictError('A message to this person is already waiting to go out; it carries their current link.');
  return toPerson(await loadPerson(db, wave, id));
}

/**
 * Replaces the person's link: the old one stops working at once, the answers they saved move with them (opened with
 * the old link's key, sealed again with the new one's), and with `mail` the invitation goes out again with the new
 * link. The new link is shown to no one: it reaches the person only by mail.
 */
export async function giveFreshLink(
  db: Db,
  wave: WaveRow,
  id: string,
  opts: { actor: string; now: Date; mail: boolean },
): Promise<{ person: Person; mailed: boolean; answersMoved: boolean }> {
  const row = await loadPerson(db, wave, id);
  const person = toPerson(row);
  refuseUnless(personActions(wave, person, opts.now).freshLink, 'A fresh link');
  const from = person.freshLinks;
  const oldToken = deriveToken(row.id, from);
  const newToken = deriveToken(row.id, from + 1);
  const mailable = opts.mail && !person.optedOut;
  const result = await db.transaction(async (trx) => {
    if (!(await replaceInvitationLink(trx, row.id, from, hashToken(newToken))))
      throw new ConflictError('The link changed meanwhile (completed, or replaced by someone else): reload the page.');
    let answersMoved = false;
    const saved = await findProgress(trx, row.id);
    const plain = saved ? openProgress(progressKey(oldToken), row.id, saved.answers) : undefined;
    if (saved && plain !== undefined) {
      await replaceProgressAnswers(trx, row.id, saved.answers, sealProgress(progressKey(newToken), row.id, plain));
      answersMoved = true;
    }
    let mailed = false;
    if (mailable) {
      // a message already waiting carries the new link too: links are derived when the message is sent
      await queueMessageFor(trx, {
        waveId: wave.id,
        invitationId: row.id,
        kind: 'invite',
        language: person.language,
        now: opts.now,
        dueAt: opts.now,
      });
      await markInvitationMailQueued(trx, row.id);
      mailed = true;
    }
    await recordAudit(trx, {
      actor: opts.actor,
      action: 'person.fresh-link',
      waveId: wave.id,
      detail: { invitation: row.id, mailed, answersMoved },
      at: opts.now,
    });
    return { mailed, answersMoved };
  });
  return { person: toPerson(await loadPerson(db, wave, id)), ...result };
}

/** Sets the language of the person's mail and questionnaire (messages waiting to go out follow). */
export async function changePersonLanguage(
  db: Db,
  wave: WaveRow,
  id: string,
  language: string,
  opts: { actor: string; now: Date },
): Promise<Person> {
  if (language !== 'nl' && language !== 'en') throw new InvalidError('The language is Dutch (nl) or English (en)');
  const person = toPerson(await loadPerson(db, wave, id));
  refuseUnless(personActions(wave, person, opts.now).language, 'Changing the language');
  if (person.language !== language) {
    await db.transaction(async (trx) => {
      await setInvitationLanguage(trx, person.id, language);
      await setPendingLanguage(trx, person.id, language);
      await recordAudit(trx, {
        actor: opts.actor,
        action: 'person.language',
        waveId: wave.id,
        detail: { invitation: person.id, from: person.language, to: language },
        at: opts.now,
      });
    });
  }
  return toPerson(await loadPerson(db, wave, id));
}
