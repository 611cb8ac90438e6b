import crypto from 'node:crypto';
import request from 'supertest';
import type { WaveRow } from '../../server/fielding/data/waves';
import { adminTestApp, AdminTestApp, addTestUser } from '../helpers/signed-in';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID } from '../helpers/pages';
import { seedResponses, seedWave } from './fixtures';

describe.each(databaseKinds())('exports on the web and the API (%s)', (kind) => {
  let t: AdminTestApp;
  let wave: WaveRow;
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'analist@example.org', 'analyst');
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    wave = await seedWave(t.db, 'demo@1', ['tier'], 'Webgolf');
    await seedResponses(
      t.db,
      wave,
      Array.from({ length: 6 }, (_, i) => ({
        answers: { ...DEMO_VALID, opmerkingen: i === 0 ? 'bel 0612345678' : undefined },
        attributes: { tier: 'gemeente' },
      })),
    );
  });
  afterAll(() => t.drop());

  it('signed out: the pages redirect to sign-in and downloads get 401', async () => {
    await request(t.app).get('/analyst/exports').expect(303).expect('Location', '/signin');
    const res = await request(t.app)
      .get(`/analyst/exports/waves/${wave.id}/download/csv`)
      .set('Accept', 'text/csv')
      .expect(303);
    expect(res.headers.location).toBe('/signin');
  });

  it('an analyst lists the waves and downloads every format; each download is audit-logged', async () => {
    const settle = () => new Promise((r) => setTimeout(r, 20));
    const b = await t.signIn('analist@example.org');
    const page = await b.get('/analyst/exports').expect(200);
    expect(page.text).toContain('Webgolf');
    expect(page.text).toContain(`/analyst/exports/waves/${wave.id}/download/sav`);
    for (const [format, type] of [
      ['csv', /text\/csv/],
      ['csv-nl', /text\/csv/],
      ['xlsx', /spreadsheetml/],
      ['sav', /spss/],
      ['codebook', /text\/html/],
      ['codebook-json', /json/],
      ['tables', /text\/csv/],
      ['tables-html', /text\/html/],
    ] as const) {
      const res = await b
        .get(`/analyst/exports/waves/${wave.id}/download/${format}`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="veldwerk-webgolf/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect((res.body as Buffer).length).toBeGreaterThan(20);
    }
    let entries: Array<{ detail: string }> = [];
    for (let i = 0; i < 50 && entries.length < 8; i++) {
      await settle();
      entries = await t
        .db('audit_log')
        .where({ action: 'export.download', wave_id: wave.id, actor: 'analist@example.org' });
    }
    expect(entries.map((e) => JSON.parse(e.detail).format).sort()).toEqual([
      'codebook',
      'codebook-json',
      'csv',
      'csv-nl',
      'sav',
      'tables',
      'tables-html',
      'xlsx',
    ]);
    expect(
      JSON.parse((entries.find((e) => JSON.parse(e.detail).format === 'csv') as { detail: string }).detail),
    ).toMatchObject({ via: 'web', rows: 6, redactedCells: 1, outcome: 'complete' });
    const tables = await b.get(`/analyst/exports/waves/${wave.id}/tables`).expect(200);
    expect(tables.text).toContain('Headline tables');
    // the risk report on the analyst page: k achieved, per variable its recoding and suppressed cells, before/after
    expect(page.text).toContain(`/analyst/exports/waves/${wave.id}/risk`);
    const risk = await b.get(`/analyst/exports/waves/${wave.id}/risk`).expect(200);
    expect(risk.text).toContain('k achieved (smallest combination of quasi-identifiers)');
    expect(risk.text).toMatch(/<code>tier<\/code><\/th><td>as collected<\/td><td>0<\/td>/);
    expect(risk.text).toContain('sample-unique combinations before / after');
    await b.get(`/analyst/exports/waves/${wave.id}/download/pdf`).expect(400);
    await b.get(`/analyst/exports/waves/${crypto.randomUUID()}/download/csv`).expect(404);
  });

  it('a wave below k is refused with 409 and nothing is sent', async () => {
    const small = await seedWave(t.db, 'demo@1', ['tier'], 'Klein');
    await seedResponses(t.db, small, [{ answers: DEMO_VALID }, { answers: DEMO_VALID }]);
    const b = await t.signIn('analist@example.org');
    const res = await b.get(`/analyst/exports/waves/${small.id}/download/csv`).expect(409);
    expect(res.text).toMatch(/fewer than k = 5/);
  });

  it('API tokens: created once with CSRF, work as bearer tokens, are stored hashed, and stop working when revoked', async () => {
    const b = await t.signIn('analist@example.org');
    await b.post('/analyst/tokens', { name: 'R-script' }, null).expect(403); // no CSRF token
    const created = await b.post('/analyst/tokens', { name: 'R-script' }).expect(201);
    const token = /<code class="vw-secret">(vw_[A-Za-z0-9_-]{43})<\/code>/.exec(created.text)?.[1] as string;
    expect(token).toBeDefined();
    const stored = await t.db('api_tokens').where({ name: 'R-script' }).first();
    expect(stored.token_hash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(await t.db('api_tokens').select())).not.toContain(token);
    expect((await b.get('/analyst/tokens').expect(200)).text).not.toContain(token); // shown once

    const st = request;
    const list = await st(t.app).get('/api/v1/waves').set('Authorization', `Bearer ${token}`).expect(200);
    expect(list.body.waves.find((w: { id: string }) => w.id === wave.id)).toMatchObject({ responses: 6 });
    const csv = await st(t.app)
      .get(`/api/v1/waves/${wave.id}/export?format=csv`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(csv.text.split('\r\n')[0]).toMatch(/^response_id,wave_id,edition/);
    expect(csv.text).toContain('bel [telefoon]');
    // the entry is written when the stream has ended, a moment after the client has the last byte
    let audit;
    for (let i = 0; i < 50 && !audit; i++) {
      audit = await t
        .db('audit_log')
        .where({ action: 'export.download', wave_id: wave.id })
        .where('actor', 'like', '%API token%')
        .first();
      if (!audit) await new Promise((r) => setTimeout(r, 20));
    }
    expect(audit.actor).toBe('analist@example.org (API token "R-script")');
    expect(JSON.parse(audit.detail)).toMatchObject({ via: 'api', format: 'csv' });

    await st(t.app)
      .get('/api/v1/waves')
      .expect(401)
      .expect('WWW-Authenticate', /Bearer/);
    await st(t.app)
      .get('/api/v1/waves')
      .set('Authorization', `Bearer vw_${'A'.repeat(43)}`)
      .expect(401);
    await b.post(`/analyst/tokens/${stored.id}/revoke`).expect(303);
    const after = await st(t.app).get('/api/v1/waves').set('Authorization', `Bearer ${token}`).expect(401);
    expect(after.body.error).toMatch(/API token/);
  });

  it('the analyst pages need a signed-in analyst or admin; tokens are per user', async () => {
    const admin = await t.signIn('beheer@example.org');
    await admin.get('/analyst/exports').expect(200);
    const other = await admin.post('/analyst/tokens', { name: 'beheer' }).expect(201);
    expect(other.text).not.toContain('R-script'); // the analyst's token is not listed for the admin
  });
});
