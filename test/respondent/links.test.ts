import crypto from 'node:crypto';
import request from 'supertest';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { LINK_LIMITS, sweepOldLinkMisses } from '../../server/respondent/link-throttle';
import { databaseKinds, freshDatabase } from '../helpers/databases';
import { DEMO_VALID } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('links that do not open a questionnaire, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t.drop());

  test('an unknown token gets the same 404 page whatever it looks like, saying nothing about waves', async () => {
    const guessed = crypto.randomBytes(32).toString('base64url');
    const a = await request(t.app).get(`/s/${guessed}`).expect(404);
    const b = await request(t.app).get('/s/abc').expect(404);
    const c = await request(t.app)
      .get(`/s/${guessed.slice(0, 42)}%27%20OR%201=1`)
      .expect(404);
    expect(a.text).toBe(b.text);
    expect(a.text).toBe(c.text);
    expect(a.text).toContain('Deze link werkt niet');
    expect(a.text).not.toMatch(/golf|wave|gesloten|closed/i);
    await request(t.app).put(`/s/${guessed}/progress`).send({ answers: {}, pageNo: 0 }).expect(404);
    await request(t.app).post(`/s/${guessed}/complete`).send({ answers: DEMO_VALID }).expect(404);
  });

  test('a wave that has not opened says so and accepts nothing', async () => {
    const today = dutchDay(t.now.value);
    const [token] = await t.invite(await t.wave({ opensOn: addDays(today, 3), closesOn: addDays(today, 30) }));
    const page = await request(t.app).get(`/s/${token}`).expect(403);
    expect(page.text).toContain('nog niet geopend');
    expect(page.text).toContain(addDays(today, 3));
    await request(t.app).put(`/s/${token}/progress`).send({ answers: {}, pageNo: 0 }).expect(403);
  });

  test('after the closing date the link shows a closed page and refuses answers', async () => {
    const today = dutchDay(t.now.value);
    const [token] = await t.invite(await t.wave({ opensOn: addDays(today, -30), closesOn: addDays(today, -1) }));
    const page = await request(t.app).get(`/s/${token}?lang=en`).expect(410);
    expect(page.text).toContain('This survey is closed');
    await request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }).expect(410);
    expect(Number((await t.db('responses').count({ n: '*' }).first())?.n)).toBe(0);
  });

  test('a link opens on its opening day and still works on its closing day (Dutch calendar days)', async () => {
    const today = dutchDay(t.now.value);
    const [opening] = await t.invite(await t.wave({ opensOn: today, closesOn: addDays(today, 1) }));
    const [closing] = await t.invite(await t.wave({ opensOn: addDays(today, -5), closesOn: today }));
    await request(t.app).get(`/s/${opening}`).expect(200);
    await request(t.app).get(`/s/${closing}`).expect(200);
  });

  test('healthz answers 200 with JSON while the database answers', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  test('guessing links is throttled per address: past the limit even a valid link gets 429 until the window passes', async () => {
    const t2 = await testApp(kind);
    try {
      const [token] = await t2.invite(await t2.wave());
      for (let i = 0; i < LINK_LIMITS.missesPerAddress; i++) {
        await request(t2.app)
          .get(`/s/${crypto.randomBytes(32).toString('base64url')}`)
          .expect(404);
      }
      const blocked = await request(t2.app).get(`/s/${token}`).expect(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      await request(t2.app)
        .get(`/s/${crypto.randomBytes(32).toString('base64url')}`)
        .expect(429); // same answer for a guess
      t2.now.value = new Date(t2.now.value.getTime() + LINK_LIMITS.windowMs + 1000);
      await request(t2.app).get(`/s/${token}`).expect(200);
      // the misses have a table of their own: the sign-in counters never see them; the sweep drops them once
      // they are past the window
      const misses = async () => Number((await t2.db('link_misses').count({ n: '*' }).first())?.n);
      expect(await misses()).toBe(LINK_LIMITS.missesPerAddress); // a lookup answered 429 is not looked up, so no miss
      expect(Number((await t2.db('sign_in_failures').count({ n: '*' }).first())?.n)).toBe(0);
      await request(t2.app)
        .get(`/s/${crypto.randomBytes(32).toString('base64url')}`)
        .expect(404);
      expect(await sweepOldLinkMisses(t2.db, t2.now.value)).toBe(LINK_LIMITS.missesPerAddress);
      expect(await misses()).toBe(1);
    } finally {
      await t2.drop();
    }
  });

  test('the migration to link_misses moves earlier link misses out of the sign-in counters, and back on rollback', async () => {
    const d = await freshDatabase(kind);
    try {
      await d.db.migrate.down(); // before 007_link_misses
      const at = new Date().toISOString();
      await d.db('sign_in_failures').insert([
        { throttle_key: 'link-miss:198.51.100.7', failed_at: at },
        { throttle_key: 'address:198.51.100.7', failed_at: at },
      ]);
      await d.db.migrate.latest();
      expect(await d.db('link_misses').select('throttle_key', 'missed_at')).toEqual([
        { throttle_key: 'link-miss:198.51.100.7', missed_at: at },
      ]);
      expect(await d.db('sign_in_failures').pluck('throttle_key')).toEqual(['address:198.51.100.7']);
      await d.db.migrate.down();
      expect((await d.db('sign_in_failures').pluck('throttle_key')).sort()).toEqual([
        'address:198.51.100.7',
        'link-miss:198.51.100.7',
      ]);
      await d.db.migrate.latest();
    } finally {
      await d.drop();
    }
  });
});
