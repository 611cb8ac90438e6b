#!/usr/bin/env node
import http from 'node:http';
import { createEntry } from './app';
import { ConfigError, loadConfig } from './shared/config';
import { countWaves } from './fielding/data/waves';
import { applyServerTimeouts } from './shared/web/server-timeouts';
import { openPlatform } from './platform';
import { seedDemoLinks } from './fielding/demo';
import { mailWorkerFromConfig } from './mail/mail-worker';
import { sweepExpiredImports } from './fielding/sample-import';
import { blurCompletionTransactions } from './fielding/wave-actions';
import { sweepOldLinkMisses } from './respondent/link-throttle';
import { assets } from './shared/web/assets';
import { questionnaireAssets } from './respondent/web/questionnaire-assets';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config);
  const { db, registry } = platform;
  if (config.demoOnEmpty && (await countWaves(db)) === 0) {
    const links = await seedDemoLinks(db, registry, config.publicUrl, 3, new Date());
    console.log('Empty database: seeded a demo wave. Open one of these respondent links:');
    for (const link of links) console.log(`  ${link}`);
  }
  // the mail worker runs in the server process (more workers: npm run cli -- mail work)
  const mailWorker = mailWorkerFromConfig(db, config, (line) => console.log(line));
  // the request pipeline: the respondent fast path, then express (app.ts, createEntry)
  const entry = createEntry({
    db,
    registry,
    config,
    mail: { transport: mailWorker.transport, from: config.mailFrom, timeoutMs: config.mailTimeoutMs },
  });
  const server = http.createServer(entry.handle);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(
      `Veldwerk listens on ${config.publicUrl} (port ${port}, ${config.databaseUrl ? 'PostgreSQL' : `SQLite ${config.sqliteFile}`})`,
    );
  });
  applyServerTimeouts(server);
  // brotli at its best quality takes a few seconds of a libuv thread per large file: done now, not for the first respondent
  void Promise.all([assets().warm(), questionnaireAssets(registry).warm()]).catch((err) =>
    console.error(`Compressing the assets failed: ${err instanceof Error ? err.message : err}`),
  );
  mailWorker.start();
  // staged sample imports hold a whole sample's contact data: expired ones are deleted for good, not only when
  // someone stages the next file
  const sweep = () =>
    void sweepExpiredImports(db, new Date()).catch((err) =>
      console.error(`Sweeping expired imports failed: ${err instanceof Error ? err.message : err}`),
    );
  sweep();
  setInterval(sweep, 5 * 60_000).unref();
  // unknown-link misses past the throttle window count for nothing any more: dropped on the same schedule
  const sweepMisses = () =>
    void sweepOldLinkMisses(db, new Date()).catch((err) =>
      console.error(`Sweeping link misses failed: ${err instanceof Error ? err.message : err}`),
    );
  setInterval(sweepMisses, 5 * 60_000).unref();
  // PostgreSQL stamps a completion's response and invitation with one transaction id: within a minute the response
  // is rewritten by a transaction of its own, with the rest of that day's responses (SECURITY.md)
  if (config.databaseUrl) {
    const blur = () =>
      void blurCompletionTransactions(db).catch((err) =>
        console.error(`Rewriting completed responses failed: ${err instanceof Error ? err.message : err}`),
      );
    setInterval(blur, 60_000).unref();
  }
  if (mailWorker.via === 'dev-mailbox')
    console.log('SMTP_URL is not set: mail is kept in the development mailbox on the admin pages, NOT sent.');
  const stop = () => {
    server.close(
      () =>
        void mailWorker
          .stop()
          .then(() => platform.close())
          .then(() => process.exit(0)),
    );
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`);
  else console.error(`Veldwerk could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
