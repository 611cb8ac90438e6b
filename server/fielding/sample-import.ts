import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Db } from '../shared/data/connection';
import { eraseDeletedRows } from '../shared/data/erase';
import { listWaveEmails } from './data/invitations';
import {
  deletePendingImport,
  deletePendingImportsBefore,
  insertPendingImport,
  PendingImportRow,
} from './data/pending-imports';
import { lockWave, WaveRow } from './data/waves';
import { recordAudit } from '../accounts/audit';
import { CsvProblem, CsvReader } from './csv-reader';
import { normalizeEmail } from '../shared/email-address';
import { createInvitations, Invitee } from './issue-invitations';
import { checkSampleRecord, ColumnPlan, planColumns } from './sample-rules';
import { WaveStateError, waveStatus } from './wave-actions';
import type { SampleAttributeDeclaration } from '../questionnaires/sample-attributes';
import { declaredValue } from '../questionnaires/sample-attributes';
import { keptAttributes } from './wave-rules';
import { findPendingImport } from './data/pending-imports';
import { eventLoopTurns } from '../shared/event-loop';

export const MAX_SAMPLE_BYTES = 20 * 1024 * 1024;
/** problems listed per file; the rest are only counted */
const MAX_PROBLEMS_LISTED = 500;
/** a pending import (contact data!) is kept this long between preview and confirmation */
export const PENDING_IMPORT_TTL_MS = 2 * 60 * 60 * 1000;

export interface AttributeCounts {
  attribute: string;
  /** kept with the answers in this wave */
  kept: boolean;
  values: Array<{ value: string; count: number }>;
}

export interface SampleSummary {
  rows: number;
  /** people left out because they are in the wave already (only when asked to skip them) */
  skippedExisting?: number;
  columns: string[];
  attributes: AttributeCounts[];
  /** kept attributes of the wave that the file lacks */
  missingKept: string[];
  /**
   * Declared attributes (the questionnaire's population, e.g. the roles it is for) with values outside the
   * declaration: a warning that the file may belong to another wave, not a refusal (they are not kept with answers).
   */
  outsidePopulation?: Array<{ attribute: string; people: number; values: Array<{ value: string; count: number }> }>;
}

export type CheckedSample =
  | { ok: true; invitees: Invitee[]; summary: SampleSummary }
  | { ok: false; problems: CsvProblem[]; problemCount: number };

