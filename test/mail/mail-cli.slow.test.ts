import { ConfigError, loadConfig } from '../../server/shared/config';
import { createInvitations } from '../../server/fielding/issue-invitations';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { people } from '../helpers/mail';
import { runTs } from '../helpers/run-node';
import { realRegistry } from '../helpers/test-app';
import { createWave } from '../../server/fielding/wave-rules';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { registerVersions } from '../../server/questionnaires/version-registration';

describe.each(databaseKinds())('npm run cli -- invite, remind, mail work on %s', (kind) => {
  let d: TestDatabase;
  beforeAll(async () => {
    d = await freshDatabase(kind);
    await registerVersions(d.db, realRegistry());
  });
  afterAll(() => d.drop());

  test('invite and remind print what they queued; mail work without SMTP_URL keeps the mail in the development mailbox', async () => {
    const now = new Date();
    const today = dutchDay(now);
    const wave = await createWave(
      d.db,
      realRegistry(),
      { name: 'CLI-golf', questionnaireId: 'demo@1', opensOn: today, closesOn: addDays(today, 9), keptAttributes: [] },
      now,
    );
    await createInvitations(d.db, wave, [...people(2, 'cli'), { attributes: {} }], { now });
    const env = { ...d.env, SMTP_URL: '', PUBLIC_URL: 'https://monitor.example.org' };

    const invite = await runTs('server/cli/index.ts', ['invite', '--wave', wave.id], env);
    expect(invite.code).toBe(0);
    expect(invite.stdout).toContain(`Queued 2 invitation mails for wave "CLI-golf" (${wave.id}).`);
    expect(invite.stdout).toContain('Of 3 invitations: 0 opted out, 1 without an e-mail address, 0 completed.');
    const early = await runTs('server/cli/index.ts', ['remind', '--wave', wave.id], env);
    expect(early.stdout).toContain('Queued 0 reminder mails');
    expect(early.stdout).toContain('2 have not had their invitation mail yet and get no reminder.');

    const work = await runTs('server/cli/index.ts', ['mail', 'work', '--until-idle'], env);
    expect(work.code).toBe(0);
    expect(work.stdout).toContain('the development mailbox (NOT sent: SMTP_URL is not set)');
    expect(work.stdout).toContain('Mail worker stopped: 2 kept in the development mailbox (NOT sent)');
    expect(work.stdout).not.toMatch(/@example\.org|\/s\/[A-Za-z0-9_-]{43}/);
    expect(await d.db('dev_mailbox').where({ wave_id: wave.id })).toHaveLength(2);

    const remind = await runTs('server/cli/index.ts', ['remind', '--wave', wave.id], env);
    expect(remind.code).toBe(0);
    expect(remind.stdout).toContain('Queued 2 reminder mails');
    const audit = await d.db('audit_log').where({ wave_id: wave.id }).orderBy('id');
    expect(audit.map((a) => a.action)).toEqual(['mail.send', 'mail.remind', 'mail.remind']);
    expect(audit[0].actor).toMatch(/^cli:/);
  });

  test('a wrong command line exits 2; an unknown wave exits 1 with a message', async () => {
    const missing = await runTs('server/cli/index.ts', ['invite'], d.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--wave ID is required');
    expect((await runTs('server/cli/index.ts', ['mail', 'send'], d.env)).code).toBe(2);
    const unknown = await runTs('server/cli/index.ts', ['remind', '--wave', 'no-such-wave'], d.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no wave with id "no-such-wave"');
  });
});

describe('mail configuration', () => {
  const base = { SQLITE_FILE: '/tmp/x.sqlite' };
  const fails = (env: Record<string, string>, message: RegExp) =>
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);

  test('defaults: no SMTP (development mailbox), 10 messages a second over one connection, 5 s timeouts', () => {
    expect(loadConfig(base)).toMatchObject({
      smtpUrl: undefined,
      mailFrom: 'Veldwerk <veldwerk@localhost>',
      mailRatePerSecond: 10,
      mailConnections: 1,
      mailTimeoutMs: 5000,
      tokenSecret: undefined,
    });
    const c = loadConfig({
      ...base,
      SMTP_URL: 'smtp://user:pw@mail.example.org:587',
      MAIL_FROM: 'Monitor <monitor@example.org>',
      MAIL_RATE_PER_SECOND: '50',
      MAIL_CONNECTIONS: '4',
      MAIL_TIMEOUT_SECONDS: '3',
    });
    expect(c).toMatchObject({
      smtpUrl: 'smtp://user:pw@mail.example.org:587',
      mailFrom: 'Monitor <monitor@example.org>',
      mailRatePerSecond: 50,
      mailConnections: 4,
      mailTimeoutMs: 3000,
    });
  });

  test('bad values stop the start with a message that names the setting (and never repeats an SMTP password)', () => {
    fails({ SMTP_URL: 'http://user:secretpw@mail.example.org' }, /^SMTP_URL must look like/);
    expect(() => loadConfig({ ...base, SMTP_URL: 'smtp://user:secretpw@' })).toThrow(ConfigError);
    try {
      loadConfig({ ...base, SMTP_URL: 'http://user:secretpw@x' });
    } catch (err) {
      expect((err as Error).message).not.toContain('secretpw');
    }
    fails({ SMTP_URL: 'smtp://mail.example.org' }, /MAIL_FROM must be set when SMTP_URL is set/);
    fails({ MAIL_FROM: 'Monitor <monitor@example.org>\r\nBcc: x@example.org' }, /MAIL_FROM must be an address/);
    fails({ MAIL_FROM: 'not an address' }, /MAIL_FROM/);
    fails({ MAIL_RATE_PER_SECOND: '0' }, /MAIL_RATE_PER_SECOND must be a whole number/);
    fails({ MAIL_CONNECTIONS: '500' }, /MAIL_CONNECTIONS/);
    fails({ MAIL_TIMEOUT_SECONDS: 'soon' }, /MAIL_TIMEOUT_SECONDS/);
    fails({ TOKEN_SECRET: 'short' }, /TOKEN_SECRET must be at least 32 characters/);
    fails({ DATABASE_URL: 'postgres://db.example.org/veldwerk' }, /TOKEN_SECRET must be set when DATABASE_URL is set/);
  });
});
