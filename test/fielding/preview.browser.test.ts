/**
 * The administrators' preview in chromium: every page can be looked at without answering (Next goes on, nothing is
 * checked), a list of the pages jumps straight to one, Back returns, ?page=N opens at a page, and a link leads back to
 * the wave. Nothing is stored.
 */
import { describeBrowser, useSignedInBrowser } from '../helpers/browser';

jest.setTimeout(90_000);

describeBrowser("the administrators' preview", () => {
  const b = useSignedInBrowser();

  const currentPage = () =>
    b.page.evaluate(
      () => (window as unknown as { veldwerkSurvey: { currentPageNo: number } }).veldwerkSurvey.currentPageNo,
    );

  test('pages without answering, a list to jump, Back, ?page=N, and the way back to the wave', async () => {
    const { live, page } = b;
    const wave = await live.wave({ name: 'Voorbeeldgolf', questionnaireId: 'miv-politieke-ambtsdragers@2024.1' });
    await page.goto(`${live.origin}/admin/waves/${wave.id}/preview?lang=en`);
    await page.waitForSelector('.sd-question');
    await b.check('preview');
    const pages = await page.$$eval('#vw-preview-pages button', (buttons) => buttons.map((b) => b.textContent ?? ''));
    expect(pages.length).toBeGreaterThan(2);
    expect(pages[0]).toMatch(/^1\. /);

    // Next without a single answer: no error, the next page
    await page.click('input.sd-navigation__next-btn');
    await page.waitForFunction(
      () => (window as unknown as { veldwerkSurvey: { currentPageNo: number } }).veldwerkSurvey.currentPageNo === 1,
    );
    expect(await page.$('.sd-question__erbox:not(:empty)')).toBeNull();
    expect(await page.getAttribute('#vw-preview-pages li:nth-child(2) button', 'aria-current')).toBe('page');

    // straight to the last page listed, then Back (the browser's) to the one before
    const last = pages.length;
    await page.click(`#vw-preview-pages li:nth-child(${last}) button`);
    expect(await currentPage()).toBe(last - 1);
    await page.goBack();
    await page.waitForFunction(
      () => (window as unknown as { veldwerkSurvey: { currentPageNo: number } }).veldwerkSurvey.currentPageNo === 1,
    );

    // an address opens a page of its own; the link leads back to the wave
    await page.goto(`${live.origin}/admin/waves/${wave.id}/preview?page=2`);
    await page.waitForSelector('.sd-question');
    expect(await currentPage()).toBe(1);
    await page.click('a:has-text("Terug naar de golf")');
    await page.waitForURL((url) => url.pathname === `/admin/waves/${wave.id}`);
    expect(await live.db('progress')).toHaveLength(0);
    expect(await live.db('responses')).toHaveLength(0);
    expect(b.foreign).toEqual([]);
  });
});
