import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/shared/config';
import { openPlatform, Platform } from '../server/platform';
import { addDays, dutchDay } from '../server/shared/calendar';
import { createInvitations, Invitee } from '../server/fielding/issue-invitations';
import { inviteWave } from '../server/mail/wave-mail';
import { smtpTransport } from '../server/mail/mail-transport';
import { MailWorker } from '../server/mail/mail-worker';
import { createWave } from '../server/fielding/wave-rules';
import { startServer } from './lib';

const PEOPLE = 100_000;
const SEND_SECONDS = 10;
const FROM = 'Bench <bench@example.org>';

export interface MailFigures {
  database: string;
  invitationsPerSec: number;
  queueSeconds: number;
  queueRowsPerSec: number;
  send: Array<{ connections: number; messages: number; perSec: number }>;
}

async function seedWave(platform: Platform): Promise<string> {
  const now = new Date();
  const today = dutchDay(now);
  const wave = await createWave(
    platform.db,
    platform.registry,
    {
      name: 'mail bench',
      questionnaireId: 'demo@1',
      opensOn: today,
      closesOn: addDays(today, 30),
      keptAttributes: ['tier'],
    },
    now,
  );
  const people: Invitee[] = Array.from({ length: PEOPLE }, (_, i) => ({
    email: `p${i}@example.org`,
    name: `Persoon ${i}`,
    attributes: { tier: 'gemeente' },
    language: 'nl',
  }));
  for (let i = 0; i < people.length; i += 10_000)
    await createInvitations(platform.db, wave, people.slice(i, i + 10_000), { now });
  return wave.id;
}

/** Sends for SEND_SECONDS over `connections` pooled connections at no rate limit; messages per second. */
async function sendFor(
  platform: Platform,
  smtpUrl: string,
  connections: number,
): Promise<{ connections: number; messages: number; perSec: number }> {
  const transport = smtpTransport({ url: smtpUrl, from: FROM, connections, timeoutMs: 5000 });
  const worker = new MailWorker({
    db: platform.db,
    transport,
    publicUrl: 'https://monitor.example.org',
    from: FROM,
    ratePerSecond: 10_000,
    connections,
    timeoutMs: 5000,
  });
  const started = process.hrtime.bigint();
  worker.start();
  await new Promise((r) => setTimeout(r, SEND_SECONDS * 1000));
  await worker.stop();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { connections, messages: worker.stats.sent, perSec: worker.stats.sent / seconds };
}

async function run(label: string, env: Record<string, string>, smtpUrl: string): Promise<MailFigures> {
  const platform = await openPlatform(loadConfig({ ...env, DEMO: 'false' }));
  try {
    let t = process.hrtime.bigint();
    const waveId = await seedWave(platform);
    const invitationsPerSec = PEOPLE / (Number(process.hrtime.bigint() - t) / 1e9);
    t = process.hrtime.bigint();
    const result = await inviteWave(platform.db, waveId, { actor: 'bench', now: new Date() });
    const queueSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (result.queued !== PEOPLE) throw new Error(`queued ${result.queued} of ${PEOPLE}`);
    const send = [];
    for (const connections of [1, 4, 8]) send.push(await sendFor(platform, smtpUrl, connections));
    return { database: label, invitationsPerSec, queueSeconds, queueRowsPerSec: PEOPLE / queueSeconds, send };
  } finally {
    await platform.close();
  }
}

export async function mailBench(): Promise<MailFigures[]> {
  const { child, port } = await startServer('bench/smtp-sink-server.ts', {});
  const smtpUrl = `smtp://127.0.0.1:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-mail-bench-'));
  const figures: MailFigures[] = [];
  try {
    figures.push(await run('SQLite', { SQLITE_FILE: path.join(dir, 'mail.sqlite') }, smtpUrl));
    // BENCH_DATABASE_URL=postgres://…: the same on PostgreSQL, in a schema of its own that is dropped afterwards
    const pgUrl = process.env.BENCH_DATABASE_URL;
    if (pgUrl) {
      const schema = `bench_mail_${process.pid}`;
      const { default: knex } = await import('knex');
      const admin = knex({ client: 'pg', connection: pgUrl });
      await admin.raw('create schema ??', [schema]);
      try {
        figures.push(
          await run(
            'PostgreSQL',
            { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema, TOKEN_SECRET: 'bench-only-token-secret-0123456789abcdef' },
            smtpUrl,
          ),
        );
      } finally {
        await admin.raw('drop schema ?? cascade', [schema]);
        await admin.destroy();
      }
    }
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nE-mail (${PEOPLE.toLocaleString('en')} people; SMTP sink in its own process on 127.0.0.1; SMTP sends ${SEND_SECONDS} s per row, no rate limit)`,
  );
  console.log(
    'database     create invitations/s   queue invitations: s   rows/s   |  connections   messages   messages/s',
  );
  for (const f of figures) {
    f.send.forEach((s, i) => {
      const left =
        i === 0
          ? `${f.database.padEnd(12)} ${f.invitationsPerSec.toFixed(0).padStart(20)} ${f.queueSeconds.toFixed(2).padStart(22)} ${f.queueRowsPerSec.toFixed(0).padStart(8)}`
          : ' '.repeat(65);
      console.log(
        `${left}   | ${String(s.connections).padStart(11)} ${String(s.messages).padStart(10)} ${s.perSec.toFixed(0).padStart(12)}`,
      );
    });
  }
  return figures;
}
