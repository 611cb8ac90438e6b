import type { Db } from '../../shared/data/connection';
import type { Writer } from '../../shared/data/group-commit';

export type InvitationStatus = 'invited' | 'started' | 'completed';

export interface InvitationRow {
  id: string;
  wave_id: string;
  token_hash: string | null;
  email: string | null;
  name: string | null;
  organisation: string | null;
  attributes: string;
  language: string;
  status: InvitationStatus;
  is_test: boolean | number;
  created_at: string;
  /** migration 003_mail; defaults on insert */
  opted_out?: boolean | number;
  mail_state?: MailState;
  /** migration 011: how many times the link was replaced (0: the first link) */
  link_generation?: number;
}

export async function insertInvitations(db: Db, rows: InvitationRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('invitations').insert(rows.slice(i, i + 200));
}

export async function findInvitationByTokenHash(db: Db, tokenHash: string): Promise<InvitationRow | undefined> {
  return db<InvitationRow>('invitations').where({ token_hash: tokenHash }).first();
}

/** Marks the invitation started; returns false (and changes nothing) when it was completed already. */
export async function markInvitationStartedUnlessCompleted(w: Writer, id: string): Promise<boolean> {
  return (await w.run("update invitations set status = 'started' where id = ? and status <> 'completed'", [id])) === 1;
}

/**
 * Marks the invitation completed if it was not yet. Returns false when another request completed it first.
 * It is the first statement of the completion's transaction.
 */
export async function claimInvitationCompletion(w: Writer, id: string): Promise<boolean> {
  return (await w.run("update invitations set status = 'completed' where id = ? and status <> 'completed'", [id])) === 1;
}

/** Participation counts of real (not test) invitations; opted_out and mail_state come from migration 003_mail. */
const COUNTS_SQL = [
  'count(*) as invited',
  "sum(case when mail_state = 'queued' then 1 else 0 end) as queued",
  "sum(case when mail_state in ('sent', 'bounced') then 1 else 0 end) as sent",
  "sum(case when mail_state = 'bounced' then 1 else 0 end) as bounced",
  'sum(case when opted_out then 1 else 0 end) as opted_out',
  "sum(case when status in ('started', 'completed') then 1 else 0 end) as started",
  "sum(case when status = 'completed' then 1 else 0 end) as completed",
].join(', ');

export interface InvitationCountsRow {
  invited: number | string;
  queued: number | string | null;
  sent: number | string | null;
  bounced: number | string | null;
  opted_out: number | string | null;
  started: number | string | null;
  completed: number | string | null;
}

const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,31}$/;

export async function countWaveInvitations(db: Db, waveId: string): Promise<InvitationCountsRow> {
  const row = await db('invitations').where({ wave_id: waveId, is_test: false }).select(db.raw(COUNTS_SQL)).first();
  return row as InvitationCountsRow;
}

/** The same counts grouped by the value of one attribute in the invitations' JSON (null: no value). */
export async function countWaveInvitationsByAttribute(
  db: Db,
  waveId: string,
  attribute: string,
): Promise<Array<InvitationCountsRow & { value: string | null }>> {
  if (!ATTRIBUTE_NAME.test(attribute)) throw new Error(`not an attribute name: ${attribute}`);
  const value = db.client.config.client === 'pg' ? db.raw('(attributes::json ->> ?) as value', [attribute]) : db.raw('json_extract(attributes, ?) as value', [`$.${attribute}`]);
  return db('invitations')
    .where({ wave_id: waveId, is_test: false })
    .select(value, db.raw(COUNTS_SQL))
    .groupByRaw('1')
    .orderByRaw('1');
}

/** The e-mail addresses already in a wave, to refuse duplicates at import. */
export async function listWaveEmails(db: Db, waveId: string): Promise<string[]> {
  const rows: Array<{ email: string }> = await db('invitations').where({ wave_id: waveId }).whereNotNull('email').select('email');
  return rows.map((r) => r.email);
}

/** Deletes every invitation of the wave (contact data and token hashes); their in-progress answers go with them. */
/** Every invitation of the wave with its current link generation (what its live link is derived from). */
export async function listWaveLinks(db: Db, waveId: string): Promise<Array<{ id: string; link_generation: number }>> {
  const rows = await db('invitations').where({ wave_id: waveId }).select('id', 'link_generation');
  return rows.map((r: { id: string; link_generation: number | string }) => ({
    id: r.id,
    link_generation: Number(r.link_generation ?? 0),
  }));
}

export async function deleteWaveInvitations(db: Db, waveId: string): Promise<number> {
  return db('invitations').where({ wave_id: waveId }).delete();
}

/* ---- e-mail (migration 003_mail: opted_out, mail_state) ---- */

export type MailState = 'none' | 'queued' | 'sent' | 'bounced';

/** Marks every invitation of the wave that can get its invitation mail as queued; returns how many. */
export async function markInvitationMailsQueued(db: Db, waveId: string): Promise<number> {
  return db('invitations')
    .where({ wave_id: waveId, mail_state: 'none', opted_out: false })
    .whereNotNull('email')
    .whereNotNull('token_hash')
    .whereNot({ status: 'completed' })
    .update({ mail_state: 'queued' });
}

