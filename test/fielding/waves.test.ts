import request from 'supertest';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { inviteWave } from '../../server/mail/wave-mail';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID, surveyConfig } from '../helpers/pages';
import { addTestUser, adminTestApp, AdminTestApp, Browser } from '../helpers/signed-in';

const PEOPLE = [
  {
    email: 'r.raad@example.org',
    name: 'R. Raad',
    organisation: 'Gemeente Proef',
    attributes: { tier: 'gemeente', role: 'raadslid' },
  },
  {
    email: 'w.wet@example.org',
    name: 'W. Wet',
    organisation: 'Gemeente Proef',
    attributes: { tier: 'gemeente', role: 'wethouder' },
  },
  {
    email: 's.staten@example.org',
    name: 'S. Staten',
    organisation: 'Provincie Proef',
    attributes: { tier: 'provincie', role: 'statenlid' },
  },
];

describe.each(databaseKinds())('waves: create, edit, preview, test links, close, purge on %s', (kind) => {
  let t: AdminTestApp;
  let admin: Browser;
  let analyst: Browser;
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    await addTestUser(t.db, 'analist@example.org', 'analyst');
    admin = await t.signIn('beheer@example.org');
    analyst = await t.signIn('analist@example.org', { address: '203.0.113.20' });
  });
  afterAll(() => t.drop());

  test('an admin creates a wave from a registered version, sees it, and can change it until it opens', async () => {
    const today = dutchDay(t.now.value);
    const form = {
      name: 'MIV 2026',
      questionnaire: 'demo@1',
      opens_on: addDays(today, 10),
      closes_on: addDays(today, 40),
      kept: 'tier, role province',
    };
    const created = await admin.post('/admin/waves', form).expect(303);
    const url = created.headers.location as string;
    const wave = await t
      .db('waves')
      .where({ id: url.split('/').pop() })
      .first();
    expect(wave).toMatchObject({
      name: 'MIV 2026',
      questionnaire_id: 'demo@1',
      kept_attributes: '["tier","role","province"]',
    });
    const page = await admin.get(url).expect(200);
    expect(page.text).toContain('not open yet');
    expect(page.text).toContain('tier, role, province');
    await admin.get(`${url}/edit`).expect(200);
    await admin.post(url, { ...form, name: 'MIV 2026 (politiek)', kept: 'tier' }).expect(303);
    expect((await t.db('waves').where({ id: wave.id }).first()).name).toBe('MIV 2026 (politiek)');
    expect((await admin.get(url)).text).toContain('draft: not open yet, nothing sent');
    // open (the opening day moved into the past stands in for time passing) but nothing sent: still a draft
    await t.db('waves').where({ id: wave.id }).update({ opens_on: today });
    expect((await admin.get(url)).text).toContain('draft: open, but nothing sent');
    await admin.get(`${url}/edit`).expect(200);
    // once invitations are queued, no more changes
    await t.invite({ ...wave, opens_on: today }, [{ email: 'een@example.org', attributes: { tier: 'gemeente' } }]);
    await admin.post(`${url}/mail/invite`, { confirmed: 'yes' }).expect(303);
    expect((await admin.get(url)).text).not.toContain('draft: ');
    await admin.post(url, form).set('Accept', 'application/json').expect(409);
    await admin.get(`${url}/edit`).expect(409);
    expect((await t.db('waves').where({ id: wave.id }).first()).name).toBe('MIV 2026 (politiek)');
    const audit = await t.db('audit_log').where({ wave_id: wave.id }).orderBy('id');
    expect(audit.map((a) => a.action)).toEqual(['wave.create', 'wave.edit', 'mail.send']);
  });

  test('a bad wave form comes back with each message next to its field', async () => {
    const res = await admin
      .post('/admin/waves', {
        name: '',
        questionnaire: 'nope@9',
        opens_on: '2026-02-30',
        closes_on: '2026-01-01',
        kept: 'tier, email',
      })
      .expect(422);
    expect(res.text).toContain('There is a problem');
    for (const field of ['name', 'questionnaire', 'opens_on', 'kept']) {
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toMatch(new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${field}-error"`));
    }
    expect(res.text).toContain('identifies a person');
  });

  test('only attributes the questionnaire declares can be kept with the answers, on the form as on the CLI', async () => {
    const today = dutchDay(t.now.value);
    const form = {
      name: 'Bewaren',
      questionnaire: 'miv-politieke-ambtsdragers@2024.1',
      opens_on: addDays(today, 5),
      closes_on: addDays(today, 40),
    };
    for (const [kept, message] of [
      ['e_mail', 'identifies a person'],
      ['tier, volledige_naam', 'identifies a person'],
      ['telefoon', 'identifies a person'],
      ['functie_omschrijving', 'not an attribute miv-politieke-ambtsdragers declares'],
    ]) {
      const res = await admin.post('/admin/waves', { ...form, kept }).expect(422);
      expect(res.text).toContain(message);
      expect(res.text).toMatch(/id="kept-error"/);
    }
    expect(await t.db('waves').where({ name: 'Bewaren' })).toHaveLength(0);
    await admin.post('/admin/waves', { ...form, kept: 'tier, role, province, size_class' }).expect(303);
    expect(JSON.parse((await t.db('waves').where({ name: 'Bewaren' }).first()).kept_attributes)).toEqual([
      'tier',
      'role',
      'province',
      'size_class',
    ]);
  });

  test('the preview renders the questionnaire with preview: true and stores nothing', async () => {
    const wave = await t.wave();
    const before = await t.db('invitations').count({ n: '*' }).first();
    const res = await admin.get(`/admin/waves/${wave.id}/preview`).expect(200);
    const config = surveyConfig(res.text) as unknown as { preview: boolean; survey: { pages: unknown[] } };
    expect(config.preview).toBe(true);
    expect(config.survey.pages.length).toBeGreaterThan(0);
    expect(res.text).toContain('er wordt niets opgeslagen of verzonden');
    expect(res.text).not.toContain('vw-nav'); // the page as a respondent sees it
    expect((await t.db('invitations').count({ n: '*' }).first())?.n).toEqual(before?.n);
  });

  test('test links work (also before opening), their responses are marked as test and never counted', async () => {
    const today = dutchDay(t.now.value);
    const wave = await t.wave({ opensOn: addDays(today, 5), closesOn: addDays(today, 30) });
    const res = await admin
      .post(`/admin/waves/${wave.id}/test-links`, { count: '2', language: 'en' })
      .set('Accept', 'application/json')
      .expect(201);
    expect(res.body.links).toHaveLength(2);
    const path = new URL(res.body.links[0]).pathname;
    const testPage = (await request(t.app).get(path).expect(200)).text;
    expect(testPage).toContain('<html lang="en">');
    expect(testPage).toContain('<strong>TEST</strong> This is a test link'); // a banner says so
    await request(t.app).post(`${path}/complete`).send({ answers: DEMO_VALID }).expect(201);
    const stored = await t.db('responses').where({ wave_id: wave.id });
    expect(stored).toHaveLength(1);
    expect(Boolean(stored[0].is_test)).toBe(true);
    const monitor = await admin.get(`/admin/waves/${wave.id}/monitor`).set('Accept', 'application/json').expect(200);
    expect(monitor.body.overall).toMatchObject({ invited: 0, started: 0, completed: 0 });
    // a real link to the same wave still waits for the opening day
    const [real] = await t.invite(wave);
    await request(t.app).get(`/s/${real}`).expect(403);
    t.now.value = new Date(t.now.value.getTime() + 6 * 86_400_000);
    expect((await request(t.app).get(`/s/${real}`).expect(200)).text).not.toContain('TEST'); // no banner for a real link
    t.now.value = new Date();
  });

  test('closing stops the links at once: they show the closed page', async () => {
    const wave = await t.wave();
    const [token] = await t.invite(wave);
    await request(t.app).get(`/s/${token}`).expect(200);
    await request(t.app)
      .put(`/s/${token}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 0 })
      .expect(204);
    // the button asks first, saying who would be cut off; the wave stays open until confirmed
    const asked = await admin.post(`/admin/waves/${wave.id}/close`).expect(200);
    expect(asked.text).toContain(
      '1 invited person has not completed; 1 of them started and would not be able to finish',
    );
    await request(t.app).get(`/s/${token}`).expect(200);
    await admin.post(`/admin/waves/${wave.id}/close`, { confirmed: 'yes' }).expect(303);
    const closed = await request(t.app).get(`/s/${token}`).expect(410);
    expect(closed.text).toContain('Dit onderzoek is gesloten');
    await request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }).expect(410);
    await admin.post(`/admin/waves/${wave.id}/close`).set('Accept', 'application/json').expect(409);
    expect(
      await t.db('audit_log').where({ wave_id: wave.id, action: 'wave.close', actor: 'beheer@example.org' }),
    ).toHaveLength(1);
  });

  test('purge is refused before the wave closes; after closing it deletes contact data, tokens and outbox, keeps counts and responses', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role'] });
    const tokens = await t.invite(wave, PEOPLE);
    await t.invite(wave, undefined, { isTest: true });
    await request(t.app).post(`/s/${tokens[0]}/complete`).send({ answers: DEMO_VALID }).expect(201);
    await request(t.app)
      .put(`/s/${tokens[1]}/progress`)
      .send({ answers: { agressie_any: 1 }, pageNo: 0 })
      .expect(204);
    await inviteWave(t.db, wave.id, { actor: 'test', now: t.now.value });
    expect(Number((await t.db('outbox').where({ wave_id: wave.id }).count({ n: '*' }).first())?.n)).toBeGreaterThan(0);
    const responsesBefore = await t.db('responses').where({ wave_id: wave.id }).orderBy('id');

    const refused = await admin
      .post(`/admin/waves/${wave.id}/purge`, { confirm: 'yes' })
      .set('Accept', 'application/json')
      .expect(409);
    expect(refused.body.error).toContain('close the wave before purging');
    expect(await t.db('invitations').where({ wave_id: wave.id })).toHaveLength(4);

    await admin.post(`/admin/waves/${wave.id}/close`, { confirmed: 'yes' }).expect(303);
    await admin.post(`/admin/waves/${wave.id}/purge`, {}).set('Accept', 'application/json').expect(400); // not confirmed
    const purged = await admin
      .post(`/admin/waves/${wave.id}/purge`, { confirm: 'yes' })
      .set('Accept', 'application/json')
      .expect(200);
    expect(purged.body).toMatchObject({ status: 'purged', invitations: 4 });

    expect(await t.db('invitations').where({ wave_id: wave.id })).toHaveLength(0);
    expect(await t.db('outbox').where({ wave_id: wave.id })).toHaveLength(0);
    expect(await t.db('progress')).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ answers: '{"agressie_any":1}' })]),
    );
    expect((await t.db('waves').where({ id: wave.id }).first()).purged_at).toBeTruthy();
    const everything = JSON.stringify([
      await t.db('invitations'),
      await t.db('outbox'),
      await t.db('wave_final_counts'),
      await t.db('pending_imports'),
    ]);
    for (const p of PEOPLE)
      for (const secret of [p.email, p.name, p.organisation]) expect(everything).not.toContain(secret);
    // the token is gone: the link opens nothing, it only says that the survey has ended
    expect((await request(t.app).get(`/s/${tokens[2]}`).expect(410)).text).toContain('Dit onderzoek is afgelopen');
    expect(await t.db('responses').where({ wave_id: wave.id }).orderBy('id')).toEqual(responsesBefore);

    const monitor = await admin.get(`/admin/waves/${wave.id}/monitor`).set('Accept', 'application/json').expect(200);
    expect(monitor.body.source).toBe('final');
    expect(monitor.body.overall).toMatchObject({ invited: 3, sent: 0, queued: 2, started: 2, completed: 1 }); // the one who completed gets no mail
    const byTier = monitor.body.attributes.find((a: { attribute: string }) => a.attribute === 'tier');
    // the counts per value are kept; the monitor combines the groups below k = 5 invited into one row
    const keptByTier = await t.db('wave_final_counts').where({ wave_id: wave.id, attribute: 'tier' }).orderBy('value');
    expect(keptByTier.map((r) => [r.value, Number(r.invited), Number(r.completed)])).toEqual([
      ['gemeente', 2, 1],
      ['provincie', 1, 0],
    ]);
    expect(byTier.values).toEqual([
      { value: null, combinedValues: 2, counts: expect.objectContaining({ invited: 3, started: 2, completed: 1 }) },
    ]);
    const page = await admin.get(`/admin/waves/${wave.id}/monitor`).expect(200);
    expect(page.text).toContain('counts kept at that moment');

    await admin.post(`/admin/waves/${wave.id}/purge`, { confirm: 'yes' }).set('Accept', 'application/json').expect(409);
    const audit = await t.db('audit_log').where({ wave_id: wave.id }).orderBy('id');
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['wave.close', 'wave.purge']));
  });

  test('an analyst cannot import, send, close, purge or manage users: 403, and nothing changes', async () => {
    const wave = await t.wave();
    await analyst.get('/admin').expect(403);
    await analyst.get(`/admin/waves/${wave.id}/import`).expect(403);
    await analyst.upload(`/admin/waves/${wave.id}/import`, 's.csv', 'email\nx@example.org\n').expect(403);
    await analyst.post(`/admin/waves/${wave.id}/close`).expect(403);
    await analyst.post(`/admin/waves/${wave.id}/purge`, { confirm: 'yes' }).expect(403);
    await analyst.post(`/admin/waves/${wave.id}/test-links`, { count: '1' }).expect(403);
    await analyst.post(`/admin/waves/${wave.id}/mail/invite`).expect(403); // sending mail lives under /admin too
    await analyst.post('/admin/users', { email: 'nieuw@example.org', role: 'admin' }).expect(403);
    await analyst.get('/admin/audit').expect(403);
    expect(await t.db('users').where({ email: 'nieuw@example.org' })).toHaveLength(0);
    expect((await t.db('waves').where({ id: wave.id }).first()).closed_at).toBeNull();
    await analyst.get('/analyst').expect(200);
    // signed out: pages send to the sign-in page, API calls get 401
    await request(t.app).get('/admin').expect(303).expect('location', '/signin?next=%2Fadmin');
    await request(t.app).post(`/admin/waves/${wave.id}/close`).set('Accept', 'application/json').expect(401);
  });

  test('an admin adds a user with a generated password shown once; the audit log shows it and offers no way to change it', async () => {
    const res = await admin.post('/admin/users', { email: 'Nieuwe.Analist@example.org', role: 'analyst' }).expect(201);
    const password = /<code class="vw-secret">([^<]+)<\/code>/.exec(res.text)?.[1] as string;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const stored = await t.db('users').where({ email: 'nieuwe.analist@example.org' }).first();
    expect(stored.password_hash).not.toContain(password);
    expect((await new Browser(t.proxied, '203.0.113.99').signIn('nieuwe.analist@example.org', password)).status).toBe(
      303,
    );
    const dup = await admin.post('/admin/users', { email: 'nieuwe.analist@example.org', role: 'analyst' }).expect(422);
    expect(dup.text).toContain('exists already');

    const log = await admin.get('/admin/audit').expect(200);
    expect(log.text).toContain('user.add');
    expect(log.text).toContain('<th scope="col">Who</th>');
    const entries = Number((await t.db('audit_log').count({ n: '*' }).first())?.n);
    const first = await t.db('audit_log').orderBy('id').first();
    for (const path of ['/admin/audit', `/admin/audit/${first.id}`]) {
      await admin.post(path, { detail: 'x' }).expect(404);
      await admin.agent.put(path).set('X-Forwarded-For', admin.address).set('X-CSRF-Token', admin.csrf).expect(404);
      await admin.agent.delete(path).set('X-Forwarded-For', admin.address).set('X-CSRF-Token', admin.csrf).expect(404);
    }
    expect(Number((await t.db('audit_log').count({ n: '*' }).first())?.n)).toBe(entries);
    expect(await t.db('audit_log').where({ id: first.id }).first()).toEqual(first);
  });
});
