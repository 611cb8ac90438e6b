import type { Db } from '../../server/shared/data/connection';
import { devMailboxTransport, smtpTransport } from '../../server/mail/mail-transport';
import { MailWorker, MailWorkerOptions } from '../../server/mail/mail-worker';
import type { Invitee } from '../../server/fielding/issue-invitations';
import type { WaveRow } from '../../server/fielding/data/waves';
import { inviteWave } from '../../server/mail/wave-mail';
import { SmtpSink, startSmtpSink } from './smtp-sink';
import { testApp, TestApp } from './test-app';
import { createApp } from '../../server/app';
import { addTestUser, Browser, PASSWORD } from './signed-in';

export const TEST_FROM = 'Monitor Test <monitor@example.org>';

/** A worker against the sink (or the development mailbox) with short timeouts and fast retries. */
export function testWorker(
  db: Db,
  sink: SmtpSink | 'dev-mailbox',
  all: Partial<MailWorkerOptions> & { logs?: string[] } = {},
): MailWorker {
  const { logs, ...opts } = all;
  const timeoutMs = opts.timeoutMs ?? 1000;
  const connections = opts.connections ?? 1;
  const transport =
    sink === 'dev-mailbox'
      ? devMailboxTransport(db)
      : smtpTransport({ url: sink.url, from: TEST_FROM, connections, timeoutMs });
  return new MailWorker({
    db,
    transport,
    publicUrl: 'http://veldwerk.test',
    from: TEST_FROM,
    ratePerSecond: 1000,
    connections,
    timeoutMs,
    pollMs: 50,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    log: (line) => logs?.push(line),
    ...opts,
  });
}

/** n synthetic people with addresses p<i>@example.org (prefix to keep waves apart). */
export function people(n: number, prefix = 'p', extra: Partial<Invitee> = {}): Invitee[] {
  return Array.from({ length: n }, (_, i) => ({
    email: `${prefix}${i}@example.org`,
    name: `Persoon ${prefix}${i}`,
    organisation: 'Gemeente Voorbeeld',
    attributes: { tier: 'gemeente', role: 'raadslid' },
    language: 'nl' as const,
    ...extra,
  }));
}

export async function outboxStates(db: Db, waveId: string): Promise<Record<string, number>> {
  const rows: Array<{ state: string; n: number | string }> = await db('outbox')
    .where({ wave_id: waveId })
    .select('state')
    .count({ n: '*' })
    .groupBy('state');
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** Runs a fresh test worker until nothing is due (or nothing is pending, with waitForRetries), then closes it. */
export async function sendQueued(
  db: Db,
  sink: SmtpSink | 'dev-mailbox',
  opts: Partial<MailWorkerOptions> & { logs?: string[]; waitForRetries?: boolean } = {},
) {
  const { waitForRetries, ...rest } = opts;
  const worker = testWorker(db, sink, rest);
  try {
    return { ...(await worker.drain({ waitForRetries })) };
  } finally {
    await worker.stop();
  }
}

/** The shared frame of the mail suites: a fresh app and a real SMTP sink per suite, the sink reset before each test. */
export interface MailSuite {
  readonly t: TestApp;
  readonly sink: SmtpSink;
  readonly actor: { actor: string; now: Date };
  /** a wave with n people (addresses prefix0@…) whose invitation mails are queued */
  queued(n: number, prefix: string): Promise<WaveRow>;
}

export function useMailSuite(kind: 'sqlite' | 'postgres'): MailSuite {
  const state = {} as { t: TestApp; sink: SmtpSink };
  beforeAll(async () => {
    state.t = await testApp(kind);
    state.sink = await startSmtpSink();
  });
  afterAll(async () => {
    await state.sink.close();
    await state.t.drop();
  });
  beforeEach(() => {
    state.sink.received.length = 0;
    state.sink.behaviour = {};
  });
  const actor = { actor: 'admin@example.org', now: new Date() };
  return {
    get t() {
      return state.t;
    },
    get sink() {
      return state.sink;
    },
    actor,
    async queued(n, prefix) {
      const wave = await state.t.wave();
      await state.t.invite(wave, people(n, prefix));
      await inviteWave(state.t.db, wave.id, actor);
      return wave;
    },
  };
}

/** The suite's app with real SMTP to the sink (admin pages' test mails go there too), on the suite's clock. */
export function appWithSmtp(
  t: TestApp,
  sink: SmtpSink,
  config: { reminderMinIntervalDays?: number } = {},
): ReturnType<typeof createApp> {
  return createApp({
    db: t.db,
    registry: t.registry,
    config: { publicUrl: 'http://veldwerk.test', logRequests: false, trustProxy: 'loopback', ...config },
    clock: () => t.now.value,
    mail: {
      transport: smtpTransport({ url: sink.url, from: TEST_FROM, connections: 1, timeoutMs: 1000 }),
      from: TEST_FROM,
      timeoutMs: 1000,
    },
  });
}

/** A browser signed in to `app` as an account added here with the test password, its CSRF token read. */
export async function signedInAs(
  app: ReturnType<typeof createApp>,
  db: TestApp['db'],
  email: string,
  role: 'admin' | 'analyst',
  address: string,
): Promise<Browser> {
  await addTestUser(db, email, role);
  const browser = new Browser(app, address);
  const res = await browser.signIn(email, PASSWORD);
  if (res.status !== 303) throw new Error(`sign-in of ${email} failed: ${res.status}`);
  await browser.refreshCsrf();
  return browser;
}
