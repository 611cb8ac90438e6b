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
    expect(res.text).toContain('/assets/vendor/survey-core.fontless.min.css');
    expect(res.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from another origin
    const config = surveyConfig(res.text);
    expect(config.locale).toBe('nl');
    expect(config.answers).toEqual({});
    expect(config.pageNo).toBe(0);
    await request(t.app)
      .get('/assets/vendor/survey-js-ui.min.js')
      .expect(200)
      .expect('content-type', /javascript/);
    await request(t.app).get('/assets/vendor/survey-core.fontless.min.css').expect(200);
    await request(t.app).get('/assets/respondent.js').expect(200);
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
