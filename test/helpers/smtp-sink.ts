import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerSession } from 'smtp-server';

/** A message the sink accepted, with its headers and its text decoded. */
export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  /** header lines as sent (unfolded), in order */
  headerLines: string[];
  header(name: string): string | undefined;
  subject: string;
  /** the text/plain part */
  text: string;
  /** the text/html part, when the message has one */
  html?: string;
}

export type Refusal = { code: number; message: string } | 'hang';

export interface SinkBehaviour {
  /** per connection (n counts from 1): 'hang' never greets */
  onConnect?(n: number): 'hang' | undefined;
  /** per message (n counts every DATA from 1): a refusal, 'hang' (no reply ever), or undefined to accept */
  onData?(n: number, mail: ReceivedMail): Refusal | undefined | Promise<Refusal | undefined>;
  /** per recipient */
  onRcpt?(address: string): Refusal | undefined;
}

export interface SmtpSink {
  port: number;
  url: string;
  received: ReceivedMail[];
  behaviour: SinkBehaviour;
  connections: number;
  /** resolves when at least n messages were accepted */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([QqBb])\?([^?]*)\?=(?:\s+(?==\?))?/g,
    (_w, _charset, enc: string, text: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      const bytes = text
        .replace(/_/g, ' ')
        .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    },
  );
}

/** One MIME entity: its header lines and its body decoded (quoted-printable or base64) as UTF-8. */
function parseEntity(raw: string): {
  headerLines: string[];
  header: (name: string) => string | undefined;
  body: string;
} {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headerLines = head.split(/\r\n(?![ \t])/).map((l) => l.replace(/\r\n[ \t]+/g, ' '));
  const header = (name: string) => {
    const line = headerLines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line === undefined ? undefined : line.slice(name.length + 1).trim();
  };
  const encoding = (header('content-transfer-encoding') ?? '7bit').toLowerCase();
  let text = body;
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headerLines, header, body: text };
}

/** The text/plain and text/html parts of a message (a multipart/alternative or a single part). */
function alternatives(raw: string): { text?: string; html?: string } {
  const entity = parseEntity(raw);
  const type = entity.header('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const found: { text?: string; html?: string } = {};
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const inner = alternatives(part.replace(/^\r\n/, ''));
      found.text ??= inner.text;
      found.html ??= inner.html;
    }
    return found;
  }
  return /^text\/html/i.test(type) ? { html: entity.body } : { text: entity.body };
}

export function parseMail(raw: string, envelopeTo: string[] = []): ReceivedMail {
  const { headerLines, header } = parseEntity(raw);
  const parts = alternatives(raw);
  return {
    envelopeTo,
    raw,
    headerLines,
    header,
    subject: decodeWords(header('subject') ?? ''),
    text: (parts.text ?? '').replace(/\r\n/g, '\n'),
    html: parts.html?.replace(/\r\n/g, '\n'),
  };
}

function smtpError(r: { code: number; message: string }): Error {
  return Object.assign(new Error(r.message), { responseCode: r.code });
}

/** A real SMTP server (smtp-server) on 127.0.0.1, no TLS, no auth, that keeps what it accepts. */
export async function startSmtpSink(behaviour: SinkBehaviour = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let messages = 0;
  const sink = { received, behaviour, connections: 0 } as SmtpSink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 200,
    onConnect(_session: SMTPServerSession, callback) {
      sink.connections++;
      if (sink.behaviour.onConnect?.(sink.connections) === 'hang') return; // never greets
      callback();
    },
    onRcptTo(address, _session, callback) {
      const r = sink.behaviour.onRcpt?.(address.address);
      if (r === 'hang') return;
      callback(r ? smtpError(r) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const mail = parseMail(
          Buffer.concat(chunks).toString('latin1'),
          session.envelope.rcptTo.map((a) => a.address),
        );
        // headers and body were read as latin1 bytes; the text decoder above turns them into UTF-8
        const r = await sink.behaviour.onData?.(++messages, mail);
        if (r === 'hang') return;
        if (r) return callback(smtpError(r));
        received.push(mail);
        callback();
        for (const w of waiters.splice(0)) w();
      });
    },
  });
  // replies go out at once (no Nagle delay), as a real server's would over a network
  server.server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  sink.port = port;
  sink.url = `smtp://127.0.0.1:${port}`;
  sink.waitFor = async (n, timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    while (received.length < n) {
      if (Date.now() > until) throw new Error(`the sink got ${received.length} of ${n} messages`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

/** The personal link (/s/<token>) in a received mail. */
export function linkIn(mail: ReceivedMail): string {
  const m = /https?:\/\/\S+\/s\/([A-Za-z0-9_-]{43})/.exec(mail.text);
  if (!m) throw new Error('no personal link in the mail');
  return m[0];
}

/** Messages per envelope recipient. */
export function countByRecipient(received: ReceivedMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of received) for (const to of m.envelopeTo) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}
