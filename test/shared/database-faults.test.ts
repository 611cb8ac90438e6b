import { openProgress, progressKey } from '../../server/respondent/progress-sealing';
// A full disk, a read-only database, a held write lock, an exhausted pool, a database that does not answer: real
// faults of the app's own database handle. Each must give 503 with a clear message, lose nothing acknowledged before,
// half-write nothing, and let the same link autosave and complete once the fault is gone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import type { Express } from 'express';
import { buildKnexConfig, DatabaseSettings } from '../../db/knex-config';
import { createApp } from '../../server/app';
import { databaseUnavailableCode } from '../../server/shared/web/errors';
import { pageTexts } from '../../server/shared/i18n';
import { databaseKinds } from '../helpers/databases';
import { DEMO_VALID, surveyConfig } from '../helpers/pages';
import { testApp, TestApp } from '../helpers/test-app';

const NL = pageTexts('nl');
const EN = pageTexts('en');
// big enough to need new database pages (a 4 kB page cannot hold it), so a full disk refuses it
const LONG = {
  agressie_any: 1,
  agressie_kanaal: [2],
  agressie_toelichting: 'b'.repeat(2000),
  opmerkingen: 'c'.repeat(4000),
};
const UNKNOWN_LINK = `/s/${'x'.repeat(43)}`;
// knex warns on the console about every connection it cannot get; the tests check the app's own log instead
const quiet = () => undefined;
const QUIET = { warn: quiet, error: quiet, debug: quiet, deprecate: quiet };

/** A real failure of the app's own database handle: switched on, and off again. */
interface Fault {
  name: string;
  /** the code the server log must name */
  code: RegExp;
  /** what /healthz answers meanwhile: 200 while the database still answers reads, 503 when it does not answer */
  health: 200 | 503;
  /** true when even reading fails, so the respondent's page itself gets the 503 page */
  readsFail?: boolean;
  /** true when small writes still fit in the free room of existing pages until that room is used up */
  fillsUp?: boolean;
  on(): Promise<void>;
  off(): Promise<void>;
}

/** The app's database handle and file, set in beforeAll; the faults act on them when a test switches them on. */
interface Target {
  db: Knex;
  sqliteFile: string;
}

function faultsFor(kind: 'sqlite' | 'postgres', target: Target): Fault[] {
  let held: Knex.Transaction | undefined;
  const poolExhausted: Fault = {
    name: 'every connection of the pool taken (knex acquire timeout)',
    code: /^KNEX_ACQUIRE_TIMEOUT$/,
    health: 503,
    readsFail: true,
    on: async () => {
      held = await target.db.transaction();
    },
    off: async () => {
      await held?.rollback();
    },
  };
  if (kind === 'postgres') {
    return [
      {
        name: 'read-only database (25006)',
        code: /^25006$/,
        health: 200,
        on: async () => {
          await target.db.raw('set default_transaction_read_only = on');
        },
        off: async () => {
          await target.db.raw('set default_transaction_read_only = off');
        },
      },
      poolExhausted,
    ];
  }
  let maxPages = 0;
  let locker: Database.Database | undefined;
  return [
    {
      name: 'full disk (max_page_count reached)',
      code: /^SQLITE_FULL$/,
      health: 200,
      fillsUp: true,
      on: async () => {
        const [{ freelist_count: free }] = await target.db.raw('pragma freelist_count');
        if (Number(free) > 0) await target.db.raw('vacuum'); // no free pages left to reuse
        const [{ max_page_count: max }] = await target.db.raw('pragma max_page_count');
        maxPages = Number(max);
        const [{ page_count: pages }] = await target.db.raw('pragma page_count');
        await target.db.raw(`pragma max_page_count = ${Number(pages)}`);
      },
      off: async () => {
        await target.db.raw(`pragma max_page_count = ${maxPages}`);
      },
    },
    {
      name: 'read-only database (query_only)',
      code: /^SQLITE_READONLY/,
      health: 200,
      on: async () => {
        await target.db.raw('pragma query_only = ON');
      },
      off: async () => {
        await target.db.raw('pragma query_only = OFF');
      },
    },
    {
      name: 'write lock held by another process past busy_timeout',
      code: /^SQLITE_BUSY/,
      health: 200,
      on: async () => {
        await target.db.raw('pragma busy_timeout = 200'); // the real 5 s, shortened to keep the test quick
        locker = new Database(target.sqliteFile);
        locker.exec('begin immediate');
      },
      off: async () => {
        locker?.exec('rollback');
        locker?.close();
        await target.db.raw('pragma busy_timeout = 5000');
      },
    },
    poolExhausted,
  ];
}

