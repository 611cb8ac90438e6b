import type { Db } from '../shared/data/connection';
import {
  countInvitationMail,
  findInvitationByTokenHash,
  InvitationRow,
  markInvitationMailsQueued,
  optOutInvitation,
  setInvitationMailState,
  unmarkInvitationMailsQueued,
} from '../fielding/data/invitations';
import {
  cancelPendingFor,
  cancelScheduled,
  countMailTargets,
  listScheduled,
  countOutbox,
  countRecentlyReminded,
  queueMessages,
  type ReminderAudience,
} from './data/outbox';
import { findQuestionnaireVersion } from '../questionnaires/data/questionnaire-versions';
import { findWave, WaveRow } from '../fielding/data/waves';
import { createInvitations } from '../fielding/issue-invitations';
import { recordAudit } from '../accounts/audit';
import { addDays, dutchDay, readableMoment, startOfAmsterdamDay } from '../shared/calendar';
import { isMailAddress, MailTransport, OutgoingMail } from './mail-transport';
import { mailHtml } from './mail-html';
import { wavePage } from '../respondent/wave-pages';
import { loadTemplate, MailKind, MailLanguage, MailTemplate, renderMail } from './mail-templates';
import { hashToken, isWellFormedToken } from '../respondent/personal-tokens';
import { wavePhase } from '../fielding/wave-rules';
import { DomainError } from '../shared/errors';
import { linkLookupWait, recordLinkMiss } from '../respondent/link-throttle';

/** A refused mail action, with a message for the administrator (CLI: exit 1; web: 4xx). */
export class MailActionError extends DomainError {
  constructor(message: string, kind: 'not-found' | 'conflict' | 'invalid' = 'conflict') {
    super(kind, message);
  }
}

export interface MessageInput {
  to: string;
  name: string | null;
  token: string;
  publicUrl: string;
  closesOn: string;
  survey: string;
  language: MailLanguage;
  messageId?: string;
  /** the wave, for the link to its privacy statement in the footer */
  waveId?: string;
  /** the commissioning organisation (the wave's page settings), named at the top of the HTML alternative */
  organisation?: string;
}

export function optOutLink(publicUrl: string, token: string): string {
  return `${publicUrl}/u/${token}`;
}

/** The message for one person: plain text, the personal link, and the opt-out link in the text and in the headers. */
export function buildMessage(template: MailTemplate, m: MessageInput): OutgoingMail {
  const unsubscribe = optOutLink(m.publicUrl, m.token);
  const privacy = m.waveId && `${m.publicUrl}/privacy/${m.waveId}${m.language === 'en' ? '?lang=en' : ''}`;
  const rendered = renderMail(
    template,
    {
      name: m.name,
      link: `${m.publicUrl}/s/${m.token}`,
      optOutLink: unsubscribe,
      privacyLink: privacy,
      closesOn: m.closesOn,
      survey: m.survey,
    },
    m.language,
  );
  return {
    to: m.to,
    subject: rendered.subject,
    text: rendered.text,
    html: mailHtml({
      text: rendered.text,
      links: [`${m.publicUrl}/s/${m.token}`, unsubscribe, ...(privacy ? [privacy] : [])],
      organisation: m.organisation,
      language: m.language,
    }),
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    messageId: m.messageId,
  };
}

export interface QueueResult {
  wave: WaveRow;
  queued: number;
  /** when the messages go out (ISO, UTC): now, or the moment they were scheduled for */
  dueAt: string;
  /** true when dueAt is later than the moment of queueing */
  scheduled: boolean;
  /** of the wave's invitations: why the others got nothing */
  total: number;
  optedOut: number;
  noEmail: number;
  completed: number;
  alreadyMailed: number;
  notYetInvited: number;
  /** reminders only: people left out because they had a reminder within the minimum interval */
  recentlyReminded: number;
  /** the minimum interval between two reminders to one person that applied */
  minIntervalMs: number;
}

/** The least time between two reminders to one person (a second press of the button queues nobody who had one). */
export const REMINDER_MIN_INTERVAL_MS = 3 * 24 * 60 * 60 * 1000;

export interface ReminderOptions {
  audience?: ReminderAudience;
  minIntervalMs?: number;
}

/** When the messages are to go out: a chosen moment, and whether going out before the wave opens is meant. */
export interface SendMoment {
  /** unset: now, or the opening moment when the wave has not opened yet */
  at?: Date;
  /** the explicit choice to send before the wave opens (people then land on a "not open yet" page) */
  beforeOpening?: boolean;
}

