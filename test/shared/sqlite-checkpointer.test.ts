import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/shared/config';
import { openPlatform, Platform } from '../../server/platform';
import Database from 'better-sqlite3';
import { startCheckpointer } from '../../server/shared/data/sqlite-checkpointer';

/**
 * The app's SQLite connection leaves WAL checkpoints (copying the log into the database file) to a worker thread,
 * so no request waits for one. Proof that the thread does it: data committed in the log reaches the database file
 * although the app's own limit (10,000 pages) was never reached. The thread also empties the log (TRUNCATE) at a quiet
 * moment and at least about once a second, so that old page images do not linger in it (SECURITY.md).
 */
describe('WAL checkpoints on their own thread (SQLite)', () => {
  let dir: string;
  let platform: Platform;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-ckpt-'));
    platform = await openPlatform(loadConfig({ SQLITE_FILE: path.join(dir, 'v.sqlite'), DEMO: 'false' }));
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('committed pages reach the database file without the app checkpointing', async () => {
    const { db, config } = platform;
    expect((await db.raw('pragma wal_autocheckpoint'))[0]).toEqual({ wal_autocheckpoint: 10000 });
    await db.schema.createTable('ballast', (t) => {
      t.increments('id');
      t.text('v');
    });
    const before = fs.statSync(config.sqliteFile).size;
    for (let i = 0; i < 200; i++) await db('ballast').insert({ v: `${i}`.padEnd(20_000, 'x') }); // about 1,000 pages
    const deadline = Date.now() + 5_000;
    while (fs.statSync(config.sqliteFile).size < before + 4_000_000 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(config.sqliteFile).size).toBeGreaterThan(before + 4_000_000);
    expect((await db('ballast').count({ n: '*' }).first())?.n).toBe(200);
  });

  test('a quiet moment after writes empties the WAL file, so no old page image outlives it', async () => {
    const { db, config } = platform;
    const wal = `${config.sqliteFile}-wal`;
    for (let i = 0; i < 50; i++) await db('ballast').insert({ v: `quiet ${i}`.padEnd(5_000, 'y') });
    expect(fs.statSync(wal).size).toBeGreaterThan(0);
    const deadline = Date.now() + 5_000;
    while (fs.statSync(wal).size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(fs.statSync(wal).size).toBe(0);
    expect(fs.readFileSync(config.sqliteFile).includes('quiet 49')).toBe(true); // copied into the file first
  });

  test('under a steady stream of writes the WAL is still emptied every second or so', async () => {
    const { db, config } = platform;
    const wal = `${config.sqliteFile}-wal`;
    // SQLite reuses a log from its start after a plain checkpoint, so its file never shrinks by itself: each time the
    // file is smaller than a moment before, it was emptied (and this insert is the first thing in it again)
    let emptied = 0;
    let before = 0;
    const until = Date.now() + 3_500;
    for (let i = 0; Date.now() < until; i++) {
      await db('ballast').insert({ v: `stream ${i}`.padEnd(2_000, 'z') });
      const size = fs.existsSync(wal) ? fs.statSync(wal).size : 0;
      if (size < before) emptied++;
      before = size;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(emptied).toBeGreaterThanOrEqual(2);
  });
});

describe('the WAL under a steady stream of writes (SQLite)', () => {
  test('a log that grows past its size limit is emptied at the next tick, not left to grow until the next second', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-ckpt-size-'));
    const file = path.join(dir, 'v.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF'); // the writes' speed, not the disk's, is what this is about
    db.pragma('wal_autocheckpoint = 0'); // only the thread checkpoints
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE ballast (id INTEGER PRIMARY KEY, v TEXT)');
    // the once-a-second rule out of the way (a minute); only the size rule can keep the log small
    const checkpointer = startCheckpointer(file, () => undefined, {
      truncateEveryMs: 60_000,
      truncateAboveBytes: 512 * 1024,
    });
    const insert = db.prepare('INSERT INTO ballast (v) VALUES (?)');
    let largest = 0;
    let written = 0;
    try {
      // several MB a second, a row at a time, for 2.5 s: a plain (PASSIVE) checkpoint copies the log, but SQLite
      // starts it again from its beginning only when a write finds all of it copied, which a steady stream never does
      const until = Date.now() + 2_500;
      for (let i = 0; Date.now() < until; i++) {
        insert.run(`row ${i}`.padEnd(4_000, 'w'));
        written += 4_000;
        if (i % 20 === 0) {
          largest = Math.max(largest, fs.statSync(`${file}-wal`).size);
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    } finally {
      await checkpointer.stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // without the size rule the log held nearly all of it at the end (15 MB of 15 MB here); with it, a few ticks'
    // worth (3.5 MB), ticks that found the log busy included
    expect(largest).toBeLessThan(0.4 * written);
  });
});
