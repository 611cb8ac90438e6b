import { parseArgs } from 'node:util';
import { cliActor, recordAudit } from '../accounts/audit';
import { changeUserByEmail, UserChange, UserChangeRefused } from '../accounts/account-changes';
import { addUser } from '../accounts/new-account';
import { UsageError } from './usage-error';
import { withPlatform } from './with-platform';

const COMMANDS = 'add, disable, enable, role, reset';

/**
 * npm run cli -- user add --email E --role admin|analyst: prints the generated password once.
 * user disable|enable|reset E (or --email E), user role E admin|analyst (or --email E --role R): reset prints the
 * new password once. The command line may change any account, but never disable or demote the last administrator.
 */
export async function user(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { email: { type: 'string' }, role: { type: 'string' } },
  });
  const email = values.email ?? positionals[0];
  const role = values.role ?? positionals[values.email === undefined ? 1 : 0];
  if (sub === 'add') {
    if (!email || !role) throw new UsageError('user add needs --email E and --role admin|analyst');
    await withPlatform(async ({ db }) => {
      const now = new Date();
      const { user: created, password } = await addUser(db, { email, role }, now);
      await recordAudit(db, {
        actor: cliActor(),
        action: 'user.add',
        detail: { email: created.email, role: created.role },
        at: now,
      });
      process.stdout.write(`Added ${created.role} ${created.email}.\nPassword (shown only this once): ${password}\n`);
    });
    return;
  }
  if (sub !== 'disable' && sub !== 'enable' && sub !== 'role' && sub !== 'reset') {
    throw new UsageError(sub ? `Unknown user command "${sub}"` : `user needs a command: ${COMMANDS}`);
  }
  if (!email) throw new UsageError(`user ${sub} needs the account's e-mail address`);
  if (sub === 'role' && !role) throw new UsageError('user role needs the e-mail address and admin|analyst');
  const change: UserChange = sub === 'role' ? { kind: 'role', role: role as string } : { kind: sub };
  await withPlatform(async ({ db }) => {
    let result;
    try {
      result = await changeUserByEmail(db, { actor: cliActor() }, email, change, new Date());
    } catch (err) {
      throw err instanceof UserChangeRefused ? new Error(err.message) : err;
    }
    const who = `${result.user.role} ${result.user.email}`;
    if (sub === 'reset')
      process.stdout.write(
        `New password for ${who}; its sessions have ended.\nPassword (shown only this once): ${result.password}\n`,
      );
    else if (!result.changed)
      process.stdout.write(`Nothing to do: ${who} is ${sub === 'role' ? 'that role' : `${sub}d`} already.\n`);
    else if (sub === 'role') process.stdout.write(`${result.user.email} is now ${result.user.role}.\n`);
    else
      process.stdout.write(
        `${sub === 'disable' ? 'Disabled' : 'Enabled'} ${who}${sub === 'disable' ? '; its sessions have ended' : ''}.\n`,
      );
  });
}