/**
 * The moment messages of a wave go out: the chosen one, else now, else (a wave not open yet) the opening moment, the
 * start of its first day in Amsterdam. A moment before the opening needs the explicit choice; one in the past (more
 * than a minute) or after the wave closed is refused.
 */
export function resolveSendMoment(wave: WaveRow, now: Date, choice: SendMoment = {}): Date {
  const opening = startOfAmsterdamDay(wave.opens_on);
  const closing = startOfAmsterdamDay(addDays(wave.closes_on, 1));
  const at = choice.at ?? (now < opening && !choice.beforeOpening ? opening : now);
  if (choice.at && at.getTime() < now.getTime() - 60_000)
    throw new MailActionError(
      `${readableMoment(at.toISOString(), 'en')} has passed: choose a later moment.`,
      'invalid',
    );
  const due = at < now ? now : at;
  if (due >= closing)
    throw new MailActionError(
      `${wave.name} closes at the end of ${readableMoment(closing.toISOString(), 'en').replace(/ at .*/, '')}: choose a moment before that.`,
      'invalid',
    );
  if (due < opening && !choice.beforeOpening)
    throw new MailActionError(
      `${wave.name} opens on ${readableMoment(opening.toISOString(), 'en')}: people who get mail before then find a ` +
        '"not open yet" page. Choose a later moment, or choose explicitly to send before it opens.',
      'invalid',
    );
  return due;
}

async function mailableWave(db: Db, waveId: string, now: Date): Promise<WaveRow> {
  const wave = await findWave(db, waveId);
  if (!wave) throw new MailActionError(`There is no wave with id "${waveId}".`, 'not-found');
  if ((wave as WaveRow & { purged_at?: string | null }).purged_at)
    throw new MailActionError('This wave has been purged: it has no addresses any more.');
  if (wavePhase(wave, dutchDay(now)) === 'closed')
    throw new MailActionError('This wave is closed: no more mail goes out for it.');
  return wave;
}

async function queue(
  db: Db,
  waveId: string,
  kind: MailKind,
  opts: { actor: string; now: Date; send?: SendMoment } & ReminderOptions,
): Promise<QueueResult> {
  const audience = opts.audience ?? 'all';
  const remindedSince = new Date(opts.now.getTime() - (opts.minIntervalMs ?? REMINDER_MIN_INTERVAL_MS));
  const wave = await mailableWave(db, waveId, opts.now);
  const dueAt = resolveSendMoment(wave, opts.now, opts.send);
  // one transaction: the decision (mail_state queued), the messages and the audit entry; it starts with a write so
  // SQLite takes its write lock at once
  return db.transaction(async (trx) => {
    if (kind === 'invite') await markInvitationMailsQueued(trx, waveId);
    const recentlyReminded = kind === 'remind' ? await countRecentlyReminded(trx, waveId, audience, remindedSince) : 0;
    const queued = await queueMessages(trx, waveId, kind, opts.now, { audience, remindedSince }, dueAt);
    const c = await countInvitationMail(trx, waveId);
    const n = (v: number | string | null) => Number(v ?? 0);
    const result: QueueResult = {
      wave,
      queued,
      dueAt: dueAt.toISOString(),
      scheduled: dueAt > opts.now,
      total: n(c.total),
      optedOut: n(c.opted_out),
      noEmail: n(c.no_email),
      completed: n(c.completed),
      alreadyMailed: n(c.mail_sent) + n(c.mail_bounced),
      notYetInvited: n(c.mail_none) + n(c.mail_queued),
      recentlyReminded,
      minIntervalMs: opts.minIntervalMs ?? REMINDER_MIN_INTERVAL_MS,
    };
    await recordAudit(trx, {
      actor: opts.actor,
      action: kind === 'invite' ? 'mail.send' : 'mail.remind',
      waveId,
      detail: {
        kind,
        queued,
        ...(result.scheduled ? { dueAt: result.dueAt } : {}),
        total: result.total,
        optedOut: result.optedOut,
        noEmail: result.noEmail,
        completed: result.completed,
        ...(kind === 'remind' ? { audience, recentlyReminded } : {}),
      },
      at: opts.now,
    });
    return result;
  });
}

/** Queues the invitation mail for every invitation of the wave not yet mailed, not opted out, with an address. */
export function inviteWave(
  db: Db,
  waveId: string,
  opts: { actor: string; now: Date; send?: SendMoment },
): Promise<QueueResult> {
  return queue(db, waveId, 'invite', opts);
}

/**
 * Queues a reminder for everyone already invited by mail who has not completed and has not opted out (or only those
 * who have not started, or only those who started), leaving out whoever had a reminder within the minimum interval
 * (3 days by default): pressing the button twice reminds nobody twice.
 */