/** Reads a sample file chunk by chunk (UTF-8, CSV), checking every record as it arrives. */
export class SampleFileChecker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly problems: CsvProblem[] = [];
  private readonly reader: CsvReader;
  private readonly invitees: Invitee[] = [];
  private readonly seen = new Map<string, number>();
  private plan: ColumnPlan | undefined;
  private broken = false;
  private headerBroken = false;

  /**
   * `declared`: the questionnaire's declared sample attributes; a value of an attribute the wave keeps must be one
   * of the declared values (written in the declared spelling), since it is stored with the answers.
   */
  private readonly skipped: { existing: number } | undefined;

  constructor(
    private readonly existing: Set<string>,
    private readonly kept: string[],
    private readonly declared: SampleAttributeDeclaration = new Map(),
    opts: { skipExisting?: boolean } = {},
  ) {
    this.skipped = opts.skipExisting ? { existing: 0 } : undefined;
    this.reader = new CsvReader((record) => {
      if (!this.plan) {
        this.plan = planColumns(record, this.problems);
        this.headerBroken = this.problems.length > 0;
        return;
      }
      if (this.headerBroken) return; // the rows cannot be read against a broken header
      const invitee = checkSampleRecord(this.plan, record, this.seen, this.existing, this.problems, this.skipped);
      if (invitee && this.keptValuesDeclared(invitee, record.line) && this.problems.length === 0) {
        this.invitees.push(invitee);
        this.count(invitee);
      }
    });
  }

  /** people per value of each attribute (and language), counted as they arrive: the summary costs nothing at the end */
  private readonly counts = new Map<string, Map<string, number>>();

  private count(invitee: Invitee): void {
    const plan = this.plan as ColumnPlan;
    const add = (attribute: string, value: string) => {
      let values = this.counts.get(attribute);
      if (!values) this.counts.set(attribute, (values = new Map()));
      values.set(value, (values.get(value) ?? 0) + 1);
    };
    add('language', invitee.language ?? 'nl');
    for (const attribute of plan.attributes)
      add(attribute, Object.hasOwn(invitee.attributes, attribute) ? invitee.attributes[attribute] : '');
  }

  push(chunk: Uint8Array): void {
    if (this.broken) return;
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      this.notUtf8(chunk);
      return;
    }
    this.linesBefore += countLineFeeds(chunk, chunk.length);
    this.reader.push(text);
  }

  /** line feeds in the chunks decoded so far: where a bad byte is, counted in bytes, not in what the reader took */
  private linesBefore = 0;

  end(): CheckedSample {
    if (!this.broken) {
      try {
        this.reader.push(this.decoder.decode());
      } catch {
        this.notUtf8();
      }
      this.reader.end();
    }
    const problems = [...this.reader.problems, ...this.problems].sort((a, b) => a.line - b.line);
    if (!this.plan && problems.length === 0)
      problems.push({ line: 1, message: 'the file is empty: it needs a header row and at least one row' });
    else if (this.plan && this.invitees.length === 0 && problems.length === 0) {
      problems.push({
        line: 2,
        message: this.skipped?.existing
          ? `everyone in the file (${this.skipped.existing}) is in this wave already: nobody to add`
          : 'the file has a header row but no rows',
      });
    }
    if (problems.length > 0)
      return { ok: false, problems: problems.slice(0, MAX_PROBLEMS_LISTED), problemCount: problems.length };
    const summary = summarize(this.invitees.length, this.counts, this.plan as ColumnPlan, this.kept, this.declared);
    return {
      ok: true,
      invitees: this.invitees,
      summary: this.skipped ? { ...summary, skippedExisting: this.skipped.existing } : summary,
    };
  }

  private keptValuesDeclared(invitee: Invitee, line: number): boolean {
    let ok = true;
    for (const name of this.kept) {
      const attribute = this.declared.get(name);
      const value = Object.hasOwn(invitee.attributes, name) ? invitee.attributes[name] : undefined;
      if (!attribute || value === undefined) continue;
      const canonical = declaredValue(attribute, value);
      if (canonical !== undefined) {
        invitee.attributes[name] = canonical;
        continue;
      }
      const allowed = [...attribute.values.keys()];
      const list = allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, …` : allowed.join(', ');
      this.problems.push({
        line,
        message: `"${value.slice(0, 40)}" is not a ${name} this questionnaire declares, and ${name} is kept with the answers (one of: ${list})`,
      });
      ok = false;
    }
    return ok;
  }

  private notUtf8(chunk?: Uint8Array): void {
    this.broken = true;
    const at = chunk ? firstInvalidUtf8(chunk) : -1;
    const line = at >= 0 && chunk ? this.linesBefore + countLineFeeds(chunk, at) + 1 : this.reader.lineNumber;
    const guess =
      chunk && at >= 0 && looksLikeWindows1252(chunk)
        ? ' It looks like Windows-1252 ("ANSI", as older Excel saves CSV).'
        : '';
    this.problems.push({
      line,
      message: `the file is not valid UTF-8 (a byte on this line is not).${guess} Save it as "CSV UTF-8" and upload it again`,
    });
  }
}

function countLineFeeds(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1 (the chunk may end mid-sequence). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return -1; // cut at the chunk's end: the next chunk continues it
      const c = bytes[i + k];
      const low = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80;
      const high = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf;
      if (c < low || c > high) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Windows-1252 text read as bytes: no byte is an undefined code there, and the high ones are mostly Latin letters. */
function looksLikeWindows1252(bytes: Uint8Array): boolean {
  let high = 0;
  for (const b of bytes) {
    if (b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d) return false;
    if (b >= 0x80) high++;
  }
  return high > 0;
}

function summarize(
  rows: number,
  counts: ReadonlyMap<string, ReadonlyMap<string, number>>,
  plan: ColumnPlan,
  kept: string[],
  declared: SampleAttributeDeclaration,
): SampleSummary {
  const names = ['language', ...plan.attributes];
  const attributes = names.map((attribute) => {
    const values = [...(counts.get(attribute) ?? new Map<string, number>())]
      .map(([value, count]) => ({ value, count }))
      .sort(
        (a, b) =>
          b.count - a.count || a.value.localeCompare(b.value) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
      );
    return { attribute, kept: kept.includes(attribute), values };
  });
  const outsidePopulation = attributes.flatMap((a) => {
    const declaration = declared.get(a.attribute);
    if (!declaration || a.kept) return []; // a kept attribute's values were checked one by one already
    const values = a.values.filter((v) => v.value !== '' && declaredValue(declaration, v.value) === undefined);
    const people = values.reduce((n, v) => n + v.count, 0);
    return people > 0 ? [{ attribute: a.attribute, people, values }] : [];
  });
  return {
    rows,
    columns: plan.columns,
    attributes,
    missingKept: kept.filter((k) => !plan.attributes.includes(k)),
    ...(outsidePopulation.length ? { outsidePopulation } : {}),
  };
}

/** How much of a file is read before the parser looks whether it has held the event loop long enough. */
const SLICE_BYTES = 64 * 1024;

async function existingEmails(db: Db, waveId: string): Promise<Set<string>> {
  return new Set((await listWaveEmails(db, waveId)).map(normalizeEmail));
}

export function assertImportable(wave: WaveRow, now: Date): void {
  if (!waveStatus(wave, now).importable) throw new WaveStateError('a closed or purged wave takes no more addresses');
}

export interface ImportOptions {
  /** leave out (and count) people whose address is in the wave already, instead of refusing the file */
  skipExisting?: boolean;
}

/** Checks a whole sample file read from `chunks`; nothing is stored. */
export async function checkSampleFile(
  db: Db,
  wave: WaveRow,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  declared: SampleAttributeDeclaration,
  opts: ImportOptions = {},
): Promise<CheckedSample> {
  const checker = new SampleFileChecker(await existingEmails(db, wave.id), keptAttributes(wave), declared, opts);
  // a 20 MB file in one piece would hold the event loop for seconds: it is read in slices, letting others in between
  const turn = eventLoopTurns();
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
      checker.push(chunk.subarray(at, at + SLICE_BYTES));
      await turn();
    }
  }
  return checker.end();
}

/**
 * Adds the checked people to the wave in one transaction (batched inserts), after checking again under the wave's
 * lock that no address has meanwhile arrived by another import. The personal tokens are derived from TOKEN_SECRET
 * and the invitation id (respondent/personal-tokens.ts): only their hashes are stored, and the mail worker derives them again.
 */
export async function commitSample(
  db: Db,
  wave: WaveRow,
  invitees: Invitee[],
  now: Date,
  pendingImportId?: string,
): Promise<number> {
  return db.transaction(async (trx) => {
    const locked = await lockWave(trx, wave.id);
    if (!locked) throw new WaveStateError('the wave does not exist');
    assertImportable(locked, now);
    if (pendingImportId !== undefined && !(await deletePendingImport(trx, pendingImportId))) {
      throw new WaveStateError('this import was confirmed or cancelled already');
    }
    const existing = await existingEmails(trx, wave.id);
    const clash = invitees.find((p) => p.email && existing.has(normalizeEmail(p.email)));
    if (clash)
      throw new WaveStateError(
        'meanwhile another import added some of these addresses to the wave: upload the file again',
      );
    await createInvitations(trx, locked, invitees, { now });
    return invitees.length;
  });
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const GZIP_PREFIX = 'gz1:';

/**
 * A staged import's people as gzipped JSON Lines (one JSON object per line; JSON never has a raw line break inside),
 * written and read in turns. One JSON text of 20 MB would hold the event loop for a quarter of a second each way,
 * and writing it into the database file in one statement (a synchronous fsync on SQLite) as long again; compressed
 * in libuv's thread pool it is about a tenth of that size.
 */
async function storedInvitees(invitees: Invitee[]): Promise<string> {
  const turn = eventLoopTurns();
  const lines: string[] = [];
  for (const invitee of invitees) {
    lines.push(JSON.stringify(invitee));
    if (lines.length % 1000 === 0) await turn();
  }
  return GZIP_PREFIX + (await gzip(lines.join('\n'))).toString('base64');
}

async function readStoredInvitees(stored: string): Promise<Invitee[]> {
  if (stored.startsWith('[')) return JSON.parse(stored) as Invitee[]; // staged by an earlier version as one JSON array
  const text = stored.startsWith(GZIP_PREFIX)
    ? (await gunzip(Buffer.from(stored.slice(GZIP_PREFIX.length), 'base64'))).toString('utf8')
    : stored;
  const turn = eventLoopTurns();
  const invitees: Invitee[] = [];
  for (let at = 0; at < text.length;) {
    const end = text.indexOf('\n', at);
    const stop = end === -1 ? text.length : end;
    invitees.push(JSON.parse(text.slice(at, stop)) as Invitee);
    at = stop + 1;
    if (invitees.length % 1000 === 0) await turn();
  }
  return invitees;
}

/** Web flow, step 1: a valid file becomes a pending import (kept in the database) to preview; an invalid one is returned. */
export async function stagePendingImport(
  db: Db,
  wave: WaveRow,
  file: { name: string; bytes: Buffer },
  userId: string,
  now: Date,
  declared: SampleAttributeDeclaration,
  opts: ImportOptions = {},
): Promise<{ ok: true; pendingId: string } | Extract<CheckedSample, { ok: false }>> {
  assertImportable(wave, now);
  const checked = await checkSampleFile(db, wave, [file.bytes], declared, opts);
  if (!checked.ok) return checked;
  await sweepExpiredImports(db, now);
  const row: PendingImportRow = {
    id: crypto.randomUUID(),
    wave_id: wave.id,
    created_by: userId,
    created_at: now.toISOString(),
    file_name: cleanFileName(file.name),
    row_count: checked.invitees.length,
    summary: JSON.stringify(checked.summary),
    invitees: await storedInvitees(checked.invitees),
  };
  await insertPendingImport(db, row);
  return { ok: true, pendingId: row.id };
}

/**
 * Deletes the staged imports older than PENDING_IMPORT_TTL_MS, for good (db/erase.ts): they hold a whole sample's
 * contact data. Run when a file is staged and every few minutes by the server (main.ts).
 */
export async function sweepExpiredImports(db: Db, now: Date): Promise<number> {
  const deleted = await deletePendingImportsBefore(db, new Date(now.getTime() - PENDING_IMPORT_TTL_MS).toISOString());
  if (deleted > 0) await eraseDeletedRows(db, ['pending_imports']);
  return deleted;
}

/** Web flow, cancel: the staged import is deleted for good. */
export async function cancelPendingImport(db: Db, row: PendingImportRow): Promise<void> {
  if (await deletePendingImport(db, row.id)) await eraseDeletedRows(db, ['pending_imports']);
}

export function isPendingImportExpired(row: PendingImportRow, now: Date): boolean {
  return now.getTime() - Date.parse(row.created_at) > PENDING_IMPORT_TTL_MS;
}

/** Web flow, step 2: the confirmed pending import becomes invitations and is deleted. */
export async function confirmPendingImport(
  db: Db,
  wave: WaveRow,
  row: PendingImportRow,
  actor: string,
  now: Date,
): Promise<number> {
  if (isPendingImportExpired(row, now)) throw new WaveStateError('this preview has expired: upload the file again');
  const count = await commitSample(db, wave, await readStoredInvitees(row.invitees), now, row.id);
  await eraseDeletedRows(db, ['pending_imports']); // the staged copy is deleted with the commit: now for good
  await recordAudit(db, {
    actor,
    action: 'sample.import',
    waveId: wave.id,
    detail: { file: row.file_name, rows: count },
    at: now,
  });
  return count;
}

/** Command-line flow: check and commit at once. */
export async function importSampleFile(
  db: Db,
  wave: WaveRow,
  fileName: string,
  chunks: AsyncIterable<Uint8Array>,
  actor: string,
  now: Date,
  declared: SampleAttributeDeclaration,
  opts: ImportOptions = {},
): Promise<{ ok: true; count: number; summary: SampleSummary } | Extract<CheckedSample, { ok: false }>> {
  assertImportable(wave, now);
  const checked = await checkSampleFile(db, wave, chunks, declared, opts);
  if (!checked.ok) return checked;
  const count = await commitSample(db, wave, checked.invitees, now);
  await recordAudit(db, {
    actor,
    action: 'sample.import',
    waveId: wave.id,
    detail: { file: cleanFileName(fileName), rows: count },
    at: now,
  });
  return { ok: true, count, summary: checked.summary };
}

export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').slice(0, 200) || 'upload.csv';
}

export type { PendingImportRow };

/** A staged import of this wave, by id (expired ones included: the caller checks isPendingImportExpired). */
export function findStagedImport(db: Db, id: string, waveId: string): Promise<PendingImportRow | undefined> {
  return findPendingImport(db, id, waveId);
}
