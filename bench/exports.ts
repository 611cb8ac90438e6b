/**
 * Export throughput: 100,000 responses of the office-holder questionnaire in a fresh SQLite file, exported as CSV
 * and as .sav, each in its own child process (so peak memory is that export's alone), against a bare loop that only
 * reads the rows with better-sqlite3 and writes them as CSV lines. Prints rows/s, peak RSS and the ratio to the loop.
 * The exports include disclosure control (k-anonymity over the declared quasi-identifiers, disclosure.ts) and the
 * random row order of a release.
 *
 * Run as a child: node -r @swc-node/register bench/exports.ts <bare|csv|sav> <sqlite file> <wave id> <out file>
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/shared/config';
import { openPlatform } from '../server/platform';
import { createRng } from '../server/fielding/synth/rng';
import { synthAnswerSets } from '../server/fielding/synth/answers';
import { generateSampleFrame } from '../server/fielding/synth/sample-frame';
import { createWave } from '../server/fielding/wave-rules';

const ROWS = Number(process.env.BENCH_EXPORT_ROWS || 100_000);
const QUESTIONNAIRE = 'miv-politieke-ambtsdragers@2024.1';

interface ChildResult {
  mode: string;
  rows: number;
  seconds: number;
  maxRssMb: number;
  bytes: number;
  quasiIdentifiers?: number;
  suppressedCells?: number;
}

export async function seed(sqliteFile: string): Promise<string> {
  const platform = await openPlatform(loadConfig({ SQLITE_FILE: sqliteFile, DEMO: 'false' }));
  const q = platform.registry.get(QUESTIONNAIRE);
  if (!q) throw new Error(`${QUESTIONNAIRE} is not registered`);
  const wave = await createWave(
    platform.db,
    platform.registry,
    {
      name: 'bench export',
      questionnaireId: QUESTIONNAIRE,
      opensOn: '2024-02-01',
      closesOn: '2024-03-15',
      keptAttributes: ['tier', 'role', 'province'],
    },
    new Date(),
  );
  await platform.close();
  // 2,000 distinct synthetic answer sets (with comments), people of the real population structure, cycled
  const sets = synthAnswerSets(q, 2000, 11, { commentRate: 0.2 }).map((a) => JSON.stringify(a));
  const frame = generateSampleFrame('politieke-ambtsdragers', { seed: 3 });
  const rng = createRng(5);
  const db = new Database(sqliteFile);
  const insert = db.prepare(
    'insert into responses (id, wave_id, questionnaire_id, attributes, answers, locale, submitted_on, is_test) values (?, ?, ?, ?, ?, ?, ?, 0)',
  );
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const p = frame[i % frame.length];
      const day = `2024-0${rng.int(2, 3)}-${String(rng.int(1, 28)).padStart(2, '0')}`;
      insert.run(
        crypto.randomUUID(),
        wave.id,
        QUESTIONNAIRE,
        JSON.stringify({ tier: p.tier, role: p.role, province: p.province }),
        sets[i % sets.length],
        'nl',
        day,
      );
    }
  })();
  db.close();
  return wave.id;
}

/** The ratio to beat: read every row with better-sqlite3 and write it as one CSV line. */
async function bareLoop(sqliteFile: string, waveId: string, out: fs.WriteStream): Promise<number> {
  const db = new Database(sqliteFile, { readonly: true });
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  let buf = 'id,wave_id,questionnaire_id,attributes,answers,submitted_on\r\n';
  let n = 0;
  const rows = db
    .prepare(
      'select id, wave_id, questionnaire_id, attributes, answers, submitted_on from responses where wave_id = ? and is_test = 0 order by id',
    )
    .iterate(waveId);
  for (const r of rows as Iterable<Record<string, string>>) {
    buf += `${r.id},${r.wave_id},${quote(r.questionnaire_id)},${quote(r.attributes)},${quote(r.answers)},${r.submitted_on}\r\n`;
    n++;
    if (buf.length > 65536) {
      if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buf = '';
    }
  }
  await new Promise<void>((resolve) => out.end(buf, () => resolve()));
  db.close();
  return n;
}

