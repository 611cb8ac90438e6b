import crypto from 'node:crypto';
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
  columns: string[];
  attributes: AttributeCounts[];
  /** kept attributes of the wave that the file lacks */
  missingKept: string[];
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
  constructor(
    private readonly existing: Set<string>,
    private readonly kept: string[],
    private readonly declared: SampleAttributeDeclaration = new Map(),
  ) {
    this.reader = new CsvReader((record) => {
      if (!this.plan) {
        this.plan = planColumns(record, this.problems);
        this.headerBroken = this.problems.length > 0;
        return;
      }
      if (this.headerBroken) return; // the rows cannot be read against a broken header
      const invitee = checkSampleRecord(this.plan, record, this.seen, this.existing, this.problems);
      if (invitee && this.keptValuesDeclared(invitee, record.line) && this.problems.length === 0)
        this.invitees.push(invitee);
    });
  }

  push(chunk: Uint8Array): void {
    if (this.broken) return;
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      this.notUtf8();
      return;
    }
    this.reader.push(text);
  }

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
    else if (this.plan && this.invitees.length === 0 && problems.length === 0)
      problems.push({ line: 2, message: 'the file has a header row but no rows' });
    if (problems.length > 0)
      return { ok: false, problems: problems.slice(0, MAX_PROBLEMS_LISTED), problemCount: problems.length };
    return { ok: true, invitees: this.invitees, summary: summarize(this.invitees, this.plan as ColumnPlan, this.kept) };
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

  private notUtf8(): void {
    this.broken = true;
    this.problems.push({
      line: this.reader.lineNumber,
      message: 'the file is not valid UTF-8 (at or after this line): save it as "CSV UTF-8"',
    });
  }
}

function summarize(invitees: Invitee[], plan: ColumnPlan, kept: string[]): SampleSummary {
  const names = ['language', ...plan.attributes];
  const attributes = names.map((attribute) => {
    const counts = new Map<string, number>();
    for (const p of invitees) {
      const value =
        attribute === 'language'
          ? (p.language ?? 'nl')
          : Object.hasOwn(p.attributes, attribute)
            ? p.attributes[attribute]
            : '';
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const values = [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    return { attribute, kept: kept.includes(attribute), values };
  });
  return {
    rows: invitees.length,
    columns: plan.columns,
    attributes,
    missingKept: kept.filter((k) => !plan.attributes.includes(k)),
  };
}

async function existingEmails(db: Db, waveId: string): Promise<Set<string>> {
  return new Set((await listWaveEmails(db, waveId)).map(normalizeEmail));
}

export function assertImportable(wave: WaveRow, now: Date): void {
  if (!waveStatus(wave, now).importable) throw new WaveStateError('a closed or purged wave takes no more addresses');
}

/** Checks a whole sample file read from `chunks`; nothing is stored. */
export async function checkSampleFile(
  db: Db,
  wave: WaveRow,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  declared: SampleAttributeDeclaration,
): Promise<CheckedSample> {
  const checker = new SampleFileChecker(await existingEmails(db, wave.id), keptAttributes(wave), declared);
  for await (const chunk of chunks) checker.push(chunk);
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

/** Web flow, step 1: a valid file becomes a pending import (kept in the database) to preview; an invalid one is returned. */
export async function stagePendingImport(
  db: Db,
  wave: WaveRow,
  file: { name: string; bytes: Buffer },
  userId: string,
  now: Date,
  declared: SampleAttributeDeclaration,
): Promise<{ ok: true; pendingId: string } | Extract<CheckedSample, { ok: false }>> {
  assertImportable(wave, now);
  const checked = await checkSampleFile(db, wave, [file.bytes], declared);
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
    invitees: JSON.stringify(checked.invitees),
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
  const count = await commitSample(db, wave, JSON.parse(row.invitees) as Invitee[], now, row.id);
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
): Promise<{ ok: true; count: number; summary: SampleSummary } | Extract<CheckedSample, { ok: false }>> {
  assertImportable(wave, now);
  const checked = await checkSampleFile(db, wave, chunks, declared);
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

/** Drops a staged import the administrator cancelled; nothing was added to the wave. */
export async function discardStagedImport(db: Db, id: string): Promise<void> {
  await deletePendingImport(db, id);
}
