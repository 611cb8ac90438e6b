import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { updateWavePage } from '../../server/respondent/wave-pages';
import { databaseKinds } from '../helpers/databases';
import { surveyConfig } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

/** The raw bytes of a response, as they come off the socket (supertest would decompress them). */
async function raw(
  app: TestApp['app'],
  path: string,
  encoding: string,
): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
            else resolve({ headers: res.headers, body: Buffer.concat(chunks) });
          });
        })
        .on('error', reject);
    });
  } finally {
    server.close();
  }
}

const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    email: `lid.${i}@example.org`,
    name: `Lid ${i}`,
    attributes: { tier: 'gemeente', role: 'raadslid' },
  }));

describe.each(databaseKinds())('the questionnaire page, made from kept parts, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t.drop());

  test('gzip, brotli and plain bodies are the same page, byte for byte, with each respondent’s own answers', async () => {
    const wave = await t.wave();
    const [a, b, c] = await t.invite(wave, people(3));
    // answers that need escaping in an attribute, and a long one (its part of the gzip stream is deflated, not stored)
    const tricky = {
      agressie_any: 1,
      agressie_toelichting: `"<script>alert('x')</script>" & €𝄞 ${'lang '.repeat(300)}`,
    };
    await request(t.app).put(`/s/${b}/progress`).send({ answers: tricky, pageNo: 0 }).expect(204);
    await request(t.app)
      .put(`/s/${c}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 1 })
      .expect(204);

    for (const [token, answers] of [
      [a, {}],
      [b, tricky],
      [c, { agressie_any: 2 }],
      [a, {}],
    ] as const) {
      const plain = await raw(t.app, `/s/${token}`, 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const gz = await raw(t.app, `/s/${token}`, 'gzip, deflate, br'); // as chromium asks
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toMatch(/Accept-Encoding/);
      expect(gz.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(gz.headers['cache-control']).toBe('no-store');
      // gunzip checks the CRC-32 and the length in the trailer
      expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true);
      expect(gz.body.length).toBeLessThan(plain.body.length * 0.7);
      const br = await raw(t.app, `/s/${token}`, 'br');
      expect(br.headers['content-encoding']).toBe('br');
      expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      const html = plain.body.toString('utf8');
      expect(surveyConfig(html).answers).toEqual(answers);
      expect(html).not.toContain('\u0000');
      expect(html).not.toContain("<script>alert('x')");
    }
  });

  test('a change of the wave’s page settings shows on the next view; other waves and languages keep their own', async () => {
    const wave = await t.wave({ name: 'Instellingen' });
    const [token] = await t.invite(wave, people(1));
    const before = (await request(t.app).get(`/s/${token}`).expect(200)).text;
    expect(before).not.toContain('Provincie Voorbeeld-Oost');
    await updateWavePage(
      t.db,
      wave.id,
      {
        organisation: 'Provincie Voorbeeld-Oost',
        contactEmail: 'onderzoek@voorbeeld-oost.example',
        privacyNl: '',
        privacyEn: '',
        helpNl: '',
        helpEn: '',
      },
      'test',
      t.now.value,
    );
    const after = (await request(t.app).get(`/s/${token}`).expect(200)).text;
    expect(after).toContain('Provincie Voorbeeld-Oost');
    expect(after).toContain('onderzoek@voorbeeld-oost.example');
    const english = (await request(t.app).get(`/s/${token}?lang=en`).expect(200)).text;
    expect(english).toContain('<html lang="en">');
    expect(after).toContain('<html lang="nl">');
    const other = await t.wave({ name: 'Andere golf' });
    const [elsewhere] = await t.invite(other, people(1));
    expect((await request(t.app).get(`/s/${elsewhere}`).expect(200)).text).not.toContain('Provincie Voorbeeld-Oost');
    const [testLink] = await t.invite(wave, people(1), { isTest: true });
    expect((await request(t.app).get(`/s/${testLink}`).expect(200)).text).toContain('vw-test-banner');
    expect(after).not.toContain('vw-test-banner');
  });
});
