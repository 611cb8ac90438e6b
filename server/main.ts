import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { countWaves } from './db/queries/waves';
import { openPlatform } from './platform';
import { seedDemoLinks } from './services/demo';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config);
  const { db, registry } = platform;
  if (config.demoOnEmpty && (await countWaves(db)) === 0) {
    const links = await seedDemoLinks(db, registry, config.publicUrl, 3, new Date());
    console.log('Empty database: seeded a demo wave. Open one of these respondent links:');
    for (const link of links) console.log(`  ${link}`);
  }
  const app = createApp({ db, registry, config });
  const server = app.listen(config.port, config.host, () => {
    console.log(`Veldwerk listens on ${config.publicUrl} (port ${config.port}, ${config.databaseUrl ? 'PostgreSQL' : `SQLite ${config.sqliteFile}`})`);
  });
  // against slow clients: a request must arrive whole within 30 s, headers within 10 s
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  const stop = () => {
    server.close(() => void platform.close().then(() => process.exit(0)));
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
