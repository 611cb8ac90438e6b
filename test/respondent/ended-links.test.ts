import crypto from 'node:crypto';
import request from 'supertest';
import { closeWave } from '../../server/fielding/wave-actions';
import { purgeWave } from '../../server/fielding/wave-purge';
import { giveFreshLink } from '../../server/fielding/people';
import { inLinkFilter, linkFilter } from '../../server/respondent/ended-links';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

const people = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({
    email: `persoon.${tag}.${i}@example.org`,
    name: `Persoon ${tag} ${i}`,
    organisation: 'Gemeente Voorbeeld',
    attributes: { tier: 'gemeente', role: 'raadslid' },
  }));

describe.each(databaseKinds())('links of a purged wave, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t.drop());

  test('after close and purge, a finished and an unfinished respondent read that the survey has ended; a guess is still unknown', async () => {
    const wave = await t.wave();
    const [done, started, untouched, replaced] = await t.invite(wave, people(4, 'a'));
    await request(t.app).post(`/s/${done}/complete`).send({ answers: DEMO_VALID }).expect(201);
    await request(t.app).put(`/s/${started}/progress`).send({ answers: {}, pageNo: 0 }).expect(204);
    // a replaced link was taken out of use on purpose: it stays unknown after the purge too
    const replacedRow = await t.db('invitations').where({ email: 'persoon.a.3@example.org' }).first();
    await giveFreshLink(t.db, wave, replacedRow.id, { actor: 'test', now: t.now.value, mail: false });
    const another = await t.wave({ name: 'Nog open' });
    const [stillOpen] = await t.invite(another, people(1, 'b'));

    await closeWave(t.db, wave, 'test', t.now.value);
    await purgeWave(t.db, (await t.db('waves').where({ id: wave.id }).first())!, 'test', t.now.value);
    expect(Number((await t.db('invitations').where({ wave_id: wave.id }).count({ n: '*' }).first())?.n)).toBe(0);

    for (const token of [done, started, untouched]) {
      const nl = await request(t.app).get(`/s/${token}`).expect(410);
      expect(nl.text).toContain('Dit onderzoek is afgelopen');
      expect(nl.text).not.toContain('kopieer de volledige link');
      const en = await request(t.app).get(`/s/${token}?lang=en`).expect(410);
      expect(en.text).toContain('This survey has ended');
      const put = await request(t.app).put(`/s/${token}/progress`).send({ answers: {}, pageNo: 0 }).expect(410);
      expect(put.body.error).toMatch(/ended/);
      await request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }).expect(410);
    }
    expect(Number((await t.db('responses').count({ n: '*' }).first())?.n)).toBe(1);

    const guessed = await request(t.app)
      .get(`/s/${crypto.randomBytes(32).toString('base64url')}`)
      .expect(404);
    expect(guessed.text).toContain('Deze link werkt niet');
    await request(t.app).get(`/s/${replaced}`).expect(404);
    // the other wave's links are untouched
    await request(t.app).get(`/s/${stillOpen}`).expect(200);
  });
});

describe('the filter of ended links', () => {
  test('holds every link it was made of and almost no other (measured: 0 of 200,000 strangers over 20,000 links)', () => {
    const tokens = Array.from({ length: 20_000 }, () => crypto.randomBytes(32).toString('base64url'));
    const f = linkFilter(tokens, tokens.length);
    expect(tokens.every((token) => inLinkFilter(f, token))).toBe(true);
    let strangers = 0;
    for (let i = 0; i < 200_000; i++) if (inLinkFilter(f, crypto.randomBytes(32).toString('base64url'))) strangers++;
    expect(strangers).toBeLessThanOrEqual(1);
    // about 3.6 bytes per link: far too little to hold the links or their hashes
    expect(f.filter.length).toBeLessThan(tokens.length * 4);
  });

  test('an empty wave gets a filter that matches nothing', () => {
    const f = linkFilter([], 0);
    expect(inLinkFilter(f, crypto.randomBytes(32).toString('base64url'))).toBe(false);
  });
});
