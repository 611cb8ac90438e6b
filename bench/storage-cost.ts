/*
 * What anonymity at rest costs (issue 12): autosave and completion without the protection and with it, in one run, on
 * the same machine. "Before" is, by default, a checkout of the last commit with the protection switched off in it
 * (BENCH_STORAGE_BASELINE=unprotected: secure_delete off, the checkpoint thread's checkpoints PASSIVE instead of
 * TRUNCATE, in-progress answers stored in plain text), so both sides carry the same features; a commit instead
 * (BENCH_STORAGE_BASELINE=566041e, the last one before the protection) compares with the code as it was then. The
 * checkout is a temporary git worktree and runs its own bench server with this checkout's node_modules. Runs alternate
 * (before, now, before, now, …) so that drift in the machine's speed hits both alike; each figure is the median of its
 * runs (BENCH_STORAGE_ROUNDS, default 3).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Figure, load, ROOT, startServer } from './lib';
import { cycling } from './respondent-flow';
import { DEMO_ANSWERS } from './respondent-load';

const BASELINE = process.env.BENCH_STORAGE_BASELINE ?? 'unprotected';

/** The protection, switched off in a checkout: each text must be found once, or the bench stops and says which. */
const UNPROTECT: Array<[part: string, file: string, from: string, to: string]> = [
  ['secure_delete', 'db/knex-config.ts', "'secure_delete = ON',", "'secure_delete = OFF',"],
  [
    'secure_delete',
    'server/shared/data/sqlite-checkpointer.ts',
    "db.pragma('secure_delete = ON');",
    "db.pragma('secure_delete = OFF');",
  ],
  [
    'truncate',
    'server/shared/data/sqlite-checkpointer.ts',
    "db.pragma('wal_checkpoint(TRUNCATE)')",
    "db.pragma('wal_checkpoint(PASSIVE)')",
  ],
  [
    'sealing',
    'server/respondent/progress-sealing.ts',
    'export function sealProgress(key: Buffer, invitationId: string, plaintext: string): string {',
    'export function sealProgress(key: Buffer, invitationId: string, plaintext: string): string {\n  return PREFIX + plaintext;',
  ],
  [
    'sealing',
    'server/respondent/progress-sealing.ts',
    '  if (!isSealed(stored)) return undefined;',
    '  if (!isSealed(stored)) return undefined;\n  return stored.slice(PREFIX.length);',
  ],
];

/** Which parts are switched off: all by default; BENCH_STORAGE_UNPROTECT=truncate (say) measures one part's cost. */
const PARTS = (process.env.BENCH_STORAGE_UNPROTECT ?? 'secure_delete,truncate,sealing').split(',');

function unprotect(dir: string): void {
  for (const [part, file, from, to] of UNPROTECT) {
    if (!PARTS.includes(part)) continue;
    const full = path.join(dir, file);
    const text = fs.readFileSync(full, 'utf8');
    if (text.split(from).length !== 2)
      throw new Error(`bench storage: "${from}" is not in ${file} once; update UNPROTECT`);
    fs.writeFileSync(full, text.replace(from, to));
  }
}
const SECONDS = Number(process.env.BENCH_STORAGE_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_STORAGE_ROUNDS ?? 3);

/**
 * "now" is this checkout unless BENCH_STORAGE_AFTER names a commit: `BENCH_STORAGE_AFTER=72fb780` measures the
 * protection's own commit against the one before it, without the features merged since.
 */
const AFTER = process.env.BENCH_STORAGE_AFTER;

