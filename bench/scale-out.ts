/*
 * npm run scale-out: two app processes and one mail worker on PostgreSQL behind a round-robin proxy, with the
 * respondent flow under load. Each request of a flow goes to the other process than the one before, so autosave and
 * completion must work whichever process answers. Uses SCALE_OUT_DATABASE_URL (default: the local test database)
 * in a schema of its own, dropped afterwards.
 */
import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import knexFactory from 'knex';
import { loadConfig } from '../server/shared/config';
import { openPlatform } from '../server/platform';
import { addDays, dutchDay } from '../server/shared/calendar';
import { createInvitations } from '../server/fielding/issue-invitations';
import { inviteWave } from '../server/mail/wave-mail';
import { createWave } from '../server/fielding/wave-rules';
import { ROOT } from './lib';
import { respondentLoad } from './respondent-load';
import { startRoundRobinProxy } from './round-robin-proxy';

const url = process.env.SCALE_OUT_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const seconds = Number(process.env.SCALE_OUT_SECONDS || 30);

function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

async function main(): Promise<void> {
  const schema = `scaleout_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url });
  await admin.raw('create schema ??', [schema]);
  const env = {
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    TOKEN_SECRET: crypto.randomBytes(32).toString('base64url'),
    DEMO: 'false',
    LOG_REQUESTS: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
  };
  const children: ChildProcess[] = [];
  try {
    const platform = await openPlatform(loadConfig(env));
    const now = new Date();
    const wave = await createWave(
      platform.db,
      platform.registry,
      {
        name: 'scale-out',
        questionnaireId: 'demo@1',
        opensOn: addDays(dutchDay(now), -1),
        closesOn: addDays(dutchDay(now), 7),
        keptAttributes: ['tier'],
      },
      now,
    );
    const issued = await createInvitations(
      platform.db,
      wave,
      Array.from({ length: 60_000 }, (_, i) => ({ email: `r${i}@example.org`, attributes: { tier: 'gemeente' } })),
      { now },
    );
    const queued = await inviteWave(platform.db, wave.id, { actor: 'scale-out', now });
    console.log(
      `seeded 60,000 invitations and queued ${queued.queued} invitation mails (development mailbox: SMTP_URL unset)`,
    );

    const apps = await Promise.all(
      [0, 1].map(() => startProcess(['server/main.ts'], env, /listens on .*\(port (\d+)/)),
    );
    children.push(...apps.map((a) => a.child));
    const worker = await startProcess(
      ['server/cli/index.ts', 'mail', 'work'],
      { ...env, MAIL_RATE_PER_SECOND: '200' },
      /Mail worker/,
    );
    children.push(worker.child);
    const proxy = await startRoundRobinProxy(apps.map((a) => Number(a.match[1])));
    try {
      await respondentLoad(
        `http://127.0.0.1:${proxy.port}`,
        issued.map((i) => i.token),
        'PostgreSQL, two app processes + mail worker, round-robin',
        seconds,
      );
      console.log(`requests per process: ${proxy.served.join(' / ')}`);
    } finally {
      proxy.close();
    }
    // requests the load generator abandoned at the end may still be committing: let them finish, then count both in one snapshot
    await new Promise((r) => setTimeout(r, 3000));
    const [responses, completed] = await platform.db.transaction(async (trx) => {
      await trx.raw('set transaction isolation level repeatable read');
      return [
        Number((await trx('responses').count({ n: '*' }).first())?.n),
        Number((await trx('invitations').where({ status: 'completed' }).count({ n: '*' }).first())?.n),
      ];
    });
    const mailed: Array<{ state: string; n: number | string }> = await platform
      .db('outbox')
      .select('state')
      .count({ n: '*' })
      .groupBy('state');
    console.log(
      `responses stored: ${responses}; invitations completed: ${completed}; ${responses === completed ? 'consistent' : 'INCONSISTENT'}`,
    );
    console.log(`outbox: ${mailed.map((r) => `${r.state} ${r.n}`).join(', ')}`);
    await platform.close();
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await admin.raw('drop schema ?? cascade', [schema]);
    await admin.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
