import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { insertInvitations, InvitationRow } from './data/invitations';
import type { WaveRow } from './data/waves';
import { deriveToken, hashToken } from '../respondent/personal-tokens';
import { eventLoopTurns } from '../shared/event-loop';

export interface Invitee {
  email?: string | null;
  name?: string | null;
  organisation?: string | null;
  language?: 'nl' | 'en';
  attributes: Record<string, string>;
}

export interface IssuedInvitation {
  invitationId: string;
  /** the personal token, derived from TOKEN_SECRET and the invitation id (see tokens.ts); only its hash is stored */
  token: string;
}

export async function createInvitations(
  db: Db,
  wave: WaveRow,
  invitees: Invitee[],
  opts: { isTest?: boolean; now: Date },
): Promise<IssuedInvitation[]> {
  const issued: IssuedInvitation[] = [];
  const rows: InvitationRow[] = [];
  // 100,000 people are a second of hashing and inserting: done in turns, so other requests go on meanwhile
  const turn = eventLoopTurns();
  for (const p of invitees) {
    const id = crypto.randomUUID();
    const token = deriveToken(id);
    issued.push({ invitationId: id, token });
    rows.push({
      id,
      wave_id: wave.id,
      token_hash: hashToken(token),
      email: p.email ?? null,
      name: p.name ?? null,
      organisation: p.organisation ?? null,
      attributes: JSON.stringify(p.attributes),
      language: p.language ?? 'nl',
      status: 'invited',
      is_test: opts.isTest ?? false,
      created_at: opts.now.toISOString(),
    });
    if (rows.length % 1000 === 0) await turn();
  }
  for (let i = 0; i < rows.length; i += 200) {
    await insertInvitations(db, rows.slice(i, i + 200));
    await turn();
  }
  return issued;
}

export function respondentLink(publicUrl: string, token: string): string {
  return `${publicUrl}/s/${token}`;
}
