import request from 'supertest';
import { sealLegacyProgress } from '../../server/respondent/respondent';
import { openProgress, progressKey, sealProgress } from '../../server/respondent/progress-sealing';
import { PENDING_IMPORT_TTL_MS, stagePendingImport, sweepExpiredImports } from '../../server/fielding/sample-import';
import { addUser } from '../../server/accounts/new-account';
import { databaseKinds } from '../helpers/databases';
import { surveyConfig } from '../helpers/pages';
import { TestApp, testApp } from '../helpers/test-app';

describe.each(databaseKinds())('in-progress answers sealed under the link, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t.drop());

  test('the database holds ciphertext only; the link reopens the answers; another key or invitation opens nothing', async () => {
    const wave = await t.wave();
    const [token, other] = await t.invite(wave, [
      { email: 'zegel1@example.org', attributes: {} },
      { email: 'zegel2@example.org', attributes: {} },
    ]);
    await request(t.app)
      .put(`/s/${token}/progress`)
      .send({ answers: { agressie_any: 1, agressie_toelichting: 'geheime toelichting' }, pageNo: 1 })
      .expect(204);
    const [row] = await t.db('progress').select('invitation_id', 'answers');
    expect(row.answers).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
    expect(row.answers).not.toContain('geheime');
    const page = await request(t.app).get(`/s/${token}`).expect(200);
    expect(surveyConfig(page.text)).toMatchObject({
      answers: { agressie_any: 1, agressie_toelichting: 'geheime toelichting' },
      pageNo: 1,
    });
    expect(openProgress(progressKey(other), row.invitation_id, row.answers)).toBeUndefined(); // another link's key
    expect(openProgress(progressKey(token), 'another-invitation', row.answers)).toBeUndefined(); // moved to another row
    const tampered = row.answers.slice(0, -6) + (row.answers.endsWith('AAAA==') ? 'BBBB==' : 'AAAA==');
    expect(openProgress(progressKey(token), row.invitation_id, tampered)).toBeUndefined();
    // a copy moved to the other invitation's row opens as nothing: that page starts empty instead of failing
    const otherRow = (await t.db('invitations').where({ email: 'zegel2@example.org' }).first())!;
    await t
      .db('progress')
      .insert({ invitation_id: otherRow.id, answers: row.answers, page_no: 1, locale: 'nl', revision: 1 });
    expect(surveyConfig((await request(t.app).get(`/s/${other}`).expect(200)).text)).toMatchObject({
      answers: {},
      pageNo: 0,
    });
  });

  test('answers saved in plain text by an earlier version are sealed at start, and still open with the link', async () => {
    const wave = await t.wave();
    const [token] = await t.invite(wave, [{ email: 'oud@example.org', attributes: {} }]);
    const invitation = (await t.db('invitations').where({ email: 'oud@example.org' }).first())!;
    await t.db('progress').insert({
      invitation_id: invitation.id,
      answers: JSON.stringify({ agressie_any: 2, agressie_toelichting: 'oude tekst' }),
      page_no: 0,
      locale: 'en',
      revision: 3,
    });
    expect(await sealLegacyProgress(t.db)).toBe(1);
    const row = (await t.db('progress').where({ invitation_id: invitation.id }).first())!;
    expect(row.answers).not.toContain('oude tekst');
    expect(JSON.parse(openProgress(progressKey(token), invitation.id, row.answers)!)).toEqual({
      agressie_any: 2,
      agressie_toelichting: 'oude tekst',
    });
    expect(surveyConfig((await request(t.app).get(`/s/${token}`).expect(200)).text)).toMatchObject({
      answers: { agressie_toelichting: 'oude tekst' },
      locale: 'en',
    });
    expect(await sealLegacyProgress(t.db)).toBe(0); // nothing left to seal
    expect(sealProgress(progressKey(token), invitation.id, 'x')).not.toBe(
      sealProgress(progressKey(token), invitation.id, 'x'),
    ); // fresh nonce each time
  });

  test('a staged import that expires is deleted by the sweep, not only when the next file is staged', async () => {
    const wave = await t.wave({ keptAttributes: ['tier'] });
    const { user } = await addUser(t.db, { email: `sweep-${kind}@example.org`, role: 'admin' }, t.now.value, {
      N: 1024,
      r: 8,
      p: 1,
    });
    const staged = await stagePendingImport(
      t.db,
      wave,
      { name: 's.csv', bytes: Buffer.from('email,name,tier\nveeg@example.org,Veeg Persoon,gemeente\n') },
      user.id,
      t.now.value,
      new Map(),
    );
    expect(staged.ok).toBe(true);
    expect(await sweepExpiredImports(t.db, t.now.value)).toBe(0);
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(1);
    expect(await sweepExpiredImports(t.db, new Date(t.now.value.getTime() + PENDING_IMPORT_TTL_MS + 1000))).toBe(1);
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(0);
  });
});
