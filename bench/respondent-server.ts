/*
 * The server under load for `npm run bench`: the real app on a fresh SQLite file, set up as `npm start` does, and
 * beside it, on the same port, a bare express app with one hello-world JSON route (the baseline). Each request goes
 * straight to one of the two apps, so neither pays for the other's routing.
 */
import express from 'express';
import http from 'node:http';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { applyServerTimeouts } from '../server/http/server-timeouts';
import { openPlatform } from '../server/platform';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config);
  const bare = express();
  bare.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  const app = createApp({ db: platform.db, registry: platform.registry, config: { ...config, logRequests: false } });
  const server = http.createServer((req, res) => (req.url === '/hello' ? bare(req, res) : app(req, res)));
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