export function remindWave(
  db: Db,
  waveId: string,
  opts: { actor: string; now: Date; send?: SendMoment } & ReminderOptions,
): Promise<QueueResult> {
  return queue(db, waveId, 'remind', opts);
}

/** The wave's messages scheduled for later, per kind and moment. */
export function scheduledMail(db: Db, waveId: string, now: Date): ReturnType<typeof listScheduled> {
  return listScheduled(db, waveId, now);
}

/**
 * Cancels the scheduled (not yet due) messages of a kind; cancelled invitation mails count as not sent, so a later
 * "queue invitations" includes those people again. Returns how many were cancelled.
 */
export async function cancelScheduledMail(
  db: Db,
  waveId: string,
  kind: MailKind,
  opts: { actor: string; now: Date },
): Promise<number> {
  const wave = await findWave(db, waveId);
  if (!wave) throw new MailActionError(`There is no wave with id "${waveId}".`, 'not-found');
  return db.transaction(async (trx) => {
    const ids = await cancelScheduled(trx, waveId, kind, opts.now, `cancelled before it was due by ${opts.actor}`);
    if (kind === 'invite') await unmarkInvitationMailsQueued(trx, ids);
    if (ids.length > 0)
      await recordAudit(trx, {
        actor: opts.actor,
        action: 'mail.cancel-scheduled',
        waveId,
        detail: { kind, cancelled: ids.length },
        at: opts.now,
      });
    return ids.length;
  });
}

/**
 * What pressing the button would do, for the confirmation shown first: how many messages it would queue now (a
 * closed or purged wave is refused here already, as the action itself would be).
 */
export async function mailPlan(
  db: Db,
  waveId: string,
  kind: MailKind,
  opts: { now: Date; send?: SendMoment } & ReminderOptions,
): Promise<{ wave: WaveRow; count: number; dueAt: string; scheduled: boolean }> {
  const wave = await mailableWave(db, waveId, opts.now);
  const dueAt = resolveSendMoment(wave, opts.now, opts.send);
  const remindedSince = new Date(opts.now.getTime() - (opts.minIntervalMs ?? REMINDER_MIN_INTERVAL_MS));
  const count = await countMailTargets(db, waveId, kind, { audience: opts.audience ?? 'all', remindedSince });
  return { wave, count, dueAt: dueAt.toISOString(), scheduled: dueAt > opts.now };
}

export function describeMailPlan(
  kind: MailKind,
  audience: ReminderAudience,
  plan: { wave: WaveRow; count: number; dueAt?: string; scheduled?: boolean },
): string {
  const who =
    kind === 'invite'
      ? ''
      : audience === 'not-started'
        ? ' (only those who have not started)'
        : audience === 'started'
          ? ' (only those who started but have not finished)'
          : '';
  const what = kind === 'invite' ? 'invitation' : 'reminder';
  const when = plan.scheduled
    ? `They go out on ${readableMoment(plan.dueAt, 'en')} (Amsterdam time), unless cancelled before then.`
    : 'The mail worker sends them at once.';
  return `This queues ${plan.count} ${what} mail${plan.count === 1 ? '' : 's'}${who} for wave "${plan.wave.name}". ${when}`;
}

export function asReminderAudience(value: unknown): ReminderAudience | undefined {
  return value === 'all' || value === 'not-started' || value === 'started' ? value : undefined;
}

export function describeQueueResult(kind: MailKind, r: QueueResult): string {
  const what = kind === 'invite' ? 'invitation' : 'reminder';
  const lines = [
    r.scheduled
      ? `Scheduled ${r.queued} ${what} mail${r.queued === 1 ? '' : 's'} for wave "${r.wave.name}", to go out on ${readableMoment(r.dueAt, 'en')}.`
      : `Queued ${r.queued} ${what} mail${r.queued === 1 ? '' : 's'} for wave "${r.wave.name}".`,
  ];
  lines.push(
    `Of ${r.total} invitations: ${r.optedOut} opted out, ${r.noEmail} without an e-mail address, ${r.completed} completed.`,
  );
  if (kind === 'remind' && r.notYetInvited > 0)
    lines.push(`${r.notYetInvited} have not had their invitation mail yet and get no reminder.`);
  if (kind === 'remind' && r.recentlyReminded > 0)
    lines.push(
      `${r.recentlyReminded} had a reminder in the last ${Math.round(r.minIntervalMs / 86_400_000)} days and get none now.`,
    );
  return lines.join('\n');
}

