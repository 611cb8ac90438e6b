import { parseArgs } from 'node:util';
import { cliActor } from '../accounts/audit';
import {
  asReminderAudience,
  describeMailPlan,
  describeQueueResult,
  inviteWave,
  mailPlan,
  remindWave,
  SendMoment,
} from '../mail/wave-mail';
import { amsterdamMoment } from '../shared/calendar';
import { mailWorkerFromConfig } from '../mail/mail-worker';
import { UsageError } from './usage-error';
import { withPlatform } from './with-platform';

/** Without --yes a bulk action only says what it would do: the count, and how to do it. */
function notConfirmed(what: string, command: string): never {
  throw new Error(`${what}\nNothing was queued. Run it again with --yes to do it: npm run cli -- ${command} --yes`);
}

const SEND_OPTIONS = { at: { type: 'string' }, 'before-opening': { type: 'boolean', default: false } } as const;

/** --at "YYYY-MM-DD HH:MM" (Amsterdam time) and --before-opening, as the web form's choice. */
function sendMoment(values: { at?: string; 'before-opening'?: boolean }): SendMoment {
  let at: Date | undefined;
  if (values.at !== undefined) {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(values.at.trim());
    at = m ? amsterdamMoment(m[1], m[2]) : undefined;
    if (!at) throw new UsageError('--at is a day and a time on Amsterdam clocks, "YYYY-MM-DD HH:MM"');
  }
  return { at, beforeOpening: values['before-opening'] ?? false };
}

function sendFlags(values: { at?: string; 'before-opening'?: boolean }): string {
  return `${values.at ? ` --at "${values.at}"` : ''}${values['before-opening'] ? ' --before-opening' : ''}`;
}

/** npm run cli -- invite --wave ID [--at "YYYY-MM-DD HH:MM"] [--before-opening] --yes */
export async function invite(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { wave: { type: 'string' }, yes: { type: 'boolean', default: false }, ...SEND_OPTIONS },
  });
  if (!values.wave) throw new UsageError('--wave ID is required');
  const waveId = values.wave;
  const send = sendMoment(values);
  await withPlatform(async ({ db }) => {
    if (!values.yes)
      notConfirmed(
        describeMailPlan('invite', 'all', await mailPlan(db, waveId, 'invite', { now: new Date(), send })),
        `invite --wave ${waveId}${sendFlags(values)}`,
      );
    const result = await inviteWave(db, waveId, { actor: cliActor(), now: new Date(), send });
    process.stdout.write(
      `${describeQueueResult('invite', result)}\nThe mail worker sends them (in the server, or: npm run cli -- mail work).\n`,
    );
  });
}

/** npm run cli -- remind --wave ID [--audience all|not-started|started] [--at "YYYY-MM-DD HH:MM"] --yes */
export async function remind(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      wave: { type: 'string' },
      audience: { type: 'string', default: 'all' },
      yes: { type: 'boolean', default: false },
      ...SEND_OPTIONS,
    },
  });
  if (!values.wave) throw new UsageError('--wave ID is required');
  const audience = asReminderAudience(values.audience);
  if (!audience) throw new UsageError('--audience is all, not-started or started');
  const waveId = values.wave;
  const send = sendMoment(values);
  await withPlatform(async ({ db, config }) => {
    const minIntervalMs = config.reminderMinIntervalDays * 86_400_000;
    const opts = { now: new Date(), audience, send, minIntervalMs };
    if (!values.yes)
      notConfirmed(
        describeMailPlan('remind', audience, await mailPlan(db, waveId, 'remind', opts)),
        `remind --wave ${waveId} --audience ${audience}${sendFlags(values)}`,
      );
    const result = await remindWave(db, waveId, { ...opts, actor: cliActor() });
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