function checkout(dir: string, commit: string): string | undefined {
  try {
    execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, commit], { cwd: ROOT, stdio: 'ignore' });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
  } catch (err) {
    console.log(`(no checkout: git worktree of ${commit} failed: ${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

/**
 * Seeds a database with the code of the checkout at `root`, in a process of its own: the code before this change has
 * fewer migrations and other module paths, and refuses a database written by the code now ("the migration directory
 * is corrupt"). The script finds the modules where either version keeps them.
 */
const SEED_SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const [root, file, n, out] = process.argv.slice(1);
const pick = (...rel) => {
  for (const r of rel) {
    try {
      return require(path.join(root, r));
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  throw new Error('none of ' + rel.join(', ') + ' in ' + root);
};
const { loadConfig } = pick('server/shared/config', 'server/config');
const { openPlatform } = pick('server/platform');
const { addDays, dutchDay } = pick('server/shared/calendar', 'server/services/calendar');
const { createInvitations } = pick('server/fielding/issue-invitations', 'server/services/invitations');
const { createWave } = pick('server/fielding/wave-rules', 'server/services/waves');
(async () => {
  const platform = await openPlatform({ ...loadConfig({ SQLITE_FILE: file }) });
  const now = new Date();
  const today = dutchDay(now);
  const wave = await createWave(platform.db, platform.registry, { name: 'bench', questionnaireId: 'demo@1', opensOn: today, closesOn: addDays(today, 7), keptAttributes: ['tier'] }, now);
  const issued = await createInvitations(platform.db, wave, Array.from({ length: Number(n) }, () => ({ attributes: { tier: 'gemeente' } })), { now });
  await platform.close();
  fs.writeFileSync(out, JSON.stringify(issued.map((i) => i.token)));
})().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
`;

function seedWith(root: string, file: string, n: number): string[] {
  const out = `${file}.tokens.json`;
  execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', SEED_SCRIPT, root, file, String(n), out], {
    cwd: root,
    env: { ...process.env, DEMO: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tokens = JSON.parse(fs.readFileSync(out, 'utf8')) as string[];
  fs.rmSync(out, { force: true });
  return tokens;
}

function copyDatabase(from: string, to: string): void {
  fs.copyFileSync(from, to);
  if (fs.existsSync(`${from}.token-secret`)) fs.copyFileSync(`${from}.token-secret`, `${to}.token-secret`);
}

async function measure(
  label: string,
  root: string,
  sqliteFile: string,
  tokens: { save: string[]; complete: string[] },
): Promise<Figure[]> {
  const { child, port } = await startServer('bench/respondent-server.ts', { SQLITE_FILE: sqliteFile }, root);
  const url = `http://127.0.0.1:${port}`;
  const json = { 'content-type': 'application/json' };
  try {
    await load('warm-up', { url: `${url}/hello`, duration: 2 });
    const save = await load(`${label}: PUT autosave`, {
      url,
      duration: SECONDS,
      headers: json,
      requests: cycling(tokens.save, (t) => ({
        method: 'PUT',
        path: `/s/${t}/progress`,
        body: JSON.stringify({ answers: { agressie_any: 1, opmerkingen: 'x'.repeat(200) }, pageNo: 1, locale: 'nl' }),
      })),
    });
    const complete = await load(`${label}: POST complete`, {
      url,
      duration: SECONDS,
      headers: json,
      requests: cycling(tokens.complete, (t) => ({
        method: 'POST',
        path: `/s/${t}/complete`,
        body: JSON.stringify({ answers: DEMO_ANSWERS, locale: 'nl' }),
      })),
    });
    return [save, complete];
  } finally {
    child.kill('SIGTERM');
  }
}

export async function storageCostBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-bench-storage-'));
  const worktree = path.join(dir, 'baseline');
  const afterTree = path.join(dir, 'after');
  try {
    const baseline = checkout(worktree, BASELINE === 'unprotected' ? 'HEAD' : BASELINE);
    if (baseline && BASELINE === 'unprotected') unprotect(baseline);
    const now = AFTER ? checkout(afterTree, AFTER) : ROOT;
    if (!now) return;
    // each side on a database its own code wrote, with the same number of invitations
    const seeded: Record<string, { file: string; tokens: string[] }> = {};
    for (const [label, root] of [
      ['before', baseline],
      ['now', now],
    ] as const) {
      if (!root) continue;
      const file = path.join(dir, `seed-${label}.sqlite`);
      seeded[label] = { file, tokens: seedWith(root, file, 1000 + ROUNDS * 30_000) };
    }
    const rounds: Array<{ label: string; figures: Figure[] }> = [];
    const next: Record<string, number> = { before: 1000, now: 1000 };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, root] of [
        ['before', baseline],
        ['now', now],
      ] as const) {
        if (!root) continue;
        const file = path.join(dir, `${label}-${round}.sqlite`);
        const { file: seedFile, tokens } = seeded[label];
        copyDatabase(seedFile, file);
        rounds.push({
          label,
          figures: await measure(label, root, file, {
            save: tokens.slice(0, 1000),
            complete: tokens.slice(next[label], (next[label] += 30_000)),
          }),
        });
        fs.rmSync(file, { force: true });
      }
    }
    const median = (label: string, i: number) => {
      const sorted = rounds
        .filter((r) => r.label === label)
        .map((r) => r.figures[i])
        .sort((a, b) => a.reqPerSec - b.reqPerSec);
      return sorted[Math.floor(sorted.length / 2)];
    };
    const best = median;
    console.log(
      `\nAnonymity at rest: cost (SQLite, 50 connections, ${SECONDS} s a run, median of ${ROUNDS} alternating runs; before = ${BASELINE === 'unprotected' ? `the last commit without ${PARTS.join(', ')}` : BASELINE}, now = ${AFTER ?? 'this checkout'})`,
    );
    for (const r of rounds)
      console.log(`  ${r.figures.map((f) => `${f.name} ${f.reqPerSec.toFixed(0)} req/s p99 ${f.p99} ms`).join(', ')}`);
    console.log('request          before req/s  p99 ms    now req/s  p99 ms   now/before');
    for (const [i, name] of ['autosave', 'complete'].entries()) {
      const b = best('before', i);
      const n = best('now', i);
      const ratio = b ? `${((n.reqPerSec / b.reqPerSec) * 100).toFixed(0)}%` : '';
      console.log(
        `${name.padEnd(16)} ${(b ? b.reqPerSec.toFixed(0) : '-').padStart(12)} ${String(b?.p99 ?? '-').padStart(7)} ${n.reqPerSec.toFixed(0).padStart(12)} ${String(n.p99).padStart(7)} ${ratio.padStart(12)}`,
      );
    }
  } finally {
    for (const tree of [worktree, afterTree])
      try {
        execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT, stdio: 'ignore' });
      } catch {
        // not made, or already gone
      }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
