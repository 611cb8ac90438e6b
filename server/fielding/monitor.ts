import type { Db } from '../shared/data/connection';
import { countWaveInvitations, countWaveInvitationsByAttribute, InvitationCountsRow } from './data/invitations';
import { listWaveFinalCounts, ParticipationCounts } from './data/wave-final-counts';
import type { WaveRow } from './data/waves';
import { waveStatus } from './wave-actions';
import { keptAttributes, WavePhase } from './wave-rules';

export interface MonitorCounts {
  invited: number;
  /** invitation mails waiting in the outbox */
  queued: number;
  /** mails handed to the mail server (bounced ones included) */
  sent: number;
  bounced: number;
  optedOut: number;
  /** opened the questionnaire and saved at least once (completed ones included) */
  started: number;
  completed: number;
  /** completed / invited, in per cent with one decimal; null without invitations */
  responseRate: number | null;
  /** sent / (queued + sent), in per cent; null when nothing was queued or sent */
  sendingProgress: number | null;
}

export interface MonitorView {
  wave: { id: string; name: string; phase: WavePhase; purged: boolean; opensOn: string; closesOn: string };
  /** live: counted from the invitations now; final: the counts kept when the wave was purged */
  source: 'live' | 'final';
  overall: MonitorCounts;
  /** value groups with fewer than k invited are not shown on their own (see groupSmallValues) */
  k: number;
  attributes: Array<{ attribute: string; values: MonitorValueRow[] }>;
  generatedAt: string;
}

/**
 * One row of an attribute's table: a value of its own, or (last, at most one per attribute) the value groups combined
 * because they were too small: then `value` is null and `combinedValues` says how many values it holds (never which).
 */
export type MonitorValueRow =
  { value: string; counts: MonitorCounts } | { value: null; combinedValues: number; counts: MonitorCounts };

function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((1000 * part) / whole) / 10 : null;
}

export function toParticipationCounts(row: InvitationCountsRow | undefined): ParticipationCounts {
  const n = (v: unknown) => Number(v ?? 0);
  return {
    invited: n(row?.invited),
    queued: n(row?.queued),
    sent: n(row?.sent),
    bounced: n(row?.bounced),
    opted_out: n(row?.opted_out),
    started: n(row?.started),
    completed: n(row?.completed),
  };
}

function view(c: ParticipationCounts): MonitorCounts {
  return {
    invited: c.invited,
    queued: c.queued,
    sent: c.sent,
    bounced: c.bounced,
    optedOut: c.opted_out,
    started: c.started,
    completed: c.completed,
    responseRate: percent(c.completed, c.invited),
    sendingProgress: percent(c.sent, c.queued + c.sent),
  };
}

/** Values in Dutch alphabetical order, the empty value (no value) last: the same on every database. */
function byValue(a: { value: string }, b: { value: string }): number {
  if (a.value === '' || b.value === '') return a.value === '' ? (b.value === '' ? 0 : 1) : -1;
  return a.value.localeCompare(b.value, 'nl');
}

function sum(rows: ParticipationCounts[]): ParticipationCounts {
  const total = toParticipationCounts(undefined);
  for (const r of rows)
    for (const key of Object.keys(total) as Array<keyof ParticipationCounts>) total[key] += Number(r[key] ?? 0);
  return total;
}

/**
 * Disclosure control of the monitor's tables (the same k as the exports): a value group with fewer than k invited is
 * not shown on its own but combined with the other small groups into one row, shown last. If that row itself holds
 * fewer than k invited (and is not empty), the smallest shown groups join it until it holds at least k, or until it
 * is the only row: otherwise subtracting the shown rows from the overall total would give the small groups' counts
 * back. Every count column follows the grouping, since the rows are summed before the rates are computed.
 */
export function groupSmallValues(
  rows: Array<{ value: string; counts: ParticipationCounts }>,
  k: number,
): MonitorValueRow[] {
  const values = rows.map((r) => ({ value: r.value, counts: toParticipationCounts(r.counts) }));
  const small = values.filter((v) => v.counts.invited < k);
  if (small.length === 0) return [...values].sort(byValue).map((v) => ({ value: v.value, counts: view(v.counts) }));
  let pooled = small.reduce((n, v) => n + v.counts.invited, 0);
  // the smallest first; among equals the one last in the shown order, so the choice never depends on the database
  const rest = values
    .filter((v) => v.counts.invited >= k)
    .sort((a, b) => a.counts.invited - b.counts.invited || byValue(b, a));
  while (pooled > 0 && pooled < k && rest.length > 0) {
    const next = rest.shift() as (typeof rest)[number];
    small.push(next);
    pooled += next.counts.invited;
  }
  const shown: MonitorValueRow[] = rest.sort(byValue).map((v) => ({ value: v.value, counts: view(v.counts) }));
  return [...shown, { value: null, combinedValues: small.length, counts: view(sum(small.map((v) => v.counts))) }];
}

export interface LiveCounts {
  overall: ParticipationCounts;
  byAttribute: Array<{ attribute: string; values: Array<{ value: string; counts: ParticipationCounts }> }>;
}

/** Counts of the wave's real invitations, overall and per kept attribute, computed in SQL (test invitations excluded). */
export async function liveCounts(db: Db, wave: WaveRow): Promise<LiveCounts> {
  const overall = toParticipationCounts(await countWaveInvitations(db, wave.id));
  const byAttribute = [];
  for (const attribute of keptAttributes(wave)) {
    const rows = await countWaveInvitationsByAttribute(db, wave.id, attribute);
    byAttribute.push({
      attribute,
      values: rows.map((r) => ({ value: r.value ?? '', counts: toParticipationCounts(r) })).sort(byValue),
    });
  }
  return { overall, byAttribute };
}

async function finalCounts(db: Db, wave: WaveRow): Promise<LiveCounts> {
  const rows = await listWaveFinalCounts(db, wave.id);
  const overall = rows.find((r) => r.attribute === '') ?? toParticipationCounts(undefined);
  const byAttribute = keptAttributes(wave).map((attribute) => ({
    attribute,
    values: rows
      .filter((r) => r.attribute === attribute)
      .map((r) => ({ value: r.value, counts: r as ParticipationCounts }))
      .sort(byValue),
  }));
  return { overall, byAttribute };
}

/** The monitor of a wave; k is the configured disclosure threshold (DISCLOSURE_K), the same as the exports use. */
export async function waveMonitor(db: Db, wave: WaveRow, now: Date, k: number): Promise<MonitorView> {
  const status = waveStatus(wave, now);
  const counts = status.purged ? await finalCounts(db, wave) : await liveCounts(db, wave);
  return {
    wave: {
      id: wave.id,
      name: wave.name,
      phase: status.phase,
      purged: status.purged,
      opensOn: wave.opens_on,
      closesOn: wave.closes_on,
    },
    source: status.purged ? 'final' : 'live',
    overall: view(counts.overall),
    k,
    attributes: counts.byAttribute.map((a) => ({ attribute: a.attribute, values: groupSmallValues(a.values, k) })),
    generatedAt: now.toISOString(),
  };
}