export type OptOutLink =
  { kind: 'throttled'; retryAfter: number } | { kind: 'not-found' } | { kind: 'found'; invitation: InvitationRow };

/**
 * The invitation behind an opt-out link, inside the same throttle as the respondent's links (one count of unknown
 * tokens per client address): past the limit the address gets 'throttled' whether the token is valid or not, and an
 * unknown token counts as a miss. Without this, /u/ answered guesses while /s/ answered 429.
 */
export async function openOptOutLink(db: Db, token: string, address: string, now: Date): Promise<OptOutLink> {
  const retryAfter = await linkLookupWait(db, address, now);
  if (retryAfter > 0) return { kind: 'throttled', retryAfter };
  const invitation = isWellFormedToken(token) ? await findInvitationByTokenHash(db, hashToken(token)) : undefined;
  if (invitation) return { kind: 'found', invitation };
  await recordLinkMiss(db, address, now);
  return { kind: 'not-found' };
}

/** Opts the person out of all further mail and cancels their pending messages. false: unknown link. */
export async function optOut(db: Db, token: string): Promise<boolean> {
  if (!isWellFormedToken(token)) return false;
  return db.transaction(async (trx) => {
    const id = await optOutInvitation(trx, hashToken(token));
    if (!id) return false;
    await cancelPendingFor(trx, id, 'opted out');
    await setInvitationMailState(trx, id, 'none', ['queued']);
    return true;
  });
}

/** An example token for previews and test sends: the link has the real shape but opens no questionnaire. */
export const EXAMPLE_TOKEN = 'VOORBEELD-example-link-opens-no-survey-xxxx'.slice(0, 43);

export interface PreviewInput {
  wave: WaveRow;
  kind: MailKind;
  language: MailLanguage;
  publicUrl: string;
  from: string;
  template?: MailTemplate;
  name?: string;
  /** a real link's token (a test mail's test link); the example token otherwise */
  token?: string;
}

/** The message as a person would get it, with an example link. */
export async function previewMail(db: Db, p: PreviewInput): Promise<OutgoingMail & { from: string }> {
  const template = p.template ?? (await loadTemplate(db, p.wave.id, p.kind, p.language));
  const q = await findQuestionnaireVersion(db, p.wave.questionnaire_id);
  const survey = (p.language === 'en' ? q?.title_en : q?.title_nl) ?? p.wave.name;
  const mail = buildMessage(template, {
    to: 'recipient@example.org',
    name: p.name ?? (p.language === 'nl' ? 'J. Jansen' : 'J. Smith'),
    token: p.token ?? EXAMPLE_TOKEN,
    publicUrl: p.publicUrl,
    closesOn: p.wave.closes_on,
    survey,
    language: p.language,
    waveId: p.wave.id,
    organisation: (await wavePage(db, p.wave.id)).organisation || undefined,
  });
  return { ...mail, from: p.from };
}

/**
 * Sends the wave's template to the signed-in administrator's own address, marked [TEST], and audit-logs it. The link
 * in it is a fresh test link of the wave (in the mail's language): it opens the questionnaire with the TEST banner,
 * and what is answered through it is never counted or exported, like any test link.
 */
export async function sendTestMail(
  db: Db,
  transport: MailTransport,
  p: Omit<PreviewInput, 'template' | 'token'> & { to: string; actor: string; now: Date; timeoutMs: number },
): Promise<void> {
  if (!isMailAddress(p.to))
    throw new MailActionError('Your account has no usable e-mail address for a test mail.', 'invalid');
  if (p.wave.purged_at || wavePhase(p.wave, dutchDay(p.now)) === 'closed')
    throw new MailActionError('This wave is closed: a test mail would carry a link that opens nothing.');
  const [link] = await createInvitations(db, p.wave, [{ language: p.language, attributes: {} }], {
    isTest: true,
    now: p.now,
  });
  const mail = await previewMail(db, { ...p, token: link.token });
  const test: OutgoingMail = { ...mail, to: p.to, subject: `[TEST] ${mail.subject}`, messageId: undefined };
  await transport.send(
    test,
    { waveId: p.wave.id, invitationId: link.invitationId, token: link.token },
    AbortSignal.timeout(4 * p.timeoutMs),
  );
  await recordAudit(db, {
    actor: p.actor,
    action: 'mail.test-send',
    waveId: p.wave.id,
    detail: { kind: p.kind, language: p.language, via: transport.via },
    at: p.now,
  });
}

/** The wave's outbox: messages pending, sent, bounced, failed and cancelled, per kind and in all. */
export function outboxCounts(db: Db, waveId: string): ReturnType<typeof countOutbox> {
  return countOutbox(db, waveId);
}
