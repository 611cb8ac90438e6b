import { ChildProcess, spawn } from 'node:child_process';
import { Db, openDatabase } from '../../server/shared/data/connection';
import { databaseKinds } from '../helpers/databases';
import { outboxStates, sendQueued, TEST_FROM, testWorker, useMailSuite } from '../helpers/mail';
import { ROOT, runTs } from '../helpers/run-node';
import { countByRecipient, SmtpSink } from '../helpers/smtp-sink';
import { TestApp } from '../helpers/test-app';

/** `npm run cli -- mail work` in its own process. */
function startCliWorker(
  env: Record<string, string>,
  args: string[] = [],
): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'server/cli/index.ts', 'mail', 'work', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe.each(databaseKinds())('mail workers, restarts and crashes on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  let cliEnv: Record<string, string>;
  const suite = useMailSuite(kind);
  beforeAll(() => {
    ({ t, sink } = suite);
    cliEnv = {
      ...t.env,
      SMTP_URL: sink.url,
      MAIL_FROM: TEST_FROM,
      MAIL_TIMEOUT_SECONDS: '1',
      MAIL_RATE_PER_SECOND: '1000',
      PUBLIC_URL: 'http://veldwerk.test',
      LOG_REQUESTS: 'false',
    };
  });
  const queued = suite.queued;
  /** another connection pool to the same database, as another process would have */
  function secondHandle(): Db {
    return kind === 'sqlite'
      ? openDatabase({ sqliteFile: t.env.SQLITE_FILE })
      : openDatabase({ databaseUrl: t.env.DATABASE_URL, searchPath: t.env.DATABASE_SCHEMA });
  }

  test('two workers on their own connections never send the same message', async () => {
    const wave = await queued(200, 'par');
    const other = secondHandle();
    try {
      const a = testWorker(t.db, sink, { connections: 2 });
      const b = testWorker(other, sink, { connections: 2 });
      const [sa, sb] = await Promise.all([a.drain(), b.drain()]);
      await Promise.all([a.stop(), b.stop()]);
      expect(sa.sent).toBeGreaterThan(0);
      expect(sb.sent).toBeGreaterThan(0);
      expect(sa.sent + sb.sent).toBe(200);
    } finally {
      await other.destroy();
    }
    const counts = countByRecipient(sink.received);
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await outboxStates(t.db, wave.id)).toEqual({ sent: 200 });
  });

  test('two `mail work` processes in parallel never send the same message', async () => {
    const wave = await queued(120, 'proc');
    const [a, b] = await Promise.all([
      runTs('server/cli/index.ts', ['mail', 'work', '--until-idle'], cliEnv),
      runTs('server/cli/index.ts', ['mail', 'work', '--until-idle'], cliEnv),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toMatch(/Mail worker: to SMTP/);
    const sent = (out: string) => Number(/stopped: (\d+) sent/.exec(out)?.[1]);
    expect(sent(a.stdout) + sent(b.stdout)).toBe(120);
    expect(a.stdout + b.stdout).not.toMatch(/@example\.org/);
    expect([...countByRecipient(sink.received).values()]).toEqual(Array(120).fill(1));
    expect(await outboxStates(t.db, wave.id)).toEqual({ sent: 120 });
  });

  test('a worker stopped after some messages loses none: a new one sends the rest at once, each exactly once', async () => {
    const wave = await queued(60, 'stop');
    const worker = testWorker(t.db, sink, { ratePerSecond: 200 }).start();
    await sink.waitFor(15);
    await worker.stop();
    const states = await outboxStates(t.db, wave.id);
    expect(states.sent).toBe(sink.received.length); // every accepted message was marked sent, nothing else
    expect(states.sent).toBeLessThan(60);
    expect(
      await t.db('outbox').where({ wave_id: wave.id, state: 'pending' }).whereNotNull('locked_until'),
    ).toHaveLength(0); // claims given back
    await sendQueued(t.db, sink);
    expect([...countByRecipient(sink.received).values()]).toEqual(Array(60).fill(1));
  });

  test('a `mail work` process killed with SIGKILL mid-send: after a restart every person has exactly one message', async () => {
    const wave = await queued(40, 'kill');
    const k = 12;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    let data = 0;
    // accept k messages, then keep the next one in DATA without an answer: the worker is killed right there
    sink.behaviour.onData = () => {
      if (++data <= k) return undefined;
      held();
      return 'hang';
    };
    const first = startCliWorker(cliEnv);
    await holding;
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    expect(sink.received).toHaveLength(k);
    expect((await outboxStates(t.db, wave.id)).sent).toBe(k); // marked sent right after each acceptance

    sink.behaviour = {};
    const second = startCliWorker(cliEnv);
    await sink.waitFor(40, 30_000); // the killed worker's claims come free when their lease ends (6 s here)
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/Mail worker stopped: \d+ sent/);
    const counts = countByRecipient(sink.received);
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await outboxStates(t.db, wave.id)).toEqual({ sent: 40 });
  });
});
