import crypto from 'node:crypto';
import type { Db } from '../../server/shared/data/connection';
import type { WaveRow } from '../../server/fielding/data/waves';

/** One synthetic invitee in a given participation state, for the monitor tests. */
export interface CraftedPerson {
  tier: string;
  role?: string;
  mail?: 'none' | 'queued' | 'sent' | 'bounced';
  optedOut?: boolean;
  status?: 'invited' | 'started' | 'completed';
  test?: boolean;
}

/** Writes invitations in exactly the given states (no mail sent, no answers): what the monitor counts. */
export async function craftInvitations(db: Db, wave: WaveRow, people: CraftedPerson[]): Promise<void> {
  const rows = people.map((p, i) => ({
    id: crypto.randomUUID(),
    wave_id: wave.id,
    token_hash: crypto.randomBytes(32).toString('hex'),
    email: `m${i}.${wave.id.slice(0, 8)}@example.org`,
    name: null,
    organisation: null,
    attributes: JSON.stringify(p.role ? { tier: p.tier, role: p.role } : { tier: p.tier }),
    language: 'nl',
    status: p.status ?? 'invited',
    is_test: p.test ?? false,
    created_at: new Date().toISOString(),
    opted_out: p.optedOut ?? false,
    mail_state: p.mail ?? 'none',
  }));
  for (let i = 0; i < rows.length; i += 200) await db('invitations').insert(rows.slice(i, i + 200));
}
