import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app';
import { ImmutableVersionError, QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { checkUpload } from '../../server/questionnaires/version-upload';
import { registerUpload } from '../../server/questionnaires/version-uploads';
import { registerVersions } from '../../server/questionnaires/version-registration';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { createInvitations } from '../../server/fielding/issue-invitations';
import { createWave } from '../../server/fielding/wave-rules';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { addTestUser, Browser } from '../helpers/signed-in';
import { QUESTIONNAIRES_DIR } from '../helpers/test-app';
import { WERKBELEVING_VALID, werkbeleving2026, werkbeleving2027 } from './version-fixtures';

const sha = (text: string | Buffer) => crypto.createHash('sha256').update(text).digest('hex');
const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

/** One app process: its own registry, loaded at its start, on a database it may share with others. */
async function startProcess(db: TestDatabase['db']): Promise<{ app: Express; registry: QuestionnaireRegistry }> {
  const registry = QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR);
  await registerVersions(db, registry);
  const app = createApp({ db, registry, config: { publicUrl: 'http://veldwerk.test', logRequests: false } });
  return { app, registry };
}

async function admin(app: Express, email = 'beheer@example.org', path = '/admin'): Promise<Browser> {
  const browser = new Browser(app);
  expect((await browser.signIn(email, 'correct horse battery staple')).status).toBe(303);
  await browser.refreshCsrf(path);
  return browser;
}

