/**
 * The administrator's journey in chromium, with axe-core (WCAG 2.1 A/AA) on every admin and analyst page it passes:
 * sign in, create a wave, import a sample (a bad file first), queue the invitations, which a real mail worker sends to
 * a real SMTP server (the sink), open a received link as the respondent, complete it, and watch the response monitor
 * move without reloading. An analyst signs in, downloads the wave's CSV export and opens the headline tables.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { smtpTransport } from '../../server/mail/mail-transport';
import type { MailWorker } from '../../server/mail/mail-worker';
import { TEST_FROM, testWorker } from '../helpers/mail';
import { DEMO_VALID } from '../helpers/pages';
import { addTestUser, PASSWORD } from '../helpers/signed-in';
import { linkIn, SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import {
  axeViolations,
  describeBrowser,
  describeViolations,
  guardOrigin,
  launchBrowser,
  LiveApp,
  screenshot,
  startLiveApp,
  waitFor,
} from '../helpers/browser';
import { chooseRadio, press, tabTo } from '../helpers/keyboard';

jest.setTimeout(120_000);

const ADMIN = 'beheer@example.org';
const ANALYST = 'analist@example.org';
// six people: enough completed responses for an export (the disclosure control refuses waves with fewer than k = 5)
const SAMPLE = [
  'email,name,organisation,tier,role,province,language',
  'jan@example.org,Jan Jansen,Gemeente Utrecht,gemeente,raadslid,Utrecht,nl',
  'els@example.org,Els Elzinga,Provincie Zeeland,provincie,statenlid,Zeeland,nl',
  'sam@example.org,Sam Smith,Gemeente Utrecht,gemeente,wethouder,Utrecht,en',
  'ank@example.org,Ank Arends,Gemeente Utrecht,gemeente,raadslid,Utrecht,nl',
  'bob@example.org,Bob Bakker,Gemeente Utrecht,gemeente,raadslid,Utrecht,nl',
  'cor@example.org,Cor Claassen,Provincie Zeeland,provincie,statenlid,Zeeland,nl',
].join('\r\n');
const PEOPLE = ['ank', 'bob', 'cor', 'els', 'jan', 'sam'].map((p) => `${p}@example.org`);
const NAMES = /example\.org|Jansen|Elzinga|Smith|Arends|Bakker|Claassen/;

describeBrowser('administrator and analyst journey in chromium', () => {
  let live: LiveApp;
  let sink: SmtpSink;
  let worker: MailWorker | undefined;
  let browser: Browser;
  const contexts: Array<{ context: BrowserContext; foreign: string[] }> = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    const transport = smtpTransport({ url: sink.url, from: TEST_FROM, connections: 1, timeoutMs: 2000 });
    [live, browser] = await Promise.all([
      startLiveApp({ mail: { transport, from: TEST_FROM, timeoutMs: 2000 } }),
      launchBrowser(),
    ]);
    worker = testWorker(live.db, sink, { publicUrl: live.origin }).start();
    await addTestUser(live.db, ADMIN, 'admin');
    await addTestUser(live.db, ANALYST, 'analyst');
  });
  afterEach(async () => {
    // pages left open keep working (the monitor polls): close each test's browser contexts
    for (const { context, foreign } of contexts.splice(0)) {
      await context.close();
      expect(foreign).toEqual([]);
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await browser?.close();
    await live?.close();
    await sink?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const foreign = guardOrigin(context, live.origin);
    contexts.push({ context, foreign });
    return context.newPage();
  }

  /** axe on the page as it is now; nothing from another origin so far. */
  async function check(page: Page, where: string): Promise<void> {
    const violations = await axeViolations(page);
    expect(describeViolations(where, violations)).toBe('');
    for (const c of contexts) expect(c.foreign).toEqual([]);
  }

  /** Signs in: with the keyboard only (Tab to the fields, type, Enter), or quicker by filling the fields. */
  async function signIn(
    page: Page,
    email: string,
    opts: { password?: string; keyboard?: boolean } = {},
  ): Promise<void> {
    const password = opts.password ?? PASSWORD;
    await page.goto(`${live.origin}/signin`);
    if (opts.keyboard) {
      await tabTo(page, '#email');
      await page.keyboard.type(email);
      await tabTo(page, '#password');
      await page.keyboard.type(password);
      await page.keyboard.press('Enter');
    } else {
      await page.fill('#email', email);
      await page.fill('#password', password);
      await page.click('button:has-text("Sign in")');
    }
    if (password === PASSWORD) await page.waitForURL((url) => url.pathname !== '/signin');
    else await page.waitForSelector('#signin-error');
  }

  /** The counts in the monitor's first table (all invitations), by column name. */
  async function overall(page: Page): Promise<Record<string, string>> {
    return page.$eval('table[data-table="overall"]', (table) => {
      const heads = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent?.trim() ?? '');
      const cells = Array.from(table.querySelectorAll('tbody tr:first-child > *')).map(
        (c) => c.textContent?.trim() ?? '',
      );
      return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
    });
  }

  let waveUrl = '';

  test('an administrator signs in, creates a wave, imports a sample and queues the invitations; the mail arrives', async () => {
    const page = await newPage();
    await page.goto(`${live.origin}/signin`);
    await check(page, 'sign-in');
    await signIn(page, ADMIN, { password: 'not the password' });
    await check(page, 'sign-in with an error');
    await signIn(page, ADMIN, { keyboard: true });
    expect(new URL(page.url()).pathname).toBe('/admin');
    await check(page, 'waves (empty)');

    // a new wave: the form, the form with errors, then a valid one opening today
    await page.click('a[href="/admin/waves/new"]');
    await page.waitForSelector('form #name');
    await check(page, 'new wave form');
    await page.click('button[type="submit"]:has-text("Create the wave")');
    await page.waitForSelector('.vw-error-summary');
    await check(page, 'new wave form with errors');
    const today = dutchDay(new Date());
    await page.fill('#name', 'Browsergolf 2026');
    await page.selectOption('#questionnaire', 'demo@1');
    await page.fill('#opens_on', today);
    await page.fill('#closes_on', addDays(today, 30));
    await page.fill('#kept', 'tier, role');
    await page.click('button[type="submit"]:has-text("Create the wave")');
    await page.waitForURL(/\/admin\/waves\/[0-9a-f-]{36}$/);
    waveUrl = page.url();
    await check(page, 'wave');

    // the sample: a file with a problem is refused with the line, then the good file, its preview, confirm
    await page.click('a:has-text("Import a sample")');
    await page.waitForSelector('#file');
    await check(page, 'import form');
    await page.setInputFiles('#file', {
      name: 'fout.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${SAMPLE}\r\ngeen-adres,X,Y,gemeente,raadslid,Utrecht,nl\r\n`),
    });
    await page.click('button:has-text("Check the file")');
    await page.waitForSelector('.vw-error-summary');
    expect(await page.textContent('.vw-error-summary tbody th')).toBe('8'); // the line of the bad address
    await check(page, 'import with problems');
    await page.setInputFiles('#file', {
      name: 'steekproef.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${SAMPLE}\r\n`),
    });
    await page.click('button:has-text("Check the file")');
    await page.waitForSelector('button:has-text("Add these 6 people to the wave")');
    await check(page, 'import preview');
    await page.click('button:has-text("Add these 6 people to the wave")');
    await page.waitForSelector('text=6 people were added to the wave.');
    await check(page, 'wave after the import');

    // mail: queue the invitations; the worker sends them to the SMTP sink
    await page.goto(`${waveUrl}/mail`);
    await check(page, 'wave e-mail');
    await page.click('button:has-text("Queue invitations")');
    // a confirmation with the count first; nothing goes out until it is confirmed
    await page.waitForSelector('text=This queues 6 invitation mails');
    await check(page, 'confirm queueing the invitations');
    expect(await live.db('outbox').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    await page.click('button:has-text("Queue 6 invitation mails")');
    await page.waitForSelector('.vw-success');
    await check(page, 'wave e-mail after queueing');
    await sink.waitFor(6);
    expect(sink.received.map((m) => m.envelopeTo.join()).sort()).toEqual(PEOPLE);
    for (const m of sink.received) expect(linkIn(m).startsWith(`${live.origin}/s/`)).toBe(true);
    await waitFor('the outbox to be marked sent', async () => {
      const rows = await live.db('outbox').select('state');
      return rows.length === 6 && rows.every((r) => r.state === 'sent');
    });
    await worker?.stop(); // nothing more to send; it would only keep polling
    worker = undefined;
  });

  test('the respondent opens the received link and completes it; the open monitor page moves by itself', async () => {
    expect(waveUrl).not.toBe('');
    const admin = await newPage();
    await signIn(admin, ADMIN);
    await admin.goto(`${waveUrl}/monitor`);
    expect(await overall(admin)).toMatchObject({ 'In the sample': '6', Sent: '6', Started: '0', Completed: '0' });
    await check(admin, 'response monitor');
    await screenshot(admin, 'admin-monitor-before');

    // the respondent, on their own device, by keyboard
    const mail = sink.received.find((m) => m.envelopeTo.includes('jan@example.org'));
    const respondent = await newPage();
    await respondent.goto(linkIn(mail as NonNullable<typeof mail>));
    await respondent.waitForSelector('[data-name="agressie_any"]');
    await chooseRadio(respondent, '[data-name="agressie_any"] input[type="radio"]', 2);
    await press(respondent, 'input.sd-navigation__next-btn');
    await respondent.waitForSelector('[data-name="veilig"]');
    for (const [row, value] of [
      ['werk', 4],
      ['online', 3],
      ['thuis', 5],
    ] as const) {
      await chooseRadio(respondent, `[data-name="veilig"] input[type="radio"][name$="_${row}"]`, value);
    }
    await chooseRadio(respondent, '[data-name="gedragscode_bekend"] input[type="radio"]', 2);
    await press(respondent, 'input.sd-navigation__complete-btn');
    await respondent.waitForSelector('h1:has-text("Hartelijk dank")');

    // the monitor polls every few seconds: the completion shows up without a reload
    await admin.waitForFunction(
      () => {
        const row = document.querySelector('table[data-table="overall"] tbody tr');
        return row ? Array.from(row.children).map((c) => c.textContent?.trim())[8] === '1' : false;
      },
      undefined,
      { timeout: 20_000 },
    );
    expect(await overall(admin)).toMatchObject({
      'In the sample': '6',
      Sent: '6',
      Completed: '1',
      'Response rate': '16.7%',
    });
    await screenshot(admin, 'admin-monitor-after');
    await check(admin, 'response monitor after a completion');
  });

  test("the administrator's other pages: users, audit log, mail template, test links, questionnaire preview", async () => {
    const page = await newPage();
    await signIn(page, ADMIN);
    for (const [name, path] of [
      ['users', '/admin/users'],
      ['audit log', '/admin/audit'],
      ['invitation template', `${new URL(waveUrl).pathname}/mail/templates/invite/nl`],
      ['development mailbox', '/admin/mail/dev-mailbox'],
    ] as const) {
      await page.goto(`${live.origin}${path}`);
      expect(await page.$('h1')).not.toBeNull();
      await check(page, name);
    }
    await page.goto(waveUrl);
    await page.click('button:has-text("Make test links")');
    await page.waitForSelector('h1:has-text("Test links")');
    await check(page, 'test links');

    // the preview is the respondent page in preview mode: also accessible, and it never saves
    const saves: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') saves.push(`${r.method()} ${r.url()}`);
    });
    await page.goto(`${waveUrl}/preview`);
    await page.waitForSelector('[data-name="agressie_any"]');
    await check(page, 'questionnaire preview');
    await chooseRadio(page, '[data-name="agressie_any"] input[type="radio"]', 2);
    await press(page, 'input.sd-navigation__next-btn');
    await page.waitForSelector('[data-name="veilig"]');
    expect(saves).toEqual([]);
  });

  test('an analyst signs in, finds the exports and downloads the CSV of the wave: anonymous, one row per response', async () => {
    // five more people answer through the links in their mail (over HTTP: the browser part was proven above)
    for (const m of sink.received.filter((r) => !r.envelopeTo.includes('jan@example.org'))) {
      const res = await fetch(`${linkIn(m)}/complete`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ answers: DEMO_VALID, locale: 'nl' }),
      });
      expect(res.status).toBe(201);
    }
    const page = await newPage();
    await signIn(page, ANALYST);
    expect(new URL(page.url()).pathname).toBe('/analyst');
    await check(page, 'analysis');
    // administrators' pages are not for analysts
    const refused = await page.goto(`${live.origin}/admin`);
    expect(refused?.status()).toBe(403);
    await check(page, 'admin page refused to an analyst');

    await page.goto(`${live.origin}/analyst`);
    await page.click('a:has-text("Exports")');
    await page.waitForSelector('h1:has-text("Exports")');
    await check(page, 'exports');
    const wavePath = new URL(waveUrl).pathname.replace('/admin/waves/', '/analyst/exports/waves/');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`a[href="${wavePath}/download/csv"]`),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + 6); // a header and the six responses
    expect(csv).not.toMatch(NAMES); // nobody in the sample can be found in it

    await page.click(`a[href="${wavePath}/tables"]`);
    await page.waitForSelector('h1:has-text("Headline tables")');
    await check(page, 'headline tables');
    await page.goto(`${live.origin}/analyst/tokens`);
    await check(page, 'API tokens');
  });
});
