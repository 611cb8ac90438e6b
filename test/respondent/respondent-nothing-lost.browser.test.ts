/**
 * Nothing lost, in a real browser: answers clicked just before a reload are there after it (and in the database);
 * text typed just before the tab is closed reaches the database; Back and Forward move between the questionnaire's
 * pages; a double click on the final button sends one completion.
 */
import type { Browser, Page, Request } from 'playwright-core';
import { describeBrowser, guardOrigin, LiveApp, savedProgress, waitFor, withLiveBrowser } from '../helpers/browser';

jest.setTimeout(120_000);

const NEXT = 'input.sd-navigation__next-btn';
const COMPLETE = 'input.sd-navigation__complete-btn';
const choice = (question: string, value: number) => `[data-name="${question}"] input[value="${value}"]`;
const option = (question: string, value: number) => `[data-name="${question}"] label:has(input[value="${value}"])`;

describeBrowser('no answer is lost', () => {
  let live: LiveApp;
  let browser: Browser;
  withLiveBrowser((l, b) => ([live, browser] = [l, b]));

  async function open(): Promise<{ page: Page; token: string; requests: Request[] }> {
    const wave = await live.wave({ name: `Niets kwijt ${Date.now()}` });
    const [token] = await live.invite(wave);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    guardOrigin(context, live.origin);
    const page = await context.newPage();
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    await page.goto(`${live.origin}/s/${token}`);
    await page.waitForSelector('.sd-question');
    return { page, token, requests };
  }

  const currentPage = (page: Page) =>
    page.evaluate(
      () =>
        (window as unknown as { veldwerkSurvey: { currentPage: { name: string } } }).veldwerkSurvey.currentPage.name,
    );

  const checked = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLInputElement).checked);

  test('three answers clicked and a reload at once, on a slow mobile link: all three are on the reloaded page and saved', async () => {
    const { page, token } = await open();
    // every save takes 150 ms or more to arrive: the reload comes while they are under way
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: 200_000,
      uploadThroughput: 93_750,
    });
    await page.click(option('agressie_any', 1));
    await page.waitForSelector('[data-name="agressie_kanaal"]');
    await page.click(option('agressie_kanaal', 2));
    await page.click(option('agressie_kanaal', 4));
    await page.reload(); // within milliseconds of the last click
    await page.waitForSelector('[data-name="agressie_kanaal"]');
    const saved = await waitFor('the answers in the database', async () => {
      const p = await savedProgress(live, token);
      return p && Array.isArray(p.answers.agressie_kanaal) && p.answers.agressie_kanaal.length === 2 ? p : undefined;
    });
    expect(saved.answers).toEqual({ agressie_any: 1, agressie_kanaal: [2, 4] });
    expect(await checked(page, choice('agressie_any', 1))).toBe(true);
    expect(await checked(page, choice('agressie_kanaal', 2))).toBe(true);
    expect(await checked(page, choice('agressie_kanaal', 4))).toBe(true);
    await page.context().close();
  });

  test('text typed just before the tab is closed reaches the database (keepalive on pagehide)', async () => {
    const { page, token } = await open();
    await page.click(option('agressie_any', 1));
    await page.waitForSelector('[data-name="agressie_toelichting"] textarea');
    await page.fill('[data-name="agressie_toelichting"] textarea', 'Getypt en meteen weg');
    await page.close({ runBeforeUnload: true }); // well inside the 1.2 s pause after typing
    const saved = await waitFor('the typed text in the database', async () => {
      const p = await savedProgress(live, token);
      return p?.answers.agressie_toelichting === 'Getypt en meteen weg' ? p : undefined;
    });
    expect(saved.answers).toMatchObject({ agressie_any: 1, agressie_toelichting: 'Getypt en meteen weg' });
  });

  test('Back and Forward move between the pages of the questionnaire, not away from it', async () => {
    const { page } = await open();
    const url = page.url();
    await page.click(option('agressie_any', 2));
    await page.click(NEXT);
    await page.waitForSelector('[data-name="veilig"]');
    expect(await currentPage(page)).toBe('p_veiligheid');
    await page.goBack();
    await page.waitForSelector('[data-name="agressie_any"]');
    expect(await currentPage(page)).toBe('p_ervaring');
    expect(page.url()).toBe(url);
    expect(await checked(page, choice('agressie_any', 2))).toBe(true);
    await page.goForward();
    await page.waitForSelector('[data-name="veilig"]');
    expect(await currentPage(page)).toBe('p_veiligheid');
    await page.context().close();
  });

  test('a reopened link at page 2: Back goes to page 1', async () => {
    const { page, token } = await open();
    await page.click(option('agressie_any', 2));
    await page.click(NEXT);
    await page.waitForSelector('[data-name="veilig"]');
    await waitFor('page 2 saved', async () => (await savedProgress(live, token))?.page_no === 1);
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${live.origin}/s/${token}`);
    await other.waitForSelector('[data-name="veilig"]');
    await other.goBack();
    await other.waitForSelector('[data-name="agressie_any"]');
    expect(await currentPage(other)).toBe('p_ervaring');
    await other.context().close();
    await page.context().close();
  });

  test('two tabs on one link: the older tab never overwrites the newer copy; it shows that copy and says why', async () => {
    const { page: first, token } = await open();
    const second = await first.context().newPage();
    await second.goto(first.url());
    await second.waitForSelector('.sd-question');
    await first.click(option('agressie_any', 1)); // saved first: revision 1
    await waitFor('the first tab saved', async () => (await savedProgress(live, token))?.answers.agressie_any === 1);
    await second.click(option('agressie_any', 2)); // numbered 1 too: older than what is saved
    await second.waitForFunction(() =>
      /ergens anders bewaard/.test(document.getElementById('vw-status')?.textContent ?? ''),
    );
    expect(await checked(second, choice('agressie_any', 1))).toBe(true); // the newer copy, from the first tab
    expect((await savedProgress(live, token))?.answers).toEqual({ agressie_any: 1 });
    await first.context().close();
  });

  test('a double click on the final button sends one completion', async () => {
    const { page, requests } = await open();
    await page.click(option('agressie_any', 2));
    await page.click(NEXT);
    await page.waitForSelector('[data-name="gedragscode_bekend"]');
    for (const row of ['werk', 'online', 'thuis'])
      await page.click(`[data-name="veilig"] label:has(input[name$="_${row}"][value="3"])`);
    await page.click(option('gedragscode_bekend', 1));
    await page.dblclick(COMPLETE);
    await page.waitForSelector('h1:has-text("Hartelijk dank")');
    const completions = requests.filter((r) => r.method() === 'POST' && r.url().endsWith('/complete'));
    expect(completions).toHaveLength(1);
    await page.context().close();
  });
});
