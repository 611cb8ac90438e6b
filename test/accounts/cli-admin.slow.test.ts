import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { verifyPassword } from '../../server/accounts/passwords';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { ROOT, runTs } from '../helpers/run-node';
import { addTestUser } from '../helpers/signed-in';

describe.each(databaseKinds())('administration from the command line on %s', (kind) => {
  let database: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runTs('server/cli/index.ts', args, env);

  beforeAll(async () => {
    database = await freshDatabase(kind);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-cli-admin-'));
    // only the demo questionnaire, copied: these commands need no other, and the copy cannot change under them
    const questionnaires = path.join(dir, 'questionnaires');
    fs.mkdirSync(path.join(questionnaires, 'demo'), { recursive: true });
    for (const file of ['1.json', 'sample-attributes.json'])
      fs.copyFileSync(path.join(ROOT, 'questionnaires', 'demo', file), path.join(questionnaires, 'demo', file));
    env = {
      ...database.env,
      DEMO: 'false',
      PUBLIC_URL: 'https://monitor.example.org',
      QUESTIONNAIRES_DIR: questionnaires,
    };
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('user add prints a generated password once and stores only its slow hash', async () => {
    const res = await cli('user', 'add', '--email', 'Eerste.Beheerder@example.org', '--role', 'admin');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const password = /Password \(shown only this once\): (\S+)/.exec(res.stdout)?.[1] as string;
    expect(res.stdout).toContain('Added admin eerste.beheerder@example.org.');
    const user = await database.db('users').where({ email: 'eerste.beheerder@example.org' }).first();
    expect(user.role).toBe('admin');
    expect(user.password_hash).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await verifyPassword(password, user.password_hash)).toBe(true);
    const again = await cli('user', 'add', '--email', 'eerste.beheerder@example.org', '--role', 'admin');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');
    const bad = await cli('user', 'add', '--email', 'x@example.org', '--role', 'root');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the role must be one of: admin, analyst');
    expect((await cli('user', 'add', '--email', 'x@example.org')).code).toBe(2);
  }, 120_000);

  test('user disable, enable, role and reset: each says what it did; the last administrator stays; reset prints the password once', async () => {
    await addTestUser(database.db, 'cli-analist@example.org', 'analyst');
    const promoted = await cli('user', 'role', 'cli-analist@example.org', 'admin');
    expect([promoted.code, promoted.stdout]).toEqual([0, 'cli-analist@example.org is now admin.\n']);
    const disabled = await cli('user', 'disable', '--email', 'Eerste.Beheerder@example.org');
    expect([disabled.code, disabled.stdout]).toEqual([
      0,
      'Disabled admin eerste.beheerder@example.org; its sessions have ended.\n',
    ]);
    expect(
      (await database.db('users').where({ email: 'eerste.beheerder@example.org' }).first()).disabled_at,
    ).toBeTruthy();
    const last = await cli('user', 'disable', 'cli-analist@example.org');
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('cli-analist@example.org is the last enabled administrator');
    expect((await database.db('users').where({ email: 'cli-analist@example.org' }).first()).disabled_at).toBeNull();
    const reset = await cli('user', 'reset', 'cli-analist@example.org');
    expect(reset.code).toBe(0);
    const password = /Password \(shown only this once\): (\S+)/.exec(reset.stdout)?.[1] as string;
    expect(
      await verifyPassword(
        password,
        (await database.db('users').where({ email: 'cli-analist@example.org' }).first()).password_hash,
      ),
    ).toBe(true);
    expect((await cli('user', 'enable', 'eerste.beheerder@example.org')).code).toBe(0);
    expect(
      (await database.db('users').where({ email: 'eerste.beheerder@example.org' }).first()).disabled_at,
    ).toBeNull();
    const unknown = await cli('user', 'role', '--email', 'niemand@example.org', '--role', 'admin');
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'Error: There is no user with the e-mail address niemand@example.org\n',
    ]);
    expect((await cli('user', 'frob')).code).toBe(2);
    const audit = await database
      .db('audit_log')
      .whereIn('action', ['user.role', 'user.disable', 'user.enable', 'user.reset-password'])
      .orderBy('id');
    expect(audit.map((e) => e.action)).toEqual(['user.role', 'user.disable', 'user.reset-password', 'user.enable']);
    expect(audit.every((e) => e.actor.startsWith('cli:'))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(password);
  }, 120_000);

  test('wave create, sample import, wave close and wave purge: each says what it did, errors exit non-zero', async () => {
    const today = dutchDay(new Date());
    const created = await cli(
      'wave',
      'create',
      '--name',
      'CLI-golf',
      '--questionnaire',
      'demo@1',
      '--opens',
      today,
      '--closes',
      addDays(today, 20),
      '--keep',
      'tier,role',
    );
    expect(created.code).toBe(0);
    const waveId = /Created wave ([0-9a-f-]{36})/.exec(created.stdout)?.[1] as string;
    expect(waveId).toBeTruthy();
    // only attributes the questionnaire declares can be kept with the answers; contact details never
    for (const keep of ['e_mail', 'tier,volledige_naam', 'telefoon', 'gemeente_code']) {
      const refused = await cli(
        'wave',
        'create',
        '--name',
        'Bewaar',
        '--questionnaire',
        'demo@1',
        '--opens',
        today,
        '--closes',
        today,
        '--keep',
        keep,
      );
      expect([refused.code, refused.stdout]).toEqual([1, '']);
      expect(refused.stderr).toMatch(/never kept with answers|not an attribute demo declares/);
    }
    expect(await database.db('waves').where({ name: 'Bewaar' })).toHaveLength(0);
    const badWave = await cli(
      'wave',
      'create',
      '--name',
      'x',
      '--questionnaire',
      'nope@1',
      '--opens',
      today,
      '--closes',
      today,
    );
    expect(badWave.code).toBe(1);
    expect(badWave.stderr).toContain('is not registered');

    const invalid = path.join(dir, 'invalid.csv');
    fs.writeFileSync(
      invalid,
      'email;tier;role\r\njan@example.org;gemeente;raadslid\r\nfout;gemeente;raadslid\r\nJAN@example.org;buurtschap;raadslid\r\n',
    );
    const rejected = await cli('sample', 'import', '--wave', waveId, invalid);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('was not imported, nothing changed. 3 problem(s)');
    expect(rejected.stderr).toContain('line 3: the e-mail address is not valid');
    expect(rejected.stderr).toContain('line 4: the e-mail address is also on line 2 of this file');
    expect(rejected.stderr).toContain('line 4: "buurtschap" is not a known tier');
    expect(await database.db('invitations').where({ wave_id: waveId })).toHaveLength(0);

    const valid = path.join(dir, 'valid.csv');
    fs.writeFileSync(
      valid,
      'email,name,tier,role\nan@example.org,An,gemeente,raadslid\nbo@example.org,Bo,provincie,statenlid\ncor@example.org,Cor,gemeente,wethouder\n',
    );
    const imported = await cli('sample', 'import', '--wave', waveId, valid);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`Imported 3 people into wave ${waveId}`);
    expect(imported.stdout).toContain('tier (kept): gemeente 2, provincie 1');
    expect(await database.db('invitations').where({ wave_id: waveId })).toHaveLength(3);
    const dup = await cli('sample', 'import', '--wave', waveId, valid);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('line 2: the e-mail address is already in this wave');

    const early = await cli('wave', 'purge', '--wave', waveId, '--yes');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('close the wave before purging it');
    expect((await cli('wave', 'purge', '--wave', waveId)).code).toBe(2); // no --yes

    const closed = await cli('wave', 'close', '--wave', waveId);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain(`Closed wave ${waveId}`);

    const purged = await cli('wave', 'purge', '--wave', waveId, '--yes');
    expect(purged.stderr).toBe('');
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('deleted 3 invitations');
    expect(await database.db('invitations').where({ wave_id: waveId })).toHaveLength(0);
    const counts = await database
      .db('wave_final_counts')
      .where({ wave_id: waveId, attribute: 'tier' })
      .orderBy('value');
    expect(counts.map((c) => [c.value, c.invited])).toEqual([
      ['gemeente', 2],
      ['provincie', 1],
    ]);

    const actions = (await database.db('audit_log').where({ wave_id: waveId }).orderBy('id')).map((a) => a.action);
    expect(actions).toEqual(['wave.create', 'sample.import', 'wave.close', 'wave.purge']);
    const actor = (await database.db('audit_log').where({ wave_id: waveId }).first()).actor;
    expect(actor).toMatch(/^cli:/);

    const unknown = await cli('wave', 'close', '--wave', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no wave with id');
  }, 240_000); // ten child processes, each starting TypeScript
});
