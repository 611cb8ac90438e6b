/**
 * An administrator in chromium uploads a SurveyJS Creator definition: checks it, registers it, previews it, confirms
 * the variable statuses of a second version and prints the questionnaire document (A4 PDF), with axe-core (WCAG 2.1
 * A/AA) on every page of the way and nothing requested from another origin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeBrowser, screenshot, useSignedInBrowser } from '../helpers/browser';
import { werkbeleving2026, werkbeleving2027 } from './version-fixtures';

jest.setTimeout(120_000);

describeBrowser('questionnaire versions in chromium', () => {
  const b = useSignedInBrowser();
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-versions-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const check = (where: string) => b.check(where);

  async function uploadForm(version: string, definition: unknown, button: string): Promise<void> {
    const { live, page } = b;
    const file = path.join(dir, `werkbeleving-${version}.json`);
    fs.writeFileSync(file, JSON.stringify(definition, null, 2));
    await page.goto(`${live.origin}/admin/questionnaires`);
    await page.fill('#key', 'werkbeleving');
    await page.fill('#version', version);
    await page.fill('#title_nl', 'Werkbeleving');
    await page.fill('#title_en', 'Work experience');
    await page.setInputFiles('#file', file);
    await page.click(`button:has-text("${button}")`);
  }

  test('check, register, preview, confirm the statuses of the next version, print the document', async () => {
    const { live, page } = b;
    await page.click('nav >> text=Questionnaires');
    await check('questionnaire list');

    await uploadForm('2026.1', werkbeleving2026(), 'Check');
    await page.waitForSelector('text=was accepted by the check. Nothing was stored');
    await check('check report');
    await screenshot(page, 'questionnaire-check');
    expect(await live.db('questionnaire_versions').where({ key: 'werkbeleving' })).toHaveLength(0);

    await uploadForm('2026.1', werkbeleving2026(), 'Register as a new version');
    await page.waitForSelector('text=Registered werkbeleving@2026.1');
    await check('version page');

    // the preview shows the questionnaire as a respondent sees it
    await page.click('a:has-text("English")');
    await page.waitForSelector('text=Do you ever work from home?');
    await page.goBack();

    await uploadForm('2027.1', werkbeleving2027(), 'Register as a new version');
    await page.waitForSelector('text=Registered werkbeleving@2027.1');
    await page.click('a:has-text("Changes from werkbeleving@2026.1")');
    await check('changes');
    await screenshot(page, 'questionnaire-changes');
    await page.selectOption('select[name="status:werkdruk_freq"]', 'reworded');
    await page.selectOption('select[name="continues:werkdruk_freq"]', 'werkdruk');
    await page.click('button:has-text("Confirm these statuses")');
    await page.waitForSelector('text=Confirmed by beheer@example.org');
    expect(await page.inputValue('select[name="continues:werkdruk_freq"]')).toBe('werkdruk');

    await page.goto(`${live.origin}/admin/questionnaires/werkbeleving%402027.1/document`);
    await check('printable document');
    await screenshot(page, 'questionnaire-document');
    // on a 360 px phone no page of versions is wider than the screen (wide tables scroll in their own box)
    await page.setViewportSize({ width: 360, height: 740 });
    for (const p of [
      '',
      '/werkbeleving%402027.1',
      '/werkbeleving%402027.1/changes',
      '/werkbeleving%402027.1/document',
    ]) {
      await page.goto(`${live.origin}/admin/questionnaires${p}`);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect([p, scroll]).toEqual([p, client]);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('.noprint')).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(2); // each questionnaire page starts a printed page
    expect(b.foreign).toEqual([]);
  });
});