describe.each(databaseKinds())('questionnaire versions in the admin, on %s', (kind) => {
  let database: TestDatabase;
  let a: { app: Express; registry: QuestionnaireRegistry };
  let b: { app: Express; registry: QuestionnaireRegistry };
  let adminA: Browser;

  /** what an upload may change: the versions and the audit log */
  const stored = async () => ({
    versions: await database.db('questionnaire_versions').select('id', 'sha256').orderBy('id'),
    audit: await database.db('audit_log').count({ n: '*' }).first(),
  });

  beforeAll(async () => {
    database = await freshDatabase(kind);
    await addTestUser(database.db, 'beheer@example.org', 'admin');
    await addTestUser(database.db, 'analist@example.org', 'analyst');
    // two processes started before anything is uploaded (scale-out)
    a = await startProcess(database.db);
    b = await startProcess(database.db);
    adminA = await admin(a.app);
  });
  afterAll(() => database.drop());

  const upload = (
    browser: Browser,
    content: Buffer | string,
    fields: Record<string, string>,
    action: 'check' | 'preview' | 'register' = 'register',
  ) => browser.upload('/admin/questionnaires', 'werkbeleving.json', content, browser.csrf, { ...fields, action });

  test('a check shows the report and stores nothing; registering stores the version, audited, on every process', async () => {
    const before = await stored();
    const fields = { key: 'werkbeleving', version: '2026.1', title_nl: 'Werkbeleving', title_en: 'Work experience' };
    const check = await upload(adminA, json(werkbeleving2026()), fields, 'check').expect(200);
    expect(check.text).toContain('was accepted by the check. Nothing was stored');
    expect(check.text).toMatch(/Questions<\/dt><dd>5 /);
    expect(check.text).toContain('This is the first version of werkbeleving');
    const preview = await upload(adminA, json(werkbeleving2026()), fields, 'preview').expect(200);
    expect(preview.text).toContain('Voorbeeld voor beheerders: er wordt niets opgeslagen of verzonden');
    expect(preview.text).toContain('Werkt u weleens thuis?');
    expect(await stored()).toEqual(before);

    const res = await upload(adminA, json(werkbeleving2026()), fields).expect(303);
    expect(res.headers.location).toBe('/admin/questionnaires/werkbeleving%402026.1');
    const page = await adminA.get(res.headers.location).expect(200);
    expect(page.text).toContain('Registered werkbeleving@2026.1');
    expect(page.text).toContain('uploaded by beheer@example.org');
    const row = await database.db('questionnaire_versions').where({ id: 'werkbeleving@2026.1' }).first();
    expect(row).toMatchObject({ origin: 'upload', uploaded_by: 'beheer@example.org', title_en: 'Work experience' });
    const audit = await database.db('audit_log').where({ action: 'questionnaire.upload' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail)).toMatchObject({
      version: 'werkbeleving@2026.1',
      sha256: row.sha256,
      result: 'registered',
    });

    // the version file it stands for: exactly the text behind the hash, as it would be committed
    const file = await adminA.get('/admin/questionnaires/werkbeleving%402026.1/file').expect(200);
    expect(sha(file.text)).toBe(row.sha256);
    expect(JSON.parse(file.text)).toMatchObject({ key: 'werkbeleving', version: '2026.1', edition: 2026 });

    // process B, started before the upload, lists it, lets a wave pin it, and serves its links
    expect(b.registry.get('werkbeleving@2026.1')).toBeUndefined();
    const adminB = await admin(b.app);
    expect((await adminB.get('/admin/waves/new').expect(200)).text).toContain('werkbeleving@2026.1');
    const today = dutchDay(new Date());
    const created = await adminB
      .post('/admin/waves', {
        name: 'Werkbeleving 2026',
        questionnaire: 'werkbeleving@2026.1',
        opens_on: addDays(today, -1),
        closes_on: addDays(today, 20),
        kept: '',
      })
      .expect(303);
    const wave = await database
      .db('waves')
      .where({ id: String(created.headers.location).split('/').pop() })
      .first();
    expect(wave.questionnaire_id).toBe('werkbeleving@2026.1');
    const c = await startProcess(database.db); // a third process, for the respondent
    const [invited] = await createInvitations(database.db, wave, [{ email: 'r@example.org', attributes: {} }], {
      now: new Date(),
    });
    const opened = await request(c.app).get(`/s/${invited.token}`).expect(200);
    // the page loads the version as its own script: served by this process too
    const scripts = [...opened.text.matchAll(/src="(\/assets\/q\/[0-9a-f]{16}\.js)"/g)].map((m) => m[1]);
    const served = await Promise.all(scripts.map((src) => request(c.app).get(src).expect(200)));
    expect(served.map((r) => r.text).join('')).toContain('Werkt u weleens thuis?');
    await request(c.app)
      .post(`/s/${invited.token}/complete`)
      .send({ answers: { thuiswerk: 7 } })
      .expect(422);
    await request(c.app).post(`/s/${invited.token}/complete`).send({ answers: WERKBELEVING_VALID }).expect(201);
    const response = await database.db('responses').where({ wave_id: wave.id }).first();
    expect(response.questionnaire_id).toBe('werkbeleving@2026.1');
  });

  test('a process that misses a version loads it when a link of its wave is opened', async () => {
    const fresh = await startProcess(database.db);
    const d = QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR); // started before the upload, never synced
    const app = createApp({ db: database.db, registry: d, config: { publicUrl: 'http://x.test', logRequests: false } });
    expect(fresh.registry.get('werkbeleving@2026.1')).toBeDefined(); // loaded at start
    const wave = await database.db('waves').where({ questionnaire_id: 'werkbeleving@2026.1' }).first();
    const [invited] = await createInvitations(database.db, wave, [{ email: 's@example.org', attributes: {} }], {
      now: new Date(),
    });
    expect(d.get('werkbeleving@2026.1')).toBeUndefined();
    const page = await request(app).get(`/s/${invited.token}`).expect(200);
    const scripts = [...page.text.matchAll(/src="(\/assets\/q\/[0-9a-f]{16}\.js)"/g)].map((m) => m[1]);
    const served = await Promise.all(scripts.map((src) => request(app).get(src).expect(200)));
    expect(served.map((r) => r.text).join('')).toContain('Werkt u weleens thuis?');
    expect(d.get('werkbeleving@2026.1')?.sha256).toBe(fresh.registry.get('werkbeleving@2026.1')?.sha256);
  });

  test('hostile or wrong uploads get a 4xx with a message, and nothing stored changes', async () => {
    const good = { key: 'werkbeleving', version: '2026.9', title_nl: 'W', title_en: 'W' };
    const analyst = await admin(a.app, 'analist@example.org', '/analyst');
    const before = await stored();
    const deep = Buffer.from('{"pages":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
    const cases: Array<[string, Buffer | string, Record<string, string>, number, RegExp]> = [
      ['not JSON', 'pages: [ nope', good, 422, /not valid JSON/],
      ['deep JSON', deep, good, 422, /nested deeper than 64 levels/],
      ['not UTF-8', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]), good, 422, /not UTF-8/],
      ['an array', '[1, 2]', good, 422, /must hold a JSON object/],
      ['a wrong key', json(werkbeleving2026()), { ...good, key: '../Etc' }, 422, /key &#34;..\/Etc&#34;/],
      ['a wrong version', json(werkbeleving2026()), { ...good, version: 'v1;drop' }, 422, /starts with a digit/],
      ['no questions at the root', json({ elements: [] }), good, 422, /no question that stores an answer/],
      [
        'a page that is not an object',
        json({ pages: [{ name: 'p', elements: [] }, null] }),
        good,
        422,
        /survey\.pages\[1\]: must be an object/,
      ],
      ['no questions', json({ pages: [] }), good, 422, /no question that stores an answer|not one question/],
      [
        'choices from another origin',
        json({
          pages: [
            { name: 'p', elements: [{ type: 'dropdown', name: 'd', choicesByUrl: { url: 'https://evil.example/x' } }] },
          ],
        }),
        good,
        422,
        /pages\[0\]\.elements\[0\]\.choicesByUrl: choices loaded from another origin/,
      ],
      ['too large', Buffer.alloc(3 * 1024 * 1024, 32), good, 413, /larger than 2 MB/],
      [
        'a registered version with other content',
        json(werkbeleving2027()),
        { ...good, version: '2026.1' },
        409,
        /registered already with other content/,
      ],
      [
        'a file version with other content',
        json(werkbeleving2026()),
        { ...good, key: 'demo', version: '1' },
        409,
        /registered already with other content/,
      ],
    ];
    for (const [what, content, fields, status, message] of cases) {
      const res = await upload(adminA, content, fields);
      expect([what, res.status]).toEqual([what, status]);
      expect([what, res.text]).toEqual([what, expect.stringMatching(message)]);
      const api = await upload(adminA, content, fields).set('Accept', 'application/json');
      expect([what, api.status]).toEqual([what, status]);
      expect(api.body.error).toEqual(expect.any(String));
    }
    // without the form's CSRF token, or as an analyst: refused before anything is read
    await adminA.upload('/admin/questionnaires', 'x.json', json(werkbeleving2026()), 'forged', good).expect(403);
    await analyst.upload('/admin/questionnaires', 'x.json', json(werkbeleving2026()), analyst.csrf, good).expect(403);
    expect(await stored()).toEqual(before);
  });

  test('the same version again with the same content is accepted as it is; a version file uploaded behaves the same', async () => {
    const again = await upload(adminA, json(werkbeleving2026()), {
      key: 'werkbeleving',
      version: '2026.1',
      title_nl: 'Werkbeleving',
      title_en: 'Work experience',
    })
      .set('Accept', 'application/json')
      .expect(200);
    expect(again.body.status).toBe('identical');
    const demo = fs.readFileSync(path.join(QUESTIONNAIRES_DIR, 'demo', '1.json'));
    const same = await upload(adminA, demo, { key: 'demo', version: '1' })
      .set('Accept', 'application/json')
      .expect(200);
    expect(same.body).toMatchObject({ status: 'identical', sha256: sha(demo) });
  });

  test('the changes against the previous version propose statuses, which the administrator confirms', async () => {
    const check = await upload(
      adminA,
      json(werkbeleving2027()),
      { key: 'werkbeleving', version: '2027.1', title_nl: 'Werkbeleving', title_en: 'Work experience' },
      'check',
    ).expect(200);
    expect(check.text).toContain('<code>werkdruk</code>: dropped');
    expect(check.text).toContain('<code>werkdruk_freq</code>: new');
    await upload(adminA, json(werkbeleving2027()), {
      key: 'werkbeleving',
      version: '2027.1',
      title_nl: 'Werkbeleving',
      title_en: 'Work experience',
    }).expect(303);
    const page = await adminA.get('/admin/questionnaires/werkbeleving%402027.1/changes').expect(200);
    expect(page.text).toContain('Werkt u weleens vanuit huis?'); // reworded, shown before and after
    expect(page.text).toMatch(/choice <code>2<\/code> removed: Dinsdag/);
    expect(page.text).toMatch(/choice <code>5<\/code> relabelled: Vrijdag \/ Friday → Vrijdag \(hele dag\)/);
    expect(page.text).toMatch(/row <code>salaris<\/code> added/);
    expect(page.text).toContain(
      'Asked: only if thuiswerk is 1 “Yes” and at thuis_dagen, 5 “Friday” is ticked → only if thuiswerk is 1 “Yes”',
    );
    const changes = await adminA
      .get('/admin/questionnaires/werkbeleving%402027.1/changes')
      .set('Accept', 'application/json')
      .expect(200);
    const proposed = Object.fromEntries(changes.body.variables.map((v: any) => [v.variable, v.proposed]));
    expect(proposed).toEqual({
      thuiswerk: 'reworded',
      thuis_dagen_1: 'reworded',
      thuis_dagen_2: 'dropped',
      thuis_dagen_5: 'reworded',
      tevreden_collegas: 'same',
      tevreden_leiding: 'same',
      tevreden_salaris: 'new',
      werkdruk: 'dropped',
      werkdruk_freq: 'new',
      thuis_toelichting: 'same',
      uren: 'new',
    });
    expect((await adminA.get('/admin/questionnaires/werkbeleving%402027.1').expect(200)).text).toContain(
      'not confirmed yet',
    );
    // not confirmed yet: no map to download
    await adminA.get('/admin/questionnaires/werkbeleving%402027.1/variable-map.json').expect(404);
    const before = await stored();
    // a renamed question continues a dropped variable; a wrong answer is refused with reasons and nothing saved
    const bad = await adminA
      .post('/admin/questionnaires/werkbeleving%402027.1/changes', {
        'status:werkdruk_freq': 'same',
        'status:uren': 'dropped',
      })
      .expect(422);
    expect(bad.text).toContain('werkdruk_freq: same or reworded needs the previous variable it continues');
    expect(bad.text).toContain('uren: is asked in this version, so it cannot be dropped');
    expect(await stored()).toEqual(before);
    await adminA
      .post('/admin/questionnaires/werkbeleving%402027.1/changes', {
        'status:werkdruk_freq': 'reworded',
        'continues:werkdruk_freq': 'werkdruk',
        'reworded:thuis_toelichting': 'yes', // same wording, but now asked of everyone working from home
      })
      .expect(303);
    const version = await adminA.get('/admin/questionnaires/werkbeleving%402027.1').expect(200);
    expect(version.text).toContain('variable: confirmed by beheer@example.org');
    const list = await adminA.get('/admin/questionnaires').expect(200);
    expect(list.text).toMatch(/2027\.1<\/a><\/th>[\s\S]*?upload by beheer@example\.org/);
    expect(list.text).toMatch(/2024\.1<\/a><\/th>[\s\S]*?<td>file<\/td>/);
    const confirmed = await adminA.get('/admin/questionnaires/werkbeleving%402027.1/changes').expect(200);
    expect(confirmed.text).toContain('Confirmed by beheer@example.org');
    const audit = await database.db('audit_log').where({ action: 'questionnaire.variable-statuses' });
    expect(JSON.parse(audit[0].detail)).toMatchObject({
      version: 'werkbeleving@2027.1',
      reworded: 5,
      new: 2,
      same: 2,
      dropped: 2,
    });
    const map = JSON.parse(
      (await adminA.get('/admin/questionnaires/werkbeleving%402027.1/variable-map.json').expect(200)).text,
    );
    expect(map.versions).toEqual({ '2026.1': '2026.1', '2027.1': '2027.1' });
    const byName = Object.fromEntries(map.variables.map((v: any) => [v.name, v.editions['2027.1']]));
    expect(byName.werkdruk).toEqual({ status: 'reworded', question: 'werkdruk_freq' });
    expect(byName.werkdruk_freq).toBeUndefined();
    expect(byName.thuis_dagen_2).toEqual({ status: 'dropped', question: null });
    expect(byName.tevreden_salaris).toEqual({ status: 'new', question: 'tevreden', row: 'salaris' });
    expect(byName.thuis_toelichting).toEqual({ status: 'reworded', question: 'thuis_toelichting' });
    expect(byName.tevreden_collegas).toEqual({ status: 'same', question: 'tevreden', row: 'collegas' });
  });

  test('the exports of every process name and compare the variables by the confirmed statuses', async () => {
    // process B neither registered 2027.1 nor confirmed anything: it picks both up from the database
    const analyst = await admin(b.app, 'analist@example.org', '/analyst');
    const wave = await createWave(
      database.db,
      b.registry,
      {
        name: 'Werkbeleving 2027',
        questionnaireId: 'werkbeleving@2027.1',
        opensOn: dutchDay(new Date()),
        closesOn: addDays(dutchDay(new Date()), 9),
        keptAttributes: [],
      },
      new Date(),
    );
    const codebook = await analyst.get(`/analyst/exports/waves/${wave.id}/download/codebook-json`).expect(200);
    const columns = JSON.parse(codebook.text).columns as Array<{ name: string; label: { en: string } }>;
    const label = Object.fromEntries(columns.map((c) => [c.name, c.label.en]));
    // the renamed question continues its variable: reworded, so named with the edition its comparable run starts
    expect(label['werkdruk_2027.1']).toBe('How often is your workload too high?');
    expect(label).not.toHaveProperty('werkdruk_freq');
    expect(label).toHaveProperty('tevreden_collegas'); // same: comparable, no edition in the name
    expect(label).toHaveProperty('tevreden_salaris'); // new
  });

  test('a new edition of a key with a variable-map.json: stable names proposed, exports once confirmed', async () => {
    const file = JSON.parse(fs.readFileSync(path.join(QUESTIONNAIRES_DIR, 'miv-ambtenaren', '2024.1.json'), 'utf8'));
    const next = { ...file, version: '2026.1', edition: 2026 };
    const doxing = next.survey.pages.flatMap((p: any) => p.elements).find((e: any) => e.name === 'doxing');
    doxing.title = { nl: 'Zijn uw persoonsgegevens online verspreid?', en: 'Was your personal data spread online?' };
    await upload(adminA, json(next), { key: 'miv-ambtenaren', version: '2026.1' }).expect(303);
    const changes = await adminA
      .get('/admin/questionnaires/miv-ambtenaren%402026.1/changes')
      .set('Accept', 'application/json')
      .expect(200);
    expect(changes.body.from).toBe('miv-ambtenaren@2024.1');
    const byVariable = new Map<string, any>(changes.body.variables.map((v: any) => [v.variable, v]));
    expect(byVariable.get('doxing')).toMatchObject({ proposed: 'reworded', stable: 'doxing' });
    // 2024's veilig_freq continues the map's stable variable veilig_gevoel
    expect(byVariable.get('veilig_freq')).toMatchObject({ proposed: 'same', stable: 'veilig_gevoel' });

    const wave = await createWave(
      database.db,
      a.registry,
      {
        name: 'MIV ambtenaren 2026',
        questionnaireId: 'miv-ambtenaren@2026.1',
        opensOn: dutchDay(new Date()),
        closesOn: addDays(dutchDay(new Date()), 9),
        keptAttributes: [],
      },
      new Date(),
    );
    const analyst = await admin(a.app, 'analist@example.org', '/analyst');
    const refused = await analyst.get(`/analyst/exports/waves/${wave.id}/download/codebook-json`).expect(409);
    expect(refused.text).toContain('confirm the variable statuses of miv-ambtenaren@2026.1');
    await adminA.post('/admin/questionnaires/miv-ambtenaren%402026.1/changes').expect(303);
    const codebook = await analyst.get(`/analyst/exports/waves/${wave.id}/download/codebook-json`).expect(200);
    const names = (JSON.parse(codebook.text).columns as Array<{ name: string }>).map((c) => c.name);
    expect(names).toContain('doxing_2026'); // reworded in 2026: its comparable run starts there
    expect(names).toContain('veilig_gevoel_2024'); // unchanged since 2024, named as the map names it
    const map = JSON.parse(
      (await adminA.get('/admin/questionnaires/miv-ambtenaren%402026.1/variable-map.json').expect(200)).text,
    );
    expect(map.editions).toEqual([2022, 2024, 2026]);
    expect(map.variables.find((v: any) => v.name === 'veilig_gevoel').editions['2026']).toEqual({
      status: 'same',
      question: 'veilig_freq',
    });
  });

  test('the printable document gives both languages, codes and routing in words, for print and download', async () => {
    const doc = await adminA.get('/admin/questionnaires/werkbeleving%402026.1/document').expect(200);
    // texts from the definition are shown as text, never as markup
    const hostileTitle = { ...werkbeleving2026(), title: undefined };
    (hostileTitle as any).pages[0].elements[0].title = { nl: '<img src=x onerror=alert(1)>', en: '<b>x</b>' };
    await upload(adminA, json(hostileTitle), {
      key: 'xss',
      version: '1',
      title_nl: '<script>a</script>',
      title_en: 'E',
    });
    for (const page of [
      '/admin/questionnaires/xss%401',
      '/admin/questionnaires/xss%401/document',
      '/admin/questionnaires',
    ]) {
      const res = await adminA.get(page).expect(200);
      expect([page, /<script>a|<img src=x|<b>x/.test(res.text)]).toEqual([page, false]);
    }
    expect(doc.text).toContain('@media print');
    expect(doc.text).toContain('Werkt u weleens thuis?');
    expect(doc.text).toContain('Do you ever work from home?');
    expect(doc.text).toMatch(/<td class="code">5<\/td><td>Vrijdag<\/td>/);
    expect(doc.text).toMatch(/<td class="code">5<\/td><td>Friday<\/td>/);
    expect(doc.text).toContain('NL: thuiswerk is 1 “Ja”');
    expect(doc.text).toContain('EN: thuiswerk is 1 “Yes” and at thuis_dagen, 5 “Friday” is ticked');
    expect(doc.text).toContain('<code>tevreden_collegas</code>');
    expect(doc.text).not.toContain('<script');
    const download = await adminA.get('/admin/questionnaires/werkbeleving%402026.1/document?download=1').expect(200);
    expect(doc.text).toContain('href="/admin/questionnaires/werkbeleving%402026.1"');
    expect(download.text).not.toContain('/admin/');
    expect(download.text).toContain('Werkt u weleens thuis?');
    expect(download.headers['content-disposition']).toMatch(
      /^attachment; filename="?werkbeleving-2026\.1-vragenlijst\.html/,
    );
    // the preview renders the questionnaire as respondents see it, storing nothing
    const preview = await adminA.get('/admin/questionnaires/werkbeleving%402026.1/preview?lang=en').expect(200);
    expect(preview.text).toContain('Preview for administrators: nothing is saved or sent');
    // file versions have the same pages
    await adminA.get('/admin/questionnaires/miv-ambtenaren%402024.1/document').expect(200);
    await adminA.get('/admin/questionnaires/nope%401/document').expect(404);
  });
});

