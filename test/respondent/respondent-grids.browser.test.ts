/**
 * Grids that fit: on every page of every shipped questionnaire version, with every question shown (routing set aside),
 * every answer option and every column header lies inside the window and inside its table's visible area, at 1024,
 * 1280 and 1440 px wide and on a 360 px phone (where grids stack). Measured from the element boxes chromium lays out,
 * as a respondent would notice: an option that needs a sideways scroll to be seen is a failure.
 */
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { describeBrowser, guardOrigin, LiveApp, screenshot, settle, withLiveBrowser } from '../helpers/browser';

jest.setTimeout(600_000);

const WIDTHS: Array<[string, BrowserContextOptions]> = [
  ['1024', { viewport: { width: 1024, height: 768 } }],
  ['1280', { viewport: { width: 1280, height: 800 } }],
  ['1440', { viewport: { width: 1440, height: 900 } }],
  ['360', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 }],
];

interface Problem {
  page: string;
  question: string;
  what: string;
  box: string;
}

describeBrowser('every answer option is visible without scrolling sideways', () => {
  let live: LiveApp;
  let browser: Browser;
  withLiveBrowser((l, b) => ([live, browser] = [l, b]));

  const versions = () => live.registry.list().map((q) => q.id);

  test.each(WIDTHS)('at %s px, every page of every questionnaire', async (width, options) => {
    const problems: string[] = [];
    const context = await browser.newContext(options);
    guardOrigin(context, live.origin);
    const page = await context.newPage();
    for (const id of versions()) {
      const wave = await live.wave({ name: `Raster ${id} ${width}`, questionnaireId: id, keptAttributes: [] });
      const [token] = await live.invite(wave);
      await page.goto(`${live.origin}/s/${token}`);
      await page.waitForSelector('.sd-question');
      const pageCount = await page.evaluate(() => {
        const model = (window as unknown as { veldwerkSurvey: any }).veldwerkSurvey;
        model.showInvisibleElements = true; // every question, whatever the routing would show
        return model.visiblePages.length;
      });
      for (let n = 0; n < pageCount; n++) {
        await page.evaluate((no) => {
          (window as unknown as { veldwerkSurvey: any }).veldwerkSurvey.currentPageNo = no;
        }, n);
        await page.waitForFunction(
          (no) => (window as unknown as { veldwerkSurvey: any }).veldwerkSurvey.currentPageNo === no,
          n,
        );
        await settle(page);
        const found: Problem[] = await page.evaluate((wide) => {
          const out: Array<{ page: string; question: string; what: string; box: string }> = [];
          const model = (window as unknown as { veldwerkSurvey: any }).veldwerkSurvey;
          const vw = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth > vw + 1)
            out.push({
              page: model.currentPage.name,
              question: '-',
              what: `the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw})`,
              box: '',
            });
          const describe = (el: Element) =>
            (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40) || el.className;
          for (const q of Array.from(document.querySelectorAll('.sd-question[data-name]'))) {
            const name = q.getAttribute('data-name') ?? '?';
            // what a respondent must see: each option with its label, each grid header and each grid cell's button
            const items = q.querySelectorAll(
              '.sd-item, .sd-matrix__cell, .sd-table__cell--header, .sd-table__cell--row-text, .sd-item__decorator, input[type="text"], textarea, select, .sd-dropdown',
            );
            for (const el of Array.from(items)) {
              const r = el.getBoundingClientRect();
              if (r.width === 0 && r.height === 0) continue; // not rendered (a stacked grid's hidden header)
              // every scrolling ancestor must show it whole
              let clipped = r.left < -0.5 || r.right > vw + 0.5;
              for (let a = el.parentElement; a && !clipped; a = a.parentElement) {
                const style = getComputedStyle(a);
                if (!/(auto|scroll|hidden)/.test(style.overflowX)) continue;
                const box = a.getBoundingClientRect();
                if (r.left < box.left - 0.5 || r.right > box.right + 0.5) clipped = true;
                if (a.scrollWidth > a.clientWidth + 1 && /(auto|scroll)/.test(style.overflowX)) clipped = true;
              }
              if (clipped)
                out.push({
                  page: model.currentPage.name,
                  question: name,
                  what: describe(el),
                  box: `${Math.round(r.left)}–${Math.round(r.right)} of ${vw}`,
                });
            }
          }
          // long row labels wrap, but a grid row stays readable: at most four lines on a desktop window
          if (wide)
            for (const cell of Array.from(document.querySelectorAll('.sd-table__cell--row-text'))) {
              const text = cell.querySelector('.sv-string-viewer') ?? cell;
              const lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
              const lines = Math.round(text.getBoundingClientRect().height / lineHeight);
              if (lines > 4)
                out.push({
                  page: model.currentPage.name,
                  question: cell.closest('[data-name]')?.getAttribute('data-name') ?? '?',
                  what: `row label in ${lines} lines: ${describe(cell)}`,
                  box: '',
                });
            }
          return out;
        }, width !== '360');
        if (found.length > 0) {
          await screenshot(page, `grid-${id}-${width}-page${n}`);
          const byQuestion = new Map<string, Problem>();
          for (const p of found) if (!byQuestion.has(p.question)) byQuestion.set(p.question, p);
          for (const p of byQuestion.values())
            problems.push(
              `${id} ${p.page} ${p.question}: "${p.what}" at ${p.box} (${found.filter((f) => f.question === p.question).length} boxes)`,
            );
        }
      }
    }
    await context.close();
    expect(problems).toEqual([]);
  });
});
