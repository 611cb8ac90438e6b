import { addDays, amsterdamMoment, dutchDay, startOfAmsterdamDay } from '../../server/shared/calendar';
import { databaseKinds } from '../helpers/databases';
import { appWithSmtp, outboxStates, people, sendQueued, signedInAs } from '../helpers/mail';
import { Browser } from '../helpers/signed-in';
import { SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { testApp, TestApp } from '../helpers/test-app';

describe.each(databaseKinds())('scheduled invitations and reminders on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  let admin: Browser;

  beforeAll(async () => {
    t = await testApp(kind);
    // a fixed moment: Sunday 6 December 2026, 15:00 in Amsterdam
    t.now.value = new Date('2026-12-06T14:00:00Z');
    sink = await startSmtpSink();
    admin = await signedInAs(appWithSmtp(t, sink), t.db, 'beheer@example.org', 'admin', '203.0.113.50');
  });
  afterAll(async () => {
    await sink.close();
    await t.drop();
  });
  beforeEach(() => {
    sink.received.length = 0;
  });

  const later = async (days: number, prefix: string, n = 3) => {
    const today = dutchDay(t.now.value);
    const wave = await t.wave({ opensOn: addDays(today, days), closesOn: addDays(today, days + 30) });
    await t.invite(wave, people(n, prefix));
    return wave;
  };
  const sendAt = (moment: Date) => sendQueued(t.db, sink, { clock: () => moment });
  /** what the sink got for one wave's people (other tests' scheduled mail may fall due meanwhile) */
  const to = (prefix: string) => sink.received.filter((m) => m.envelopeTo[0].startsWith(prefix));

  test('invitations for a wave not open yet go out at its opening, not before; the page says when', async () => {
    const wave = await later(5, 'open');
    const opening = startOfAmsterdamDay(wave.opens_on);
    const ask = await admin.post(`/admin/waves/${wave.id}/mail/invite`, {}).expect(200);
    expect(ask.text).toMatch(/This queues 3 invitation mails .* They go out on 11 December 2026 at 00:00/);
    expect(ask.text).toContain('Schedule 3 invitation mails');
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    const page = await admin.get(`/admin/waves/${wave.id}/mail`).expect(200);
    expect(page.text).toContain('Scheduled 3 invitation mails');
    expect(page.text).toMatch(/3 invitation mails go out on 11 December 2026 at 00:00 \(Amsterdam time\)/);
    const rows = await t.db('outbox').where({ wave_id: wave.id });
    expect(rows.map((r) => r.next_attempt_at)).toEqual(Array(3).fill(opening.toISOString()));
    // the worker a minute before the opening sends nothing; at the opening everything
    await sendAt(new Date(opening.getTime() - 60_000));
    expect(to('open')).toHaveLength(0);
    await sendAt(opening);
    expect(
      to('open')
        .map((m) => m.envelopeTo[0])
        .sort(),
    ).toEqual(['open0@example.org', 'open1@example.org', 'open2@example.org']);
    const audit = await t.db('audit_log').where({ wave_id: wave.id, action: 'mail.send' }).first();
    expect(JSON.parse(audit.detail).dueAt).toBe(opening.toISOString());
  });

  test('a moment before the opening needs the explicit choice; past, closed and impossible moments are refused', async () => {
    const wave = await later(5, 'vroeg');
    const url = `/admin/waves/${wave.id}/mail/invite`;
    const tomorrowNine = {
      when: 'at',
      send_on: addDays(dutchDay(t.now.value), 1),
      send_time: '09:00',
      confirmed: 'yes',
    };
    await admin.post(url, tomorrowNine).expect(422, /opens on 11 December 2026 at 00:00.*explicitly/s);
    await admin.post(url, { ...tomorrowNine, send_on: '2026-12-05' }).expect(422, /has passed/);
    await admin.post(url, { ...tomorrowNine, send_on: addDays(wave.closes_on, 1) }).expect(422, /closes/);
    await admin.post(url, { ...tomorrowNine, send_time: '25:00' }).expect(422, /HH:MM/);
    await admin.post(url, { ...tomorrowNine, send_on: '2027-03-28', send_time: '02:30' }).expect(422, /does not exist/);
    await admin.post(url, { ...tomorrowNine, when: 'sometime' }).expect(400);
    expect(await t.db('outbox').where({ wave_id: wave.id })).toHaveLength(0);
    expect(await t.db('invitations').where({ wave_id: wave.id, mail_state: 'queued' })).toHaveLength(0);
    // with the explicit choice: tomorrow 09:00 Amsterdam (08:00 UTC in winter)
    await admin.post(url, { ...tomorrowNine, before_opening: 'yes' }).expect(303);
    const due = amsterdamMoment(tomorrowNine.send_on, '09:00') as Date;
    expect(due.toISOString()).toBe(`${tomorrowNine.send_on}T08:00:00.000Z`);
    expect((await t.db('outbox').where({ wave_id: wave.id })).map((r) => r.next_attempt_at)).toEqual(
      Array(3).fill(due.toISOString()),
    );
  });

  test('"now, before the opening" sends at once', async () => {
    const wave = await later(5, 'nu');
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, { when: 'early', confirmed: 'yes' }).expect(303);
    await sendAt(t.now.value);
    expect(to('nu')).toHaveLength(3);
  });

  test('scheduled mail can be cancelled until it is due; those people can be invited again', async () => {
    const wave = await later(3, 'weg');
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    expect(await outboxStates(t.db, wave.id)).toEqual({ pending: 3 });
    expect((await admin.get(`/admin/waves/${wave.id}/mail`)).text).toContain('Cancel the scheduled invitations');
    await admin.post(`/admin/waves/${wave.id}/mail/invite/cancel-scheduled`, {}).expect(303);
    expect(await outboxStates(t.db, wave.id)).toEqual({ cancelled: 3 });
    expect(await t.db('invitations').where({ wave_id: wave.id, mail_state: 'none' })).toHaveLength(3);
    const page = await admin.get(`/admin/waves/${wave.id}/mail`);
    expect(page.text).toContain('Cancelled 3 scheduled invitation mails');
    expect(page.text).not.toContain('Cancel the scheduled invitations');
    await sendAt(startOfAmsterdamDay(wave.opens_on));
    expect(to('weg')).toHaveLength(0);
    // invited again, for the opening
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    await sendAt(startOfAmsterdamDay(wave.opens_on));
    expect(to('weg')).toHaveLength(3);
    const audit = await t.db('audit_log').where({ wave_id: wave.id, action: 'mail.cancel-scheduled' });
    expect(JSON.parse(audit[0].detail)).toEqual({ kind: 'invite', cancelled: 3 });
  });

  test('the least time between two reminders to a person is a setting (REMINDER_MIN_INTERVAL_DAYS)', async () => {
    const today = dutchDay(t.now.value);
    const wave = await t.wave({ opensOn: today, closesOn: addDays(today, 20) });
    await t.invite(wave, people(2, 'interval'));
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    await sendAt(t.now.value);
    await admin.post(`/admin/waves/${wave.id}/mail/remind`, { confirmed: 'yes' }).expect(303);
    await sendAt(t.now.value);
    expect(to('interval')).toHaveLength(4);
    const started = t.now.value;
    const oneDayApp = appWithSmtp(t, sink, { reminderMinIntervalDays: 1 });
    const quick = new Browser(oneDayApp, '203.0.113.51');
    try {
      t.now.value = new Date(started.getTime() + 2 * 86_400_000); // two days later: the sessions have ended
      await quick.signIn('beheer@example.org', 'correct horse battery staple');
      await quick.refreshCsrf('/admin');
      // the default (3 days): nobody again yet; with 1 day: both
      await admin.signIn('beheer@example.org', 'correct horse battery staple');
      await admin.refreshCsrf('/admin');
      const ask = await admin.post(`/admin/waves/${wave.id}/mail/remind`, {}).expect(200);
      expect(ask.text).toContain('This queues 0 reminder mails');
      const page = await quick.get(`/admin/waves/${wave.id}/mail`).expect(200);
      expect(page.text).toContain('had a reminder in the last 1 day:');
      const quickAsk = await quick.post(`/admin/waves/${wave.id}/mail/remind`, {}).expect(200);
      expect(quickAsk.text).toContain('This queues 2 reminder mails');
    } finally {
      t.now.value = started; // the administrator's new session stays valid
    }
  });

  test('reminders at a chosen moment, and an open wave mails at once by default', async () => {
    const today = dutchDay(t.now.value);
    const wave = await t.wave({ opensOn: today, closesOn: addDays(today, 20) });
    await t.invite(wave, people(2, 'herinner'));
    await admin.post(`/admin/waves/${wave.id}/mail/invite`, { confirmed: 'yes' }).expect(303);
    await sendAt(t.now.value);
    expect(to('herinner')).toHaveLength(2);
    const monday = addDays(today, 1);
    await admin
      .post(`/admin/waves/${wave.id}/mail/remind`, {
        when: 'at',
        send_on: monday,
        send_time: '08:30',
        confirmed: 'yes',
      })
      .expect(303);
    const due = amsterdamMoment(monday, '08:30') as Date;
    await sendAt(new Date(due.getTime() - 1000));
    expect(to('herinner')).toHaveLength(2);
    await sendAt(due);
    expect(to('herinner')).toHaveLength(4);
    expect(
      to('herinner')
        .slice(2)
        .every((m) => /Herinnering|Reminder/.test(m.subject)),
    ).toBe(true);
  });
});
