import crypto from 'node:crypto';
import type { Config } from '../shared/config';
import type { Db } from '../shared/data/connection';
import { setInvitationMailState } from '../fielding/data/invitations';
import {
  claimDue,
  countPending,
  extendLease,
  findSendContext,
  finishRow,
  markSent,
  releaseLease,
  scheduleRetry,
  SendContextRow,
} from './data/outbox';
import { dutchDay } from '../shared/calendar';
import { buildMessage } from './wave-mail';
import { classifyFailure, fromAddress, isMailAddress, MailTransport, transportFromConfig } from './mail-transport';
import { asMailLanguage, loadTemplate, MailKind, MailLanguage, MailTemplate } from './mail-templates';
import { wavePage } from '../respondent/wave-pages';
import { deriveToken, hashToken } from '../respondent/personal-tokens';

export interface MailWorkerOptions {
  db: Db;
  transport: MailTransport;
  publicUrl: string;
  from: string;
  /** messages per second for this worker, over all its connections */
  ratePerSecond: number;
  /** messages in flight at once (one per pooled connection) */
  connections: number;
  /** SMTP timeout; a whole message gets 4x this, a claim's lease 6x this, renewed while the batch runs */
  timeoutMs: number;
  log?: (line: string) => void;
  clock?: () => Date;
  /** how often an idle worker looks for due messages */
  pollMs?: number;
  /** first retry delay after a temporary failure, doubled per attempt up to retryMaxMs */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** attempts before a message that keeps failing temporarily is given up as failed */
  maxAttempts?: number;
}

export interface WorkerStats {
  sent: number;
  bounced: number;
  retried: number;
  failed: number;
  cancelled: number;
}

