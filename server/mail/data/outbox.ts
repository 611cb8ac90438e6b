import type { Knex } from 'knex';
import type { Db } from '../../shared/data/connection';
import { deleteWaveDevMail } from './dev-mailbox';

export type OutboxKind = 'invite' | 'remind';
export type OutboxState = 'pending' | 'sent' | 'bounced' | 'failed' | 'cancelled';

export interface OutboxRow {
  id: number;
  wave_id: string;
  invitation_id: string;
  kind: OutboxKind;
  language: string;
  state: OutboxState;
  pending_key: string | null;
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  lease_token: string | null;
  last_error: string | null;
  delivered_via: string | null;
  created_at: string;
  sent_at: string | null;
}

/** rows changed by a raw write: pg gives rowCount, better-sqlite3 changes */
function changed(result: unknown): number {
  const r = result as { rowCount?: number; changes?: number };
  return Number(r.rowCount ?? r.changes ?? 0);
}

const TARGETS: Record<OutboxKind, string> = {
  // the invitations marked queued by markInvitationMailsQueued (and any queued one whose row went missing)
  invite: "mail_state = 'queued' and opted_out = ? and email is not null and token_hash is not null and status <> 'completed'",
  // already invited, not completed, not opted out
  remind: "mail_state = 'sent' and opted_out = ? and email is not null and token_hash is not null and status <> 'completed'",
};

/**
 * Adds one pending message per target invitation of the wave, in one statement. The unique pending_key (the invitation
 * id while a message is pending) keeps a second pending message for the same person out, also when two
 * administrators press the button at the same moment. Returns the number of rows added.
 */
/** Whom a reminder is for: everyone invited who has not completed, or only those who have not started or only those who have. */
export type ReminderAudience = 'all' | 'not-started' | 'started';
const AUDIENCE: Record<ReminderAudience, string> = { all: '', 'not-started': " and status = 'invited'", started: " and status = 'started'" };
/** a reminder queued or sent to the person since the cutoff (the minimum interval between two reminders) */
const REMINDED_SINCE = "exists (select 1 from outbox r where r.invitation_id = invitations.id and r.kind = 'remind' and r.state in ('pending', 'sent') and r.created_at >= ?)";

export async function queueMessages(db: Db, waveId: string, kind: OutboxKind, now: Date, reminders: { audience: ReminderAudience; remindedSince: Date } = { audience: 'all', remindedSince: now }, dueAt: Date = now): Promise<number> {
  const at = now.toISOString();
  const due = dueAt.toISOString();
  const remindOnly = kind === 'remind' ? `${AUDIENCE[reminders.audience]} and not ${REMINDED_SINCE}` : '';
  const result = await db.raw(
    `insert into outbox (wave_id, invitation_id, kind, language, state, pending_key, attempts, next_attempt_at, created_at)
     select wave_id, id, ?, language, 'pending', id, 0, ?, ? from invitations
     where wave_id = ? and ${TARGETS[kind]}${remindOnly}
     on conflict (pending_key) do nothing`,
    kind === 'remind' ? [kind, due, at, waveId, false, reminders.remindedSince.toISOString()] : [kind, due, at, waveId, false],
  );
  return changed(result);
}

/** Of the wave's reminder targets (audience as given), how many had a reminder since the cutoff. */
export async function countRecentlyReminded(db: Db, waveId: string, audience: ReminderAudience, remindedSince: Date): Promise<number> {
  const rows = await db.raw(`select count(*) as n from invitations where wave_id = ? and ${TARGETS.remind}${AUDIENCE[audience]} and ${REMINDED_SINCE}`, [waveId, false, remindedSince.toISOString()]);
  const first = (Array.isArray(rows) ? rows[0] : (rows as { rows: unknown[] }).rows[0]) as { n: number | string } | undefined;
  return Number(first?.n ?? 0);
}

/**
 * Claims up to `limit` due rows for one worker: a conditional UPDATE sets a lease (locked_until, lease_token) on rows
 * that are pending, due and not leased. The conditions are repeated on the updated row, so if two workers ever reach
 * the same row on PostgreSQL the second re-checks it after the first commits and leaves it; on SQLite the write lock
 * serialises the two statements. Returns the claimed rows.
 */
