import type { Db } from '../shared/data/connection';
import {
  countInvitationMail,
  findInvitationByTokenHash,
  InvitationRow,
  markInvitationMailsQueued,
  optOutInvitation,
  setInvitationMailState,
} from '../fielding/data/invitations';
import {
  cancelPendingFor,
  countMailTargets,
  countOutbox,
  countRecentlyReminded,
  queueMessages,
  type ReminderAudience,
} from './data/outbox';
import { findQuestionnaireVersion } from '../questionnaires/data/questionnaire-versions';
import { findWave, WaveRow } from '../fielding/data/waves';
import { recordAudit } from '../accounts/audit';
import { dutchDay } from '../shared/calendar';
import { isMailAddress, MailTransport, OutgoingMail } from './mail-transport';
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
}

export function optOutLink(publicUrl: string, token: string): string {
  return `${publicUrl}/u/${token}`;
}

/** The message for one person: plain text, the personal link, and the opt-out link in the text and in the headers. */
export function buildMessage(template: MailTemplate, m: MessageInput): OutgoingMail {
  const unsubscribe = optOutLink(m.publicUrl, m.token);
  const rendered = renderMail(
    template,
    {
      name: m.name,
      link: `${m.publicUrl}/s/${m.token}`,
      optOutLink: unsubscribe,
      privacyLink: m.waveId && `${m.publicUrl}/privacy/${m.waveId}${m.language === 'en' ? '?lang=en' : ''}`,
      closesOn: m.closesOn,
      survey: m.survey,
    },
    m.language,
  );
  return {
    to: m.to,
    subject: rendered.subject,
    text: rendered.text,
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    messageId: m.messageId,
  };
}

export interface QueueResult {
  wave: WaveRow;
  queued: number;
  /** of the wave's invitations: why the others got nothing */
  total: number;
  optedOut: number;
  noEmail: number;
  completed: number;
  alreadyMailed: number;
  notYetInvited: number;
  /** reminders only: people left out because they had a reminder within the minimum interval */
  recentlyReminded: number;
}

/** The least time between two reminders to one person (a second press of the button queues nobody who had one). */
export const REMINDER_MIN_INTERVAL_MS = 3 * 24 * 60 * 60 * 1000;

