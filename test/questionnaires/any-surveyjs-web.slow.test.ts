// A definition as SurveyJS Creator writes it (root `elements`, an expression total, a dynamic panel), served to a
// respondent through the real app: autosave and completion are judged by survey-core in the worker pool, the
// expression is stored as the server computed it, and a refusal changes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../server/app';
import { createInvitations } from '../../server/fielding/issue-invitations';
import { createWave } from '../../server/fielding/wave-rules';
import { QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { registerVersions } from '../../server/questionnaires/version-registration';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { freshDatabase, type TestDatabase } from '../helpers/databases';

const SURVEY = {
  elements: [
    { type: 'rating', name: 'score_a', isRequired: true, rateMax: 5 },
    { type: 'rating', name: 'score_b', isRequired: true, rateMax: 5 },
    { type: 'expression', name: 'totaal', expression: '{score_a} + {score_b}' },
    {
      type: 'paneldynamic',
      name: 'kinderen',
      maxPanelCount: 3,
      templateElements: [{ type: 'text', name: 'naam', isRequired: true }],
    },
  ],
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'any-surveyjs-'));
let t: TestDatabase;
let app: ReturnType<typeof createApp>;
let tokens: string[];
beforeAll(async () => {
  const dir = path.join(tmp, 'creator');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, '1.json'),
    JSON.stringify({
      key: 'creator',
      version: '1',
      edition: 1,
      population: 'test',
      title: { nl: 'C', en: 'C' },
      survey: SURVEY,
    }),
  );
  const registry = QuestionnaireRegistry.fromDirectory(tmp);
  expect(registry.get('creator@1')?.validator.engine).toBe('survey-core');
  t = await freshDatabase('sqlite');
  await registerVersions(t.db, registry);
  const now = new Date();
  app = createApp({
    db: t.db,
    registry,
    config: { publicUrl: 'http://veldwerk.test', logRequests: false },
    clock: () => now,
  });
  const today = dutchDay(now);
  const wave = await createWave(
    t.db,
    registry,
    {
      name: 'C',
      questionnaireId: 'creator@1',
      opensOn: addDays(today, -1),
      closesOn: addDays(today, 9),
      keptAttributes: [],
    },
    now,
  );
  tokens = (await createInvitations(t.db, wave, [{ attributes: {} }, { attributes: {} }], { now })).map((i) => i.token);
});
afterAll(async () => {
  await t.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('completion: the forged total is recomputed, the answers stored as survey-core completes them', async () => {
  const link = `/s/${tokens[0]}`;
  await request(app)
    .put(`${link}/progress`)
    .send({ answers: { score_a: 4 }, pageNo: 0, locale: 'nl' })
    .expect(204);
  const res = await request(app)
    .post(`${link}/complete`)
    .send({ answers: { score_a: 4, score_b: 5, totaal: 1000, kinderen: [{ naam: 'Sam' }] }, locale: 'nl' });
  expect(res.status).toBe(201);
  const stored = await t.db('responses').select('answers');
  expect(stored.map((r: { answers: string }) => JSON.parse(r.answers))).toEqual([
    { score_a: 4, score_b: 5, totaal: 9, kinderen: [{ naam: 'Sam' }] },
  ]);
});

test('a refused completion says why per question in the language asked, and changes nothing', async () => {
  const link = `/s/${tokens[1]}`;
  const res = await request(app)
    .post(`${link}/complete`)
    .send({ answers: { score_a: 9, kinderen: [{}] }, locale: 'en' })
    .expect(422);
  expect(res.body.errors).toEqual(
    expect.arrayContaining([
      { name: 'score_a', message: 'This answer is not one of the choices' },
      { name: 'score_b', message: 'Response required.' },
      { name: 'kinderen[0].naam', message: 'Response required.' },
    ]),
  );
  expect(await t.db('responses').count({ n: '*' })).toEqual([{ n: 1 }]);
  const inv = await t.db('invitations').select('status');
  expect(inv.map((r: { status: string }) => r.status).sort()).toEqual(['completed', 'invited']);
  // autosave of junk: the strict checks only, against every choice
  await request(app)
    .put(`${link}/progress`)
    .send({ answers: { onbekend: 1 }, pageNo: 0, locale: 'en' })
    .expect(422);
});