export async function claimDue(db: Db, opts: { now: Date; leaseUntil: Date; leaseToken: string; limit: number }): Promise<OutboxRow[]> {
  const now = opts.now.toISOString();
  const lease = { locked_until: opts.leaseUntil.toISOString(), lease_token: opts.leaseToken };
  if (db.client.config.client === 'pg') {
    // PostgreSQL: the due rows are picked once (a MATERIALIZED CTE, so the planner cannot run the LIMIT twice) and
    // locked with SKIP LOCKED, so parallel workers take different rows instead of queueing behind each other
    const result = await db.raw(
      `with due as materialized (
         select id from outbox
         where state = 'pending' and next_attempt_at <= ? and (locked_until is null or locked_until < ?)
         order by next_attempt_at, id limit ? for update skip locked)
       update outbox set locked_until = ?, lease_token = ?, attempts = outbox.attempts + 1
       from due where outbox.id = due.id and outbox.state = 'pending' and (outbox.locked_until is null or outbox.locked_until < ?)
       returning outbox.*`,
      [now, now, opts.limit, lease.locked_until, lease.lease_token, now],
    );
    return (result.rows as OutboxRow[]).sort((a, b) => a.id - b.id);
  }
  const free = (q: Knex.QueryBuilder) => q.where('state', 'pending').andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now));
  const due = free(db('outbox').select('id').where('next_attempt_at', '<=', now)).orderBy([{ column: 'next_attempt_at' }, { column: 'id' }]).limit(opts.limit);
  const rows = await free(db('outbox').whereIn('id', due)).update({ ...lease, attempts: db.raw('attempts + 1') }, '*');
  return (rows as OutboxRow[]).sort((a, b) => a.id - b.id);
}

/** Extends the lease on those of `ids` this claim still holds; returns the ids it holds. */
export async function extendLease(db: Db, leaseToken: string, ids: number[], leaseUntil: Date): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db('outbox').whereIn('id', ids).where({ lease_token: leaseToken, state: 'pending' }).update({ locked_until: leaseUntil.toISOString() }, ['id']);
  return (rows as Array<{ id: number }>).map((r) => Number(r.id));
}

/** Gives rows this claim did not get to back at once (a stopping worker): not counted as an attempt. */
export async function releaseLease(db: Db, leaseToken: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db('outbox')
    .where({ lease_token: leaseToken, state: 'pending' })
    .whereIn('id', ids)
    .update({ locked_until: null, lease_token: null, attempts: db.raw('attempts - 1') });
}

/**
 * Records that the server accepted these messages, and for invitation mails that the invitation was mailed: one
 * atomic write (on PostgreSQL a single statement, one round trip), so the worker can commit the marks of several
 * connections at once. Whatever else happened to a row meanwhile, the server accepted it, so the record says sent.
 */
export async function markSent(db: Db, rows: Array<{ id: number; invitation_id: string; kind: OutboxKind }>, now: Date, via: 'smtp' | 'dev-mailbox'): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  const sent = { state: 'sent', sent_at: now.toISOString(), pending_key: null, locked_until: null, lease_token: null, delivered_via: via, last_error: null };
  if (db.client.config.client === 'pg') {
    await db.raw(
      `with s as (update outbox set state = ?, sent_at = ?, pending_key = null, locked_until = null, lease_token = null, delivered_via = ?, last_error = null
                  where id = any(?) returning invitation_id, kind)
       update invitations set mail_state = 'sent' from s
       where invitations.id = s.invitation_id and s.kind = 'invite' and invitations.mail_state in ('none', 'queued')`,
      [sent.state, sent.sent_at, via, ids],
    );
    return;
  }
  const invited = rows.filter((r) => r.kind === 'invite').map((r) => r.invitation_id);
  await db.transaction(async (trx) => {
    await trx('outbox').whereIn('id', ids).update(sent);
    if (invited.length) await trx('invitations').whereIn('id', invited).whereIn('mail_state', ['none', 'queued']).update({ mail_state: 'sent' });
  });
}

