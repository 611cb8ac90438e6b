import { parseArgs } from 'node:util';
import { cliActor, recordAudit } from '../services/audit';
import { addUser } from '../services/users';
import { UsageError } from './index';
import { withPlatform } from './with-platform';

/** npm run cli -- user add --email E --role admin|analyst: prints the generated password once. */
export async function user(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new UsageError(sub ? `Unknown user command "${sub}"` : 'user needs a command: add');
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, role: { type: 'string' } } });
  if (!values.email || !values.role) throw new UsageError('user add needs --email E and --role admin|analyst');
  await withPlatform(async ({ db }) => {
    const now = new Date();
    const { user: created, password } = await addUser(db, { email: values.email as string, role: values.role as string }, now);
    await recordAudit(db, { actor: cliActor(), action: 'user.add', detail: { email: created.email, role: created.role }, at: now });
    process.stdout.write(`Added ${created.role} ${created.email}.\nPassword (shown only this once): ${password}\n`);
  });
}
