import fc from 'fast-check';
import request from 'supertest';
import { fuzzTimeout, runs } from '../helpers/fuzz';
import { DEMO_VALID } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

/** Random and malformed input to the respondent endpoints: never a 5xx, never a change from a refused request. */
describe('fuzzing the respondent endpoints', () => {
  let t: TestApp;
  let link: string;
  let snapshot: () => Promise<string>;
  beforeAll(async () => {
    t = await testApp('sqlite');
    const [token] = await t.invite(await t.wave());
    link = `/s/${token}`;
    await request(t.app)
      .put(`${link}/progress`)
      .send({ answers: { agressie_any: 1 }, pageNo: 0 })
      .expect(204);
    snapshot = async () =>
      JSON.stringify([
        await t.db('responses').select(),
        await t.db('progress').select(),
        await t.db('invitations').select('id', 'status'),
      ]);
  });
  afterAll(() => t.drop());

  const names = fc.constantFrom(...Object.keys(DEMO_VALID), 'opmerkingen', '__proto__', 'constructor', 'x', '');
  const values = fc.oneof(
    fc.jsonValue(),
    fc.string({ maxLength: 50 }),
    fc.integer(),
    fc.array(fc.integer({ min: -5, max: 120 })),
    fc.constant(null),
  );
  const answers = fc.oneof(
    fc.dictionary(names, values),
    fc.record({ ...Object.fromEntries(Object.keys(DEMO_VALID).map((k) => [k, values])) }, { requiredKeys: [] }),
    fc.jsonValue(),
  );

  test(
    'random answers: a refused completion or autosave changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          answers,
          fc.oneof(fc.integer({ min: -3, max: 5 }), fc.jsonValue()),
          fc.constantFrom('nl', 'en', 'xx', 5),
          async (a, pageNo, locale) => {
            const before = await snapshot();
            const complete = await request(t.app).post(`${link}/complete`).send({ answers: a, locale });
            expect(complete.status).toBeLessThan(500);
            if (complete.status === 201) return false; // not expected from random input: stop with a counterexample
            expect(await snapshot()).toBe(before);
            const save = await request(t.app).put(`${link}/progress`).send({ answers: a, pageNo, locale });
            expect([204, 400, 422]).toContain(save.status);
            if (save.status !== 204) expect(await snapshot()).toBe(before);
            return true;
          },
        ),
        { numRuns: runs(400) },
      );
    },
    fuzzTimeout(60_000),
  );

  test(
    'random raw bodies, content types and tokens never cause a 5xx',
    async () => {
      const token = fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/));
      const raw = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.json(),
        fc.constant('{"answers":{"a":'),
        fc.constant('{"__proto__":{"x":1}}'),
      );
      const contentType = fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'multipart/form-data',
      );
      await fc.assert(
        fc.asyncProperty(
          token,
          raw,
          contentType,
          fc.constantFrom('GET', 'PUT', 'POST'),
          async (tok, body, type, method) => {
            const path = `/s/${encodeURIComponent(tok)}${method === 'PUT' ? '/progress' : method === 'POST' ? '/complete' : ''}`;
            const req =
              method === 'GET'
                ? request(t.app).get(path)
                : method === 'PUT'
                  ? request(t.app).put(path)
                  : request(t.app).post(path);
            const res = method === 'GET' ? await req : await req.set('Content-Type', type).send(body);
            expect(res.status).toBeLessThan(500);
          },
        ),
        { numRuns: runs(600) },
      );
      // so many unknown tokens from one address: its link lookups are now throttled, valid token or not
      const after = await request(t.app).get(link);
      expect(after.status).toBe(429);
    },
    fuzzTimeout(60_000),
  );
});
