import net from 'node:net';
import { inviteWave } from '../../server/mail/wave-mail';
import { smtpTransport } from '../../server/mail/mail-transport';
import { MailWorker } from '../../server/mail/mail-worker';
import { setTokenSecret } from '../../server/respondent/personal-tokens';
import { databaseKinds, TEST_TOKEN_SECRET } from '../helpers/databases';
import { outboxStates, sendQueued, TEST_FROM, useMailSuite } from '../helpers/mail';
import { SmtpSink } from '../helpers/smtp-sink';
import { TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('mail server failures on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  const suite = useMailSuite(kind);
  const { actor } = suite;
  beforeAll(() => {
    ({ t, sink } = suite);
  });
  const queued = suite.queued;
  const rowOf = (waveId: string) => t.db('outbox').where({ wave_id: waveId }).first();

  test('5xx: bounced at once, the invitation marked bounced, the error kept without the address', async () => {
    const wave = await queued(2, 'hard');
    sink.behaviour.onRcpt = (address) =>
      address === 'hard0@example.org'
        ? { code: 550, message: `5.1.1 <${address}>: Recipient address rejected` }
        : undefined;
    await sendQueued(t.db, sink);
    expect(sink.received.map((m) => m.envelopeTo[0])).toEqual(['hard1@example.org']);
    expect(await outboxStates(t.db, wave.id)).toEqual({ bounced: 1, sent: 1 });
    const bounced = await t
      .db('outbox as o')
      .join('invitations as i', 'i.id', 'o.invitation_id')
      .where('i.email', 'hard0@example.org')
      .first('o.*', 'i.mail_state');
    expect(bounced).toMatchObject({ state: 'bounced', attempts: 1, mail_state: 'bounced', pending_key: null });
    expect(bounced.last_error).toContain('550');
    expect(bounced.last_error).not.toMatch(/@|hard0/);
  });

  test('4xx: retried with exponential backoff, then sent exactly once', async () => {
    const wave = await queued(1, 'soft');
    sink.behaviour.onData = (n) =>
      n <= 2 ? { code: 451, message: '4.3.0 Temporary local problem, try again' } : undefined;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      await sendQueued(t.db, sink, { retryBaseMs: 400, retryMaxMs: 10_000 });
      const failedAt = Date.now();
      const row = await rowOf(wave.id);
      expect(row).toMatchObject({ state: 'pending', attempts: attempt, locked_until: null });
      expect(row.last_error).toContain('451');
      delays.push(Date.parse(row.next_attempt_at) - failedAt);
      await new Promise((r) => setTimeout(r, Date.parse(row.next_attempt_at) - Date.now() + 20));
    }
    expect(delays[0]).toBeGreaterThan(200);
    expect(delays[0]).toBeLessThanOrEqual(480);
    expect(delays[1]).toBeGreaterThan(delays[0] * 1.5); // doubled
    await sendQueued(t.db, sink);
    expect(sink.received).toHaveLength(1);
    expect(await rowOf(wave.id)).toMatchObject({ state: 'sent', attempts: 3 });
  });

  test('a server that never greets: the attempt times out in well under a second, is retried, and the message arrives once', async () => {
    const wave = await queued(1, 'hang');
    let hung = 0;
    sink.behaviour.onConnect = () => (hung++ === 0 ? 'hang' : undefined);
    const started = Date.now();
    await sendQueued(t.db, sink, { timeoutMs: 300, waitForRetries: true });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sink.received).toHaveLength(1);
    expect(await rowOf(wave.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  test('a server that takes the message and never answers: timed out, retried, one copy accepted', async () => {
    const wave = await queued(1, 'silent');
    let seen = 0;
    sink.behaviour.onData = () => (++seen === 1 ? 'hang' : undefined);
    const started = Date.now();
    await sendQueued(t.db, sink, { timeoutMs: 300, waitForRetries: true });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(seen).toBe(2);
    expect(sink.received).toHaveLength(1);
    expect(await rowOf(wave.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  test('connection refused: kept for a later attempt, nothing lost', async () => {
    const wave = await queued(1, 'refused');
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const worker = new MailWorker({
      db: t.db,
      transport: smtpTransport({
        url: `smtp://127.0.0.1:${closedPort}`,
        from: TEST_FROM,
        connections: 1,
        timeoutMs: 500,
      }),
      publicUrl: 'http://veldwerk.test',
      from: TEST_FROM,
      ratePerSecond: 100,
      connections: 1,
      timeoutMs: 500,
      retryBaseMs: 100,
    });
    await worker.drain();
    await worker.stop();
    const row = await rowOf(wave.id);
    expect(row).toMatchObject({ state: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    await sendQueued(t.db, sink, { waitForRetries: true });
    expect(sink.received).toHaveLength(1);
  });

  test('temporary failures that go on are given up as failed; the person can be invited again', async () => {
    const wave = await queued(1, 'gaveup');
    sink.behaviour.onData = () => ({ code: 452, message: '4.3.1 Insufficient system storage' });
    await sendQueued(t.db, sink, { maxAttempts: 3, retryBaseMs: 20, waitForRetries: true });
    expect(await rowOf(wave.id)).toMatchObject({ state: 'failed', attempts: 3, pending_key: null });
    expect((await t.db('invitations').where({ wave_id: wave.id }).first()).mail_state).toBe('none');
    sink.behaviour = {};
    expect((await inviteWave(t.db, wave.id, actor)).queued).toBe(1);
    await sendQueued(t.db, sink);
    expect(sink.received).toHaveLength(1);
  });

  test('nothing goes out for a wave closed after queueing, or with a link the configured secret cannot rebuild', async () => {
    const closed = await queued(1, 'closed');
    await t.db('waves').where({ id: closed.id }).update({ closed_at: new Date().toISOString() });
    const rekeyed = await queued(1, 'rekeyed');
    setTokenSecret('a-different-secret-than-the-invitations-were-made-with');
    try {
      await sendQueued(t.db, sink);
    } finally {
      setTokenSecret(TEST_TOKEN_SECRET);
    }
    expect(sink.received).toHaveLength(0);
    expect(await rowOf(closed.id)).toMatchObject({ state: 'cancelled', last_error: 'the wave is closed' });
    expect(await rowOf(rekeyed.id)).toMatchObject({ state: 'failed' });
    expect((await rowOf(rekeyed.id)).last_error).toContain('TOKEN_SECRET');
  });
});
