import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/shared/config';
import { openPlatform, Platform } from '../../server/platform';

/**
 * The app's SQLite connection leaves WAL checkpoints (copying the log into the database file) to a worker thread,
 * so no request waits for one. Proof that the thread does it: data committed in the log reaches the database file
 * although the app's own limit (10,000 pages) was never reached.
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
    while (fs.statSync(config.sqliteFile).size < before + 4_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(config.sqliteFile).size).toBeGreaterThan(before + 4_000_000);
    expect((await db('ballast').count({ n: '*' }).first())?.n).toBe(200);
  });
});