/** Ends a row in bounced, failed or cancelled, if this claim still holds it. Returns false when it did not. */
export async function finishRow(db: Db, id: number, leaseToken: string | null, state: 'bounced' | 'failed' | 'cancelled', error: string): Promise<boolean> {
  const q = db('outbox').where({ id, state: 'pending' });
  if (leaseToken) q.where({ lease_token: leaseToken });
  const n = await q.update({ state, pending_key: null, locked_until: null, lease_token: null, last_error: error.slice(0, 500) });
  return n === 1;
}

/** Puts a row back for a later attempt after a temporary failure, if this claim still holds it. */
export async function scheduleRetry(db: Db, id: number, leaseToken: string, nextAttemptAt: Date, error: string): Promise<void> {
  await db('outbox')
    .where({ id, lease_token: leaseToken, state: 'pending' })
    .update({ next_attempt_at: nextAttemptAt.toISOString(), locked_until: null, lease_token: null, last_error: error.slice(0, 500) });
}

/** Cancels the pending messages of an invitation (opt-out); returns how many. */
export async function cancelPendingFor(db: Db, invitationId: string, reason: string): Promise<number> {
  return db('outbox')
    .where({ invitation_id: invitationId, state: 'pending' })
    .update({ state: 'cancelled', pending_key: null, locked_until: null, lease_token: null, last_error: reason });
}

/** An outbox row with what the worker needs to decide and send: the person and the wave. */
export interface SendContextRow extends Pick<OutboxRow, 'id' | 'wave_id' | 'invitation_id' | 'kind' | 'language' | 'state' | 'attempts' | 'lease_token'> {
  email: string | null;
  name: string | null;
  opted_out: boolean | number;
  status: string;
  token_hash: string | null;
  link_generation: number;
  closes_on: string;
  closed_at: string | null;
  purged_at: string | null;
  title_nl: string;
  title_en: string;
}

/** A claimed row with what its message needs, read right before sending (so a fresh opt-out is seen). */
export async function findSendContext(db: Db, id: number): Promise<SendContextRow | undefined> {
  return db('outbox as o')
    .join('invitations as i', 'i.id', 'o.invitation_id')
    .join('waves as w', 'w.id', 'o.wave_id')
    .join('questionnaire_versions as q', 'q.id', 'w.questionnaire_id')
    .where('o.id', id)
    .first(
      'o.id', 'o.wave_id', 'o.invitation_id', 'o.kind', 'o.language', 'o.state', 'o.attempts', 'o.lease_token',
      'i.email', 'i.name', 'i.opted_out', 'i.status', 'i.token_hash', 'i.link_generation',
      'w.closes_on', 'w.closed_at', 'w.purged_at', 'q.title_nl', 'q.title_en',
    );
}

export interface OutboxCounts { pending: number; sent: number; bounced: number; failed: number; cancelled: number }

export async function countOutbox(db: Db, waveId: string): Promise<OutboxCounts & { byKind: Record<string, OutboxCounts> }> {
  const rows: Array<{ kind: string; state: OutboxState; n: number | string }> = await db('outbox')
    .where({ wave_id: waveId })
    .select('kind', 'state')
    .count({ n: '*' })
    .groupBy('kind', 'state');
  const empty = (): OutboxCounts => ({ pending: 0, sent: 0, bounced: 0, failed: 0, cancelled: 0 });
  const total = empty();
  const byKind: Record<string, OutboxCounts> = { invite: empty(), remind: empty() };
  for (const r of rows) {
    total[r.state] += Number(r.n);
    (byKind[r.kind] ??= empty())[r.state] += Number(r.n);
  }
  return { ...total, byKind };
}

