#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../shared/config';
import { openPlatform } from '../platform';
import { seedDemoLinks } from '../fielding/demo';
import { exportCommand } from './export';
import * as mailCli from './mail';
import { sample } from './samples';
import { user } from './users';
import { wave } from './waves';
import { questionnaire } from './questionnaire';
import { reorderStoredRows } from '../fielding/wave-actions';

import { UsageError } from './usage-error';

export { UsageError };

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  demo --links N        seed the demo wave (once) and print N fresh respondent links, one per line
  user add --email E --role admin|analyst   add an account; prints its generated password once
  user disable|enable E   disable an account (it cannot sign in, its sessions end) or enable it again
  user role E admin|analyst   change an account's role (from its next request)
  user reset E          give an account a new generated password, printed once; its sessions end
  wave create --name N --questionnaire KEY@VERSION --opens YYYY-MM-DD --closes YYYY-MM-DD [--keep tier,role]
  wave close --wave ID --yes
                        close the wave now: its links show the closed page (without --yes: says
                        how many have not finished, and changes nothing)
  wave purge --wave ID --yes   after closing: delete the wave's contact data and tokens for good, keep the counts
  wave population --wave ID --attribute A --file F.csv   population totals per value of a kept attribute
                        ("value,total" lines) for weighting: the frame is then not taken as the population
  sample import --wave ID [--skip-existing] FILE.csv
                        check the sample file and add everyone in it, or nothing (--skip-existing:
                        leave out, and count, those already in the wave)
  sample synth --population politieke-ambtsdragers|ambtenaren [--size N] [--seed S] [--out FILE.csv]
                                     write a fictional sample frame shaped like the real population
  invite --wave ID [--at "YYYY-MM-DD HH:MM"] [--before-opening] --yes
                        queue the invitation mail for every invitation of the wave not yet mailed
                        (without --yes: says how many it would queue, and queues nothing); it goes out
                        at --at (Amsterdam time), by default now or, before the wave opens, at its opening
                        (a moment before the opening needs --before-opening)
  remind --wave ID [--audience all|not-started|started] [--at "YYYY-MM-DD HH:MM"] --yes
                        queue a reminder for everyone invited who has not completed or opted out
                        (none for whoever had one in the last 3 days)
  mail work [--until-idle]  run a mail worker (stops on SIGTERM; --until-idle: when nothing is due)
  export --wave ID --format F --out FILE [--lang en] [--weight ATTR]   a wave's data: csv, csv-nl (; and BOM for
                        Dutch Excel), xlsx, sav, codebook (HTML; .json out: JSON), codebook-json, tables, tables-html
  export --trend KEY --format F --out FILE   the waves of questionnaire KEY stacked (csv, csv-nl, xlsx, sav, codebook)
  questionnaire check FILE.json
                        check a SurveyJS definition (bare, or a version file): accepted with a summary
                        (pages, questions, variables, routing), or refused with each problem's JSON path
  questionnaire validate FILE.json [--lang en] < answers.jsonl
                        judge answer sets (one JSON object per line) as a completion would: one verdict
                        per line, {"ok":true} or the errors; exit 1 when any is refused
  db reorder            PostgreSQL: erase the storage order of responses and invitations (also done at wave close)
`;

function positiveInt(value: string | undefined, name: string, max: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}`);
  }
  return Number(value);
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { links: { type: 'string', default: '3' } } });
  const n = positiveInt(values.links, '--links', 10_000);
  const platform = await openPlatform(loadConfig());
  try {
    const links = await seedDemoLinks(platform.db, platform.registry, platform.config.publicUrl, n, new Date());
    process.stdout.write(links.join('\n') + '\n');
  } finally {
    await platform.close();
  }
}

/** PostgreSQL: rewrite responses and invitations so their storage order says nothing about completion order. */
async function db(args: string[]): Promise<void> {
  if (args[0] !== 'reorder') throw new UsageError('usage: db reorder');
  const platform = await openPlatform(loadConfig());
  try {
    await reorderStoredRows(platform.db);
    process.stdout.write(
      platform.config.databaseUrl
        ? 'Rewrote responses and invitations in random-id order.\n'
        : 'SQLite keeps responses in random-id order already; nothing to do.\n',
    );
  } finally {
    await platform.close();
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void | number>> = {
  demo,
  db,
  export: exportCommand,
  invite: mailCli.invite,
  remind: mailCli.remind,
  mail: mailCli.mail,
  user,
  wave,
  sample,
  questionnaire,
};

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const handler = command && Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) {
    process.stderr.write(command ? `Unknown command "${command}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  try {
    const code = await handler(rest);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(
      `${err instanceof ConfigError ? 'Configuration error: ' : 'Error: '}${(err as Error).message}\n`,
    );
    return 1;
  }
}

/**
 * Exits once stdout and stderr have handed everything to the operating system. process.exit() at once dropped what a
 * slower reader had not taken from the pipe yet (`demo --links 10000 | slow-program` got 1,000 to 3,000 lines). A
 * reader that goes away (`| head`) ends the wait too.
 */
export function exitWhenWritten(code: number): void {
  let waiting = 2;
  const done = () => {
    if (--waiting === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', done); // EPIPE: nobody reads any more
    stream.write('', done); // called after every earlier write has been flushed
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(exitWhenWritten);
}
