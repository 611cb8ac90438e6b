import type autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/shared/config';
import { openPlatform } from '../server/platform';
import { addDays, dutchDay } from '../server/shared/calendar';
import { createInvitations } from '../server/fielding/issue-invitations';
import { createWave } from '../server/fielding/wave-rules';
import { Figure, load, printTable, startServer } from './lib';
import { DEMO_ANSWERS, respondentLoad } from './respondent-load';

/** Seeds a wave with n invitations in a fresh SQLite file and returns the tokens. */
export async function seed(sqliteFile: string, n: number): Promise<string[]> {
  const platform = await openPlatform({ ...loadConfig({ SQLITE_FILE: sqliteFile }) });
  const now = new Date();
  const today = dutchDay(now);
  const wave = await createWave(
    platform.db,
    platform.registry,
    { name: 'bench', questionnaireId: 'demo@1', opensOn: today, closesOn: addDays(today, 7), keptAttributes: ['tier'] },
    now,
  );
  const invitees = Array.from({ length: n }, () => ({ attributes: { tier: 'gemeente' } }));
  const issued = await createInvitations(platform.db, wave, invitees, { now });
  await platform.close();
  return issued.map((i) => i.token);
}

type Built = { method: 'GET' | 'PUT' | 'POST'; path: string; body?: string };

/** autocannon requests that take the next token for every request */
export function cycling(tokens: string[], build: (token: string) => Built): autocannon.Request[] {
  let i = 0;
  return [{ setupRequest: (req: autocannon.Request) => ({ ...req, ...build(tokens[i++ % tokens.length]) }) }];
}

export async function respondentBench(): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-bench-'));
  const sqliteFile = path.join(dir, 'bench.sqlite');
  const tokens = await seed(sqliteFile, 150_000);
  const browsing = tokens.slice(0, 1000);
  const completing = tokens.slice(1000, 60_000); // each used once
  const flowing = tokens.slice(60_000); // one per respondent flow under load
  const { child, port } = await startServer('bench/respondent-server.ts', { SQLITE_FILE: sqliteFile });
  const url = `http://127.0.0.1:${port}`;
  const json = { 'content-type': 'application/json' };
  try {
    await load('warm-up', { url: `${url}/hello`, duration: 3 });
    const nodeHello = await load('GET node http hello-world', { url: `${url}/node-hello` });
    const hello = await load('GET express hello-world', { url: `${url}/hello` });
    const insert = await load('POST knex insert (reference)', {
      url: `${url}/insert`,
      method: 'POST',
      headers: json,
      body: JSON.stringify({ answers: DEMO_ANSWERS, locale: 'nl' }),
    });
    // as a browser asks for it: compressed (brotli), so the compression's cost is in the figure
    const page = await load('GET respondent page (br)', {
      url,
      headers: { 'accept-encoding': 'br, gzip' },
      requests: cycling(browsing, (t) => ({ method: 'GET', path: `/s/${t}` })),
    });
    const save = await load('PUT autosave', {
      url,
      headers: json,
      requests: cycling(browsing, (t) => ({
        method: 'PUT',
        path: `/s/${t}/progress`,
        body: JSON.stringify({ answers: { agressie_any: 1 }, pageNo: 1, locale: 'nl' }),
      })),
    });
    const complete = await load('POST complete (distinct tokens)', {
      url,
      headers: json,
      requests: cycling(completing, (t) => ({
        method: 'POST',
        path: `/s/${t}/complete`,
        body: JSON.stringify({ answers: DEMO_ANSWERS, locale: 'nl' }),
      })),
    });
    // hello-world again at the end: this machine's speed drifts by a fifth between runs, so each ratio is taken
    // against the faster of the two hello-world runs and a slow one cannot flatter the others
    const helloAgain = await load('GET express hello-world (again)', { url: `${url}/hello` });
    const nodeAgain = await load('GET node http hello-world (again)', { url: `${url}/node-hello` });
    const baseline = helloAgain.reqPerSec > hello.reqPerSec ? helloAgain : hello;
    const floor = nodeAgain.reqPerSec > nodeHello.reqPerSec ? nodeAgain : nodeHello;
    const figures = [nodeHello, hello, insert, page, save, complete, helloAgain, nodeAgain];
    printTable(
      'Respondent flow (SQLite, 50 connections, server in its own process; ratios to the faster express and node hello-worlds)',
      figures,
      baseline,
      floor,
    );
    figures.push(await respondentLoad(url, flowing, 'SQLite, one process'));
    return figures;
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
