import type { Db } from '../shared/data/connection';
import { compactAfterPurge } from '../shared/data/erase';
import { eraseStorageOrder } from './data/storage-order';
import { deleteWaveInvitations, listWaveLinks } from './data/invitations';
import { rememberEndedLinks } from '../respondent/ended-links';
import { deleteWaveOutbox } from '../mail/data/outbox';
import { deletePendingImportsOfWave } from './data/pending-imports';
import { insertWaveFinalCounts, WaveFinalCountRow } from './data/wave-final-counts';
import { lockWave, setWavePurged, WaveRow } from './data/waves';
import { recordAudit } from '../accounts/audit';
import { liveCounts } from './monitor';
import { WaveStateError, waveStatus } from './wave-actions';

export interface PurgeResult {
  invitations: number;
  pendingImports: number;
  outboxMessages: number;
}

/**
 * Deletes, for good, the contact data and tokens of a closed wave: its invitations (names, e-mail addresses,
 * organisations, token hashes, attributes; in-progress answers go with them), its pending imports and its outbox
 * messages. What remains of the sample is the counts per kept attribute, in wave_final_counts. The anonymous
 * responses are not touched. One transaction: all of it happens, or none.
 */
export async function purgeWave(db: Db, wave: WaveRow, actor: string, now: Date): Promise<PurgeResult> {
  const result = await db.transaction(async (trx) => {
    const locked = await lockWave(trx, wave.id);
    if (!locked) throw new WaveStateError('the wave does not exist');
    const status = waveStatus(locked, now);
    if (status.purged) throw new WaveStateError('the wave has been purged already');
    if (!status.purgeable) throw new WaveStateError('close the wave before purging it');
    const counts = await liveCounts(trx, locked);
    const rows: WaveFinalCountRow[] = [{ wave_id: wave.id, attribute: '', value: '', ...counts.overall }];
    for (const a of counts.byAttribute)
      for (const v of a.values) rows.push({ wave_id: wave.id, attribute: a.attribute, value: v.value, ...v.counts });
    await insertWaveFinalCounts(trx, rows);
    const outbox = await deleteWaveOutbox(trx, wave.id); // its messages and the development mailbox's copies
    const pendingImports = await deletePendingImportsOfWave(trx, wave.id);
    // before the links go: a person who opens theirs later is told that the survey has ended, not that it is wrong
    await rememberEndedLinks(trx, wave.id, await listWaveLinks(trx, wave.id));
    const invitations = await deleteWaveInvitations(trx, wave.id);
    await setWavePurged(trx, wave.id, now.toISOString());
    return { invitations, pendingImports, outboxMessages: outbox };
  });
  // a wave that closed by its date was never closed by hand: PostgreSQL's storage order and transaction ids are erased
  // here at the latest
  await eraseStorageOrder(db);
  await compactAfterPurge(db); // not only unlinked: gone from the file, its free pages and the WAL (or the PG heap)
  await recordAudit(db, {
    actor,
    action: 'wave.purge',
    waveId: wave.id,
    detail: { invitationsDeleted: result.invitations, outboxMessagesDeleted: result.outboxMessages },
    at: now,
  });
  return result;
}
