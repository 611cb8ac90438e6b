import request from 'supertest';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID, surveyConfig } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('respondent flow on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t.drop());

  async function newLink(): Promise<string> {
    const [token] = await t.invite(await t.wave());
    return `/s/${token}`;
  }

  test('a link opens the questionnaire in Dutch with self-hosted assets and no cache', async () => {
    const link = await newLink();
    const res = await request(t.app).get(link).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.text).toContain('<html lang="nl">');
    // every asset under a content-hashed address, cached for a year; the questionnaire version is one of them
    const assets = [...res.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual([
      expect.stringMatching(/^\/assets\/[0-9a-f]{16}\/vendor\/survey-core\.fontless\.min\.css$/),
      expect.stringMatching(/^\/assets\/[0-9a-f]{16}\/veldwerk\.css$/),
      expect.stringMatching(/^\/assets\/[0-9a-f]{16}\/vendor\/survey\.core\.min\.js$/),
      expect.stringMatching(/^\/assets\/[0-9a-f]{16}\/vendor\/survey-core\.i18n\.dutch\.min\.js$/),
      expect.stringMatching(/^\/assets\/[0-9a-f]{16}\/vendor\/survey-js-ui\.min\.js$/),
      expect.stringMatching(/^\/assets\/q\/[0-9a-f]{16}\.js$/),
      expect.stringMatching(/^\/assets\/q\/[0-9a-f]{16}\.js$/),
      expect.stringMatching(/^\/assets\/[0-9a-f]{16}\/respondent\.js$/),
    ]);
    expect(res.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from another origin
    const config = surveyConfig(res.text);
    expect(config.locale).toBe('nl');
    expect(config.answers).toEqual({});
    expect(config.pageNo).toBe(0);
    expect(config.survey).toBeUndefined(); // not in every page any more
    for (const url of assets) {
      const asset = await request(t.app).get(url).expect(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-type']).toMatch(/^text\/(javascript|css); charset=utf-8$/);
    }
    const questionnaire = await request(t.app).get(assets[5]).expect(200);
    expect(questionnaire.text).toContain('window.VW_QUESTIONNAIRE = {');
    expect(questionnaire.text).toContain('"agressie_any"');
    // the old addresses still answer, revalidated hourly
    await request(t.app)
      .get('/assets/vendor/survey-js-ui.min.js')
      .expect(200)
      .expect('cache-control', 'public, max-age=3600');
    await request(t.app).get('/assets/respondent.js').expect(200);
    // an address with another hash is no asset
    await request(t.app)
      .get(assets[7].replace(/\/assets\/[0-9a-f]{16}\//, '/assets/0000000000000000/'))
      .expect(404);
    await request(t.app).get('/assets/q/0000000000000000.js').expect(404);
  });

  test('answers saved as the respondent goes reopen at the same page on another device', async () => {
    const link = await newLink();
    const partial = { agressie_any: 1, agressie_kanaal: [3] };
    await request(t.app).put(`${link}/progress`).send({ answers: partial, pageNo: 1, locale: 'en' }).expect(204);
    const again = await request(t.app).get(link).expect(200); // no cookie: a fresh client
    const config = surveyConfig(again.text);
    expect(config).toMatchObject({ answers: partial, pageNo: 1, locale: 'en' });
    expect(again.text).toContain('<html lang="en">');
    // a later save replaces the earlier one
    await request(t.app)
      .put(`${link}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 0, locale: 'nl' })
      .expect(204);
    expect(surveyConfig((await request(t.app).get(link)).text)).toMatchObject({
      answers: { agressie_any: 2 },
      pageNo: 0,
    });
  });

  test('numbered autosaves: an older one never overwrites a newer copy, even when they arrive together', async () => {
    const link = await newLink();
    const put = (seq: unknown, years: number) =>
      request(t.app)
        .put(`${link}/progress`)
        .send({ answers: { jaren_functie: years }, pageNo: 1, locale: 'nl', seq });
    await put(5, 5).expect(204);
    const stale = await put(3, 3).expect(409);
    expect(stale.body).toEqual({ error: 'A newer copy of these answers was saved already', stale: true });
    await put(5, 55).expect(409); // the same number again is not newer either
    let config = surveyConfig((await request(t.app).get(link)).text) as unknown as {
      answers: object;
      revision: number;
    };
    expect(config).toMatchObject({ answers: { jaren_functie: 5 }, revision: 5 });
    // 30 saves at once, in a shuffled order: the copy kept is the highest number's, whatever order they commit in
    const order = Array.from({ length: 30 }, (_, i) => i + 6).sort(() => Math.random() - 0.5);
    const statuses = await Promise.all(order.map((seq) => put(seq, seq).then((r) => r.status)));
    expect(statuses.filter((s) => s === 204).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    config = surveyConfig((await request(t.app).get(link)).text) as unknown as { answers: object; revision: number };
    expect(config).toMatchObject({ answers: { jaren_functie: 35 }, revision: 35 });
  });

  test.each([0, -1, 1.5, '7', 2 ** 31, null, true])('a sequence number %p is refused with 422', async (seq) => {
    const link = await newLink();
    const res = await request(t.app)
      .put(`${link}/progress`)
      .send({ answers: { jaren_functie: 4 }, pageNo: 0, locale: 'en', seq })
      .expect(422);
    expect(res.body.errors[0].message).toMatch(/^seq must be a whole number from 1 to 2147483647$/);
  });

  test('a bad autosave is refused with 422 and the saved answers stay as they were', async () => {
    const link = await newLink();
    await request(t.app)
      .put(`${link}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 0 })
      .expect(204);
    for (const body of [
      { answers: { agressie_any: 7 }, pageNo: 0 },
      { answers: { no_such_question: 'x' }, pageNo: 0 },
      { answers: { agressie_any: 1 }, pageNo: 9 },
      { answers: { opmerkingen: 'x'.repeat(5000) }, pageNo: 1 },
    ]) {
      await request(t.app).put(`${link}/progress`).send(body).expect(422);
    }
    expect(surveyConfig((await request(t.app).get(link)).text).answers).toEqual({ agressie_any: 2 });
  });

  test('completing stores one anonymous response, removes the saved copy and shows thanks', async () => {
    const link = await newLink();
    await request(t.app)
      .put(`${link}/progress`)
      .send({ answers: { agressie_any: 1 }, pageNo: 1 })
      .expect(204);
    const before = await t.db('responses').count({ n: '*' }).first();
    await request(t.app).post(`${link}/complete`).send({ answers: DEMO_VALID, locale: 'nl' }).expect(201);
    const after = await t.db('responses').count({ n: '*' }).first();
    expect(Number(after?.n)).toBe(Number(before?.n) + 1);
    const thanks = await request(t.app).get(link).expect(200);
    expect(thanks.text).toContain('Hartelijk dank');
    expect(thanks.text).not.toContain('data-config');
    await request(t.app).post(`${link}/complete`).send({ answers: DEMO_VALID }).expect(409);
    await request(t.app).put(`${link}/progress`).send({ answers: {}, pageNo: 0 }).expect(409);
    const token = link.slice(3);
    expect(t.logs.join('\n')).not.toContain(token);
    expect(t.logs.join('\n')).toContain('/s/[token]/complete');
  });

  test('answers to questions hidden by routing are dropped, not stored', async () => {
    const link = await newLink();
    const answers = { ...DEMO_VALID, agressie_any: 2 }; // follow-ups hidden, but still sent by the browser
    await request(t.app).post(`${link}/complete`).send({ answers }).expect(201);
    const rows = await t.db('responses').select('answers');
    const stored = rows.map((r) => JSON.parse(r.answers)).find((a) => a.agressie_any === 2 && a.jaren_functie === 6);
    expect(stored).toBeDefined();
    expect(stored).not.toHaveProperty('agressie_kanaal');
    expect(stored).not.toHaveProperty('agressie_toelichting');
  });
});
