import { deriveToken } from '../../server/respondent/personal-tokens';
import request from 'supertest';
import { createApp } from '../../server/app';
import { smtpTransport } from '../../server/mail/mail-transport';
import { databaseKinds } from '../helpers/databases';
import { people, sendQueued, TEST_FROM } from '../helpers/mail';
import { addTestUser, Browser } from '../helpers/signed-in';
import { linkIn, SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { testApp, TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('e-mail admin pages on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  let admin: Browser; // app with SMTP
  let devAdmin: Browser; // app without SMTP: the development mailbox
  let analyst: Browser;
  beforeAll(async () => {
    t = await testApp(kind);
    sink = await startSmtpSink();
    const base = {
      db: t.db,
      registry: t.registry,
      config: { publicUrl: 'http://veldwerk.test', logRequests: false, trustProxy: 'loopback' },
      clock: () => t.now.value,
    };
    const smtpApp = createApp({
      ...base,
      mail: {
        transport: smtpTransport({ url: sink.url, from: TEST_FROM, connections: 1, timeoutMs: 1000 }),
        from: TEST_FROM,
        timeoutMs: 1000,
      },
    });
    const devApp = createApp(base);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    await addTestUser(t.db, 'analist@example.org', 'analyst');
    const signIn = async (app: typeof smtpApp, email: string, address: string) => {
      const b = new Browser(app, address);
      expect((await b.signIn(email, 'correct horse battery staple')).status).toBe(303);
      await b.refreshCsrf();
      return b;
    };
    admin = await signIn(smtpApp, 'beheer@example.org', '203.0.113.30');
    devAdmin = await signIn(devApp, 'beheer@example.org', '203.0.113.31');
    analyst = await signIn(devApp, 'analist@example.org', '203.0.113.32');
  });
  afterAll(async () => {
    await sink.close();
    await t.drop();
  });
  beforeEach(() => {
    sink.received.length = 0;
  });

  test('a template with several problems: all of them at once, each beside its field; the other language is flagged when older', async () => {
    const wave = await t.wave();
    const nl = `/admin/waves/${wave.id}/mail/templates/invite/nl`;
    const en = `/admin/waves/${wave.id}/mail/templates/invite/en`;
    const bad = await admin
      .post(nl, { subject: 'Uw {{link}} voor {{naam}}', body: 'Beste {{name}}, zonder link', action: 'save' })
      .expect(422);
    expect(bad.text).toContain('There are 3 problems: nothing was saved');
    const beside = (id: string) => new RegExp(`<p class="vw-error" id="${id}">([^<]*)</p>`).exec(bad.text)?.[1];
    expect(beside('subject-error-0')).toContain('Unknown placeholder {{naam}} in the subject');
    expect(beside('subject-error-1')).toContain('may not be in the subject');
    expect(beside('body-error-0')).toContain('must contain {{link}}');
    expect(bad.text).toMatch(/id="subject"[^>]*aria-invalid="true" aria-describedby="subject-error-0 subject-error-1"/);
    expect(bad.text).toContain('Beste {{name}}, zonder link'); // what was typed stays in the form
    expect(await t.db('mail_templates').where({ wave_id: wave.id })).toHaveLength(0);
    // the Dutch text changes: its page reminds that the English one is older (still built in), and links to it
    const started = t.now.value;
    try {
      await admin.post(nl, { subject: 'Uitnodiging', body: 'Beste {{name}},\n{{link}}', action: 'save' }).expect(303);
      const dutch = (await admin.get(nl)).text;
      expect(dutch).toMatch(/id="other-language-older">The English version of this message is still the built-in text/);
      expect(dutch).toContain(`href="${en}"`);
      expect((await admin.get(en)).text).not.toContain('id="other-language-older"');
      // the English text is saved a minute later: now the Dutch one is the older, and the reminder is on the English page
      t.now.value = new Date(started.getTime() + 60_000);
      await admin.post(en, { subject: 'Invitation', body: 'Dear {{name}},\n{{link}}', action: 'save' }).expect(303);
      expect((await admin.get(nl)).text).not.toContain('id="other-language-older"');
      expect((await admin.get(en)).text).toMatch(/The Dutch version of this message was last changed on/);
    } finally {
      t.now.value = started;
    }
  });

  test('templates per wave and language: edit, preview with the text escaped, refuse what is unsafe, save', async () => {
    const wave = await t.wave();
    const url = `/admin/waves/${wave.id}/mail/templates/invite/en`;
    const page = await admin.get(url).expect(200);
    expect(page.text).toContain('Invitation: {{survey}}');
    expect(page.text).toContain('built-in text');
    const body = 'Dear {{name}},\n<b>bold?</b>\n{{link}}\nUntil {{closing_date}}.';
    const preview = await admin.post(url, { subject: '<i>Hi</i> {{name}}', body, action: 'preview' }).expect(200);
    expect(preview.text).toContain('&lt;i&gt;Hi&lt;/i&gt; J. Smith');
    expect(preview.text).toContain('&lt;b&gt;bold?&lt;/b&gt;');
    expect(preview.text).not.toContain('<b>bold?</b>');
    expect(preview.text).toContain('http://veldwerk.test/u/'); // the opt-out link is always added
    expect(preview.text).toContain('List-Unsubscribe-Post');
    expect(await t.db('mail_templates').where({ wave_id: wave.id })).toHaveLength(0); // a preview saves nothing
    await admin
      .post(url, { subject: 'Hi', body: 'no link here', action: 'save' })
      .expect(422, /must contain \{\{link\}\}/);
    await admin.post(url, { subject: 'Your {{link}}', body, action: 'save' }).expect(422, /may not be in the subject/);
    await admin
      .post(url, { subject: 'Hi', body: '{{link}} {{password}}', action: 'save' })
      .expect(422, /Unknown placeholder/);
    await admin.post(url, { subject: 'Invitation for {{name}}', body, action: 'save' }).expect(303);
    // every saved edit is in the audit log: who, which template (refused ones and previews are not)
    const edits = await t.db('audit_log').where({ wave_id: wave.id, action: 'mail.template' });
    expect(edits.map((e) => [e.actor, JSON.parse(e.detail)])).toEqual([
      ['beheer@example.org', { kind: 'invite', language: 'en', subject: 'Invitation for {{name}}' }],
    ]);
    expect(
      await t.db('mail_templates').where({ wave_id: wave.id, kind: 'invite', language: 'en' }).first(),
    ).toMatchObject({ subject: 'Invitation for {{name}}' });
    await admin.get(`/admin/waves/${wave.id}/mail/templates/invite/de`).expect(404);
    // the saved template is what goes out
    await t.invite(wave, people(1, 'tpl', { language: 'en', name: 'Pat' }));
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    await sendQueued(t.db, sink);
    expect(sink.received[0].subject).toBe('Invitation for Pat');
  });

  test('a message in the address bar is never shown as a notice (content spoofing): notices come from the session', async () => {
    const wave = await t.wave();
    await admin.get('/admin').expect(200); // shows (and so clears) any message an earlier action left for this session
    const spoof = 'Your account is locked: call +31 20 555 0100 to unlock it';
    for (const path of [
      `/admin/waves/${wave.id}/mail?notice=${encodeURIComponent(spoof)}`,
      `/admin/waves/${wave.id}?imported=300`,
      `/admin/waves/${wave.id}/mail/templates/invite/nl?saved=1`,
    ]) {
      const page = await admin.get(path).expect(200);
      expect(page.text).not.toContain(spoof);
      expect(page.text).not.toContain('300 people were added');
      expect(page.text).not.toContain('class="vw-success"');
    }
  });

  test('invite and remind buttons queue and are audit-logged; a test mail goes to the signed-in admin only', async () => {
    const wave = await t.wave();
    await t.invite(wave, people(3, 'btn'));
    // the button asks first, with the count; nothing is queued until confirmed
    const asked = await admin.post(`/admin/waves/${wave.id}/mail/invite`).expect(200);
    expect(asked.text).toContain('This queues 3 invitation mails for wave &#34;Testgolf&#34;');
    expect(asked.text).toContain('name="confirmed" value="yes"');
    expect(await t.db('outbox').where({ wave_id: wave.id })).toHaveLength(0);
    const res = await admin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    expect(res.headers.location).toBe(`/admin/waves/${wave.id}/mail`); // the message waits in the session, not the URL
    const overview = await admin.get(res.headers.location).expect(200);
    expect(overview.text).toContain('Queued 3 invitation mails');
    expect((await admin.get(res.headers.location).expect(200)).text).not.toContain('Queued 3 invitation mails'); // once
    await sendQueued(t.db, sink);
    await admin
      .post(`/admin/waves/${wave.id}/mail/remind`, { audience: 'everybody-twice' })
      .set('Accept', 'application/json')
      .expect(400);
    const json = await admin
      .post(`/admin/waves/${wave.id}/mail/remind`, { audience: 'not-started' })
      .set('Accept', 'application/json')
      .expect(200);
    expect(json.body).toMatchObject({ queued: 3 });
    // pressed again at once: nobody is reminded twice
    expect(
      (await admin.post(`/admin/waves/${wave.id}/mail/remind`).set('Accept', 'application/json').expect(200)).body,
    ).toMatchObject({ queued: 0 });
    const audit = await t
      .db('audit_log')
      .where({ wave_id: wave.id })
      .whereIn('action', ['mail.send', 'mail.remind'])
      .orderBy('id');
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['mail.send', 'beheer@example.org'],
      ['mail.remind', 'beheer@example.org'],
      ['mail.remind', 'beheer@example.org'],
    ]);
    expect(JSON.parse(audit[2].detail)).toMatchObject({ queued: 0, audience: 'all', recentlyReminded: 3 });
    await sendQueued(t.db, sink);
    expect(sink.received.filter((m) => m.subject.startsWith('Herinnering'))).toHaveLength(3);
    sink.received.length = 0;

    await admin.post(`/admin/waves/${wave.id}/mail/test`, { kind: 'remind', language: 'en' }).expect(303);
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0];
    expect(mail.envelopeTo).toEqual(['beheer@example.org']);
    expect(mail.subject).toBe('[TEST] Reminder: Demo questionnaire on safety and integrity');
    expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // a working test link of this wave, in the mail's language: it opens the questionnaire marked as a test
    const opened = await request(t.app)
      .get(new URL(linkIn(mail)).pathname)
      .expect(200);
    expect(opened.text).toMatch(/TEST/);
    const link = await t.db('invitations').where({ wave_id: wave.id, is_test: true }).first();
    expect(link).toMatchObject({ email: null, language: 'en' });
    expect(await t.db('audit_log').where({ wave_id: wave.id, action: 'mail.test-send' })).toHaveLength(1);
    // without the form's CSRF token, or as an analyst: refused
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, {}, null).expect(403);
    await analyst.post(`/admin/waves/${wave.id}/mail/invite`).expect(403);
    await analyst.get(`/admin/waves/${wave.id}/mail`).expect(403);
  });

  test('a closed wave shows no send buttons, and refuses invite and remind with 409', async () => {
    const wave = await t.wave();
    expect((await admin.get(`/admin/waves/${wave.id}/mail`).expect(200)).text).toContain('Queue invitations');
    await t.db('waves').where({ id: wave.id }).update({ closed_at: new Date().toISOString() });
    const page = (await admin.get(`/admin/waves/${wave.id}/mail`).expect(200)).text;
    expect(page).not.toContain('Queue invitations');
    expect(page).not.toContain('Queue reminders');
    expect(page).toContain('no more mail goes out for it');
    await admin.post(`/admin/waves/${wave.id}/mail/invite`).expect(409, /closed/); // refused before asking, should a form still post
    await admin.post(`/admin/waves/${wave.id}/mail/remind`).expect(409);
    await admin.post('/admin/waves/00000000-0000-0000-0000-000000000000/mail/invite').expect(404);
  });

  test('without SMTP_URL the messages land in the development mailbox, marked as NOT sent; its links open a read-only preview, never the person', async () => {
    const wave = await t.wave();
    await t.invite(wave, people(2, 'dev'));
    const overview = await devAdmin.get(`/admin/waves/${wave.id}/mail`).expect(200);
    expect(overview.text).toContain('nothing is sent');
    await devAdmin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    const stats = await sendQueued(t.db, 'dev-mailbox');
    expect(stats.sent).toBe(2);
    expect(sink.received).toHaveLength(0);
    expect((await t.db('outbox').where({ wave_id: wave.id })).map((r) => r.delivered_via)).toEqual([
      'dev-mailbox',
      'dev-mailbox',
    ]);
    const stored = await t.db('dev_mailbox').where({ wave_id: wave.id });
    expect(stored).toHaveLength(2);
    for (const m of stored) expect(m.body + m.headers).not.toMatch(/\/[su]\/[A-Za-z0-9_-]{43}/); // no token in the database
    const list = await devAdmin.get('/admin/mail/dev-mailbox').expect(200);
    expect(list.text).toContain('NOT sent');
    expect(list.text).toContain('dev0@example.org');
    // the person has saved answers: nothing in the mailbox may lead to them
    const [person] = await t.db('invitations').where({ wave_id: wave.id, email: stored[0].recipient });
    const token = deriveToken(person.id);
    await request(t.app)
      .put(`/s/${token}/progress`)
      .send({ answers: { agressie_any: 1, opmerkingen: 'vertrouwelijk-antwoord' }, pageNo: 0 })
      .expect(204);
    const one = await devAdmin.get(`/admin/mail/dev-mailbox/${stored[0].id}`).expect(200);
    expect(one.text).toContain('Development mailbox: this message was NOT sent');
    expect(one.text).not.toContain(token);
    expect(one.text).not.toMatch(/\/[su]\/[A-Za-z0-9_-]{43}/);
    expect(one.text).toContain('personal token: not shown in the development mailbox');
    const preview = /href="(\/admin\/waves\/[0-9a-f-]{36}\/preview)"/.exec(one.text)?.[1];
    expect(preview).toBe(`/admin/waves/${wave.id}/preview`);
    const opened = await devAdmin.get(preview!).expect(200);
    expect(opened.text).not.toContain('vertrouwelijk-antwoord');
    expect(JSON.parse((await t.db('progress').where({ invitation_id: person.id }).first()).revision)).toBe(1); // unchanged
    // a test mail without SMTP goes there too
    await devAdmin.post(`/admin/waves/${wave.id}/mail/test`, { kind: 'invite', language: 'nl' }).expect(303);
    expect((await t.db('dev_mailbox').where({ recipient: 'beheer@example.org' })).length).toBe(1);
  });
});
