import type { Knex } from 'knex';
import { Db, isPostgres } from './connection';

type Work<T> = (trx: Knex.Transaction) => Promise<T>;
interface Job {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Enough to amortise one fsync; small enough that no write waits long behind others. */
const MAX_BATCH = 100;
const groups = new WeakMap<Db, GroupCommit>();

/**
 * Runs a short write transaction: the respondent's autosave and completion.
 *
 * On SQLite every commit is an fsync (synchronous=FULL), done on the one connection and in the event loop's thread,
 * so it capped completions at about 2,400 a second before any other work. Here, the writes that arrive while one
 * transaction runs wait, and then share the next transaction and its one fsync (group commit). The caller's promise
 * settles only after that transaction committed: nothing is acknowledged before it is on disk. When one write of a
 * group fails, the group is rolled back and each of its writes is run again in its own transaction, so only the
 * failing one fails. On PostgreSQL each write is its own transaction (the server groups commits itself, and the pool
 * has several connections).
 */
export function writeTransaction<T>(db: Db, work: Work<T>): Promise<T> {
  if (isPostgres(db)) return db.transaction(work);
  let group = groups.get(db);
  if (!group) groups.set(db, (group = new GroupCommit(db)));
  return group.run(work);
}

class GroupCommit {
  private queue: Job[] = [];
  private draining = false;

  constructor(private readonly db: Db) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain()); // the writes of this turn of the event loop go together
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.commit(this.queue.splice(0, MAX_BATCH));
    this.draining = false;
  }

  private async commit(group: Job[]): Promise<void> {
    if (group.length > 1) {
      let results: unknown[] | undefined;
      try {
        results = await this.db.transaction(async (trx) => {
          const out: unknown[] = [];
          for (const job of group) out.push(await job.work(trx));
          return out;
        });
      } catch {
        // rolled back as a whole: below, each write runs alone and gets its own result or error
      }
      if (results) {
        group.forEach((job, i) => job.resolve(results[i]));
        return;
      }
    }
    for (const job of group) {
      try {
        job.resolve(await this.db.transaction(job.work));
      } catch (err) {
        job.reject(err);
      }
    }
  }
}
