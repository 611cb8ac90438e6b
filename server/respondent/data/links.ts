import type { Db } from '../../shared/data/connection';
import { readRows } from '../../shared/data/group-commit';
import type { InvitationRow } from '../../fielding/data/invitations';
import type { ProgressRow } from './progress';
import { countLinkMisses } from './link-misses';
import type { WaveRow } from '../../fielding/data/waves';
import type { WavePageRow } from './wave-pages';

export type LinkInvitation = Pick<InvitationRow, 'id' | 'wave_id' | 'attributes' | 'language' | 'status' | 'is_test'>;

/** What one personal-link request needs to know, read in one round trip. */
export interface LinkRow {
  /** unknown-link lookups from the client's address in the throttle window, and when the oldest of them was */
  misses: number;
  oldestMiss: string | null;
  invitation?: LinkInvitation;
  wave?: WaveRow;
  progress?: Pick<ProgressRow, 'answers' | 'page_no' | 'locale' | 'revision'>;
  /** the wave's respondent page settings (wave_pages), read with the page view */
  page?: Pick<WavePageRow, 'organisation' | 'contact_email' | 'help_nl' | 'help_en' | 'logo_hash'>;
}

const INVITATION_COLUMNS = ['id', 'wave_id', 'attributes', 'language', 'status', 'is_test'] as const;
const WAVE_COLUMNS = ['id', 'name', 'questionnaire_id', 'opens_on', 'closes_on', 'kept_attributes', 'is_demo', 'closed_at', 'created_at', 'purged_at'] as const;
const PROGRESS_COLUMNS = ['answers', 'page_no', 'locale', 'revision'] as const;
const PAGE_COLUMNS = ['organisation', 'contact_email', 'help_nl', 'help_en', 'logo_hash'] as const;

type Flat = Record<string, unknown>;
function pick<T>(row: Flat, prefix: string, columns: readonly string[]): T {
  return Object.fromEntries(columns.map((c) => [c, row[`${prefix}${c}`]])) as T;
}

const MISSES = 'from link_misses where throttle_key = ? and missed_at >= ?';
const SELECT = [
  ...INVITATION_COLUMNS.map((c) => `i.${c} as i_${c}`),
  ...WAVE_COLUMNS.map((c) => `w.${c} as w_${c}`),
  `(select count(*) ${MISSES}) as misses`,
  `(select min(missed_at) ${MISSES}) as oldest_miss`,
].join(', ');
const FROM = 'from invitations i join waves w on w.id = i.wave_id';
/** Written out once rather than built per request: building this query with knex cost more than running it. */
const LINK_SQL = `select ${SELECT} ${FROM} where i.token_hash = ?`;
const LINK_WITH_PROGRESS_SQL =
  `select ${SELECT}, ${PROGRESS_COLUMNS.map((c) => `p.${c} as p_${c}`).join(', ')}, ` +
  `${PAGE_COLUMNS.map((c) => `wp.${c} as wp_${c}`).join(', ')}, wp.wave_id as wp_wave_id ` +
  `${FROM} left join progress p on p.invitation_id = i.id left join wave_pages wp on wp.wave_id = w.id ` +
  `where i.token_hash = ?`;

/**
 * The invitation with this token hash, its wave, the address's recent misses (the link throttle) and, when asked for,
 * the saved answers, in one statement. A token that matches nothing returns no row; then the misses are counted on
 * their own (an unknown token is recorded as a miss anyway, so it always costs more than a known one).
 */
export async function findLink(db: Db, tokenHash: string, missKey: string, missesSince: string, withProgress: boolean): Promise<LinkRow> {
  const [row] = await readRows<Flat>(db, withProgress ? LINK_WITH_PROGRESS_SQL : LINK_SQL, [missKey, missesSince, missKey, missesSince, tokenHash]);
  if (!row) {
    const count = await countLinkMisses(db, missKey, missesSince);
    return { misses: count.misses, oldestMiss: count.oldest };
  }
  return {
    misses: Number(row.misses ?? 0),
    oldestMiss: (row.oldest_miss as string | null) ?? null,
    invitation: pick<LinkInvitation>(row, 'i_', INVITATION_COLUMNS),
    wave: pick<WaveRow>(row, 'w_', WAVE_COLUMNS),
    progress: row.p_answers == null ? undefined : pick<LinkRow['progress'] & object>(row, 'p_', PROGRESS_COLUMNS),
    page: row.wp_wave_id == null ? undefined : pick<LinkRow['page'] & object>(row, 'wp_', PAGE_COLUMNS),
  };
}