/** Pending rows of any wave (the worker's "is there work" check). */
export async function countPending(db: Db, opts: { dueBy?: Date } = {}): Promise<number> {
  const q = db('outbox').where({ state: 'pending' });
  if (opts.dueBy) q.where('next_attempt_at', '<=', opts.dueBy.toISOString());
  const row = await q.count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Purge: every message row of the wave, and the wave's messages in the development mailbox. */
export async function deleteWaveOutbox(db: Db, waveId: string): Promise<number> {
  await deleteWaveDevMail(db, waveId);
  return db('outbox').where({ wave_id: waveId }).delete();
}

const NO_PENDING = "not exists (select 1 from outbox p where p.pending_key = invitations.id)";

/** How many messages queueMessages would add now (for the confirmation before it): the same conditions, counted. */
export async function countMailTargets(db: Db, waveId: string, kind: OutboxKind, reminders: { audience: ReminderAudience; remindedSince: Date }): Promise<number> {
  const invite = "mail_state in ('none', 'queued') and opted_out = ? and email is not null and token_hash is not null and status <> 'completed'";
  const where = kind === 'invite' ? invite : `${TARGETS.remind}${AUDIENCE[reminders.audience]} and not ${REMINDED_SINCE}`;
  const bindings = kind === 'invite' ? [waveId, false] : [waveId, false, reminders.remindedSince.toISOString()];
  const rows = await db.raw(`select count(*) as n from invitations where wave_id = ? and ${where} and ${NO_PENDING}`, bindings);
  const first = (Array.isArray(rows) ? rows[0] : (rows as { rows: unknown[] }).rows[0]) as { n: number | string } | undefined;
  return Number(first?.n ?? 0);
}

/** Every message row of one invitation, newest first (the per-person mail history). */
export async function listOutboxOf(db: Db, invitationId: string): Promise<OutboxRow[]> {
  return db<OutboxRow>('outbox').where({ invitation_id: invitationId }).orderBy('id', 'desc');
}

/** Queues one message for one person, due at `dueAt`; none when one is already pending for them. Returns 1 or 0. */
export async function queueMessageFor(db: Db, p: { waveId: string; invitationId: string; kind: OutboxKind; language: string; now: Date; dueAt: Date }): Promise<number> {
  const result = await db.raw(
    `insert into outbox (wave_id, invitation_id, kind, language, state, pending_key, attempts, next_attempt_at, created_at)
     values (?, ?, ?, ?, 'pending', ?, 0, ?, ?) on conflict (pending_key) do nothing`,
    [p.waveId, p.invitationId, p.kind, p.language, p.invitationId, p.dueAt.toISOString(), p.now.toISOString()],
  );
  return changed(result);
}

/** The language of an invitation's messages still waiting to go out (after the person's language changed). */
export async function setPendingLanguage(db: Db, invitationId: string, language: string): Promise<number> {
  return db('outbox').where({ invitation_id: invitationId, state: 'pending' }).update({ language });
}

/** Messages of the wave waiting for a later moment (scheduled, never tried yet): per kind and due moment. */
export async function listScheduled(db: Db, waveId: string, now: Date): Promise<Array<{ kind: OutboxKind; due: string; n: number }>> {
  const rows = (await db('outbox')
    .where({ wave_id: waveId, state: 'pending', attempts: 0 })
    .where('next_attempt_at', '>', now.toISOString())
    .select('kind', 'next_attempt_at')
    .count({ n: '*' })
    .groupBy('kind', 'next_attempt_at')
    .orderBy('next_attempt_at')) as Array<{ kind: OutboxKind; next_attempt_at: string; n: number | string }>;
  return rows.map((r) => ({ kind: r.kind, due: r.next_attempt_at, n: Number(r.n) }));
}

/** Cancels the wave's scheduled messages of a kind that are not yet due; returns the invitation ids they were for. */
export async function cancelScheduled(db: Db, waveId: string, kind: OutboxKind, now: Date, reason: string): Promise<string[]> {
  const rows = await db('outbox')
    .where({ wave_id: waveId, kind, state: 'pending', attempts: 0 })
    .where('next_attempt_at', '>', now.toISOString())
    .update({ state: 'cancelled', pending_key: null, locked_until: null, lease_token: null, last_error: reason }, ['invitation_id']);
  return (rows as Array<{ invitation_id: string }>).map((r) => r.invitation_id);
}
