// survey-core's verdicts off the event loop: a few worker threads (verdict-worker.ts), each holding a survey-core
// Model per definition, so one slow validation (a large definition costs survey-core tens of milliseconds) never
// stalls other respondents. Jobs go to the worker with the fewest in flight; a worker that spends longer than
// JOB_TIMEOUT_MS on one job is ended and replaced, and its jobs answer "could not be checked".
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ValidationResult } from './survey-verdict';
import type { VerdictJob, VerdictReply } from './verdict-worker';
import { message } from './validator-messages';
import type { Locale } from '../shared/locale';

const JOB_TIMEOUT_MS = 10_000;

interface Pending {
  resolve: (r: ValidationResult) => void;
  locale: Locale;
}

class PoolWorker {
  readonly worker: Worker;
  readonly known = new Set<string>();
  readonly pending = new Map<number, Pending>();
  private watchdog: NodeJS.Timeout | null = null;
  /** the worker has loaded survey-core (its start does not count against a job's time limit) */
  private ready = false;
  /** (Re)starts the time limit of the job the worker is on; none while it is idle or still starting. */
  arm(timeoutMs: number): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    if (!this.ready) return;
    // a verdict that runs away (a pathological expression) ends its worker; a fresh one takes over
    if (this.pending.size > 0)
      this.watchdog = setTimeout(() => {
        this.onExit(this); // out of the pool at once: no further job goes to a worker that is ending
        void this.worker.terminate();
      }, timeoutMs);
  }
  constructor(
    private readonly onExit: (w: PoolWorker) => void,
    private readonly timeoutMs: number,
  ) {
    const file = path.join(__dirname, `verdict-worker${path.extname(__filename)}`);
    // from TypeScript sources (tests, npm run cli) the worker registers the same compiler the main thread uses
    this.worker = file.endsWith('.ts')
      ? new Worker(`require('@swc-node/register'); require(${JSON.stringify(file)});`, { eval: true })
      : new Worker(file);
    this.worker.unref();
    this.worker.on('message', (reply: VerdictReply | 'ready') => {
      if (reply === 'ready') {
        this.ready = true;
        this.arm(this.timeoutMs);
        return;
      }
      const p = this.pending.get(reply.job);
      if (!p) return;
      this.pending.delete(reply.job);
      this.arm(this.timeoutMs); // the next job in this worker's queue starts now
      if (this.pending.size === 0) this.worker.unref();
      p.resolve(reply.result);
    });
    const fail = () => {
      for (const p of this.pending.values()) p.resolve(internalError(p.locale));
      this.pending.clear();
      this.arm(this.timeoutMs);
      onExit(this);
    };
    this.worker.on('error', fail);
    this.worker.once('exit', fail);
  }
}

function internalError(locale: Locale): ValidationResult {
  return { ok: false, errors: [{ name: '', message: message('internal', locale) }] };
}

export class VerdictPool {
  private workers: PoolWorker[] = [];
  private nextJob = 1;
  private closed = false;
  constructor(
    private readonly size = Math.max(1, Math.min(4, os.availableParallelism() - 1)),
    private readonly timeoutMs = JOB_TIMEOUT_MS,
  ) {}

  private spawn(): PoolWorker {
    const w = new PoolWorker((dead) => {
      this.workers = this.workers.filter((x) => x !== dead);
    }, this.timeoutMs);
    this.workers.push(w);
    return w;
  }

  private pick(): PoolWorker {
    if (this.workers.length < this.size) {
      const idle = this.workers.find((w) => w.pending.size === 0);
      return idle ?? this.spawn();
    }
    return this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  /** survey-core's verdict (with the strict checks) on `body` for the definition registered as `definition`. */
  run(definition: string, json: object, body: unknown, locale: Locale, complete: boolean): Promise<ValidationResult> {
    if (this.closed) return Promise.resolve(internalError(locale));
    const w = this.pick();
    const job = this.nextJob++;
    const msg: VerdictJob = { job, definition, body, locale, complete };
    if (!w.known.has(definition)) {
      msg.json = json;
      w.known.add(definition);
    }
    return new Promise((resolve) => {
      w.pending.set(job, { resolve, locale });
      if (w.pending.size === 1) w.arm(this.timeoutMs);
      w.worker.ref();
      try {
        w.worker.postMessage(msg);
      } catch {
        w.pending.delete(job);
        resolve(internalError(locale));
      }
    });
  }

  /** Ends the workers (tests, shutdown); later jobs answer "could not be checked". */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }
}

let shared: VerdictPool | null = null;
/** The process's pool, made on first use. */
export function sharedVerdictPool(): VerdictPool {
  shared ??= new VerdictPool();
  return shared;
}