/** Settings for the app's own handle on the test database: one connection (SQLite's pool always has one). */
function appSettings(t: TestApp): DatabaseSettings {
  return t.kind === 'sqlite'
    ? { sqliteFile: t.env.SQLITE_FILE }
    : { databaseUrl: t.env.DATABASE_URL, searchPath: t.env.DATABASE_SCHEMA, poolMax: 1 };
}

function appOn(t: TestApp, db: Knex, logs: string[]): Express {
  return createApp({
    db,
    registry: t.registry,
    config: { publicUrl: 'http://veldwerk.test', logRequests: false },
    clock: () => t.now.value,
    log: (line) => logs.push(line),
  });
}

describe.each(databaseKinds())('database faults on %s', (kind) => {
  let t: TestApp;
  let appDb: Knex;
  let app: Express;
  const logs: string[] = [];
  const target = {} as Target;
  beforeAll(async () => {
    t = await testApp(kind);
    // the app under test gets its own handle (one connection), so a fault hits it and not the checks below
    appDb = knexFactory({ ...buildKnexConfig(appSettings(t)), acquireConnectionTimeout: 500, log: QUIET });
    app = appOn(t, appDb, logs);
    Object.assign(target, { db: appDb, sqliteFile: t.env.SQLITE_FILE });
  });
  afterAll(async () => {
    await appDb.destroy();
    await t.drop();
  });

  /** Everything a fault could half-write, for one wave: statuses, saved answers, responses. */
  async function snapshot(waveId: string) {
    const invitations = await t.db('invitations').where({ wave_id: waveId }).orderBy('id').select('id', 'status');
    const ids = invitations.map((i) => i.id);
    const progress = await t
      .db('progress')
      .whereIn('invitation_id', ids)
      .orderBy('invitation_id')
      .select('invitation_id', 'answers', 'page_no', 'locale');
    const responses = await t
      .db('responses')
      .where({ wave_id: waveId })
      .orderBy('id')
      .select('id', 'answers', 'attributes', 'locale', 'submitted_on');
    return { invitations, progress, responses };
  }

  /**
   * GET with a browser's Accept, again while the answer is a 404 (the miss was counted), at most `tries` times; the
   * clock moves on past each miss's 10-minute throttle window (and stays there: the misses must remain in the past).
   */
  async function browse(url: string, tries: number): Promise<request.Response> {
    for (let i = 1; ; i++) {
      const res = await request(app).get(url).set('Accept', 'text/html,application/xhtml+xml');
      if (res.status !== 404 || i >= tries) return res;
      t.now.value = new Date(t.now.value.getTime() + 11 * 60_000);
    }
  }

  const people = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      email: `p${i}@example.org`,
      attributes: { tier: 'gemeente', role: 'raadslid' },
    }));

  test.each(faultsFor(kind, target).map((f) => [f.name, f] as const))(
    '%s: 503 with a clear message, nothing lost or half-written, then the same link works',
    async (_name, fault) => {
      const wave = await t.wave();
      const [earlier, token] = await t.invite(wave, people(2));
      const link = `/s/${token}`;
      // acknowledged before the fault: one respondent's autosave, another's completion
      const saved = { agressie_any: 2, jaren_functie: 7 };
      await request(app).put(`${link}/progress`).send({ answers: saved, pageNo: 1 }).expect(204);
      await request(app).post(`/s/${earlier}/complete`).send({ answers: DEMO_VALID, locale: 'nl' }).expect(201);
      const before = await snapshot(wave.id);
      // sealed under the link's key (respondent/progress-sealing.ts): only the token opens it
      expect(
        before.progress.map((p) => JSON.parse(openProgress(progressKey(token), p.invitation_id, p.answers) ?? 'null')),
      ).toEqual([saved]);
      expect(before.responses).toHaveLength(1);
      logs.length = 0;

      await fault.on();
      try {
        for (const [lang, texts] of [
          ['', NL],
          ['?lang=en', EN],
        ] as const) {
          const autosave = await request(app)
            .put(`${link}/progress${lang}`)
            .set('Accept', 'application/json')
            .send({ answers: LONG, pageNo: 1 });
          expect(autosave.status).toBe(503);
          expect(autosave.headers['retry-after']).toBe('120');
          expect(autosave.body).toEqual({ error: texts.unavailableBody });
          // a JSON body makes it an API call, whatever it accepts (wantsJson): the page script gets JSON
          const complete = await request(app)
            .post(`${link}/complete${lang}`)
            .set('Accept', 'text/html,*/*')
            .send({ answers: { ...DEMO_VALID, ...LONG } });
          expect(complete.status).toBe(503);
          expect(complete.headers['retry-after']).toBe('120');
          expect(complete.body).toEqual({ error: texts.unavailableBody });
          // a browser asking for a page gets one: its own link when even reads fail, else an unknown link (counting the
          // miss is a write; on a full disk the first few misses still fit in pages with room, as on a real disk)
          const page = await browse(`${fault.readsFail ? link : UNKNOWN_LINK}${lang}`, fault.fillsUp ? 5000 : 1);
          expect(page.status).toBe(503);
          expect(page.headers['content-type']).toMatch(/text\/html/);
          expect(page.headers['retry-after']).toBe('120');
          expect(page.text).toContain(`<html lang="${lang ? 'en' : 'nl'}">`);
          expect(page.text).toContain(texts.unavailableTitle);
          expect(page.text).toContain(texts.unavailableBody);
          expect(page.text).not.toMatch(/SQLITE|select|insert|update|Knex|stack/i);
        }
        const health = await request(app).get('/healthz');
        expect(health.status).toBe(fault.health);
      } finally {
        await fault.off();
      }

      // nothing acknowledged is lost, nothing is half-written, no invitation completed without its response
      const during = await snapshot(wave.id);
      expect(during).toEqual(before);
      expect(during.invitations.filter((i) => i.status === 'completed')).toHaveLength(during.responses.length);
      // one log line per failure naming the code; never the token, never the answers
      const lines = logs.filter((l) => l.startsWith('database unavailable'));
      expect(lines).toHaveLength(6); // autosave, completion and page, in two languages
      for (const line of lines) {
        const m =
          /^database unavailable \((\S+)\): (GET|PUT|POST) \/s\/\[token\](\/progress|\/complete)?(\?\[query\])?$/.exec(
            line,
          );
        expect(m?.[1]).toMatch(fault.code);
      }
      expect(logs.join('\n')).not.toContain(token);
      expect(logs.join('\n')).not.toContain('cccc');
      expect(logs.some((l) => l.startsWith('error:'))).toBe(false);

      // the fault lifted: the same link shows what was saved before, then autosaves and completes
      expect(surveyConfig((await request(app).get(link).expect(200)).text)).toMatchObject({
        answers: saved,
        pageNo: 1,
      });
      await request(app).put(`${link}/progress`).send({ answers: LONG, pageNo: 1 }).expect(204);
      await request(app)
        .post(`${link}/complete`)
        .send({ answers: { ...DEMO_VALID, ...LONG }, locale: 'nl' })
        .expect(201);
      const after = await snapshot(wave.id);
      expect(after.invitations.map((i) => i.status).sort()).toEqual(['completed', 'completed']);
      expect(after.responses).toHaveLength(2);
      expect(
        after.responses
          .filter((r) => !before.responses.some((b) => b.id === r.id))
          .map((r) => JSON.parse(r.answers).opmerkingen),
      ).toEqual([LONG.opmerkingen]);
      expect(after.progress).toEqual([]);
    },
  );

  test('a database that does not answer: /healthz and the respondent get 503, not 500', async () => {
    const [token] = await t.invite(await t.wave(), people(1));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-unreachable-'));
    // SQLite: the "file" is a directory (SQLITE_CANTOPEN); PostgreSQL: nothing listens on the port (ECONNREFUSED)
    const settings: DatabaseSettings =
      kind === 'sqlite' ? { sqliteFile: dir } : { databaseUrl: 'postgres://postgres@127.0.0.1:1/test', poolMax: 1 };
    const deadDb = knexFactory({ ...buildKnexConfig(settings), acquireConnectionTimeout: 2000, log: QUIET });
    const deadLogs: string[] = [];
    const dead = appOn(t, deadDb, deadLogs);
    try {
      const health = await request(dead).get('/healthz').expect(503);
      expect(health.body).toEqual({ status: 'unavailable', database: 'down' });
      expect(health.headers['cache-control']).toBe('no-store');
      const page = await request(dead).get(`/s/${token}`).set('Accept', 'text/html').expect(503);
      expect(page.text).toContain(NL.unavailableBody);
      const autosave = await request(dead)
        .put(`/s/${token}/progress?lang=en`)
        .send({ answers: {}, pageNo: 0 })
        .expect(503);
      expect(autosave.body).toEqual({ error: EN.unavailableBody });
      const code = kind === 'sqlite' ? 'SQLITE_CANTOPEN' : 'ECONNREFUSED';
      expect(deadLogs).toEqual([
        `database unavailable (${code}): GET /s/[token]`,
        `database unavailable (${code}): PUT /s/[token]/progress?[query]`,
      ]);
    } finally {
      await deadDb.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // the app on the working database still answers
    await request(app).get('/healthz').expect(200, { status: 'ok', database: 'up' });
  });

  test('any other database error stays the plain 500 (a missing table is a bug, not a full disk)', async () => {
    const [token] = await t.invite(await t.wave(), people(1));
    logs.length = 0;
    await t.db.schema.renameTable('progress', 'progress_away');
    try {
      const res = await request(app)
        .put(`/s/${token}/progress`)
        .send({ answers: { agressie_any: 2 }, pageNo: 0 });
      expect(res.status).toBe(500);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.body).toEqual({ error: 'Internal error' });
    } finally {
      await t.db.schema.renameTable('progress_away', 'progress');
    }
    expect(logs.some((l) => l.startsWith('error: PUT /s/[token]/progress'))).toBe(true);
    expect(logs.some((l) => l.startsWith('database unavailable'))).toBe(false);
    await request(app)
      .put(`/s/${token}/progress`)
      .send({ answers: { agressie_any: 2 }, pageNo: 0 })
      .expect(204);
  });
});