/** Spaces sends evenly at `perSecond`, shared by all lanes of a worker. */
class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number) {}
  async take(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

type SentRow = Pick<SendContextRow, 'id' | 'invitation_id' | 'kind'>;

/**
 * Group commit of "sent" marks: a lane waits until its message is recorded before it sends the next one, and the
 * marks of lanes that finish while a commit is running go together in the next commit (one fsync for several).
 */
class MarkBatcher {
  private queue: Array<{ row: SentRow; done: (err?: unknown) => void }> = [];
  private running = false;
  constructor(private readonly write: (rows: SentRow[]) => Promise<void>) {}

  add(row: SentRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.running) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      try {
        await this.write(batch.map((b) => b.row));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    this.running = false;
  }
}

/**
 * Sends the outbox. Each lane claims a small batch with a lease (a conditional UPDATE, see claimDue) and sends it one
 * message at a time; a row is marked sent right after the SMTP server accepted it, before its lane sends the next one
 * (marks of lanes that finish together share a commit). After a crash the leased rows come free when the lease ends;
 * only a message in flight at the crash (at most one per connection) can be sent a second time. Several workers, in
 * one process or many, never claim the same row.
 */
export class MailWorker {
  readonly via: MailTransport['via'];
  readonly transport: MailTransport;
  readonly stats: WorkerStats = { sent: 0, bounced: 0, retried: 0, failed: 0, cancelled: 0 };
  private readonly o: Required<Omit<MailWorkerOptions, 'log' | 'clock'>> & {
    log: (l: string) => void;
    clock: () => Date;
  };
  private readonly limiter: RateLimiter;
  private readonly deadlineMs: number;
  private readonly leaseMs: number;
  private readonly messageDomain: string;
  private stopping = false;
  private lanes: Promise<void>[] = [];
  private wakers = new Set<() => void>();
  private templates = new Map<string, { at: number; t: MailTemplate }>();
  private organisations = new Map<string, { at: number; name: string }>();
  private readonly marks: MarkBatcher;

  constructor(opts: MailWorkerOptions) {
    this.o = {
      pollMs: 1000,
      retryBaseMs: 30_000,
      retryMaxMs: 3_600_000,
      maxAttempts: 8,
      log: () => {},
      clock: () => new Date(),
      ...opts,
    };
    this.via = opts.transport.via;
    this.transport = opts.transport;
    this.limiter = new RateLimiter(this.o.ratePerSecond);
    this.deadlineMs = 4 * this.o.timeoutMs;
    this.leaseMs = this.deadlineMs + 2 * this.o.timeoutMs;
    this.messageDomain = fromAddress(this.o.from).split('@')[1] || 'veldwerk.invalid';
    this.marks = new MarkBatcher((rows) => markSent(this.o.db, rows, this.o.clock(), this.via));
  }

  /** Starts the lanes; they run until stop(). */
  start(): this {
    if (this.lanes.length) return this;
    this.stopping = false;
    this.lanes = Array.from({ length: this.o.connections }, () => this.lane(false));
    return this;
  }

  /** Finishes the messages in flight, gives unsent claimed rows back at once and closes the connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.all(this.lanes);
    this.lanes = [];
    await this.o.transport.close();
  }

  /** Works until no message is due (or, with waitForRetries, none is pending at all). For the CLI and the tests. */
  async drain(opts: { waitForRetries?: boolean } = {}): Promise<WorkerStats> {
    this.stopping = false;
    await Promise.all(
      Array.from({ length: this.o.connections }, () => this.lane(opts.waitForRetries ? 'pending' : 'due')),
    );
    return this.stats;
  }

  /** Looks for work now instead of at the next poll (after invite or remind in this process). */
  wake(): void {
    for (const w of this.wakers) w();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private async lane(until: false | 'due' | 'pending'): Promise<void> {
    while (!this.stopping) {
      try {
        if ((await this.batch()) === 0) {
          if (until === 'due') return;
          if (until === 'pending' && !(await this.anyPending())) return;
          await this.sleep(this.o.pollMs);
        }
      } catch (err) {
        // the database is away, say: what was claimed comes back when its lease ends
        this.o.log(`mail: worker error, trying again: ${(err as Error).message}`);
        await this.sleep(this.o.pollMs);
      }
    }
  }

  /** Claims one batch and sends it a message at a time; returns how many rows it claimed. */
  private async batch(): Promise<number> {
    const size = Math.max(1, Math.min(50, Math.ceil((this.o.ratePerSecond * 2) / this.o.connections)));
    const leaseToken = crypto.randomUUID();
    let leaseUntil = new Date(this.o.clock().getTime() + this.leaseMs);
    const rows = await claimDue(this.o.db, { now: this.o.clock(), leaseUntil, leaseToken, limit: size });
    let held = new Set(rows.map((r) => r.id));
    for (const row of rows) {
      if (this.stopping) break;
      if (!held.has(row.id)) continue;
      await this.limiter.take();
      if (this.stopping) break;
      if (this.o.clock().getTime() + this.deadlineMs + this.o.timeoutMs > leaseUntil.getTime()) {
        leaseUntil = new Date(this.o.clock().getTime() + this.leaseMs);
        held = new Set(await extendLease(this.o.db, leaseToken, [...held], leaseUntil));
        if (!held.has(row.id)) continue;
      }
      try {
        await this.process(row.id, leaseToken);
      } catch (err) {
        // a database error after the claim: the row stays leased and comes back when the lease ends
        this.o.log(`mail: message #${row.id} could not be processed: ${(err as Error).message}`);
      }
      held.delete(row.id);
    }
    await releaseLease(this.o.db, leaseToken, [...held]).catch(() => undefined);
    return rows.length;
  }

  private async anyPending(): Promise<boolean> {
    return (await countPending(this.o.db)) > 0;
  }

  private async template(waveId: string, kind: MailKind, language: MailLanguage): Promise<MailTemplate> {
    const key = `${waveId}/${kind}/${language}`;
    const cached = this.templates.get(key);
    if (cached && Date.now() - cached.at < 5000) return cached.t;
    const t = await loadTemplate(this.o.db, waveId, kind, language);
    this.templates.set(key, { at: Date.now(), t });
    return t;
  }

  /** The wave's commissioning organisation (respondent page settings), re-read like the templates. */
  private async organisation(waveId: string): Promise<string> {
    const cached = this.organisations.get(waveId);
    if (cached && Date.now() - cached.at < 5000) return cached.name;
    const name = (await wavePage(this.o.db, waveId)).organisation;
    this.organisations.set(waveId, { at: Date.now(), name });
    return name;
  }

  /** Why this message must not go out any more, if so. */
  private reasonToCancel(ctx: SendContextRow): string | undefined {
    if (ctx.opted_out) return 'opted out';
    if (!ctx.email || !ctx.token_hash || ctx.purged_at) return 'no address or link any more (purged)';
    if (ctx.status === 'completed') return 'already completed';
    if (ctx.closed_at || dutchDay(this.o.clock()) > ctx.closes_on) return 'the wave is closed';
    return undefined;
  }

  private async process(id: number, leaseToken: string): Promise<void> {
    const { db, log } = this.o;
    const ctx = await findSendContext(db, id);
    if (!ctx || ctx.state !== 'pending' || ctx.lease_token !== leaseToken) return; // no longer ours
    const label = `#${ctx.id} (${ctx.kind}, wave ${ctx.wave_id})`;
    const cancel = this.reasonToCancel(ctx);
    if (cancel) return this.end(ctx, leaseToken, 'cancelled', cancel, label);
    const token = deriveToken(ctx.invitation_id, Number(ctx.link_generation ?? 0));
    if (hashToken(token) !== ctx.token_hash) {
      return this.end(
        ctx,
        leaseToken,
        'failed',
        'the personal link cannot be rebuilt: TOKEN_SECRET is not the key the invitation was made with',
        label,
      );
    }
    if (!isMailAddress(ctx.email)) return this.end(ctx, leaseToken, 'bounced', 'not a valid e-mail address', label);
    const language = asMailLanguage(ctx.language) ?? 'nl';
    const template = await this.template(ctx.wave_id, ctx.kind, language);
    const mail = buildMessage(template, {
      to: ctx.email as string,
      name: ctx.name,
      token,
      publicUrl: this.o.publicUrl,
      closesOn: ctx.closes_on,
      survey: language === 'en' ? ctx.title_en : ctx.title_nl,
      language,
      messageId: `<veldwerk.${ctx.wave_id}.${ctx.id}@${this.messageDomain}>`,
      waveId: ctx.wave_id,
      organisation: (await this.organisation(ctx.wave_id)) || undefined,
    });
    try {
      await this.o.transport.send(
        mail,
        { waveId: ctx.wave_id, invitationId: ctx.invitation_id, token },
        AbortSignal.timeout(this.deadlineMs),
      );
    } catch (err) {
      const failure = classifyFailure(err);
      if (failure.kind === 'permanent') return this.end(ctx, leaseToken, 'bounced', failure.message, label);
      if (ctx.attempts >= this.o.maxAttempts)
        return this.end(ctx, leaseToken, 'failed', `gave up after ${ctx.attempts} attempts: ${failure.message}`, label);
      const delay = Math.min(this.o.retryBaseMs * 2 ** (ctx.attempts - 1), this.o.retryMaxMs);
      const jitter = 1 + Math.random() * 0.2;
      await scheduleRetry(db, ctx.id, leaseToken, new Date(this.o.clock().getTime() + delay * jitter), failure.message);
      this.stats.retried++;
      log(
        `mail: ${label} attempt ${ctx.attempts} failed, retry in ${Math.round((delay * jitter) / 1000)} s: ${failure.message}`,
      );
      return;
    }
    await this.marks.add(ctx);
    this.stats.sent++;
    log(`mail: ${label} ${this.o.transport.via === 'smtp' ? 'sent' : 'kept in the development mailbox (NOT sent)'}`);
  }

  private async end(
    ctx: SendContextRow,
    leaseToken: string,
    state: 'bounced' | 'failed' | 'cancelled',
    reason: string,
    label: string,
  ): Promise<void> {
    await this.o.db.transaction(async (trx) => {
      if (!(await finishRow(trx, ctx.id, leaseToken, state, reason))) return;
      if (state === 'bounced') await setInvitationMailState(trx, ctx.invitation_id, 'bounced');
      // an invitation mail that never went out can be queued again by the next invite
      else if (ctx.kind === 'invite') await setInvitationMailState(trx, ctx.invitation_id, 'none', ['queued']);
    });
    this.stats[state]++;
    this.o.log(`mail: ${label} ${state}: ${reason}`);
  }
}

/** The worker as configured (server and `npm run cli -- mail work`): SMTP when SMTP_URL is set, else the dev mailbox. */
export function mailWorkerFromConfig(
  db: Db,
  config: Pick<
    Config,
    'smtpUrl' | 'mailFrom' | 'mailConnections' | 'mailTimeoutMs' | 'mailRatePerSecond' | 'publicUrl'
  >,
  log: (line: string) => void,
): MailWorker {
  return new MailWorker({
    db,
    transport: transportFromConfig(db, config),
    publicUrl: config.publicUrl,
    from: config.mailFrom,
    ratePerSecond: config.mailRatePerSecond,
    connections: config.mailConnections,
    timeoutMs: config.mailTimeoutMs,
    log,
  });
}
