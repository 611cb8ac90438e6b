/* npm run bench -- questionnaire: completion of the monitor questionnaire and of a large definition (expressions,
   paneldynamic, matrixdropdown) at 50 connections, as ratios to express hello-world in the same run, plus the
   server's longest event-loop block while the completions ran. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/shared/config';
import { openPlatform } from '../server/platform';
import { addDays, dutchDay } from '../server/shared/calendar';
import { createInvitations } from '../server/fielding/issue-invitations';
import { createWave } from '../server/fielding/wave-rules';
import { synthAnswers } from '../server/fielding/synth/answers';
import { createRng } from '../server/fielding/synth/rng';
import { Figure, load, printTable, ROOT, startServer } from './lib';
import { cycling } from './respondent-flow';
import { LARGE_DEFINITION, largeAnswers } from './large-definition';
import type { LoopBlock } from './loop-block';

const MONITOR = 'miv-politieke-ambtsdragers@2024.1';
const LARGE = 'bench-large@1';
/** tokens kept for each warm-up second (a completion uses its token up) */
const WARM_UP_TOKENS = 6_000;

/** A questionnaires folder: the project's own plus the large bench definition. */
function questionnairesDir(dir: string): string {
  const out = path.join(dir, 'questionnaires');
  fs.cpSync(path.join(ROOT, 'questionnaires'), out, { recursive: true });
  if (process.env.BENCH_WITHOUT_LARGE) return out; // for a build that refuses it
  fs.mkdirSync(path.join(out, 'bench-large'));
  fs.writeFileSync(
    path.join(out, 'bench-large', '1.json'),
    JSON.stringify({
      key: 'bench-large',
      version: '1',
      edition: 1,
      population: 'bench',
      title: { nl: 'Groot', en: 'Large' },
      survey: LARGE_DEFINITION,
    }),
  );
  return out;
}

async function seed(env: Record<string, string>, id: string, n: number): Promise<string[] | null> {
  const platform = await openPlatform({ ...loadConfig(env) });
  try {
    if (!platform.registry.get(id)) return null;
    const now = new Date();
    const today = dutchDay(now);
    const wave = await createWave(
      platform.db,
      platform.registry,
      { name: `bench ${id}`, questionnaireId: id, opensOn: today, closesOn: addDays(today, 7), keptAttributes: [] },
      now,
    );
    const issued = await createInvitations(
      platform.db,
      wave,
      Array.from({ length: n }, () => ({ attributes: {} })),
      {
        now,
      },
    );
    return issued.map((i) => i.token);
  } finally {
    await platform.close();
  }
}

export async function questionnaireBench(): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-bench-q-'));
  const env = {
    SQLITE_FILE: path.join(dir, 'bench.sqlite'),
    QUESTIONNAIRES_DIR: questionnairesDir(dir),
    DEMO: 'false',
  };
  const monitorTokens = (await seed(env, MONITOR, 40_000))!;
  const largeTokens = await seed(env, LARGE, 45_000);
  const platform = await openPlatform({ ...loadConfig(env) });
  const monitor = platform.registry.get(MONITOR)!;
  await platform.close();
  const rng = createRng(7);
  const monitorBodies = Array.from({ length: 200 }, () =>
    JSON.stringify({ answers: synthAnswers(monitor, rng), locale: 'nl' }),
  );
  const largeBodies = Array.from({ length: 200 }, (_, i) => JSON.stringify({ answers: largeAnswers(i), locale: 'nl' }));
  const { child, port } = await startServer('bench/respondent-server.ts', env);
  const url = `http://127.0.0.1:${port}`;
  const headers = { 'content-type': 'application/json' };
  const eventLoop = async () =>
    (await (await fetch(`${url}/event-loop`)).json()) as { maxMs: number; block: LoopBlock | null };
  try {
    await load('warm-up', { url: `${url}/hello`, duration: 3 });
    await eventLoop(); // resets the maximum
    const hello = await load('GET hello-world', { url: `${url}/hello` });
    const helloBlock = await eventLoop(); // the loop's own block at 50 connections, for reference
    // each completion load is warmed up for a second first, as hello-world is: the block of the first completions
    // (code compiled on first use) is printed apart as the cold start
    let n = 0;
    const completions = (tokens: string[], bodies: string[]) =>
      cycling(tokens, (t) => ({ method: 'POST', path: `/s/${t}/complete`, body: bodies[n++ % bodies.length] }));
    await load('warm-up monitor', {
      url,
      headers,
      duration: 1,
      requests: completions(monitorTokens.slice(0, WARM_UP_TOKENS), monitorBodies),
    });
    const monCold = await eventLoop();
    n = 0;
    const mon = await load(`POST complete ${MONITOR}`, {
      url,
      headers,
      requests: completions(monitorTokens.slice(WARM_UP_TOKENS), monitorBodies),
    });
    const monBlock = await eventLoop();
    const figures = [hello, mon];
    let largeBlock: Awaited<ReturnType<typeof eventLoop>> | null = null;
    let largeCold: Awaited<ReturnType<typeof eventLoop>> | null = null;
    if (largeTokens) {
      n = 0;
      await load('warm-up large', {
        url,
        headers,
        duration: 1,
        requests: completions(largeTokens.slice(0, WARM_UP_TOKENS), largeBodies),
      });
      largeCold = await eventLoop();
      n = 0;
      const large = await load(`POST complete ${LARGE}`, {
        url,
        headers,
        requests: completions(largeTokens.slice(WARM_UP_TOKENS), largeBodies),
      });
      largeBlock = await eventLoop();
      figures.push(large);
    }
    const helloAgain = await load('GET hello-world (again)', { url: `${url}/hello` });
    figures.push(helloAgain);
    const baseline = helloAgain.reqPerSec > hello.reqPerSec ? helloAgain : hello;
    printTable(
      'Questionnaire completion (SQLite, 50 connections; ratios to the faster hello-world)',
      figures,
      baseline,
    );
    console.log(
      `longest event-loop block: hello-world ${helloBlock.maxMs.toFixed(1)} ms, monitor ${monBlock.maxMs.toFixed(1)} ms` +
        (largeBlock ? `, large ${largeBlock.maxMs.toFixed(1)} ms` : ', large definition refused by this build') +
        ' (how late a 5 ms timer fired: includes the time the cores ran other processes, autocannon among them)',
    );
    const own = (b: { block: LoopBlock | null }) =>
      b.block
        ? `${b.block.ownMs.toFixed(1)} ms (on a CPU ${b.block.onCpuMs.toFixed(1)})`
        : 'n/a (no /proc/thread-self/schedstat)';
    console.log(
      `longest block of the loop's own work: hello-world ${own(helloBlock)}, monitor ${own(monBlock)}` +
        (largeBlock ? `, large ${own(largeBlock)}` : '') +
        ' (the longest gap between turns of the loop less the time its thread waited for a core: loop-block.ts)',
    );
    console.log(
      `cold start, the loop's own block in each warm-up second (not in the figures above): monitor ${own(monCold)}` +
        (largeCold ? `, large ${own(largeCold)}` : ''),
    );
    return figures;
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