describe.each(databaseKinds())('an uploaded version and a file of the same version, on %s', (kind) => {
  test('two processes registering the same version with other content at once: one wins, the other is refused', async () => {
    const database = await freshDatabase(kind);
    try {
      const one = QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR);
      const two = QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR);
      await registerVersions(database.db, one);
      const fields = { key: 'werkbeleving', version: '1', titleNl: 'W', titleEn: 'W' };
      const meta = { actor: 'beheer@example.org', via: 'web' as const, fileName: 'x.json', now: new Date() };
      const results = await Promise.allSettled([
        registerUpload(database.db, one, checkUpload(json(werkbeleving2026()), fields), meta),
        registerUpload(database.db, two, checkUpload(json(werkbeleving2027()), fields), meta),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason.message).toContain('registered already with other content');
      const rows = await database.db('questionnaire_versions').where({ key: 'werkbeleving' });
      expect(rows).toHaveLength(1);
      expect(await database.db('audit_log').where({ action: 'questionnaire.upload' })).toHaveLength(1);
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<any>).value;
      expect(rows[0].sha256).toBe(winner.questionnaire.sha256);
    } finally {
      await database.drop();
    }
  });

  test('the downloaded version file committed later is the same version; other content under its name stops the start', async () => {
    const database = await freshDatabase(kind);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-upload-file-'));
    try {
      fs.mkdirSync(path.join(dir, 'demo'));
      fs.copyFileSync(path.join(QUESTIONNAIRES_DIR, 'demo', '1.json'), path.join(dir, 'demo', '1.json'));
      const registry = QuestionnaireRegistry.fromDirectory(dir);
      await registerVersions(database.db, registry);
      const checked = checkUpload(json(werkbeleving2026()), {
        key: 'demo',
        version: '2',
        titleNl: '<script>x</script>',
        titleEn: 'Two',
      });
      const meta = { actor: 'beheer@example.org', via: 'web' as const, fileName: 'x.json', now: new Date() };
      await registerUpload(database.db, registry, checked, meta);
      // the text behind the hash, committed as questionnaires/demo/2.json: the same version, the start goes on
      fs.writeFileSync(path.join(dir, 'demo', '2.json'), checked.source);
      const restarted = QuestionnaireRegistry.fromDirectory(dir);
      await registerVersions(database.db, restarted);
      expect(restarted.get('demo@2')?.sha256).toBe(checked.questionnaire.sha256);
      // a file with other content under the uploaded version's name: refused, naming both hashes
      fs.writeFileSync(path.join(dir, 'demo', '2.json'), checked.source.replace('Werkbeleving 2026', 'Werkbeleving'));
      const changed = QuestionnaireRegistry.fromDirectory(dir);
      const err = await registerVersions(database.db, changed).then(
        () => null,
        (e) => e,
      );
      expect(err).toBeInstanceOf(ImmutableVersionError);
      expect(err.message).toContain(checked.questionnaire.sha256);
      expect(err.message).toContain(changed.get('demo@2')!.sha256);
    } finally {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