async function child(mode: string, sqliteFile: string, waveId: string, outFile: string): Promise<void> {
  const out = fs.createWriteStream(outFile);
  let rows: number;
  let started: bigint;
  let sdc: { quasiIdentifiers: number; suppressedCells: number } | undefined;
  if (mode === 'bare') {
    started = process.hrtime.bigint();
    rows = await bareLoop(sqliteFile, waveId, out);
  } else {
    const { prepareDataset } = await import('../server/exports/dataset-export');
    const { writeDataset } = await import('../server/exports/dataset-formats');
    const platform = await openPlatform(loadConfig({ SQLITE_FILE: sqliteFile, DEMO: 'false' }));
    const wave = await platform.db('waves').where({ id: waveId }).first();
    started = process.hrtime.bigint();
    const prepared = await prepareDataset(platform.db, platform.registry, [wave], { k: 5 });
    rows = (await writeDataset(prepared, mode as 'csv' | 'sav', out)).rows;
    sdc = {
      quasiIdentifiers: prepared.report.disclosure.quasiIdentifiers.length,
      suppressedCells: prepared.report.disclosure.suppressedCells,
    };
    await platform.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: ChildResult = {
    mode,
    rows,
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: fs.statSync(outFile).size,
    ...sdc,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS || 3);
const ROOT = path.join(__dirname, '..');

/**
 * The children run compiled JavaScript, as `npm start` does in production: under @swc-node/register a process
 * carries the transpiler (about 100 MB) too. tsc compiles this file and everything it imports into dist/.
 */
function compileChild(): string {
  const outDir = path.join(ROOT, 'dist', 'bench-exports');
  spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      path.join(ROOT, 'bench', 'exports.ts'),
      '--outDir',
      outDir,
      '--rootDir',
      ROOT,
      '--module',
      'commonjs',
      '--target',
      'es2022',
      '--moduleResolution',
      'node',
      '--esModuleInterop',
      '--resolveJsonModule',
      '--skipLibCheck',
      '--strict',
      '--types',
      'node',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const entry = path.join(outDir, 'bench', 'exports.js');
  if (!fs.existsSync(entry)) throw new Error('export bench: tsc did not produce the child script');
  return entry;
}

function runChild(entry: string, mode: string, sqliteFile: string, waveId: string, dir: string): ChildResult {
  const outFile = path.join(dir, `export-${mode}.${mode === 'sav' ? 'sav' : 'csv'}`);
  const r = spawnSync(process.execPath, [entry, mode, sqliteFile, waveId, outFile], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LOG_REQUESTS: 'false' },
  });
  const line = /RESULT (.*)/.exec(r.stdout ?? '');
  if (!line) throw new Error(`export bench child ${mode} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(line[1]) as ChildResult;
}

export async function exportBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-bench-export-'));
  try {
    const sqliteFile = path.join(dir, 'bench.sqlite');
    const t0 = Date.now();
    const waveId = await seed(sqliteFile);
    const entry = compileChild();
    console.log(
      `\nExports: ${ROWS.toLocaleString('en')} responses of ${QUESTIONNAIRE} (seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s); ` +
        `each run in its own process (compiled JS), ${ROUNDS} rounds in turn, best time and highest peak RSS per run`,
    );
    const modes = ['bare', 'csv', 'sav'];
    const best = new Map<string, ChildResult>();
    const peak = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const m of modes) {
        const r = runChild(entry, m, sqliteFile, waveId, dir);
        if (!best.has(m) || r.seconds < (best.get(m) as ChildResult).seconds) best.set(m, r);
        peak.set(m, Math.max(peak.get(m) ?? 0, r.maxRssMb));
      }
    }
    const bare = best.get('bare') as ChildResult;
    console.log('run                      rows/s   seconds   peak RSS MB   output MB   vs bare loop');
    for (const m of modes) {
      const r = best.get(m) as ChildResult;
      const rate = r.rows / r.seconds;
      const ratio = m === 'bare' ? '' : `${((rate / (bare.rows / bare.seconds)) * 100).toFixed(0)}%`;
      const name = m === 'bare' ? 'bare loop (read + CSV)' : `export ${m}`;
      console.log(
        `${name.padEnd(24)} ${rate.toFixed(0).padStart(7)} ${r.seconds.toFixed(2).padStart(9)} ${(peak.get(m) as number).toFixed(0).padStart(13)} ${(r.bytes / 1048576).toFixed(1).padStart(11)} ${ratio.padStart(14)}`,
      );
    }
    const csv = best.get('csv') as ChildResult;
    console.log(
      `every export includes disclosure control: k = 5 over ${csv.quasiIdentifiers} quasi-identifiers together (period, language, kept tier, role, province, and six answers), ${csv.suppressedCells} cells suppressed`,
    );
    console.log(
      "target (issue 13): each export, disclosure control included, at 25% or more of the bare loop's rows/s, peak RSS under 400 MB",
    );
  } finally {
    if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [mode, sqliteFile, waveId, outFile] = process.argv.slice(2);
  const run = mode ? child(mode, sqliteFile, waveId, outFile) : exportBench();
  run.then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
