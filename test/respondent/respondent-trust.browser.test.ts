/**
 * The trust settings end to end in chromium: an administrator sets the organisation, contact and a logo on the
 * wave's respondent-page form (checked with axe-core, with and without errors), and a respondent then sees them in
 * the header and footer of the questionnaire, and on the privacy statement (axe-core again).
 */
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import {
  axeViolations,
  describeBrowser,
  describeViolations,
  guardOrigin,
  LiveApp,
  screenshot,
  withLiveBrowser,
} from '../helpers/browser';
import { addTestUser, PASSWORD } from '../helpers/signed-in';

jest.setTimeout(120_000);

/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

describeBrowser('trust settings from the admin form to the respondent page', () => {
  let live: LiveApp;
  let browser: Browser;
  withLiveBrowser((l, b) => ([live, browser] = [l, b]));
  beforeAll(async () => {
    await addTestUser(live.db, 'beheer@example.org', 'admin');
  });

  async function accessible(page: Page, where: string): Promise<void> {
    const violations = await axeViolations(page);
    expect(describeViolations(where, violations)).toBe('');
  }

  test('set on the form, seen by the respondent', async () => {
    const wave = await live.wave({ name: 'Vertrouwensgolf' });
    const [token] = await live.invite(wave);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const foreign = guardOrigin(context, live.origin);
    const page = await context.newPage();
    await page.goto(`${live.origin}/signin`);
    await page.fill('#email', 'beheer@example.org');
    await page.fill('#password', PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL((url) => url.pathname !== '/signin');

    await page.goto(`${live.origin}/admin/waves/${wave.id}`);
    await page.click('a:has-text("Respondent pages")');
    await page.waitForSelector('h1:has-text("Respondent pages of Vertrouwensgolf")');
    await accessible(page, 'respondent-page form');
    await page.fill('#organisation', 'Ministerie van Voorbeeldzaken');
    await page.fill('#contactEmail', 'geen adres');
    await page.click('button:has-text("Save")');
    await page.waitForSelector('.vw-error-summary');
    expect(await page.getAttribute('#contactEmail', 'aria-invalid')).toBe('true');
    await accessible(page, 'respondent-page form with an error');
    await page.fill('#contactEmail', 'onderzoek@voorbeeld.example');
    await page.click('button:has-text("Save")');
    await page.waitForSelector('.vw-success');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-logo-')), 'logo.png');
    fs.writeFileSync(file, PNG);
    await page.setInputFiles('#logo', file);
    await page.click('button:has-text("Upload the logo")');
    await page.waitForSelector('img[alt="The current logo"]');

    const respondent = await (
      await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
    ).newPage();
    guardOrigin(respondent.context(), live.origin);
    await respondent.goto(`${live.origin}/s/${token}`);
    await respondent.waitForSelector('.sd-question');
    expect(await respondent.textContent('header .vw-org')).toBe('Ministerie van Voorbeeldzaken');
    expect(await respondent.$eval('header img.vw-logo', (img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    expect(await respondent.textContent('footer a[href^="mailto:"]')).toBe('onderzoek@voorbeeld.example');
    await screenshot(respondent, 'respondent-trust-header');
    await respondent.click('footer a:has-text("Privacyverklaring")');
    await respondent.waitForSelector('h1:has-text("Privacyverklaring")');
    expect(await respondent.textContent('main')).toContain('in opdracht van Ministerie van Voorbeeldzaken');
    await accessible(respondent, 'privacy statement of a wave');
    expect(foreign).toEqual([]);
    await respondent.context().close();
    await context.close();
  });
});
