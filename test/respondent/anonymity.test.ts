import request from 'supertest';
import { completeResponse, openLink, saveAnswersInProgress } from '../../server/respondent/respondent';
import { eraseStorageOrder } from '../../server/fielding/data/storage-order';
import { blurCompletionTransactions, closeWave } from '../../server/fielding/wave-actions';
import { hashToken } from '../../server/respondent/personal-tokens';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('what a stored response holds, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t.drop());

  test('tokens are long, URL-safe, and only their hash is stored', async () => {
    const wave = await t.wave();
    const tokens = await t.invite(
      wave,
      Array.from({ length: 20 }, (_, i) => ({ email: `p${i}@example.org`, attributes: { tier: 'gemeente' } })),
    );
    expect(new Set(tokens).size).toBe(20);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    const rows = await t.db('invitations').where({ wave_id: wave.id });
    const dump = JSON.stringify(rows);
    for (const token of tokens) {
      expect(dump).not.toContain(token);
      expect(rows.some((r) => r.token_hash === hashToken(token))).toBe(true);
    }
  });

  test('the response row holds only random id, wave, version, kept attributes, answers, language and the day', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role'] });
    const [token] = await t.invite(wave, [
      {
        email: 'w.wethouder@example.org',
        name: 'W. Wethouder',
        organisation: 'Gemeente Proefdorp',
        attributes: { tier: 'gemeente', role: 'wethouder', province: 'Zeeland' },
      },
    ]);
    const invitationBefore = await t.db('invitations').where({ wave_id: wave.id }).first();
    await request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID, locale: 'nl' }).expect(201);
    const response = await t.db('responses').where({ wave_id: wave.id }).first();
    expect(Object.keys(response).sort()).toEqual([
      'answers',
      'attributes',
      'id',
      'is_test',
      'locale',
      'questionnaire_id',
      'submitted_on',
      'wave_id',
    ]);
    expect(response.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(response.id).not.toBe(invitationBefore.id);
    expect(response.submitted_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(JSON.parse(response.attributes)).toEqual({ tier: 'gemeente', role: 'wethouder' });
    const text = JSON.stringify(response);
    for (const secret of [
      token,
      hashToken(token),
      invitationBefore.id,
      'W. Wethouder',
      'w.wethouder@example.org',
      'Proefdorp',
      'Zeeland',
    ]) {
      expect(text).not.toContain(secret);
    }
    // the invitation only learns "completed": no time, no other column changes
    const invitationAfter = await t.db('invitations').where({ id: invitationBefore.id }).first();
    expect(invitationAfter).toEqual({ ...invitationBefore, status: 'completed' });
  });

  test('neither a sequence nor the row order mirrors the order of completion', async () => {
    const wave = await t.wave();
    const tokens = await t.invite(
      wave,
      Array.from({ length: 30 }, (_, i) => ({ email: `o${i}@example.org`, attributes: { tier: 'gemeente' } })),
    );
    for (const [i, token] of tokens.entries()) {
      await request(t.app)
        .post(`/s/${token}/complete`)
        .send({ answers: { ...DEMO_VALID, jaren_functie: i } })
        .expect(201);
    }
    await eraseStorageOrder(t.db); // PostgreSQL: appended rows keep write order until rewritten; SQLite: no-op
    const rows = await t.db('responses').where({ wave_id: wave.id }); // no ORDER BY: storage order
    const order = rows.map((r) => JSON.parse(r.answers).jaren_functie);
    expect(order).toHaveLength(30);
    expect(order).not.toEqual([...order].sort((a, b) => a - b)); // 1 in 30! to fail by chance
    if (kind === 'sqlite') {
      const err = await t.db.raw('select rowid from responses').then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/no such column: rowid/);
    }
  });

  // PostgreSQL's hidden xmin column names the transaction that wrote a row version, readable by any role that may
  // SELECT: a completion writes the response and marks the invitation in one transaction
  (kind === 'postgres' ? test : test.skip)(
    'PostgreSQL: no response shares its transaction id with an invitation, and a day of responses shares one',
    async () => {
      const wave = await t.wave();
      const tokens = await t.invite(
        wave,
        Array.from({ length: 6 }, (_, i) => ({ email: `x${i}@example.org`, attributes: { tier: 'gemeente' } })),
      );
      const complete = (token: string) =>
        request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }).expect(201);
      const linked = async () =>
        Number(
          (
            await t.db.raw(
              `select count(*) as n from responses r join invitations i on i.xmin::text = r.xmin::text
                where r.wave_id = ? and i.wave_id = ?`,
              [wave.id, wave.id],
            )
          ).rows[0].n,
        );
      const transactions = async () =>
        Number(
          (await t.db.raw('select count(distinct xmin::text) as n from responses where wave_id = ?', [wave.id])).rows[0]
            .n,
        );
      for (const token of tokens.slice(0, 5)) await complete(token);
      expect(await linked()).toBe(5); // what an attacker with read access sees until the rewrite
      expect(await transactions()).toBe(5); // and the order of completion, by ascending transaction id
      expect(await blurCompletionTransactions(t.db)).toBeGreaterThanOrEqual(5);
      expect(await linked()).toBe(0);
      expect(await transactions()).toBe(1);
      expect(await blurCompletionTransactions(t.db)).toBe(0); // nothing left to rewrite
      // a later completion on the same day: the whole day is rewritten again, not that one response alone
      await complete(tokens[5]);
      expect(await linked()).toBe(1);
      expect(await blurCompletionTransactions(t.db)).toBe(6);
      expect([await linked(), await transactions()]).toEqual([0, 1]);
      // closing rewrites and reorders the tables; nothing ties them afterwards either
      await complete((await t.invite(wave))[0]);
      await closeWave(t.db, wave, 'test', t.now.value);
      expect([await linked(), await transactions()]).toEqual([0, 1]);
    },
  );

  test('two simultaneous completions store exactly one response; the other gets 409', async () => {
    const wave = await t.wave();
    const [token] = await t.invite(wave);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(Number((await t.db('responses').where({ wave_id: wave.id }).count({ n: '*' }).first())?.n)).toBe(1);
  });

  test('autosaves racing a completion never leave answers linked to the completed invitation', async () => {
    const wave = await t.wave();
    const [token] = await t.invite(wave);
    const save = () =>
      request(t.app)
        .put(`/s/${token}/progress`)
        .send({ answers: { agressie_any: 1 }, pageNo: 0 });
    const results = await Promise.all([
      save(),
      save(),
      request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }),
      save(),
      save(),
      save(),
    ]);
    expect(results[2].status).toBe(201);
    // an autosave that looked the link up before the completion and wrote after it is refused, not stored
    for (const r of [results[0], results[1], ...results.slice(3)]) expect([204, 409]).toContain(r.status);
    const invitation = await t
      .db('invitations')
      .where({ token_hash: hashToken(token) })
      .first();
    expect(invitation.status).toBe('completed');
    expect(await t.db('progress').where({ invitation_id: invitation.id }).first()).toBeUndefined();

    // the same, step by step: an autosave whose link was read before the completion committed
    const [second] = await t.invite(wave);
    const stale = await openLink(t.db, t.registry, second, 'test', t.now.value, { withProgress: false });
    if (stale.kind !== 'open') throw new Error(`link is ${stale.kind}`);
    expect(await completeResponse(t.db, stale, { answers: DEMO_VALID, locale: 'nl' }, t.now.value)).toEqual({
      status: 'stored',
    });
    expect(await saveAnswersInProgress(t.db, stale, { answers: { agressie_any: 1 }, pageNo: 0, locale: 'nl' })).toEqual(
      { ok: false, completed: true },
    );
    expect(await t.db('progress').where({ invitation_id: stale.invitation.id }).first()).toBeUndefined();
  });

  test('responses through a test link are marked as test', async () => {
    const wave = await t.wave();
    const [token] = await t.invite(wave, undefined, { isTest: true });
    await request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }).expect(201);
    const row = await t.db('responses').where({ wave_id: wave.id }).first();
    expect(Boolean(row.is_test)).toBe(true);
  });
});
