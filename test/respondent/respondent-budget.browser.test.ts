/**
 * The weight budget of the respondent page, measured the way a respondent on a train meets it: chromium with its
 * network emulation at 1.6 Mbit/s down, 750 kbit/s up and 150 ms latency. First visit: at most 450 kB transferred
 * (compressed bytes on the wire, headers included) and the first question on screen within 4 s. Return visit (same
 * browser, the link opened again): at most 20 kB and within 1.5 s, every asset from the cache. Figures are printed
 * and written to test-artifacts/respondent-budget.json (README, "Respondent page budget").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, describeBrowser, LiveApp, withLiveBrowser } from '../helpers/browser';
import { assets } from '../../server/shared/web/assets';
import { questionnaireAssets } from '../../server/respondent/web/questionnaire-assets';

jest.setTimeout(180_000);

const MOBILE = { latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };

interface Visit {
  bytes: number;
  ms: number;
  requests: Array<{ url: string; bytes: number; fromCache: boolean; encoding?: string }>;
}

describeBrowser('respondent page budget on a throttled mobile link', () => {
  let live: LiveApp;
  let browser: Browser;
  withLiveBrowser((l, b) => ([live, browser] = [l, b]));
  const figures: Record<string, Record<string, Visit>> = {};

  beforeAll(async () => {
    // a running server compresses its assets at start (main.ts); the test waits for that instead of timing it
    await Promise.all([assets().warm(), questionnaireAssets(live.registry).warm()]);
  });
  afterAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'respondent-budget.json'), JSON.stringify(figures, null, 2));
  });

  /** Opens the link in a fresh tab of `context` on the emulated link; bytes on the wire until the page is idle. */
  async function visit(context: BrowserContext, url: string): Promise<Visit> {
    const page: Page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...MOBILE });
    const requests = new Map<string, Visit['requests'][number]>();
    cdp.on('Network.responseReceived', (e) => {
      const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      requests.set(e.requestId, {
        url: e.response.url.replace(live.origin, ''),
        bytes: 0,
        fromCache: Boolean(e.response.fromDiskCache), // the memory cache: requestServedFromCache below
        encoding: headers['content-encoding'] as string | undefined,
      });
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.fromCache = true;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.bytes = e.encodedDataLength;
    });
    const started = Date.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForSelector('.sd-question', { state: 'visible' });
    const ms = Date.now() - started;
    await page.waitForLoadState('networkidle');
    await page.close();
    const list = [...requests.values()];
    return { bytes: list.reduce((sum, r) => sum + r.bytes, 0), ms, requests: list };
  }

  test.each(['demo@1', 'miv-politieke-ambtsdragers@2024.1'])(
    '%s: first visit ≤ 450 kB and ≤ 4 s, return visit ≤ 20 kB and ≤ 1.5 s',
    async (questionnaireId) => {
      const wave = await live.wave({ name: `Budget ${questionnaireId}`, questionnaireId, keptAttributes: [] });
      const [token] = await live.invite(wave);
      const url = `${live.origin}/s/${token}`;
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 1,
      });
      // (no guardOrigin here: playwright's request routing turns chromium's HTTP cache off, and the return visit is
      // all about that cache; foreign requests are recorded instead, and there must be none)
      const foreign: string[] = [];
      context.on('request', (r) => {
        if (!r.url().startsWith(`${live.origin}/`) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      const first = await visit(context, url);
      const again = await visit(context, url);
      await context.close();
      expect(foreign).toEqual([]);
      figures[questionnaireId] = { first, again };
      const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
      console.log(
        `${questionnaireId}: first visit ${kB(first.bytes)} in ${first.ms} ms; return visit ${kB(again.bytes)} in ${again.ms} ms\n` +
          first.requests.map((r) => `  ${r.url} ${kB(r.bytes)} ${r.encoding ?? ''}`).join('\n'),
      );
      // every text asset travels compressed
      for (const r of first.requests.filter((r) => /\.(js|css)$/.test(r.url)))
        expect([r.url, r.encoding]).toEqual([r.url, 'br']);
      expect(first.bytes).toBeLessThanOrEqual(450_000);
      expect(first.ms).toBeLessThanOrEqual(4_000);
      // the return visit fetches the page itself and nothing else
      expect(again.requests.filter((r) => !r.fromCache).map((r) => r.url)).toEqual([`/s/${token}`]);
      expect(again.bytes).toBeLessThanOrEqual(20_000);
      expect(again.ms).toBeLessThanOrEqual(1_500);
    },
  );
});
