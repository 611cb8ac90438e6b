import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own. SQLite copies the write-ahead log back into the database file (a
 * checkpoint) during the commit that takes the log past its limit, and better-sqlite3 runs that in the event loop's
 * thread: under load, one commit in seven also wrote and fsynced the database file, and no request moved meanwhile
 * (removing it raised completions per second by about 13%, `npm run bench`). Here a worker thread with its own
 * connection checkpoints ten times a second whenever the log holds anything.
 *
 * The checkpoint is TRUNCATE: it copies every frame, then empties the log file. A WAL frame is a whole page image,
 * and older frames stay in the file until they are overwritten, so a copy of the `-wal` file would otherwise hold
 * earlier versions of pages: an in-progress row deleted at completion, an invitation before it was purged, and the
 * pages one completion changed together. After each truncation only the writes since the last one are in the log
 * (SECURITY.md). When a reader or writer keeps the log busy, this tick gives up after a few milliseconds and the next
 * one tries again; the app's connection keeps a larger automatic limit (db/knex-config.ts) should the worker stop.
 */
const WORKER_SOURCE = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 20');
db.pragma('secure_delete = ON');
const wal = workerData.filename + '-wal';
let lastWrite = 0;
let lastTruncate = Date.now();
const timer = setInterval(() => {
  try {
    let stat;
    try { stat = fs.statSync(wal); } catch { return; }
    if (stat.size === 0) return;
    // nothing written since the last tick (a quiet moment), the log was last emptied a while ago, or it has grown
    // large: copy it all and empty it
    const now = Date.now();
    const quiet = stat.mtimeMs === lastWrite;
    lastWrite = stat.mtimeMs;
    if (quiet || now - lastTruncate >= workerData.truncateEveryMs || stat.size > workerData.truncateAboveBytes) {
      // copy first without holding writers up (PASSIVE), so the TRUNCATE, which blocks new writers while it runs
      // (the app's group commit waits for it between turns of the loop), has next to nothing left to copy and sync
      if (!quiet) db.pragma('wal_checkpoint(PASSIVE)');
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)');
      if (result && !result.busy) {
        lastTruncate = now;
        return;
      }
    }
    // under a steady stream of writes: copy what is there (SQLite starts the log again from its beginning only when a
    // write finds all of it copied, which a steady stream rarely allows: the size above bounds it)
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // busy or locked: another checkpoint runs (another process); the next tick tries again
    if (!/^SQLITE_(BUSY|LOCKED)/.test(String(err && err.code))) parentPort.postMessage(String(err && err.code || err));
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export interface CheckpointerTiming {
  /** how often the thread looks at the log, ms */
  intervalMs?: number;
  /** under a steady stream of writes, the log is emptied at least this often, ms */
  truncateEveryMs?: number;
  /**
   * and whenever it has grown past this many bytes: under a steady stream SQLite seldom finds the whole log copied
   * when a write begins, so it keeps appending (about 40 MB a second at 2,000 completions a second on this machine),
   * and the app's own checkpoint at 10,000 pages then ran in the event loop's thread about once a second, with 20-40
   * ms of fsync each time
   */
  truncateAboveBytes?: number;
}

export function startCheckpointer(filename: string, log: (line: string) => void, timing: CheckpointerTiming = {}): Checkpointer {
  const { intervalMs = 100, truncateEveryMs = 1000, truncateAboveBytes = 4 * 1024 * 1024 } = timing;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { filename, intervalMs, truncateEveryMs, truncateAboveBytes, driver: require.resolve('better-sqlite3') },
  });
  worker.unref();
  let reported = false;
  worker.on('message', (code: string) => {
    if (!reported) log(`SQLite checkpoint failed (${code}); the app's own checkpoints take over`);
    reported = true;
  });
  worker.on('error', (err) => log(`SQLite checkpoint thread stopped: ${err.message}; the app's own checkpoints take over`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      worker.postMessage('stop');
      await exited;
    },
  };
}
