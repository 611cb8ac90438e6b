/**
 * The fieldwork manager's controls in chromium, with axe-core on every page and an injected clock for the mail
 * worker: invitations for a wave that opens in three days are confirmed with their count and scheduled for the
 * opening, and go out only then; one person is looked up, gets the invitation again, and then a fresh link, after
 * which the old link opens nothing and the new one (from the mail) opens the questionnaire.
 */
import { smtpTransport } from '../../server/mail/mail-transport';
import { addDays, dutchDay, startOfAmsterdamDay } from '../../server/shared/calendar';
import { describeBrowser, useSignedInBrowser } from '../helpers/browser';
import { people, sendQueued, TEST_FROM } from '../helpers/mail';
import { linkIn, SmtpSink, startSmtpSink } from '../helpers/smtp-sink';

jest.setTimeout(120_000);

describeBrowser('fieldwork controls in chromium: scheduling, confirmations, one person', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink?.close());
  const b = useSignedInBrowser({
    mail: () => ({
      transport: smtpTransport({ url: sink.url, from: TEST_FROM, connections: 1, timeoutMs: 2000 }),
      from: TEST_FROM,
      timeoutMs: 2000,
    }),
  });
  const check = (where: string) => b.check(where);
  const signIn = () => b.signIn();
  const send = (at: Date) => sendQueued(b.live.db, sink, { clock: () => at, publicUrl: b.live.origin });

  test('invitations confirmed with their count and scheduled for the opening; one person helped', async () => {
    const { live, page, context } = b;
    const today = dutchDay(live.now.value);
    const wave = await live.wave({ name: 'Voorjaarsmeting', opensOn: addDays(today, 3), closesOn: addDays(today, 40) });
    await live.invite(wave, people(3, 'veld'));
    const opening = startOfAmsterdamDay(wave.opens_on);

    await page.goto(`${live.origin}/admin/waves/${wave.id}`);
    expect(await page.textContent('dd')).toContain('draft');
    await page.click('a:has-text("E-mail")');
    await page.click('button:has-text("Queue invitations")');
    await page.waitForSelector('text=This queues 3 invitation mails');
    expect(await page.textContent('.vw-warning')).toMatch(/They go out on .* at 00:00 \(Amsterdam time\)/);
    await check('confirm scheduled invitations');
    expect(await live.db('outbox')).toHaveLength(0); // nothing until confirmed
    await page.click('button:has-text("Schedule 3 invitation mails")');
    await page.waitForSelector('h2:has-text("Scheduled")');
    await check('mail page with scheduled invitations');

    await send(new Date(opening.getTime() - 60_000));
    expect(sink.received).toHaveLength(0);
    await send(opening);
    expect(sink.received.map((m) => m.envelopeTo[0]).sort()).toEqual([
      'veld0@example.org',
      'veld1@example.org',
      'veld2@example.org',
    ]);
    live.now.value = new Date(opening.getTime() + 3_600_000); // the wave has opened (and the session has ended)
    await signIn();
    const firstLink = linkIn(sink.received.find((m) => m.envelopeTo[0] === 'veld1@example.org')!);

    // one person: found by name, the invitation again (asked first), then a fresh link
    await page.goto(`${live.origin}/admin/waves/${wave.id}`);
    await page.click('a:has-text("People")');
    await page.fill('#q', 'persoon veld1');
    await page.click('button:has-text("Search")');
    await check('people search');
    await page.click('a:has-text("Persoon veld1")');
    await page.waitForSelector('h2:has-text("Mail to this person")');
    await check('person');
    await page.click('button:has-text("Send the invitation again")');
    await page.waitForSelector('text=goes out again now');
    await check('confirm resend');
    await page.click('button:has-text("Send the invitation again")');
    await page.waitForSelector('text=The invitation goes out again to veld1@example.org.');
    expect(await page.textContent('table')).toContain('waiting to go out');
    await send(live.now.value);
    const again = sink.received.filter((m) => m.envelopeTo[0] === 'veld1@example.org');
    expect(again).toHaveLength(2);
    expect(linkIn(again[1])).toBe(firstLink);

    await page.click('button:has-text("Replace the link")');
    await page.waitForSelector('text=stops working at once');
    await check('confirm fresh link');
    await page.click('button:has-text("Replace the link")');
    await page.waitForSelector('text=The old link no longer works.');
    await send(live.now.value);
    const third = sink.received.filter((m) => m.envelopeTo[0] === 'veld1@example.org');
    expect(third).toHaveLength(3);
    const newLink = linkIn(third[2]);
    expect(newLink).not.toBe(firstLink);
    const respondent = await context.newPage();
    expect((await respondent.goto(firstLink))?.status()).toBe(404);
    expect((await respondent.goto(newLink))?.status()).toBe(200);
    await respondent.waitForSelector('.sd-question');
    await respondent.close();
    const actions = (await live.db('audit_log').where({ wave_id: wave.id }).orderBy('id')).map((a) => a.action);
    expect(actions).toEqual(['mail.send', 'person.resend', 'person.fresh-link']);
  });
});
