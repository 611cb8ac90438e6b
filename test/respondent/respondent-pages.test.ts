import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Express } from 'express';
import request from 'supertest';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID, surveyConfig } from '../helpers/pages';
import { adminTestApp, AdminTestApp, Browser } from '../helpers/signed-in';
import { addTestUser } from '../helpers/signed-in';
import { buildMessage, previewMail } from '../../server/mail/wave-mail';
import { defaultTemplate } from '../../server/mail/mail-templates';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

const raw = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (d: Buffer) => parts.push(d));
  res.on('end', () => done(null, Buffer.concat(parts)));
};

/** The bytes as they travel (supertest would decompress them), with the status and headers. */
async function wire(
  app: Express,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, headers },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
          );
        },
      );
      req.on('error', reject);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe.each(databaseKinds())('respondent pages on %s', (kind) => {
  let t: AdminTestApp;
  let admin: Browser;
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    admin = await t.signIn('beheer@example.org');
  });
  afterAll(() => t.drop());

  async function newLink(): Promise<{ link: string; waveId: string }> {
    const wave = await t.wave({ name: `Pagina's ${Math.random()}` });
    const [token] = await t.invite(wave);
    return { link: `/s/${token}`, waveId: wave.id };
  }

  test('pages travel compressed (gzip, cheaper to start for a small page; brotli for a client that takes only that), assets in brotli; nothing compressed for a client that asks none', async () => {
    const { link } = await newLink();
    const br = await wire(t.app, link, { 'Accept-Encoding': 'br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    const html = zlib.brotliDecompressSync(br.body).toString('utf8');
    expect(html).toContain('data-config=');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(html.length * 0.7);
    const gz = await wire(t.app, link, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString('utf8')).toBe(html);
    const plain = await wire(t.app, link, { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(html);
    const refused = await wire(t.app, link, { 'Accept-Encoding': 'gzip;q=0, br' });
    expect(refused.headers['content-encoding']).toBe('br');

    const core = /src="(\/assets\/[0-9a-f]{16}\/vendor\/survey\.core\.min\.js)"/.exec(html)![1];
    const asset = await wire(t.app, core, { 'Accept-Encoding': 'br' });
    expect(asset.headers['content-encoding']).toBe('br');
    expect(asset.body.length).toBeLessThan(300_000); // 1.46 MB before
    expect(zlib.brotliDecompressSync(asset.body).length).toBeGreaterThan(1_000_000);
    // the same asset again with its ETag: 304, no body
    await request(t.app).get(core).set('If-None-Match', String(asset.headers.etag)).expect(304);
  });

  test('the first page says how long it takes, has a no-JavaScript text in both languages and plain Dutch messages', async () => {
    const { link } = await newLink();
    const page = await request(t.app).get(link).expect(200);
    expect(page.text).toContain('Invullen duurt ongeveer 2 minuten.');
    const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(page.text)![1];
    expect(noscript).toContain('<p lang="nl">Voor deze vragenlijst is JavaScript nodig.');
    expect(noscript).toContain('<p lang="en">This questionnaire needs JavaScript.');
    expect(page.text).toMatch(/<a id="vw-lang" class="vw-lang" href="\?lang=en"/); // works without JavaScript too
    const config = surveyConfig(page.text) as unknown as { estimate: Record<string, string>; revision: number };
    expect(config.estimate).toEqual({
      nl: 'Invullen duurt ongeveer 2 minuten.',
      en: 'Answering takes about 2 minutes.',
    });
    expect(config.revision).toBe(0);
    // the page's own texts and SurveyJS's Dutch messages are one cached file for every page
    const textsUrl = [...page.text.matchAll(/src="(\/assets\/q\/[0-9a-f]{16}\.js)"/g)].map((m) => m[1]);
    const shared = await request(t.app).get(textsUrl[1]).expect(200);
    expect(shared.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(shared.text).toContain('"requiredError":"Beantwoord deze vraag."');
    // the header names the survey, not the software
    expect(page.text).not.toMatch(/<header[\s\S]*Veldwerk[\s\S]*<\/header>/);
    expect(page.text).toContain('<span class="vw-survey-title">Demovragenlijst veiligheid en integriteit</span>');
  });

  test("an administrator's organisation, logo, contact and privacy text reach the respondent's pages", async () => {
    const { link, waveId } = await newLink();
    const settings = {
      organisation: 'Ministerie van Voorbeeldzaken',
      contactEmail: 'onderzoek@voorbeeld.example',
      privacyNl: 'Functionaris gegevensbescherming: fg@voorbeeld.example',
      privacyEn: 'Data protection officer: fg@voorbeeld.example',
      helpNl: 'Steunpunt Voorbeeld: 0800 0000, https://steunpunt.example/hulp',
      helpEn: 'Support Example: 0800 0000',
    };
    await admin.post(`/admin/waves/${waveId}/respondent-page`, settings).expect(303);
    const logo = await admin.agent
      .post(`/admin/waves/${waveId}/respondent-page/logo`)
      .set('X-Forwarded-For', admin.address)
      .field('_csrf', admin.csrf)
      .attach('logo', PNG, { filename: 'logo.png', contentType: 'image/png' });
    expect(logo.status).toBe(303);

    const page = await request(t.app).get(link).expect(200);
    expect(page.text).toContain('<span class="vw-org">Ministerie van Voorbeeldzaken</span>');
    expect(page.text).toContain('href="mailto:onderzoek@voorbeeld.example"');
    expect(page.text).toContain(`href="/privacy/${waveId}"`);
    const logoUrl = /<img class="vw-logo" src="([^"]+)"/.exec(page.text)![1];
    const image = await request(t.app).get(logoUrl).buffer(true).parse(raw).expect(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((image.body as Buffer).equals(PNG)).toBe(true);
    await request(t.app)
      .get(logoUrl.replace(/logo-[0-9a-f]+/, 'logo-0000000000000000'))
      .expect(404);

    const privacy = await request(t.app).get(`/privacy/${waveId}`).expect(200);
    expect(privacy.text).toContain('in opdracht van Ministerie van Voorbeeldzaken');
    expect(privacy.text).toContain('Functionaris gegevensbescherming: fg@voorbeeld.example');
    expect(privacy.text).toContain('Autoriteit Persoonsgegevens');
    const english = await request(t.app).get(`/privacy/${waveId}?lang=en`).expect(200);
    expect(english.text).toContain('Data protection officer: fg@voorbeeld.example');
    expect(english.text).toContain('General Data Protection Regulation');

    // the thank-you page lists the wave's help resources, web addresses as links
    await request(t.app).post(`${link}/complete`).send({ answers: DEMO_VALID, locale: 'nl' }).expect(201);
    const thanks = await request(t.app).get(link).expect(200);
    expect(thanks.text).toContain('Wilt u met iemand praten?');
    expect(thanks.text).toContain(
      '<a href="https://steunpunt.example/hulp" rel="noopener noreferrer">steunpunt.example/hulp</a>',
    );

    // the wave's mails are headed by the organisation (HTML part) and link to its privacy statement in both parts
    const wave = await t.db('waves').where({ id: waveId }).first();
    const mail = await previewMail(t.db, {
      wave,
      kind: 'invite',
      language: 'nl',
      publicUrl: 'http://veldwerk.test',
      from: 'Onderzoek <o@example.org>',
    });
    expect(mail.text).toContain(`http://veldwerk.test/privacy/${waveId}\n`);
    expect(mail.html).toContain('Ministerie van Voorbeeldzaken');
    expect(mail.html).toContain(`<a href="http://veldwerk.test/privacy/${waveId}">`);

    const audit = await t.db('audit_log').where({ wave_id: waveId }).orderBy('id');
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['wave.respondent-page', 'wave.logo']));
  });

  test('hostile settings get a clear 4xx and change nothing', async () => {
    const { waveId } = await newLink();
    const bad = await admin
      .post(`/admin/waves/${waveId}/respondent-page`, { organisation: 'A\u0007B', contactEmail: 'not an address' })
      .expect(422);
    expect(bad.text).toContain('Enter an e-mail address such as');
    expect(bad.text).toContain('The organisation is one line of at most 200 characters');
    await admin.post(`/admin/waves/${waveId}/respondent-page`, { organisation: 'X' }, null).expect(403); // no CSRF
    for (const [name, bytes, type] of [
      [
        'logo.svg',
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        'image/svg+xml',
      ],
      ['logo.png', Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'],
      ['logo.png', Buffer.concat([PNG, Buffer.alloc(210 * 1024)]), 'image/png'],
    ] as const) {
      const res = await admin.agent
        .post(`/admin/waves/${waveId}/respondent-page/logo`)
        .set('X-Forwarded-For', admin.address)
        .field('_csrf', admin.csrf)
        .attach('logo', bytes, { filename: name, contentType: type });
      expect([name, res.status]).toEqual([name, 422]);
    }
    expect(await t.db('wave_pages').where({ wave_id: waveId }).first()).toBeUndefined();
    await request(t.app).get('/privacy/00000000-0000-4000-8000-000000000000').expect(404);
    await request(t.app).get('/privacy/..%2f..%2fetc').expect(404);
    await request(t.app).get(`/w/${waveId}/logo-0000000000000000`).expect(404);
  });
});

test("every mail's footer links to the wave's privacy statement, in the mail's language", () => {
  for (const language of ['nl', 'en'] as const) {
    const mail = buildMessage(defaultTemplate('invite', language), {
      to: 'a@example.org',
      name: 'A',
      token: 'T'.repeat(43),
      publicUrl: 'https://veldwerk.example',
      closesOn: '2026-12-31',
      survey: 'Monitor',
      language,
      waveId: '6d34f8c1-6170-49f8-958b-96f38c7d9be6',
    });
    const footer = mail.text.slice(mail.text.lastIndexOf('\n-- \n'));
    expect(footer).toContain(
      `https://veldwerk.example/privacy/6d34f8c1-6170-49f8-958b-96f38c7d9be6${language === 'en' ? '?lang=en' : ''}\n`,
    );
    expect(footer).toContain(language === 'nl' ? 'Hoe we met uw gegevens omgaan:' : 'How we handle your data:');
    expect(footer).toContain(`https://veldwerk.example/u/${'T'.repeat(43)}\n`); // the opt-out link stays last
  }
});
