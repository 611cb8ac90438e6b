import request from 'supertest';
import { describeQueueResult, inviteWave, optOut, remindWave } from '../../server/mail/wave-mail';
import { storeTemplate } from '../../server/mail/mail-templates';
import { databaseKinds } from '../helpers/databases';
import { outboxStates, people, sendQueued, useMailSuite } from '../helpers/mail';
import { DEMO_VALID } from '../helpers/pages';
import { countByRecipient, linkIn, ReceivedMail, SmtpSink } from '../helpers/smtp-sink';
import { TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('e-mail invitations and reminders on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  const logs: string[] = [];
  const suite = useMailSuite(kind);
  const { actor } = suite;
  beforeAll(() => {
    ({ t, sink } = suite);
  });
  const to = (m: ReceivedMail) => m.envelopeTo.join(',');

  test('invite only queues, in one transaction with the decision and its audit entry; the worker sends one plain-text mail per person', async () => {
    const wave = await t.wave({ closesOn: '2099-03-31' });
    await t.invite(wave, [...people(2, 'inv'), { name: 'Zonder Adres', attributes: { tier: 'provincie' } }]);
    const result = await inviteWave(t.db, wave.id, actor);
    expect(result).toMatchObject({ queued: 2, total: 3, noEmail: 1, optedOut: 0 });
    expect(sink.received).toHaveLength(0); // queued, not sent
    expect(await outboxStates(t.db, wave.id)).toEqual({ pending: 2 });
    const states = (await t.db('invitations').where({ wave_id: wave.id }).orderBy('email')).map((i) => i.mail_state);
    expect(states.sort()).toEqual(['none', 'queued', 'queued']);
    const audit = await t.db('audit_log').where({ wave_id: wave.id, action: 'mail.send' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail)).toMatchObject({ kind: 'invite', queued: 2 });

    await sendQueued(t.db, sink, { logs });
    expect(sink.received.map(to).sort()).toEqual(['inv0@example.org', 'inv1@example.org']);
    const mail = sink.received.find((m) => to(m) === 'inv0@example.org') as ReceivedMail;
    expect(mail.header('from')).toBe('Monitor Test <monitor@example.org>');
    expect(mail.header('to')).toBe('inv0@example.org');
    expect(mail.subject).toBe('Uitnodiging: Demovragenlijst veiligheid en integriteit');
    // plain text and an HTML alternative made from it, both UTF-8
    expect(mail.header('content-type')).toMatch(/^multipart\/alternative;/i);
    expect(mail.raw).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
    expect(mail.raw).toMatch(/Content-Type: text\/html; charset=utf-8/i);
    expect(mail.text).toContain('Beste Persoon inv0,');
    expect(mail.text).toContain('31 maart 2099');
    const link = linkIn(mail);
    const token = link.split('/s/')[1];
    expect(mail.header('list-unsubscribe')).toBe(`<http://veldwerk.test/u/${token}>`);
    expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(`http://veldwerk.test/u/${token}`);

    expect(await outboxStates(t.db, wave.id)).toEqual({ sent: 2 });
    expect(
      (await t.db('invitations').where({ wave_id: wave.id }).whereNotNull('email')).map((i) => i.mail_state),
    ).toEqual(['sent', 'sent']);
    // nothing personal in the worker's log or the outbox
    const logText = logs.join('\n');
    expect(logText).toContain('sent');
    expect(logText).not.toMatch(/@example\.org|Persoon/);
    expect(logText).not.toContain(token);
    expect(JSON.stringify(await t.db('outbox').where({ wave_id: wave.id }))).not.toMatch(/@|Persoon|[A-Za-z0-9_-]{43}/);
    // inviting again queues nothing more
    expect((await inviteWave(t.db, wave.id, actor)).queued).toBe(0);
  });

  test('the link in a received mail opens the questionnaire and completes it', async () => {
    const wave = await t.wave();
    await t.invite(wave, people(1, 'flow'));
    await inviteWave(t.db, wave.id, actor);
    await sendQueued(t.db, sink);
    const path = new URL(linkIn(sink.received[0])).pathname;
    await request(t.app).get(path).expect(200);
    await request(t.app)
      .put(`${path}/progress`)
      .send({ answers: { agressie_any: 1 }, pageNo: 1 })
      .expect(204);
    await request(t.app).post(`${path}/complete`).send({ answers: DEMO_VALID, locale: 'nl' }).expect(201);
    expect((await t.db('invitations').where({ wave_id: wave.id }).first()).status).toBe('completed');
  });

  test('reminders go only to invited people who have not completed and not opted out, with the same working link', async () => {
    const wave = await t.wave();
    await t.invite(wave, people(4, 'rem'));
    await t.invite(wave, people(1, 'late')); // added after the invitations went out: not invited by mail yet
    await inviteWave(t.db, wave.id, actor);
    await sendQueued(t.db, sink);
    const links = new Map(sink.received.map((m) => [to(m), new URL(linkIn(m)).pathname]));
    await t.db('invitations').where({ email: 'late0@example.org' }).update({ mail_state: 'none' });
    await request(t.app)
      .post(`${links.get('rem0@example.org')}/complete`)
      .send({ answers: DEMO_VALID })
      .expect(201);
    await request(t.app)
      .post(links.get('rem1@example.org')!.replace('/s/', '/u/'))
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    await request(t.app)
      .put(`${links.get('rem2@example.org')}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 0 })
      .expect(204);
    sink.received.length = 0;

    const result = await remindWave(t.db, wave.id, actor);
    expect(result.queued).toBe(2);
    expect(result.notYetInvited).toBe(1);
    await sendQueued(t.db, sink);
    expect(sink.received.map(to).sort()).toEqual(['rem2@example.org', 'rem3@example.org']);
    for (const m of sink.received) {
      expect(m.subject).toBe('Herinnering: Demovragenlijst veiligheid en integriteit');
      expect(new URL(linkIn(m)).pathname).toBe(links.get(to(m))); // the link of the first mail keeps working
    }
    await request(t.app).get(links.get('rem2@example.org')!).expect(200);
    expect(await t.db('audit_log').where({ wave_id: wave.id, action: 'mail.remind' })).toHaveLength(1);
  });

  test('reminders are idempotent: a second press queues nobody reminded in the last 3 days; later ones go out; audiences apart', async () => {
    const wave = await t.wave();
    await t.invite(wave, people(6, 'idem'));
    await inviteWave(t.db, wave.id, actor);
    await sendQueued(t.db, sink);
    const links = new Map(sink.received.map((m) => [to(m), new URL(linkIn(m)).pathname]));
    await request(t.app)
      .put(`${links.get('idem0@example.org')}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 0 })
      .expect(204);
    await request(t.app)
      .put(`${links.get('idem1@example.org')}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 0 })
      .expect(204);
    sink.received.length = 0;
    const at = (days: number) => ({ ...actor, now: new Date(actor.now.getTime() + days * 86_400_000) });

    // only those who started (2), then only those who have not (4)
    expect((await remindWave(t.db, wave.id, { ...at(0), audience: 'started' })).queued).toBe(2);
    await sendQueued(t.db, sink);
    const notStarted = await remindWave(t.db, wave.id, { ...at(0), audience: 'not-started' });
    expect(notStarted.queued).toBe(4);
    await sendQueued(t.db, sink);
    expect(sink.received).toHaveLength(6);
    // pressed again 3 seconds later, and again a day later: nobody gets a second reminder
    const again = await remindWave(t.db, wave.id, { ...actor, now: new Date(actor.now.getTime() + 3000) });
    expect(again).toMatchObject({ queued: 0, recentlyReminded: 6 });
    expect(describeQueueResult('remind', again)).toContain('6 had a reminder in the last 3 days');
    expect((await remindWave(t.db, wave.id, at(1))).queued).toBe(0);
    await sendQueued(t.db, sink);
    expect(sink.received).toHaveLength(6);
    // past the interval the next round goes out, once each
    expect((await remindWave(t.db, wave.id, at(3.1))).queued).toBe(6);
    expect((await remindWave(t.db, wave.id, at(3.2))).queued).toBe(0);
  });

  test('opt-out: GET only asks, the form POST and the one-click POST opt out, and no more mail goes out', async () => {
    const wave = await t.wave();
    const [a, b] = await t.invite(wave, people(2, 'opt'));
    const page = await request(t.app).get(`/u/${a}`).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain(`<form method="post" action="/u/${a}">`);
    expect(page.text).toContain('Afmelden');
    expect((await t.db('invitations').where({ wave_id: wave.id, opted_out: true })).length).toBe(0);
    // the browser form (no CSRF token: the personal token in the path is the key)
    const done = await request(t.app).post(`/u/${a}`).type('form').send('').expect(200);
    expect(done.text).toContain('U bent afgemeld');
    // queued for b, then b opts out by one-click: the pending message is cancelled
    const queued = await inviteWave(t.db, wave.id, actor);
    expect(queued).toMatchObject({ queued: 1, optedOut: 1 });
    await request(t.app)
      .post(`/u/${b}?lang=en`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('List-Unsubscribe=One-Click')
      .expect(200, /You are unsubscribed/);
    await sendQueued(t.db, sink);
    expect(sink.received).toHaveLength(0);
    expect(await outboxStates(t.db, wave.id)).toEqual({ cancelled: 1 });
    expect((await remindWave(t.db, wave.id, actor)).queued).toBe(0);
    expect((await inviteWave(t.db, wave.id, actor)).queued).toBe(0);
    // unknown and malformed links: the respondent's 404 page; tokens never reach the log
    await request(t.app)
      .get(`/u/${'x'.repeat(43)}`)
      .expect(404);
    await request(t.app).post('/u/nonsense').expect(404);
    expect(await optOut(t.db, 'nonsense')).toBe(false);
    expect(t.logs.join('\n')).not.toContain(a);
    expect(t.logs.join('\n')).toContain('POST /u/[token] 200');
    // the questionnaire itself still opens for someone who opted out of mail
    await request(t.app).get(`/s/${a}`).expect(200);
  });

  test('markup and line breaks in a name never reach a header and never start a line', async () => {
    const wave = await t.wave();
    await storeTemplate(
      t.db,
      wave.id,
      'invite',
      'nl',
      { subject: 'Voor {{name}} – {{survey}}', body: 'Beste {{name}},\n\n{{link}}\n\nTot {{closing_date}}.' },
      new Date(),
      'test',
    );
    const evil = 'Evil\r\nBcc: victim@example.org\r\nX-Injected: 1\n\n<script>alert(1)</script> {{link}} é';
    await t.invite(wave, [{ email: 'target@example.org', name: evil, attributes: { tier: 'gemeente' } }]);
    await t.invite(wave, [
      { email: 'x@example.org\r\nBcc: victim@example.org', name: 'Bad Address', attributes: { tier: 'gemeente' } },
    ]);
    await inviteWave(t.db, wave.id, actor);
    await sendQueued(t.db, sink);
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0];
    expect(mail.envelopeTo).toEqual(['target@example.org']);
    for (const line of mail.headerLines) expect(line).not.toMatch(/^(bcc|x-injected):/i);
    expect(mail.headerLines.filter((l) => /^subject:/i.test(l))).toHaveLength(1);
    expect(mail.subject).toBe(
      'Voor Evil Bcc: victim@example.org X-Injected: 1 <script>alert(1)</script> {{link}} é – Demovragenlijst veiligheid en integriteit',
    );
    expect(mail.text.split('\n')[0]).toBe(
      'Beste Evil Bcc: victim@example.org X-Injected: 1 <script>alert(1)</script> {{link}} é,',
    );
    expect(mail.text.split('\n').some((l) => /^(bcc|x-injected):/i.test(l))).toBe(false);
    // the HTML alternative shows the name as text: the markup in it is escaped, and the only links are the mail's own
    expect(mail.html).toContain(
      'Beste Evil Bcc: victim@example.org X-Injected: 1 &lt;script&gt;alert(1)&lt;/script&gt;',
    );
    expect(mail.html).not.toContain('<script');
    const hrefs = [...(mail.html ?? '').matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThanOrEqual(2);
    // the personal link, the opt-out link and the wave's privacy statement: nothing from the name
    for (const href of hrefs)
      expect(href).toMatch(/^http:\/\/veldwerk\.test\/([su]\/[A-Za-z0-9_-]{43}|privacy\/[0-9a-f-]{36}(\?lang=en)?)$/);
    // the address with a line break is refused before any SMTP command: bounced, and its error names no address
    const bad = await t
      .db('outbox as o')
      .join('invitations as i', 'i.id', 'o.invitation_id')
      .where('i.name', 'Bad Address')
      .first('o.state', 'o.last_error', 'i.mail_state');
    expect(bad).toMatchObject({ state: 'bounced', mail_state: 'bounced' });
    expect(bad.last_error).not.toContain('@');
  });

  test('two invites at the same moment queue each person once', async () => {
    const wave = await t.wave();
    await t.invite(wave, people(30, 'race'));
    const results = await Promise.all([
      inviteWave(t.db, wave.id, actor),
      inviteWave(t.db, wave.id, actor),
      inviteWave(t.db, wave.id, actor),
    ]);
    expect(results.reduce((n, r) => n + r.queued, 0)).toBe(30);
    await sendQueued(t.db, sink, { connections: 3 });
    expect([...countByRecipient(sink.received).values()]).toEqual(Array(30).fill(1));
  });
});