export interface ReminderOptions {
  audience?: ReminderAudience;
  minIntervalMs?: number;
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
  opts: { actor: string; now: Date } & ReminderOptions,
): Promise<QueueResult> {
  const audience = opts.audience ?? 'all';
  const remindedSince = new Date(opts.now.getTime() - (opts.minIntervalMs ?? REMINDER_MIN_INTERVAL_MS));
  const wave = await mailableWave(db, waveId, opts.now);
  // one transaction: the decision (mail_state queued), the messages and the audit entry; it starts with a write so
  // SQLite takes its write lock at once
  return db.transaction(async (trx) => {
    if (kind === 'invite') await markInvitationMailsQueued(trx, waveId);
    const recentlyReminded = kind === 'remind' ? await countRecentlyReminded(trx, waveId, audience, remindedSince) : 0;
    const queued = await queueMessages(trx, waveId, kind, opts.now, { audience, remindedSince });
    const c = await countInvitationMail(trx, waveId);
    const n = (v: number | string | null) => Number(v ?? 0);
    const result: QueueResult = {
      wave,
      queued,
      total: n(c.total),
      optedOut: n(c.opted_out),
      noEmail: n(c.no_email),
      completed: n(c.completed),
      alreadyMailed: n(c.mail_sent) + n(c.mail_bounced),
      notYetInvited: n(c.mail_none) + n(c.mail_queued),
      recentlyReminded,
    };
    await recordAudit(trx, {
      actor: opts.actor,
      action: kind === 'invite' ? 'mail.send' : 'mail.remind',
      waveId,
      detail: {
        kind,
        queued,
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
export function inviteWave(db: Db, waveId: string, opts: { actor: string; now: Date }): Promise<QueueResult> {
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
  opts: { actor: string; now: Date } & ReminderOptions,
): Promise<QueueResult> {
  return queue(db, waveId, 'remind', opts);
}

/**
 * What pressing the button would do, for the confirmation shown first: how many messages it would queue now (a
 * closed or purged wave is refused here already, as the action itself would be).
 */
export async function mailPlan(
  db: Db,
  waveId: string,
  kind: MailKind,
  opts: { now: Date } & ReminderOptions,
): Promise<{ wave: WaveRow; count: number }> {
  const wave = await mailableWave(db, waveId, opts.now);
  const remindedSince = new Date(opts.now.getTime() - (opts.minIntervalMs ?? REMINDER_MIN_INTERVAL_MS));
  return { wave, count: await countMailTargets(db, waveId, kind, { audience: opts.audience ?? 'all', remindedSince }) };
}

export function describeMailPlan(
  kind: MailKind,
  audience: ReminderAudience,
  plan: { wave: WaveRow; count: number },
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
  return `This queues ${plan.count} ${what} mail${plan.count === 1 ? '' : 's'}${who} for wave "${plan.wave.name}". The mail worker sends them at once.`;
}

export function asReminderAudience(value: unknown): ReminderAudience | undefined {
  return value === 'all' || value === 'not-started' || value === 'started' ? value : undefined;
}

export function describeQueueResult(kind: MailKind, r: QueueResult): string {
  const what = kind === 'invite' ? 'invitation' : 'reminder';
  const lines = [`Queued ${r.queued} ${what} mail${r.queued === 1 ? '' : 's'} for wave "${r.wave.name}".`];
  lines.push(
    `Of ${r.total} invitations: ${r.optedOut} opted out, ${r.noEmail} without an e-mail address, ${r.completed} completed.`,
  );
  if (kind === 'remind' && r.notYetInvited > 0)
    lines.push(`${r.notYetInvited} have not had their invitation mail yet and get no reminder.`);
  if (kind === 'remind' && r.recentlyReminded > 0)
    lines.push(
      `${r.recentlyReminded} had a reminder in the last ${Math.round(REMINDER_MIN_INTERVAL_MS / 86_400_000)} days and get none now.`,
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
}

/** The message as a person would get it, with an example link. */
export async function previewMail(db: Db, p: PreviewInput): Promise<OutgoingMail & { from: string }> {
  const template = p.template ?? (await loadTemplate(db, p.wave.id, p.kind, p.language));
  const q = await findQuestionnaireVersion(db, p.wave.questionnaire_id);
  const survey = (p.language === 'en' ? q?.title_en : q?.title_nl) ?? p.wave.name;
  const mail = buildMessage(template, {
    to: 'recipient@example.org',
    name: p.name ?? (p.language === 'nl' ? 'J. Jansen' : 'J. Smith'),
    token: EXAMPLE_TOKEN,
    publicUrl: p.publicUrl,
    closesOn: p.wave.closes_on,
    survey,
    language: p.language,
    waveId: p.wave.id,
  });
  return { ...mail, from: p.from };
}

/** Sends the wave's template to the signed-in administrator's own address, marked [TEST], and audit-logs it. */
export async function sendTestMail(
  db: Db,
  transport: MailTransport,
  p: Omit<PreviewInput, 'template'> & { to: string; actor: string; now: Date; timeoutMs: number },
): Promise<void> {
  if (!isMailAddress(p.to))
    throw new MailActionError('Your account has no usable e-mail address for a test mail.', 'invalid');
  const mail = await previewMail(db, p);
  const test: OutgoingMail = { ...mail, to: p.to, subject: `[TEST] ${mail.subject}`, messageId: undefined };
  await transport.send(test, { waveId: p.wave.id, invitationId: null }, AbortSignal.timeout(4 * p.timeoutMs));
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
