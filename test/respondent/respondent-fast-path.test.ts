import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { respondentFastPath } from '../../server/respondent/web/respondent-fast-path';
import { createEntry, Entry } from '../../server/app';
import { LINK_LIMITS } from '../../server/respondent/link-throttle';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

/**
 * Ordinary autosaves and completions are answered without express (server/respondent/web/respondent-fast-path.ts). They must
 * get exactly what express's routes answer: the same request with a query string goes through express, so each case
 * is sent both ways and the status, body and headers compared.
 */
describe.each(databaseKinds())('respondent fast path on %s', (kind) => {
  let t: TestApp;
  /** the pipeline as main.ts serves it: the fast path in front of the express app */
  let entry: Entry;
  let app: Entry['handle'];
  beforeAll(async () => {
    t = await testApp(kind);
    entry = createEntry({
      db: t.db,
      registry: t.registry,
      config: { publicUrl: 'http://veldwerk.test', logRequests: true },
      clock: () => t.now.value,
      log: (line) => t.logs.push(line),
    });
    app = entry.handle;
  });
  afterAll(() => t.drop());

  type Sent = { status: number; body: unknown; headers: Record<string, string> };
  const viaExpress = (path: string) => `${path}?via=express`;

  async function call(method: 'post' | 'put', path: string, body: string | object): Promise<Sent> {
    const send = method === 'post' ? request(app).post(path) : request(app).put(path);
    const res = await send.set('content-type', 'application/json').send(body as never);
    const {
      date: _date,
      connection: _connection,
      'keep-alive': _keepAlive,
      ...headers
    } = res.headers as Record<string, string>;
    return { status: res.status, body: res.body, headers };
  }

  /** the same call through the fast path and through express; returns the fast path's answer */
  async function bothWays(method: 'post' | 'put', paths: [string, string], body: string | object): Promise<Sent> {
    const before = entry.fastPathAnswered();
    const fast = await call(method, paths[0], body);
    // the ordinary call was answered by the fast path, the one with a query by express: if the fast path stopped
    // answering, the two would still agree, so this is what tells
    expect(entry.fastPathAnswered()).toBe(before + 1);
    const slow = await call(method, viaExpress(paths[1]), body);
    expect(entry.fastPathAnswered()).toBe(before + 1);
    expect(fast).toEqual(slow);
    return fast;
  }

  async function tokens(n: number, waveOverrides = {}): Promise<string[]> {
    const wave = await t.wave(waveOverrides);
    const people = Array.from({ length: n }, (_, i) => ({ attributes: { tier: 'gemeente', role: `r${i}` } }));
    return t.invite(wave, people);
  }

  test('every answer is the one express gives: status, body and headers', async () => {
    const [a, b, c, d] = await tokens(4);
    const complete = (token: string) => `/s/${token}/complete`;
    const progress = (token: string) => `/s/${token}/progress`;

    expect((await bothWays('post', [complete('x'.repeat(43)), complete('y'.repeat(43))], { answers: {} })).status).toBe(
      404,
    );
    expect(await bothWays('post', [complete(a), complete(a)], '{"answers":')).toMatchObject({
      status: 400,
      body: { error: 'The request body is not valid JSON' },
    });
    expect(await bothWays('post', [complete(a), complete(a)], ' "just a string"')).toMatchObject({ status: 400 });
    expect(await bothWays('post', [complete(a), complete(a)], '[1, 2]')).toMatchObject({
      status: 400,
      body: { error: 'The body must be a JSON object' },
    });
    const empty = await bothWays('post', [complete(a), complete(a)], '');
    expect(empty.status).toBe(422);
    const invalid = await bothWays('post', [complete(a), complete(a)], {
      answers: { ...DEMO_VALID, agressie_any: 'sometimes' },
      locale: 'en',
    });
    expect(invalid).toMatchObject({ status: 422, body: { error: 'Some answers are not valid' } });
    expect((invalid.body as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    expect(
      await bothWays('put', [progress(a), progress(b)], { answers: { agressie_any: 1 }, pageNo: 1, locale: 'nl' }),
    ).toMatchObject({ status: 204 });
    expect(await bothWays('put', [progress(a), progress(b)], { answers: {}, pageNo: 99 })).toMatchObject({
      status: 422,
    });
    expect(await bothWays('post', [complete(c), complete(d)], { answers: DEMO_VALID, locale: 'nl' })).toMatchObject({
      status: 201,
      body: { status: 'completed' },
    });
    expect(await bothWays('post', [complete(c), complete(d)], { answers: DEMO_VALID, locale: 'nl' })).toMatchObject({
      status: 409,
    });
    expect(await bothWays('put', [progress(c), progress(d)], { answers: {}, pageNo: 0 })).toMatchObject({
      status: 409,
    });

    const fast = await call('post', complete(a), { answers: DEMO_VALID });
    expect(fast.headers['cache-control']).toBe('no-store');
    expect(fast.headers['content-security-policy']).toContain("default-src 'self'");
    expect(fast.headers['referrer-policy']).toBe('no-referrer');
    expect(fast.headers['x-powered-by']).toBeUndefined();

    const today = dutchDay(t.now.value);
    const [closed1, closed2] = await tokens(2, { opensOn: addDays(today, -10), closesOn: addDays(today, -1) });
    expect(await bothWays('post', [complete(closed1), complete(closed2)], { answers: DEMO_VALID })).toMatchObject({
      status: 410,
    });
    const [early1, early2] = await tokens(2, { opensOn: addDays(today, 2), closesOn: addDays(today, 9) });
    expect(await bothWays('put', [progress(early1), progress(early2)], { answers: {} })).toMatchObject({ status: 403 });
  });

  test('each answer is stored once and the log never holds the token', async () => {
    const [token] = await tokens(1);
    t.logs.length = 0;
    await request(app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID, locale: 'nl' }).expect(201);
    const stored = await t.db('responses').whereRaw('answers like ?', ['%"agressie_any"%']).count({ n: '*' }).first();
    expect(Number(stored?.n)).toBeGreaterThan(0);
    expect(t.logs.some((line) => /^POST \/s\/\[token\]\/complete 201 /.test(line))).toBe(true);
    expect(t.logs.join('\n')).not.toContain(token);
  });

  test('the fast path takes ordinary calls only; express answers the rest as before', async () => {
    const fast = respondentFastPath({
      deps: {
        db: t.db,
        registry: t.registry,
        config: { publicUrl: 'http://x', logRequests: false },
        clock: () => t.now.value,
        log: () => undefined,
      },
      headers: {},
      clientAddress: () => '127.0.0.1',
    });
    const server = http.createServer((req, res) => {
      if (!fast(req, res)) res.writeHead(599).end('left to express');
    });
    const path = '/s/' + 'z'.repeat(43) + '/complete';
    const body = JSON.stringify({ answers: {} });
    try {
      expect((await request(server).post(path).set('content-type', 'application/json').send(body)).status).toBe(404);
      expect(
        (await request(server).post(path).set('content-type', 'application/json; charset=UTF-8').send(body)).status,
      ).toBe(404);
      const leftToExpress = [
        request(server).post(`${path}?lang=en`).set('content-type', 'application/json').send(body),
        request(server).put(path).set('content-type', 'application/json').send(body),
        request(server).post(path).set('content-type', 'text/plain').send(body),
        request(server).post(path).set('content-type', 'application/json; charset=latin1').send(body),
        request(server)
          .post(path)
          .set('content-type', 'application/json')
          .set('content-encoding', 'gzip')
          .send(zlib.gzipSync(body)),
        request(server)
          .post(path)
          .set('content-type', 'application/json')
          .send('x'.repeat(300 * 1024)),
        request(server).post('/s/%41%42/complete').set('content-type', 'application/json').send(body),
      ];
      for (const res of await Promise.all(leftToExpress)) expect(res.status).toBe(599);
    } finally {
      server.close();
    }
    // through the app, those get express's answers
    const [token] = await tokens(1);
    const real = `/s/${token}/complete`;
    await request(app).post(real).set('content-type', 'text/plain').send(body).expect(415);
    await request(app).post(real).set('content-type', 'application/json; charset=latin1').send(body).expect(415);
    await request(app)
      .post(real)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ answers: DEMO_VALID, pad: 'x'.repeat(300 * 1024) }))
      .expect(413);
    // a gzip-encoded body is left to express, which inflates it (sent with node's own client: superagent's changes it)
    const zipped = zlib.gzipSync(JSON.stringify({ answers: DEMO_VALID }));
    const headers = {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(zipped.length),
    };
    expect(await rawCall(http.createServer(app), real, headers, zipped)).toBe(201);
  });

  async function rawCall(
    server: http.Server,
    path: string,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<number | undefined> {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    const { port } = server.address() as net.AddressInfo;
    try {
      return await new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.end(body);
      });
    } finally {
      server.close();
    }
  }

  test('a call cut off midway leaves the server answering', async () => {
    const [token] = await tokens(1);
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /s/${token}/complete HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"answers":{`,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await request(server).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }).expect(201);
    } finally {
      server.close();
    }
  });

  test('an address that guessed too many links is held off the same way on both paths', async () => {
    for (let i = 0; i < LINK_LIMITS.missesPerAddress; i++)
      await call('post', `/s/${'g'.repeat(40)}${i}/complete`, { answers: {} });
    const held = await bothWays('post', ['/s/' + 'h'.repeat(43) + '/complete', '/s/' + 'h'.repeat(43) + '/complete'], {
      answers: {},
    });
    expect(held.status).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('behind a proxy (TRUST_PROXY) the fast path counts the client the proxy names, as express does', async () => {
    const proxied = createEntry({
      db: t.db,
      registry: t.registry,
      config: { publicUrl: 'http://veldwerk.test', logRequests: false, trustProxy: 'loopback' },
      clock: () => t.now.value,
      log: () => undefined,
    });
    const [valid] = await tokens(1);
    const from = (address: string, path: string, via = '') =>
      request(proxied.handle)
        .put(`${path}${via}`)
        .set('X-Forwarded-For', address)
        .set('content-type', 'application/json')
        .send({ answers: {}, pageNo: 0, locale: 'nl' });
    const answered = proxied.fastPathAnswered();
    // one client behind the proxy guesses links until it is held off, through the fast path
    for (let i = 0; i < LINK_LIMITS.missesPerAddress; i++)
      await from('198.51.100.7', `/s/${'p'.repeat(40)}${String(i).padStart(3, '0')}/progress`).expect(404);
    expect(proxied.fastPathAnswered()).toBe(answered + LINK_LIMITS.missesPerAddress);
    expect((await from('198.51.100.7', `/s/${valid}/progress`)).status).toBe(429);
    expect((await from('198.51.100.7', `/s/${valid}/progress`, '?via=express')).status).toBe(429);
    // another client behind the same proxy (the same socket address, 127.0.0.1) is not: both paths see the forwarded one
    expect((await from('198.51.100.8', `/s/${valid}/progress`)).status).toBe(204);
    expect((await from('198.51.100.8', `/s/${valid}/progress`, '?via=express')).status).toBe(204);
  });
});
