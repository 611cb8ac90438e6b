/**
 * A respondent's whole journey in a real browser, keyboard only: open the personal link, answer part of the
 * questionnaire, close the browser, reopen the link in a fresh context (another device), find the answers in place,
 * complete, see the thank-you page; the link then refuses a second completion. Once on a desktop in Dutch, once on a
 * phone in English (switched with the page's own language button). No request leaves the app's origin.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import {
  describeBrowser,
  guardOrigin,
  LiveApp,
  savedProgress,
  screenshot,
  waitFor,
  withLiveBrowser,
} from '../helpers/browser';
import { chooseRadio, isChecked, press, tabTo, tickBoxes, typeInto } from '../helpers/keyboard';
import { DEMO_VALID } from '../helpers/pages';

jest.setTimeout(120_000);

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 1,
  isMobile: true,
  hasTouch: true,
};

const NEXT = 'input.sd-navigation__next-btn';
const PREV = 'input.sd-navigation__prev-btn';
const COMPLETE = 'input.sd-navigation__complete-btn';
const radios = (question: string) => `[data-name="${question}"] input[type="radio"]`;
const matrixRow = (row: string) => `[data-name="veilig"] input[type="radio"][name$="_${row}"]`;

describeBrowser('respondent journey in chromium (keyboard only)', () => {
  let live: LiveApp;
  let browser: Browser;
  withLiveBrowser((l, b) => ([live, browser] = [l, b]));

  interface Device {
    context: BrowserContext;
    page: Page;
    /** requests to another origin and CSP violations */
    foreign: string[];
    /** font requests of any origin (Veldwerk uses system fonts only) */
    fonts: string[];
    /** script errors and console errors */
    errors: string[];
  }

  /** A fresh browser context: another device, no cookies, no storage; every foreign request recorded. */
  async function device(options: BrowserContextOptions): Promise<Device> {
    const context = await browser.newContext(options);
    const foreign = guardOrigin(context, live.origin);
    const fonts: string[] = [];
    context.on('request', (r) => {
      if (r.resourceType() === 'font') fonts.push(r.url());
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) foreign.push(`CSP: ${m.text()}`);
      else if (m.type() === 'error') errors.push(m.text());
    });
    return { context, page, foreign, fonts, errors };
  }

  async function openSurvey(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.waitForSelector('.sd-question');
    // keyboard users start at the top of the page: focus the document, not an element
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }

  async function newLink(): Promise<{ token: string; url: string; waveId: string }> {
    const wave = await live.wave({ name: `Browsergolf ${Date.now()}` });
    const [token] = await live.invite(wave);
    return { token, url: `${live.origin}/s/${token}`, waveId: wave.id };
  }

  test('desktop, Dutch: part answered, resumed on another device, completed, then refused', async () => {
    const { token, url, waveId } = await newLink();

    // --- first device
    const first = await device(DESKTOP);
    await openSurvey(first.page, url);
    expect(await first.page.getAttribute('html', 'lang')).toBe('nl');
    await screenshot(first.page, 'respondent-desktop-1-first-page');
    await chooseRadio(first.page, radios('agressie_any'), 1); // Ja: two follow-up questions appear
    await first.page.waitForSelector('[data-name="agressie_kanaal"]');
    await tickBoxes(first.page, 'agressie_kanaal', [2, 4]);
    await typeInto(first.page, '[data-name="agressie_toelichting"] textarea', 'Een boze beller');
    await press(first.page, NEXT);
    await first.page.waitForSelector('[data-name="veilig"]');
    await first.page.waitForFunction(() => /bewaard/.test(document.getElementById('vw-status')?.textContent ?? ''));
    await chooseRadio(first.page, matrixRow('werk'), 4);
    await chooseRadio(first.page, matrixRow('online'), 2);
    // the autosave after typing stops (1.2 s) reaches the database before the browser closes
    const saved = await waitFor('the partial answers in the database', async () => {
      const p = await savedProgress(live, token);
      return p && (p.answers.veilig as Record<string, number> | undefined)?.online === 2 ? p : undefined;
    });
    expect(saved).toEqual({
      answers: {
        agressie_any: 1,
        agressie_kanaal: [2, 4],
        agressie_toelichting: 'Een boze beller',
        veilig: { werk: 4, online: 2 },
      },
      page_no: 1,
      locale: 'nl',
    });
    await screenshot(first.page, 'respondent-desktop-2-second-page');
    expect(first.foreign).toEqual([]);
    expect(first.errors).toEqual([]);
    await first.context.close();

    // --- another device: same page, same answers, also on the page before
    const second = await device(DESKTOP);
    await openSurvey(second.page, url);
    await second.page.waitForSelector('[data-name="veilig"]');
    expect(await isChecked(second.page, `${matrixRow('werk')}[value="4"]`)).toBe(true);
    expect(await isChecked(second.page, `${matrixRow('online')}[value="2"]`)).toBe(true);
    await press(second.page, PREV);
    await second.page.waitForSelector('[data-name="agressie_kanaal"]');
    expect(await isChecked(second.page, `${radios('agressie_any')}[value="1"]`)).toBe(true);
    expect(await isChecked(second.page, '[data-name="agressie_kanaal"] input[value="2"]')).toBe(true);
    expect(await isChecked(second.page, '[data-name="agressie_kanaal"] input[value="4"]')).toBe(true);
    expect(await second.page.inputValue('[data-name="agressie_toelichting"] textarea')).toBe('Een boze beller');
    await press(second.page, NEXT);
    await second.page.waitForSelector('[data-name="veilig"]');

    // --- a required question left empty: the page says so and nothing is sent
    await second.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await press(second.page, COMPLETE);
    await second.page.waitForSelector(
      '[data-name="veilig"] .sd-question__erbox, [data-name="gedragscode_bekend"] .sd-question__erbox',
    );
    await screenshot(second.page, 'respondent-desktop-3-error');
    expect(await live.db('responses').where({ wave_id: waveId }).count({ n: '*' }).first()).toMatchObject({ n: 0 });

    // --- complete
    await second.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await chooseRadio(second.page, matrixRow('thuis'), 5);
    await chooseRadio(second.page, radios('gedragscode_bekend'), 1);
    await typeInto(second.page, '[data-name="jaren_functie"] input', '6');
    await press(second.page, COMPLETE);
    await second.page.waitForSelector('h1:text("Hartelijk dank")');
    expect(second.page.url()).toBe(url);
    await screenshot(second.page, 'respondent-desktop-4-thanks');

    const stored = await live.db('responses').where({ wave_id: waveId });
    expect(stored).toHaveLength(1);
    // what the journey above typed and clicked is exactly the tests' complete demo answer set
    expect(JSON.parse(stored[0].answers)).toEqual(DEMO_VALID);
    expect(stored[0].locale).toBe('nl');
    expect(await savedProgress(live, token)).toBeUndefined();

    // --- the link refuses a second completion: the page shows thanks, the API answers 409
    await second.page.reload();
    await second.page.waitForSelector('h1:text("Hartelijk dank")');
    expect(await second.page.$('#vw-survey')).toBeNull();
    const again = await second.page.evaluate(async (u) => {
      const res = await fetch(`${u}/complete`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"answers":{}}',
      });
      return res.status;
    }, new URL(url).pathname);
    expect(again).toBe(409);
    expect(await live.db('responses').where({ wave_id: waveId }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect(second.foreign).toEqual([]);
    expect(second.fonts).toEqual([]);
    // the only console error: chromium reporting the refused second completion (409)
    expect(second.errors.filter((e) => !/\b409\b/.test(e))).toEqual([]);
    await second.context.close();
  });

  test('phone, English: language switched by keyboard, resumed on another phone in English, completed', async () => {
    const { token, url, waveId } = await newLink();

    const first = await device(PHONE);
    await openSurvey(first.page, url);
    await press(first.page, '#vw-lang'); // "English"
    await first.page.waitForFunction(() => document.documentElement.lang === 'en');
    await first.page.waitForSelector('h1:has-text("Demo questionnaire on safety and integrity")');
    expect(await first.page.textContent('#vw-lang')).toBe('Nederlands');
    // Veldwerk's own texts around the questionnaire switch too: no Dutch left on an English page
    expect(await first.page.textContent('.vw-anonymity')).toBe(
      'Your answers are stored anonymously: separately from your name and e-mail address, so that nobody can link them to you.',
    );
    expect(await first.page.textContent('.vw-estimate')).toBe('Answering takes about 2 minutes.');
    await first.page.waitForSelector('.sd-root-modern :text-is("Page 1 of 2")', { timeout: 5000 }); // the progress indicator switched too
    expect(
      await first.page.$$eval('footer a', (links) => links.map((a) => [a.textContent, a.getAttribute('href')])),
    ).toEqual([
      ['Privacy statement', expect.stringMatching(/^\/privacy\/[0-9a-f-]{36}\?lang=en$/)],
      ['Accessibility', '/toegankelijkheid?lang=en'],
    ]);
    expect(await first.page.title()).toBe('Demo questionnaire on safety and integrity');
    await screenshot(first.page, 'respondent-phone-1-first-page');
    await chooseRadio(first.page, radios('agressie_any'), 2); // No: the follow-up questions stay hidden
    expect(await first.page.$('[data-name="agressie_kanaal"]')).toBeNull();
    await press(first.page, NEXT);
    await first.page.waitForSelector('[data-name="veilig"]');
    await chooseRadio(first.page, matrixRow('werk'), 3);
    const saved = await waitFor('the partial answers in the database', async () => {
      const p = await savedProgress(live, token);
      return p && (p.answers.veilig as Record<string, number> | undefined)?.werk === 3 ? p : undefined;
    });
    expect(saved).toEqual({ answers: { agressie_any: 2, veilig: { werk: 3 } }, page_no: 1, locale: 'en' });
    await screenshot(first.page, 'respondent-phone-2-second-page');
    expect(first.foreign).toEqual([]);
    expect(first.errors).toEqual([]);
    await first.context.close();

    const second = await device(PHONE);
    await openSurvey(second.page, url); // no ?lang: the saved language wins
    expect(await second.page.getAttribute('html', 'lang')).toBe('en');
    await second.page.waitForSelector('[data-name="veilig"]');
    expect(await second.page.textContent('[data-name="veilig"] h3')).toContain('How safe do you feel');
    expect(await isChecked(second.page, `${matrixRow('werk')}[value="3"]`)).toBe(true);

    await press(second.page, COMPLETE);
    await second.page.waitForSelector('[data-name="veilig"] .sd-question__erbox');
    await screenshot(second.page, 'respondent-phone-3-error');

    await second.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await chooseRadio(second.page, matrixRow('online'), 1);
    await chooseRadio(second.page, matrixRow('thuis'), 4);
    await chooseRadio(second.page, radios('gedragscode_bekend'), 98);
    await typeInto(second.page, '[data-name="jaren_functie"] input', '12');
    await typeInto(second.page, '[data-name="opmerkingen"] textarea', 'Typed on a phone');
    await press(second.page, COMPLETE);
    await second.page.waitForSelector('h1:text("Thank you")');
    expect(await second.page.getAttribute('html', 'lang')).toBe('en');
    await screenshot(second.page, 'respondent-phone-4-thanks');

    const stored = await live.db('responses').where({ wave_id: waveId });
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].answers)).toEqual({
      agressie_any: 2,
      veilig: { werk: 3, online: 1, thuis: 4 },
      gedragscode_bekend: 98,
      jaren_functie: 12,
      opmerkingen: 'Typed on a phone',
    });
    expect(stored[0].locale).toBe('en');

    await second.page.reload();
    await second.page.waitForSelector('h1:text("Thank you")');
    const again = await second.page.evaluate(
      async (u) =>
        (
          await fetch(`${u}/complete`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: '{"answers":{}}',
          })
        ).status,
      new URL(url).pathname,
    );
    expect(again).toBe(409);
    expect(second.foreign).toEqual([]);
    expect(second.fonts).toEqual([]);
    expect(second.errors.filter((e) => !/\b409\b/.test(e))).toEqual([]);
    await second.context.close();
  });

  test('tab order on the first page: skip link, language switch, the question, the next button, the footer links', async () => {
    const { url } = await newLink();
    const { page, context } = await device(DESKTOP);
    await openSurvey(page, url);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          return el.id === 'vw-lang'
            ? 'lang'
            : (el.closest('[data-name]')?.getAttribute('data-name') ??
                (el.matches('input.sd-btn') ? (el as HTMLInputElement).value : (el.textContent?.trim() ?? '')));
        }),
      );
    }
    expect(order).toEqual([
      'Naar de vragen',
      'lang',
      'agressie_any',
      'Volgende',
      'Privacyverklaring',
      'Toegankelijkheid',
    ]);
    // the focused control is visibly marked (SurveyJS draws a ring on the decorator; Veldwerk an outline on its own)
    await tabTo(page, radios('agressie_any'));
    const ring = await page.$eval(
      `${radios('agressie_any')}:focus + .sd-item__decorator`,
      (el) => getComputedStyle(el).boxShadow,
    );
    expect(ring).toMatch(/rgb\(21, 66, 115\)/); // #154273, Veldwerk's accent
    await context.close();
  });
});
