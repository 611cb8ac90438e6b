/* The server under load for `npm run bench`: the real app on a fresh SQLite file, plus a bare hello-world route. */
import express from 'express';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openPlatform } from '../server/platform';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config);
  const app = express();
  app.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  app.use(createApp({ db: platform.db, registry: platform.registry, config: { ...config, logRequests: false } }));
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
