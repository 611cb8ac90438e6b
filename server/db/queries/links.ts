import type { Db } from '../connection';
import type { InvitationRow } from './invitations';
import type { ProgressRow } from './progress';
import { countSignInFailures } from './sign-in-failures';
import type { WaveRow } from './waves';

export type LinkInvitation = Pick<InvitationRow, 'id' | 'wave_id' | 'attributes' | 'language' | 'status' | 'is_test'>;

/** What one personal-link request needs to know, read in one round trip. */
export interface LinkRow {
  /** unknown-link lookups from the client's address in the throttle window, and when the oldest of them was */
  misses: number;
  oldestMiss: string | null;
  invitation?: LinkInvitation;
  wave?: WaveRow;
  progress?: Pick<ProgressRow, 'answers' | 'page_no' | 'locale'>;
}

const INVITATION_COLUMNS = ['id', 'wave_id', 'attributes', 'language', 'status', 'is_test'] as const;
const WAVE_COLUMNS = ['id', 'name', 'questionnaire_id', 'opens_on', 'closes_on', 'kept_attributes', 'is_demo', 'closed_at', 'created_at', 'purged_at'] as const;
const PROGRESS_COLUMNS = ['answers', 'page_no', 'locale'] as const;

type Flat = Record<string, unknown>;
function pick<T>(row: Flat, prefix: string, columns: readonly string[]): T {
  return Object.fromEntries(columns.map((c) => [c, row[`${prefix}${c}`]])) as T;
}

/**
 * The invitation with this token hash, its wave, the address's recent misses (the link throttle) and, when asked for,
 * the saved answers, in one statement. A token that matches nothing returns no row; then the misses are counted on
 * their own (an unknown token is recorded as a miss anyway, so it always costs more than a known one).
 */
export async function findLink(db: Db, tokenHash: string, missKey: string, missesSince: string, withProgress: boolean): Promise<LinkRow> {
  const misses = (aggregate: string, as: string) =>
    db('sign_in_failures').where({ throttle_key: missKey }).andWhere('failed_at', '>=', missesSince).select(db.raw(aggregate)).as(as);
  const query = db('invitations as i')
    .join('waves as w', 'w.id', 'i.wave_id')
    .where('i.token_hash', tokenHash)
    .select(...INVITATION_COLUMNS.map((c) => `i.${c} as i_${c}`), ...WAVE_COLUMNS.map((c) => `w.${c} as w_${c}`))
    .select(misses('count(*)', 'misses'), misses('min(failed_at)', 'oldest_miss'));
  if (withProgress) query.leftJoin('progress as p', 'p.invitation_id', 'i.id').select(...PROGRESS_COLUMNS.map((c) => `p.${c} as p_${c}`));
  const row = (await query.first()) as Flat | undefined;
  if (!row) {
    const count = (await countSignInFailures(db, [missKey], missesSince)).get(missKey);
    return { misses: count?.failures ?? 0, oldestMiss: count?.oldest ?? null };
  }
  return {
    misses: Number(row.misses ?? 0),
    oldestMiss: (row.oldest_miss as string | null) ?? null,
    invitation: pick<LinkInvitation>(row, 'i_', INVITATION_COLUMNS),
    wave: pick<WaveRow>(row, 'w_', WAVE_COLUMNS),
    progress: row.p_answers == null ? undefined : pick<LinkRow['progress'] & object>(row, 'p_', PROGRESS_COLUMNS),
  };
}
