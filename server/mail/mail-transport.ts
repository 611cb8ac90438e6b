import nodemailer from 'nodemailer';
import type { Config } from '../shared/config';
import type { Db } from '../shared/data/connection';
import { insertDevMail } from './data/dev-mailbox';
import { isValidEmail } from '../shared/email-address';

export interface OutgoingMail {
  /** a bare address, checked with isMailAddress: never a display name, never a list */
  to: string;
  subject: string;
  text: string;
  /** the HTML alternative, made from the text (mail-html.ts) */
  html?: string;
  headers: Record<string, string>;
  messageId?: string;
}

export interface DeliveryMeta {
  waveId: string | null;
  invitationId: string | null;
  /** the personal token in the message, kept out of the development mailbox's stored copy */
  token?: string;
}

export interface MailTransport {
  readonly via: 'smtp' | 'dev-mailbox';
  /** resolves once the server accepted the message (250 after DATA), rejects with the SMTP error otherwise */
  send(mail: OutgoingMail, meta: DeliveryMeta, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A plain addr-spec (see email-address.ts): no spaces, quotes, brackets, commas or line breaks, so it is safe as an
 * envelope address and a To header, and it can never be a list. */
export function isMailAddress(value: unknown): value is string {
  return typeof value === 'string' && isValidEmail(value);
}

/** The address part of MAIL_FROM, e.g. for Message-IDs. */
export function fromAddress(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m ? m[1] : from).trim();
}

export interface SmtpOptions {
  url: string;
  from: string;
  /** pooled connections = messages in flight at once */
  connections: number;
  /** connection, greeting and socket timeout */
  timeoutMs: number;
}

/** Nodemailer's pooled SMTP transport with short timeouts and no logging (its log would name recipients). */
export function smtpTransport(opts: SmtpOptions): MailTransport {
  const transporter = nodemailer.createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.connections,
    maxMessages: 200,
    maxRequeues: 1, // a connection that closes before the reply: one more try, then the outbox decides
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    dnsTimeout: opts.timeoutMs,
    socketCloseTimeout: 1000,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const envelopeFrom = fromAddress(opts.from);
  return {
    via: 'smtp',
    async send(mail, _meta, signal) {
      if (!isMailAddress(mail.to)) throw Object.assign(new Error('not a valid e-mail address'), { code: 'EENVELOPE' });
      await transporter.sendMail({
        from: opts.from,
        to: { name: '', address: mail.to },
        envelope: { from: envelopeFrom, to: [mail.to] },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        textEncoding: 'quoted-printable',
        headers: mail.headers,
        messageId: mail.messageId,
        signal,
      });
    },
    async close() {
      transporter.close();
    },
  };
}

export const TOKEN_MARKER = '[personal-token]';

/**
 * Without SMTP_URL: messages are kept in the dev_mailbox table, NOT sent, and shown on the admin pages. The personal
 * token is replaced by a marker in the stored copy and derived again when the message is shown.
 */
export function devMailboxTransport(db: Db, clock: () => Date = () => new Date()): MailTransport {
  return {
    via: 'dev-mailbox',
    async send(mail, meta) {
      if (!isMailAddress(mail.to)) throw Object.assign(new Error('not a valid e-mail address'), { code: 'EENVELOPE' });
      const mask = (s: string) => (meta.token ? s.split(meta.token).join(TOKEN_MARKER) : s);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(mail.headers)) headers[k] = mask(v);
      await insertDevMail(db, {
        wave_id: meta.waveId,
        invitation_id: meta.invitationId,
        recipient: mail.to,
        subject: mail.subject,
        headers: JSON.stringify(headers),
        body: mask(mail.text),
        created_at: clock().toISOString(),
      });
    },
    async close() {},
  };
}

export function transportFromConfig(
  db: Db,
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'mailConnections' | 'mailTimeoutMs'>,
): MailTransport {
  if (!config.smtpUrl) return devMailboxTransport(db);
  return smtpTransport({
    url: config.smtpUrl,
    from: config.mailFrom,
    connections: config.mailConnections,
    timeoutMs: config.mailTimeoutMs,
  });
}

export interface Failure {
  /** permanent: the server refused the message for good (5xx): bounced. temporary: try again later. */
  kind: 'permanent' | 'temporary';
  /** for last_error and the log: code, reply code and the server's text, addresses removed */
  message: string;
}

interface SmtpError {
  name?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  permanent?: boolean;
}

/** Redacts anything that looks like an e-mail address. */
export function withoutAddresses(text: string): string {
  return text.replace(/<?[^\s<>@,;:"]+@[^\s<>,;:"]+>?/g, '[address]');
}

export function classifyFailure(err: unknown): Failure {
  const e = (err ?? {}) as SmtpError;
  const text = withoutAddresses(String(e.response || e.message || e.code || 'unknown error'))
    .replace(/\s+/g, ' ')
    .slice(0, 300);
  const code = [e.code, e.responseCode].filter(Boolean).join(' ');
  const message = code ? `${code}: ${text}` : text;
  if (e.name === 'AbortError' || e.code === 'EABORT') return { kind: 'temporary', message: `timed out: ${message}` };
  if (typeof e.responseCode === 'number') {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503);
    return { kind: permanent ? 'permanent' : 'temporary', message };
  }
  // refused before any reply, e.g. an address nodemailer could not use
  if (e.code === 'EENVELOPE') return { kind: 'permanent', message };
  return { kind: 'temporary', message };
}

/** What the admin pages need to send a test mail; without it, test mails go to the development mailbox. */
export interface MailDeps {
  transport: MailTransport;
  from: string;
  timeoutMs: number;
}
