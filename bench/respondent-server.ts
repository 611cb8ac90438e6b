/*
 * The server under load for `npm run bench`: the real app on a fresh SQLite file, set up as `npm start` does, and
 * beside it, on the same port, a bare express app with a hello-world JSON route (the baseline) and a plain knex
 * insert route (a reference: one JSON body, one INSERT in its own transaction, on the same database and settings).
 * Each request goes straight to one of the two apps, so neither pays for the other's routing. `/node-hello` is node's
 * own HTTP server answering the same JSON with nothing in between (the floor).
 */
import express from 'express';
import crypto from 'node:crypto';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEntry } from '../server/app';
import { loadConfig } from '../server/shared/config';
import { applyServerTimeouts } from '../server/shared/web/server-timeouts';
import { openPlatform } from '../server/platform';
import { startLoopBlockProbe } from './loop-block';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config);
  const { db } = platform;
  if (!(await db.schema.hasTable('bench_inserts'))) {
    await db.schema.createTable('bench_inserts', (t) => {
      t.string('id', 36).primary();
      t.text('body').notNullable();
    });
  }
  const bare = express();
  bare.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  bare.post('/insert', express.json(), async (req, res) => {
    await db('bench_inserts').insert({ id: crypto.randomUUID(), body: JSON.stringify(req.body) });
    res.status(201).json({ status: 'stored' });
  });
  // the longest event-loop block since the last call (the questionnaire bench reads it after each load): how late a
  // 5 ms timer fired, and the longest gap the loop's thread was busy less the time it waited for a core (loop-block.ts)
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const block = startLoopBlockProbe();
  bare.get('/event-loop', (_req, res) => {
    res.json({ maxMs: delay.max / 1e6, block: block.read() });
    delay.reset();
    block.reset();
  });
  const BARE = new Set(['/hello', '/insert', '/event-loop']);
  const entry = createEntry({
    db: platform.db,
    registry: platform.registry,
    config: { ...config, logRequests: false },
  });
  const hello = JSON.stringify({ hello: 'world' });
  const server = http.createServer((req, res) => {
    if (req.url === '/node-hello') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': hello.length });
      res.end(hello);
    } else if (BARE.has((req.url ?? '').split('?')[0])) bare(req, res);
    else entry.handle(req, res);
  });
  applyServerTimeouts(server);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