describe("which database failures are the operator's problem", () => {
  test.each([
    ['SQLITE_FULL', true],
    ['SQLITE_READONLY', true],
    ['SQLITE_READONLY_DBMOVED', true],
    ['SQLITE_IOERR_FSYNC', true],
    ['SQLITE_CANTOPEN', true],
    ['SQLITE_BUSY', true],
    ['SQLITE_BUSY_SNAPSHOT', true],
    ['53100', true],
    ['53300', true],
    ['25006', true],
    ['57P01', true],
    ['57P03', true],
    ['08006', true],
    ['ECONNREFUSED', true],
    ['SQLITE_CONSTRAINT_PRIMARYKEY', false],
    ['SQLITE_ERROR', false],
    ['23505', false],
    ['42P01', false],
    ['22P02', false],
    ['ENOENT', false],
  ])('%s → %s', (code, unavailable) => {
    expect(databaseUnavailableCode(Object.assign(new Error('x'), { code })) === code).toBe(unavailable);
  });

  test('a pool that gives no connection is unavailable; a query timeout is not', () => {
    const timeout = Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), {
      name: 'KnexTimeoutError',
    });
    expect(databaseUnavailableCode(timeout)).toBe('KNEX_ACQUIRE_TIMEOUT');
    const queryTimeout = Object.assign(new Error('Defined query timeout of 1000ms exceeded when running query.'), {
      name: 'KnexTimeoutError',
    });
    expect(databaseUnavailableCode(queryTimeout)).toBeUndefined();
  });
});
