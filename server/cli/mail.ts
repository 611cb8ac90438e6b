import { parseArgs } from 'node:util';
import { cliActor } from '../accounts/audit';
import { describeQueueResult, inviteWave, remindWave } from '../mail/wave-mail';
import { mailWorkerFromConfig } from '../mail/mail-worker';
import { UsageError } from './usage-error';
import { withPlatform } from './with-platform';

function waveOption(args: string[]): string {
  const { values } = parseArgs({ args, options: { wave: { type: 'string' } } });
  if (!values.wave) throw new UsageError('--wave ID is required');
  return values.wave;
}

/** npm run cli -- invite --wave ID */
export async function invite(args: string[]): Promise<void> {
  const waveId = waveOption(args);
  await withPlatform(async ({ db }) => {
    const result = await inviteWave(db, waveId, { actor: cliActor(), now: new Date() });
    process.stdout.write(
      `${describeQueueResult('invite', result)}\nThe mail worker sends them (in the server, or: npm run cli -- mail work).\n`,
    );
  });
}

/** npm run cli -- remind --wave ID */
export async function remind(args: string[]): Promise<void> {
  const waveId = waveOption(args);
  await withPlatform(async ({ db }) => {
    const result = await remindWave(db, waveId, { actor: cliActor(), now: new Date() });
    process.stdout.write(
      `${describeQueueResult('remind', result)}\nThe mail worker sends them (in the server, or: npm run cli -- mail work).\n`,
    );
  });
}

/** npm run cli -- mail work [--until-idle]: a worker on its own, for scale-out; stops on SIGTERM or SIGINT. */
export async function mail(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'work') throw new UsageError(sub ? `Unknown mail command "${sub}"` : 'mail needs a command: work');
  const { values } = parseArgs({ args: rest, options: { 'until-idle': { type: 'boolean', default: false } } });
  await withPlatform(async ({ db, config }) => {
    const worker = mailWorkerFromConfig(db, config, (line) => process.stdout.write(`${line}\n`));
    const where = worker.via === 'smtp' ? 'SMTP' : 'the development mailbox (NOT sent: SMTP_URL is not set)';
    process.stdout.write(
      `Mail worker: to ${where}, at most ${config.mailRatePerSecond}/s over ${config.mailConnections} connection(s).\n`,
    );
    if (values['until-idle']) {
      await worker.drain();
      await worker.stop();
    } else {
      worker.start();
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await worker.stop();
    }
    const s = worker.stats;
    const sent = worker.via === 'smtp' ? `${s.sent} sent` : `${s.sent} kept in the development mailbox (NOT sent)`;
    process.stdout.write(
      `Mail worker stopped: ${sent}, ${s.bounced} bounced, ${s.retried} to retry, ${s.failed} failed, ${s.cancelled} cancelled.\n`,
    );
  });
}
