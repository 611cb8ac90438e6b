import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { pageTexts } from '../../server/shared/i18n';

// server/public/respondent.js run against a minimal stand-in for the page and SurveyJS (this machine has no browser;
// the *.browser.test.ts suites run the real page where /usr/bin/chromium exists). The server side of a 503 is test/shared/database-faults.test.ts.
const SCRIPT = fs.readFileSync(path.join(__dirname, '..', '..', 'server', 'public', 'respondent.js'), 'utf8');

interface Call {
  url: string;
  method: string;
  body: string;
}
type Reply = { status: number; headers?: Record<string, string>; body?: unknown };

function handlers() {
  const list: Array<(...args: any[]) => void> = [];
  return {
    add: (fn: (...args: any[]) => void) => list.push(fn),
    fire: (...args: any[]) => list.forEach((fn) => fn(...args)),
  };
}

function loadPage(replies: Reply[]) {
  const calls: Call[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const navigations: string[] = [];
  const status = { textContent: '', className: 'vw-status' };
  const model = {
    data: {} as Record<string, unknown>,
    locale: 'nl',
    currentPageNo: 0,
    visiblePages: [{}, {}],
    onValueChanged: handlers(),
    onCurrentPageChanged: handlers(),
    onCompleting: handlers(),
  };
  const config = {
    survey: {},
    answers: { agressie_any: 2 },
    pageNo: 0,
    locale: 'nl',
    texts: { nl: pageTexts('nl'), en: pageTexts('en') },
  };
  const element = (id: string) =>
    id === 'vw-survey' ? { getAttribute: () => JSON.stringify(config) } : id === 'vw-status' ? status : null;
  const fetch = (url: string, init: { method: string; body: string }) => {
    calls.push({ url, method: init.method, body: init.body });
    const reply = replies.shift() ?? { status: 204 };
    return Promise.resolve({
      status: reply.status,
      ok: reply.status >= 200 && reply.status < 300,
      headers: { get: (name: string) => reply.headers?.[name] ?? null },
      json: () => Promise.resolve(reply.body ?? {}),
    });
  };
  const context = {
    document: {
      getElementById: element,
      addEventListener: () => undefined,
      querySelector: () => null,
      documentElement: {},
    },
    window: {
      location: {
        pathname: '/s/abc',
        reload: () => navigations.push('reload'),
        replace: (to: string) => navigations.push(to),
      },
    },
    Survey: {
      settings: {},
      Model: function Model() {
        return model;
      },
    },
    SurveyUI: { renderSurvey: () => undefined },
    fetch,
    setTimeout: (fn: () => void, ms: number) => timers.push({ fn, ms }),
    clearTimeout: () => undefined,
    JSON,
    Number,
    Math,
    Promise,
    Error,
  };
  vm.runInNewContext(SCRIPT, context);
  return { calls, timers, navigations, status, model };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the respondent page when the server cannot save (503)', () => {
  test('an autosave keeps the answers, says so, and tries again after Retry-After, not in a loop', async () => {
    const page = loadPage([{ status: 503, headers: { 'Retry-After': '120' }, body: { error: 'x' } }, { status: 204 }]);
    page.model.data = { agressie_any: 1, agressie_toelichting: 'net getypt' };
    page.model.onCurrentPageChanged.fire();
    await settle();
    expect(page.calls).toHaveLength(1); // no immediate second request
    expect(page.status.textContent).toBe(pageTexts('nl').unavailableSave);
    expect(page.status.className).toContain('vw-status-problem');
    expect(page.navigations).toEqual([]);
    expect(page.model.data).toEqual({ agressie_any: 1, agressie_toelichting: 'net getypt' });
    const retry = page.timers.at(-1);
    expect(retry?.ms).toBe(120_000);
    retry?.fn(); // the database is back
    await settle();
    expect(page.calls).toHaveLength(2);
    expect(JSON.parse(page.calls[1].body).answers).toEqual({ agressie_any: 1, agressie_toelichting: 'net getypt' });
    expect(page.status.textContent).toBe(pageTexts('nl').saved);
    expect(page.status.className).toBe('vw-status');
  });

  test('a completion keeps the respondent on the page with their answers; sending again completes', async () => {
    const page = loadPage([
      { status: 503, headers: { 'Retry-After': '120' }, body: { error: 'x' } },
      { status: 201, body: { status: 'completed' } },
    ]);
    page.model.data = { agressie_any: 2, jaren_functie: 6 };
    const first = { allow: true };
    page.model.onCompleting.fire(page.model, first);
    await settle();
    expect(first.allow).toBe(false); // SurveyJS stays on the last page, its complete button still there
    expect(page.navigations).toEqual([]);
    expect(page.status.textContent).toBe(pageTexts('nl').unavailableSubmit);
    expect(page.model.data).toEqual({ agressie_any: 2, jaren_functie: 6 });
    page.model.onCompleting.fire(page.model, { allow: true }); // the respondent presses it again later
    await settle();
    expect(page.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /s/abc/complete', 'POST /s/abc/complete']);
    expect(JSON.parse(page.calls[1].body).answers).toEqual({ agressie_any: 2, jaren_functie: 6 });
    expect(page.navigations).toEqual(['/s/abc']);
  });
});
