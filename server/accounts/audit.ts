import os from 'node:os';
import type { Db } from '../shared/data/connection';
import { AuditRow, insertAuditEntry, listAuditEntries } from './data/audit-log';

/**
 * Actions in the audit log. Others add theirs here: mail sends ('mail.send'), analyst downloads ('export.download').
 * An entry never holds a respondent's token, answers or contact data.
 */
export type AuditAction =
  | 'signin.success'
  | 'signin.failure'
  | 'signout'
  | 'user.add'
  | 'user.disable'
  | 'user.enable'
  | 'user.role'
  | 'user.reset-password'
  | 'wave.create'
  | 'wave.edit'
  | 'wave.test-links'
  | 'sample.import'
  | 'wave.close'
  | 'wave.purge'
  | 'mail.send'
  | 'mail.remind'
  | 'export.download'
  | (string & {});

export interface AuditEntry {
  /** who: the signed-in user's e-mail, or "cli:<os user>" for the command line */
  actor: string;
  action: AuditAction;
  waveId?: string | null;
  /** what: a short text, or an object stored as JSON */
  detail: string | Record<string, unknown>;
  /** when: defaults to now */
  at?: Date;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Appends one entry to the audit log (who, what, when). There is no way to change or remove an entry. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  const detail = typeof entry.detail === 'string' ? entry.detail.replace(CONTROL, ' ') : JSON.stringify(entry.detail);
  await insertAuditEntry(db, {
    occurred_at: (entry.at ?? new Date()).toISOString(),
    actor: entry.actor.replace(CONTROL, ' ').slice(0, 320),
    action: entry.action.slice(0, 64),
    wave_id: entry.waveId ?? null,
    detail,
  });
}

export const AUDIT_PAGE_SIZE = 100;

export async function auditPage(
  db: Db,
  beforeId?: number,
  waveId?: string,
): Promise<{ entries: AuditRow[]; olderBefore?: number }> {
  const entries = await listAuditEntries(db, { limit: AUDIT_PAGE_SIZE + 1, beforeId, waveId });
  const more = entries.length > AUDIT_PAGE_SIZE;
  const shown = entries.slice(0, AUDIT_PAGE_SIZE);
  return { entries: shown, olderBefore: more ? shown[shown.length - 1].id : undefined };
}

/** The actor name for commands run from the shell. */
export function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli:unknown'; // no user name in this environment
  }
}