export async function setInvitationMailState(db: Db, id: string, state: MailState, onlyFrom?: MailState[]): Promise<void> {
  const q = db('invitations').where({ id });
  if (onlyFrom) q.whereIn('mail_state', onlyFrom);
  await q.update({ mail_state: state });
}

/** Opts the invitation with this token hash out of all further mail; returns its id, or undefined for no such link. */
export async function optOutInvitation(db: Db, tokenHash: string): Promise<string | undefined> {
  const row = await db('invitations').where({ token_hash: tokenHash }).update({ opted_out: true }, ['id']);
  return (row as Array<{ id: string }>)[0]?.id;
}

export interface MailCountsRow {
  total: number | string;
  no_email: number | string | null;
  opted_out: number | string | null;
  completed: number | string | null;
  mail_none: number | string | null;
  mail_queued: number | string | null;
  mail_sent: number | string | null;
  mail_bounced: number | string | null;
}

/** What invite and remind would do for a wave: counts by mail state, opt-out and completion. */
/** The mail state of the wave's people (test links are nobody: the monitor does not count them either). */
export async function countInvitationMail(db: Db, waveId: string): Promise<MailCountsRow> {
  const row = await db('invitations')
    .where({ wave_id: waveId, is_test: false })
    .select(
      db.raw(
        [
          'count(*) as total',
          'sum(case when email is null then 1 else 0 end) as no_email',
          'sum(case when opted_out then 1 else 0 end) as opted_out',
          "sum(case when status = 'completed' then 1 else 0 end) as completed",
          "sum(case when mail_state = 'none' and email is not null then 1 else 0 end) as mail_none",
          "sum(case when mail_state = 'queued' then 1 else 0 end) as mail_queued",
          "sum(case when mail_state = 'sent' then 1 else 0 end) as mail_sent",
          "sum(case when mail_state = 'bounced' then 1 else 0 end) as mail_bounced",
        ].join(', '),
      ),
    )
    .first();
  return row as MailCountsRow;
}

export async function findInvitationById(db: Db, id: string): Promise<InvitationRow | undefined> {
  return db<InvitationRow>('invitations').where({ id }).first();
}

/* ---- one person (the per-person page) ---- */

export interface PersonRow {
  id: string;
  email: string | null;
  name: string | null;
  organisation: string | null;
  language: string;
  status: InvitationStatus;
  opted_out: boolean | number;
  mail_state: MailState;
  link_generation: number;
}

const PERSON_COLUMNS = ['id', 'email', 'name', 'organisation', 'language', 'status', 'opted_out', 'mail_state', 'link_generation'];

/** `%`, `_` and the escape character itself taken literally in a LIKE pattern. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The wave's people (never test links) whose e-mail address or name contains `text`, case-insensitively, in name
 * order; `limit + 1` rows are read so the caller knows whether there were more.
 */
export async function searchWavePeople(db: Db, waveId: string, text: string, limit: number): Promise<PersonRow[]> {
  const q = db('invitations').where({ wave_id: waveId, is_test: false }).whereNotNull('email');
  if (text) {
    const pattern = `%${likeLiteral(text.toLowerCase())}%`;
    q.andWhere((w) =>
      w.whereRaw("lower(email) like ? escape '\\'", [pattern]).orWhereRaw("lower(coalesce(name, '')) like ? escape '\\'", [pattern]),
    );
  }
  return q.select(PERSON_COLUMNS).orderBy([{ column: 'name' }, { column: 'email' }, { column: 'id' }]).limit(limit + 1);
}

/** One person of the wave (not a test link), or undefined. */
export async function findWavePerson(db: Db, waveId: string, id: string): Promise<PersonRow | undefined> {
  return db('invitations').where({ wave_id: waveId, id, is_test: false }).whereNotNull('email').first(PERSON_COLUMNS);
}

export async function setInvitationLanguage(db: Db, id: string, language: string): Promise<void> {
  await db('invitations').where({ id }).update({ language });
}

/** Marks one invitation's mail queued when nothing was sent to it yet (a single resend before the bulk one). */
export async function markInvitationMailQueued(db: Db, id: string): Promise<void> {
  await db('invitations').where({ id, mail_state: 'none' }).update({ mail_state: 'queued' });
}

/**
 * Gives the invitation its next link: the new token's hash, the generation raised. Only when the generation is still
 * `from` (two administrators at once: one wins). Returns whether it changed.
 */
export async function replaceInvitationLink(db: Db, id: string, from: number, tokenHash: string): Promise<boolean> {
  const n = await db('invitations')
    .where({ id, link_generation: from })
    .whereNot({ status: 'completed' })
    .update({ token_hash: tokenHash, link_generation: from + 1 });
  return n === 1;
}

/** Invitation mails that were cancelled before they went out: not mailed after all. */
export async function unmarkInvitationMailsQueued(db: Db, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500)
    await db('invitations').whereIn('id', ids.slice(i, i + 500)).where({ mail_state: 'queued' }).update({ mail_state: 'none' });
}

/** Whether fieldwork began: an invitation mail queued or sent, or someone (not a test link) opened the questionnaire. */
export async function waveFieldworkBegan(db: Db, waveId: string): Promise<boolean> {
  const row = await db('invitations')
    .where({ wave_id: waveId, is_test: false })
    .andWhere((w) => w.whereNot({ mail_state: 'none' }).orWhereNot({ status: 'invited' }))
    .first('id');
  return Boolean(row);
}
