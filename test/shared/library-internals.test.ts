import Database from 'better-sqlite3';
import express from 'express';
import helmet from 'helmet';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { CachingBetterSqlite3Client, SqliteConnection } from '../../db/sqlite-client';
import { openDatabase, Db } from '../../server/shared/data/connection';
import { readRows, writeTransaction } from '../../server/shared/data/group-commit';
import { ROOT } from '../helpers/run-node';
import { security } from '../../server/shared/web/security';
import { testApp, TestApp } from '../helpers/test-app';

/**
 * Veldwerk relies on a few things its libraries do not promise (README "Library internals"). If an upgrade changed
 * one, the statement cache, the group commit or the respondent fast path would silently stop working or break: each
 * test here fails when the internal is no longer there or no longer called. The four libraries are pinned exactly.
 */
describe('library internals Veldwerk relies on', () => {
  test('knex, express, helmet and better-sqlite3 are pinned to one exact version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of ['knex', 'express', 'helmet', 'better-sqlite3'])
      expect([name, pkg.dependencies[name]]).toEqual([name, expect.stringMatching(/^\d+\.\d+\.\d+$/)]);
  });

  describe('on SQLite', () => {
    let db: Db;
    beforeEach(async () => {
      db = openDatabase({});
      await db.raw('create table notes (id integer primary key, text text)');
    });
    afterEach(() => db.destroy());

    test("knex runs every query through the client's private _query (the statement cache)", async () => {
      const base = Object.getPrototypeOf(CachingBetterSqlite3Client.prototype) as { _query?: unknown };
      expect(typeof base._query).toBe('function'); // knex/lib/dialects/better-sqlite3 still has it
      const spy = jest.spyOn(CachingBetterSqlite3Client.prototype, '_query');
      try {
        await db('notes').insert({ text: 'a' });
        const rows = await db('notes').select('text');
        expect(rows).toEqual([{ text: 'a' }]);
        expect(spy).toHaveBeenCalledTimes(2);
      } finally {
        spy.mockRestore();
      }
      // and the statements it prepared are kept on the connection
      const client = db.client as unknown as {
        acquireConnection(): Promise<SqliteConnection>;
        releaseConnection(c: unknown): Promise<unknown>;
      };
      const connection = await client.acquireConnection();
      try {
        expect(
          [...(connection.statementCache?.keys() ?? [])].some((sql) => /select .*text.* from .*notes/.test(sql)),
        ).toBe(true);
      } finally {
        await client.releaseConnection(connection);
      }
    });

    test("the group commit and the hot-path reads take knex's pooled connection through client.acquireConnection", async () => {
      const client = db.client as unknown as { acquireConnection(): Promise<unknown> };
      const spy = jest.spyOn(client, 'acquireConnection');
      try {
        await writeTransaction(db, (w) => w.run('insert into notes (text) values (?)', ['b']));
        expect(spy).toHaveBeenCalledTimes(1);
        expect(await readRows(db, 'select text from notes', [])).toEqual([{ text: 'b' }]);
        expect(spy).toHaveBeenCalledTimes(2);
        // what knex hands out is the better-sqlite3 connection itself
        expect(await spy.mock.results[1].value).toBeInstanceOf(Database);
      } finally {
        spy.mockRestore();
      }
    });
  });

  test('better-sqlite3 statements tell reads from writes (reader) and connections tell an open transaction', () => {
    const sqlite = new Database(':memory:');
    try {
      sqlite.exec('create table t (x integer)');
      expect(sqlite.prepare('select x from t').reader).toBe(true);
      expect(sqlite.prepare('insert into t (x) values (1)').reader).toBe(false);
      expect(sqlite.inTransaction).toBe(false);
      sqlite.exec('begin immediate');
      expect(sqlite.inTransaction).toBe(true);
      sqlite.exec('rollback');
    } finally {
      sqlite.close();
    }
  });

  test('helmet only sets and removes headers and calls next at once (its headers are taken once for the fast path, shared/web/security.ts)', () => {
    const touched = new Set<string>();
    const res = new Proxy(
      { setHeader: () => undefined, removeHeader: () => undefined },
      {
        get(target, key) {
          touched.add(String(key));
          return (target as Record<string | symbol, unknown>)[key];
        },
      },
    );
    const next = jest.fn();
    helmet()({} as never, res as never, next);
    expect(next).toHaveBeenCalledWith();
    expect([...touched].sort()).toEqual(['removeHeader', 'setHeader']);
  });

  describe('express', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await testApp('sqlite');
    });
    afterAll(() => t.drop());

    test("express's req.ip is the address the fast path computes: the trust function given to it is used as is", async () => {
      const shared = security({ publicUrl: 'http://x', trustProxy: 'loopback' });
      const app = express().set('trust proxy', shared.trust);
      app.get('/ip', (req, res) => {
        res.json({ express: req.ip, fastPath: shared.clientAddress(req) });
      });
      const res = await request(app).get('/ip').set('X-Forwarded-For', '198.51.100.7, 203.0.113.9').expect(200);
      expect(res.body).toEqual({ express: '203.0.113.9', fastPath: '203.0.113.9' });
      const hops = security({ publicUrl: 'http://x', trustProxy: 2 });
      const two = express().set('trust proxy', hops.trust);
      two.get('/ip', (req, res) => {
        res.json({ express: req.ip, fastPath: hops.clientAddress(req) });
      });
      const res2 = await request(two).get('/ip').set('X-Forwarded-For', '198.51.100.7, 203.0.113.9').expect(200);
      expect(res2.body).toEqual({ express: '198.51.100.7', fastPath: '198.51.100.7' });
    });
  });
});
