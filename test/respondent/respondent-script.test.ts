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
  keepalive?: boolean;
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
    showProgressBar: 'off',
    state: 'running',
  };
  const config = {
    survey: {},
    answers: { agressie_any: 2 },
    pageNo: 0,
    locale: 'nl',
    texts: { nl: pageTexts('nl'), en: pageTexts('en') },
  };
  const element = (id: string) =>
    id === 'vw-survey'
      ? { getAttribute: () => JSON.stringify(config), querySelector: () => null }
      : id === 'vw-status'
        ? status
        : null;
  const listeners: Record<string, Array<() => void>> = {};
  const listen = (name: string, fn: () => void) => (listeners[name] ??= []).push(fn);
  const fetch = (url: string, init: { method: string; body: string; keepalive?: boolean }) => {
    calls.push({ url, method: init.method, body: init.body, keepalive: Boolean(init.keepalive) });
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
      addEventListener: listen,
      querySelector: () => null,
      querySelectorAll: () => [],
      documentElement: {},
      visibilityState: 'visible',
    },
    window: {
      addEventListener: listen,
      location: {
        pathname: '/s/abc',
        reload: () => navigations.push('reload'),
        replace: (to: string) => navigations.push(to),
      },
    },
    Survey: {
      settings: {},
      surveyLocalization: { locales: { nl: {} } },
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
  const fire = (name: string) => (listeners[name] ?? []).forEach((fn) => fn());
  return { calls, timers, navigations, status, model, fire, context };
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

describe('the respondent page keeps every answer', () => {
  test('a choice is saved at once; each save carries a higher number than the saved copy', async () => {
    const page = loadPage([]);
    page.model.data = { agressie_any: 1 };
    page.model.onValueChanged.fire(page.model, { question: { getType: () => 'radiogroup' } });
    await settle();
    expect(page.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['PUT /s/abc/progress']);
    expect(JSON.parse(page.calls[0].body)).toMatchObject({ answers: { agressie_any: 1 }, seq: 1 });
    page.model.onCurrentPageChanged.fire();
    await settle();
    expect(JSON.parse(page.calls[1].body).seq).toBe(2);
  });

  test('typing is saved after a pause, and whatever is unsaved goes out with keepalive when the page is left', async () => {
    const page = loadPage([]);
    page.model.data = { agressie_toelichting: 'net get' };
    page.model.onValueChanged.fire(page.model, { question: { getType: () => 'comment' } });
    expect(page.calls).toHaveLength(0);
    expect(page.timers.at(-1)?.ms).toBe(1200);
    page.fire('beforeunload'); // a reload before the pause ended
    page.fire('pagehide'); // … and the page goes: one request, not two
    await settle();
    expect(page.calls).toHaveLength(1);
    expect(page.calls[0].keepalive).toBe(true);
    expect(JSON.parse(page.calls[0].body)).toMatchObject({ answers: { agressie_toelichting: 'net get' }, seq: 1 });
    page.fire('pagehide'); // saved: nothing more to send
    await settle();
    expect(page.calls).toHaveLength(1);
  });

  test('after a beforeunload that led nowhere (a mailto: link), the next change is saved as usual', async () => {
    const page = loadPage([]);
    page.model.data = { agressie_toelichting: 'a' };
    page.model.onValueChanged.fire(page.model, { question: { getType: () => 'comment' } });
    page.fire('beforeunload');
    await settle();
    expect(page.calls).toHaveLength(1); // the keep-alive one
    page.model.data = { agressie_toelichting: 'a', agressie_any: 1 };
    page.model.onValueChanged.fire(page.model, { question: { getType: () => 'radiogroup' } });
    await settle();
    expect(page.calls).toHaveLength(2);
    expect(page.calls[1].keepalive).toBe(false);
    expect(JSON.parse(page.calls[1].body)).toMatchObject({ answers: { agressie_any: 1 }, seq: 2 });
  });

  test('a page left with nothing unsaved sends nothing', async () => {
    const page = loadPage([]);
    page.fire('pagehide');
    await settle();
    expect(page.calls).toHaveLength(0);
  });

  test('a second press of the final button while the first is under way sends nothing', async () => {
    let answer: (value: unknown) => void = () => undefined;
    const page = loadPage([]);
    const fetch = page.context.fetch;
    page.context.fetch = (url: string, init: { method: string; body: string }) => {
      if (init.method !== 'POST') return fetch(url, init);
      page.calls.push({ url, method: init.method, body: init.body });
      return new Promise((resolve) => (answer = resolve as (value: unknown) => void)) as ReturnType<typeof fetch>;
    };
    const first = { allow: true };
    const second = { allow: true };
    page.model.onCompleting.fire(page.model, first);
    page.model.onCompleting.fire(page.model, second);
    await settle();
    expect([first.allow, second.allow]).toEqual([false, false]);
    expect(page.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    answer({ status: 201, ok: true, headers: { get: () => null }, json: () => Promise.resolve({}) });
    await settle();
    expect(page.navigations).toEqual(['/s/abc']);
  });
});
