import request from 'supertest';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID, surveyConfig } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('invalid completions on %s', (kind) => {
  let t: TestApp;
  let link: string;
  let invitationId: string;
  beforeAll(async () => {
    t = await testApp(kind);
    const [token] = await t.invite(await t.wave());
    link = `/s/${token}`;
    await request(t.app)
      .put(`${link}/progress`)
      .send({ answers: { agressie_any: 1 }, pageNo: 1 })
      .expect(204);
    invitationId = (await t.db('invitations').first('id')).id;
  });
  afterAll(() => t.drop());

  /** nothing stored may change when a completion is refused */
  afterEach(async () => {
    expect(Number((await t.db('responses').count({ n: '*' }).first())?.n)).toBe(0);
    expect((await t.db('invitations').where({ id: invitationId }).first()).status).toBe('started');
    expect(surveyConfig((await request(t.app).get(link)).text)).toMatchObject({
      answers: { agressie_any: 1 },
      pageNo: 1,
    });
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a required question left open', { ...DEMO_VALID, gedragscode_bekend: undefined }, 'gedragscode_bekend'],
    ['a required follow-up shown by routing', { ...DEMO_VALID, agressie_kanaal: undefined }, 'agressie_kanaal'],
    ['a matrix row missing', { ...DEMO_VALID, veilig: { werk: 4, online: 2 } }, 'veilig'],
    ['a value outside the choices', { ...DEMO_VALID, gedragscode_bekend: 7 }, 'gedragscode_bekend'],
    ['a checkbox value outside the choices', { ...DEMO_VALID, agressie_kanaal: [1, 77] }, 'agressie_kanaal'],
    ['a matrix column outside the choices', { ...DEMO_VALID, veilig: { werk: 9, online: 2, thuis: 5 } }, 'veilig'],
    ['an unknown matrix row', { ...DEMO_VALID, veilig: { werk: 1, online: 2, thuis: 5, kelder: 1 } }, 'veilig'],
    ['an unknown question', { ...DEMO_VALID, salaris: 100000 }, 'salaris'],
    ['the wrong type', { ...DEMO_VALID, agressie_any: 'ja' }, 'agressie_any'],
    ['a number out of range', { ...DEMO_VALID, jaren_functie: 61 }, 'jaren_functie'],
    ['a number given as text', { ...DEMO_VALID, jaren_functie: 'zes' }, 'jaren_functie'],
    ['oversized text', { ...DEMO_VALID, opmerkingen: 'x'.repeat(4001) }, 'opmerkingen'],
  ];

  test.each(cases)('%s gets 422 with a Dutch message for that question', async (_label, answers, name) => {
    const res = await request(t.app)
      .post(`${link}/complete`)
      .set('Accept', 'application/json')
      .send({ answers, locale: 'nl' })
      .expect(422);
    const error = res.body.errors.find((e: { name: string }) => e.name === name);
    expect(error).toBeDefined();
    expect(typeof error.message).toBe('string');
    expect(error.message.length).toBeGreaterThan(5);
  });

  test('messages follow the respondent language', async () => {
    const answers = { ...DEMO_VALID, gedragscode_bekend: undefined };
    const nl = await request(t.app).post(`${link}/complete`).send({ answers, locale: 'nl' }).expect(422);
    const en = await request(t.app).post(`${link}/complete`).send({ answers, locale: 'en' }).expect(422);
    expect(nl.body.errors[0].message).not.toBe(en.body.errors[0].message);
    expect(en.body.errors[0].message).toMatch(/required|answer/i);
  });

  test('malformed, mistyped, oversized and hostile bodies get 4xx and no 500', async () => {
    await request(t.app)
      .post(`${link}/complete`)
      .set('Content-Type', 'application/json')
      .send('{"answers": ')
      .expect(400);
    await request(t.app).post(`${link}/complete`).set('Content-Type', 'text/plain').send('answers').expect(415);
    await request(t.app).post(`${link}/complete`).send([1, 2]).expect(400);
    await request(t.app)
      .post(`${link}/complete`)
      .send({ answers: 'x'.repeat(300 * 1024) })
      .expect(413);
    await request(t.app).post(`${link}/complete`).send({ answers: null }).expect(422);
    await request(t.app)
      .post(`${link}/complete`)
      .send({ answers: [DEMO_VALID] })
      .expect(422);
    await request(t.app)
      .post(`${link}/complete`)
      .set('Content-Type', 'application/json')
      .send(`{"answers": {"__proto__": {"isAdmin": true}, "agressie_any": 2}}`)
      .expect(422);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
