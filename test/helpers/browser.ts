/** Shared harness of the browser tests: Debian's chromium driven by playwright-core, the real app on an ephemeral port,
 *  axe-core in the page, a guard that records every request leaving the app's origin, and screenshots as artefacts. */
import fs from 'node:fs';
import http, { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { createEntry } from '../../server/app';
import type { MailDeps } from '../../server/mail/mail-transport';
import { openProgress, progressKey } from '../../server/respondent/progress-sealing';
import { hashToken } from '../../server/respondent/personal-tokens';
import { testApp, TestApp } from './test-app';
import { addTestUser, PASSWORD } from './signed-in';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const hasChromium = fs.existsSync(CHROMIUM);

/** `describe` when chromium is installed; otherwise `describe.skip`, with a warning that says so. */
export function describeBrowser(name: string, fn: () => void): void {
  if (hasChromium) {
    describe(name, fn);
    return;
  }
  // straight to stderr too: jest drops the console output of a file whose tests were all skipped
  const message = `browser tests skipped: ${CHROMIUM} not found`;
  console.warn(message);
  process.stderr.write(`\n${message} (${path.basename(expect.getState().testPath ?? '')})\n`);
  describe.skip(name, fn);
}

export async function launchBrowser(): Promise<Browser> {
  // playwright's own headless flag is off: the --headless switch of the brief is passed as is
  return chromium.launch({ executablePath: CHROMIUM, headless: false, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * A describe block's live app and chromium, started together before its tests and closed after them: `take` receives
 * both (assign them to the block's own variables). A block's own beforeAll, declared after, runs once they are up.
 */
export function withLiveBrowser(take: (live: LiveApp, browser: Browser) => void): void {
  let started: [LiveApp, Browser] | undefined;
  beforeAll(async () => {
    started = await Promise.all([startLiveApp(), launchBrowser()]);
    take(...started);
  });
  afterAll(async () => {
    await started?.[1].close();
    await started?.[0].close();
  });
}

/** The real app on a fresh SQLite, listening on 127.0.0.1 on a free port, with PUBLIC_URL = that address. */
export interface LiveApp extends TestApp {
  origin: string;
  server: Server;
  close(): Promise<void>;
}

export async function startLiveApp(opts: { mail?: MailDeps } = {}): Promise<LiveApp> {
  const t = await testApp('sqlite');
  // the app is built once the port is known, so the personal links it makes (pages, mail) point at this server
  let handle: (req: http.IncomingMessage, res: http.ServerResponse) => void = t.app;
  const server = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // the whole pipeline, as main.ts serves it: the respondent fast path, then express
  const entry = createEntry({
    db: t.db,
    registry: t.registry,
    config: { publicUrl: origin, logRequests: true },
    clock: () => t.now.value,
    log: (line) => t.logs.push(line),
    mail: opts.mail,
  });
  handle = entry.handle;
  return {
    ...t,
    app: entry.app,
    origin,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.drop();
    },
  };
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** where the tests' contexts get axe-core from: answered by the route below, never by the app */
const AXE_PATH = '/__e2e__/axe.min.js';

/**
 * Records every request a context makes to another origin, and aborts it so the test never leaks anything. Also
 * answers AXE_PATH on the app's origin with axe-core, so axeViolations can load it as a script the page's CSP
 * (script-src 'self') allows and chromium caches compiled.
 */
export function guardOrigin(context: BrowserContext, origin: string): string[] {
  const foreign: string[] = [];
  void context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `${origin}${AXE_PATH}`)
      return route.fulfill({
        body: AXE_SOURCE,
        contentType: 'text/javascript',
        headers: { 'Cache-Control': 'max-age=3600' },
      });
    if (url.startsWith(`${origin}/`) || url === origin || url.startsWith('data:') || url === 'about:blank')
      return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  return foreign;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Waits until no CSS transition or animation runs (SurveyJS fades questions in: colours mid-fade are not the real ones). */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
}

/** axe-core on the page once it has settled, limited to WCAG 2.1 A and AA (the context must be guardOrigin's). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await settle(page);
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: AXE_PATH });
  return page.evaluate(async (tags) => {
    const axe = (
      window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, AXE_TAGS);
}

/** A readable list of violations for a failing expectation. */
export function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The saved in-progress copy of one invitation (by its token's link), as the database holds it. */
export async function savedProgress(
  t: TestApp,
  token: string,
): Promise<{ answers: Record<string, unknown>; page_no: number; locale: string } | undefined> {
  const inv = await t
    .db('invitations')
    .where({ token_hash: hashToken(token) })
    .first();
  if (!inv) return undefined;
  const row = await t.db('progress').where({ invitation_id: inv.id }).first();
  // stored sealed under a key only the link holder has (respondent/progress-sealing.ts): the test has the link
  return row
    ? {
        answers: JSON.parse(openProgress(progressKey(token), inv.id, row.answers) ?? 'null'),
        page_no: row.page_no,
        locale: row.locale,
      }
    : undefined;
}

/** Polls until `check` returns a truthy value (conditions, not fixed sleeps). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What useSignedInBrowser gives a browser suite: the live app, one guarded page, and its checks. */
export interface SignedInBrowser {
  readonly live: LiveApp;
  readonly page: Page;
  readonly context: BrowserContext;
  /** requests that tried to leave the app's origin (each was aborted) */
  readonly foreign: string[];
  /** signs in on the page with the test password, and waits until the sign-in page is left */
  signIn(): Promise<void>;
  /** axe-core finds nothing on the page as it is now, and nothing left for another origin */
  check(where: string): Promise<void>;
}

/**
 * The frame of a suite that drives the signed-in pages: a live app (with `mail` if given), chromium, one context with
 * the origin guard, an account (`email`, role admin) and a page, signed in before the tests unless `signedIn: false`.
 * Everything is closed after the suite.
 */
export function useSignedInBrowser(
  opts: {
    email?: string;
    mail?: () => MailDeps;
    viewport?: { width: number; height: number };
    mobile?: boolean;
    signedIn?: boolean;
  } = {},
): SignedInBrowser {
  const email = opts.email ?? 'beheer@example.org';
  const state = {} as { live: LiveApp; browser: Browser; context: BrowserContext; page: Page; foreign: string[] };
  const frame: SignedInBrowser = {
    get live() {
      return state.live;
    },
    get page() {
      return state.page;
    },
    get context() {
      return state.context;
    },
    get foreign() {
      return state.foreign;
    },
    async signIn() {
      await state.page.goto(`${state.live.origin}/signin`);
      await state.page.fill('#email', email);
      await state.page.fill('#password', PASSWORD);
      await state.page.click('button:has-text("Sign in")');
      await state.page.waitForURL((url) => url.pathname !== '/signin');
    },
    async check(where) {
      expect(describeViolations(where, await axeViolations(state.page))).toBe('');
      expect(state.foreign).toEqual([]);
    },
  };
  beforeAll(async () => {
    [state.live, state.browser] = await Promise.all([startLiveApp({ mail: opts.mail?.() }), launchBrowser()]);
    await addTestUser(state.live.db, email, 'admin');
    state.context = await state.browser.newContext({
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      ...(opts.mobile ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
    });
    state.foreign = guardOrigin(state.context, state.live.origin);
    state.page = await state.context.newPage();
    if (opts.signedIn !== false) await frame.signIn();
  });
  afterAll(async () => {
    await state.context?.close();
    await state.browser?.close();
    await state.live?.close();
  });
  return frame;
}
