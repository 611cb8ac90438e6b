/**
 * axe-core (WCAG 2.1 A and AA: wcag2a, wcag2aa, wcag21a, wcag21aa) in chromium on every state of the respondent's
 * pages, on a desktop and a phone: the questionnaire's pages (empty, with follow-up questions, in English), a page
 * with errors, the thank-you, closed, not-yet-open and not-found pages, the home page, an error page and the
 * accessibility statement. Also: errors are tied to their question and get the focus; after every page, nothing has
 * been requested from another origin and the CSP was never violated.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { hashToken } from '../../server/respondent/personal-tokens';
import { DEMO_VALID } from '../helpers/pages';
import {
  axeViolations,
  describeBrowser,
  describeViolations,
  guardOrigin,
  LiveApp,
  screenshot,
  withLiveBrowser,
} from '../helpers/browser';
import { chooseRadio, press } from '../helpers/keyboard';

jest.setTimeout(120_000);

const VIEWPORTS: Array<[string, BrowserContextOptions]> = [
  ['desktop', { viewport: { width: 1280, height: 900 } }],
  ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true }],
];

describeBrowser('accessibility of the respondent pages (axe-core, WCAG 2.1 AA)', () => {
  let live: LiveApp;
  let browser: Browser;
  withLiveBrowser((l, b) => ([live, browser] = [l, b]));
  const contexts = new Map<string, { context: BrowserContext; page: Page; foreign: string[] }>();

  beforeAll(async () => {
    for (const [name, options] of VIEWPORTS) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      const foreign = guardOrigin(context, live.origin);
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) foreign.push(`CSP: ${m.text()}`);
      });
      contexts.set(name, { context, page, foreign });
    }
  });

  async function link(
    opts: { opensOn?: number; closesOn?: number; pageNo?: number; answers?: object; completed?: boolean } = {},
  ): Promise<string> {
    const today = dutchDay(live.now.value);
    const wave = await live.wave({
      opensOn: addDays(today, opts.opensOn ?? -1),
      closesOn: addDays(today, opts.closesOn ?? 30),
    });
    const [token] = await live.invite(wave);
    const path = `/s/${token}`;
    if (opts.pageNo !== undefined || opts.answers) {
      const invitation = await live
        .db('invitations')
        .where({ token_hash: hashToken(token) })
        .first();
      await live.db('progress').insert({
        invitation_id: invitation.id,
        answers: JSON.stringify(opts.answers ?? {}),
        page_no: opts.pageNo ?? 0,
        locale: 'nl',
        revision: 1,
      });
    }
    if (opts.completed) {
      const res = await fetch(`${live.origin}${path}/complete`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ answers: DEMO_VALID }),
      });
      expect(res.status).toBe(201);
    }
    return `${live.origin}${path}`;
  }

  /** axe on the page as it is; and so far nothing from another origin, no CSP violation */
  async function check(page: Page, where: string, shot?: string): Promise<void> {
    const violations = await axeViolations(page);
    if (shot) await screenshot(page, shot);
    expect(describeViolations(where, violations)).toBe('');
    for (const [, { foreign }] of contexts) expect(foreign).toEqual([]);
  }

  async function openSurvey(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.waitForSelector('.sd-question');
  }

  describe.each(VIEWPORTS.map(([name]) => name))('on a %s', (viewport) => {
    const page = () => (contexts.get(viewport) as { page: Page }).page;
    // the phone repeats the pages whose layout changes on a small screen; variants (other language, other message)
    // of the same template are checked once, on the desktop, to keep the file quick
    const desktop = viewport === 'desktop';

    test('the first page, the follow-up questions, and the first page in English', async () => {
      await openSurvey(page(), await link());
      await check(page(), `${viewport} first page`);
      // a real heading structure: the questionnaire title is the page's h1, the page title an h2, each question an h3
      expect(await page().$$eval('h1', (hs) => hs.map((h) => h.textContent?.trim()))).toEqual([
        'Demovragenlijst veiligheid en integriteit',
      ]);
      expect(await page().$$eval('h2', (hs) => hs.length)).toBe(1);
      await chooseRadio(page(), '[data-name="agressie_any"] input[type="radio"]', 1);
      await page().waitForSelector('[data-name="agressie_toelichting"] textarea');
      await check(page(), `${viewport} first page with follow-up questions`);
      if (!desktop) return;

      await openSurvey(page(), `${await link()}?lang=en`);
      expect(await page().getAttribute('html', 'lang')).toBe('en');
      await check(page(), `${viewport} first page in English`);
    });

    test('a page with an error: announced, tied to the question, focus on the question', async () => {
      await openSurvey(page(), await link());
      await page().evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await press(page(), 'input.sd-navigation__next-btn');
      await page().waitForSelector('[data-name="agressie_any"] .sd-question__erbox');
      await check(page(), `${viewport} first page with an error`, `respondent-${viewport}-a11y-error`);
      const state = await page().$eval('[data-name="agressie_any"]', (q) => {
        const group = q.querySelector('[role="radiogroup"]') as HTMLElement;
        const ids = (group.getAttribute('aria-errormessage') ?? group.getAttribute('aria-describedby') ?? '')
          .split(/\s+/)
          .filter(Boolean);
        return {
          invalid: group.getAttribute('aria-invalid'),
          message: ids.map((id) => document.getElementById(id)?.textContent?.trim()).join(' '),
          focusInside: q.contains(document.activeElement),
        };
      });
      expect(state.invalid).toBe('true');
      expect(state.message).toBe('Beantwoord deze vraag.'); // not SurveyJS's 'Dit is een vereiste vraag'
      expect(state.focusInside).toBe(true);

      // the second page, errors in a matrix and a radio group
      await openSurvey(page(), await link({ pageNo: 1, answers: { agressie_any: 2 } }));
      await page().waitForSelector('[data-name="veilig"]');
      await check(page(), `${viewport} second page`);
      await page().evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await press(page(), 'input.sd-navigation__complete-btn');
      await page().waitForSelector('[data-name="gedragscode_bekend"] .sd-question__erbox');
      await check(page(), `${viewport} second page with errors`);
    });

    test('the thank-you, closed, not-yet-open, not-found and opt-out pages', async () => {
      for (const [name, url, heading, onPhone] of [
        ['thank-you', await link({ completed: true }), 'Hartelijk dank', true],
        ['thank-you in English', `${await link({ completed: true })}?lang=en`, 'Thank you', false],
        ['closed', await link({ opensOn: -30, closesOn: -1 }), 'Dit onderzoek is gesloten', true],
        ['not yet open', await link({ opensOn: 3, closesOn: 30 }), 'Dit onderzoek is nog niet geopend', false],
        ['privacy statement', `${live.origin}/privacy`, 'Privacyverklaring', true],
        ['privacy statement in English', `${live.origin}/privacy?lang=en`, 'Privacy statement', false],
        ['not found', `${live.origin}/s/${'A'.repeat(43)}`, 'Deze link werkt niet (meer)', false],
        ['not found (malformed)', `${live.origin}/s/nope`, 'Deze link werkt niet (meer)', false],
      ] as const) {
        if (!desktop && !onPhone) continue;
        await page().goto(url);
        expect(await page().textContent('h1')).toBe(heading);
        await check(page(), `${viewport} ${name}`);
      }
      // the opt-out page linked from every mail, and its confirmation (the button pressed with the keyboard)
      await page().goto((await link()).replace('/s/', '/u/'));
      await check(page(), `${viewport} opt-out`);
      await press(page(), 'main button[type="submit"]');
      await page().waitForSelector('h1:has-text("U bent afgemeld")');
      await check(page(), `${viewport} opt-out confirmed`);
    });

    test("Veldwerk's own pages: home, the accessibility statement in both languages, an error page", async () => {
      for (const [name, path, heading, onPhone] of [
        ['home', '/', 'Veldwerk', false],
        ['accessibility statement', '/toegankelijkheid', 'Toegankelijkheidsverklaring', true],
        ['accessibility statement in English', '/toegankelijkheid?lang=en', 'Accessibility statement', false],
        ['page not found', '/no/such/page', undefined, false],
      ] as const) {
        if (!desktop && !onPhone) continue;
        await page().goto(`${live.origin}${path}`);
        if (heading) expect(await page().textContent('h1')).toBe(heading);
        await check(page(), `${viewport} ${name}`);
      }
      // the statement is reachable from every respondent page's footer
      expect(await page().getAttribute('footer a', 'href')).toMatch(/^\/toegankelijkheid/);
    });
  });
});
