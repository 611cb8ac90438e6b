import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { ROOT, runTs } from '../helpers/run-node';
import { werkbeleving2026, werkbeleving2027 } from './version-fixtures';

describe.each(databaseKinds())('questionnaire add on the command line, on %s', (kind) => {
  let database: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runTs('server/cli/index.ts', args, env);
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };

  beforeAll(async () => {
    database = await freshDatabase(kind);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-cli-q-'));
    const questionnaires = path.join(dir, 'questionnaires');
    fs.mkdirSync(path.join(questionnaires, 'demo'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'questionnaires', 'demo', '1.json'), path.join(questionnaires, 'demo', '1.json'));
    env = { ...database.env, DEMO: 'false', QUESTIONNAIRES_DIR: questionnaires };
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('--check stores nothing; add registers, audited; a wave created by another command pins it', async () => {
    const file = write('creator.json', werkbeleving2026());
    const args = ['questionnaire', 'add', file, '--key', 'werkbeleving', '--version', '2026.1'];
    const checked = await cli(...args, '--title-nl', 'Werkbeleving', '--title-en', 'Work experience', '--check');
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toContain('werkbeleving@2026.1: accepted by the check');
    expect(checked.stdout).toContain('2 pages, 5 questions, 8 variables, 2 with routing');
    expect(checked.stdout).toContain('Checked only (--check): nothing was stored.');
    expect(await database.db('questionnaire_versions').where({ key: 'werkbeleving' })).toHaveLength(0);

    const added = await cli(...args, '--title-nl', 'Werkbeleving', '--title-en', 'Work experience');
    expect([added.code, added.stderr]).toEqual([0, '']);
    expect(added.stdout).toContain('Registered werkbeleving@2026.1: waves can use it now.');
    const row = await database.db('questionnaire_versions').where({ id: 'werkbeleving@2026.1' }).first();
    expect(row).toMatchObject({ origin: 'upload', uploaded_by: expect.stringMatching(/^cli:/) });
    const audit = await database.db('audit_log').where({ action: 'questionnaire.upload' }).first();
    expect(JSON.parse(audit.detail)).toMatchObject({
      version: 'werkbeleving@2026.1',
      via: 'cli',
      file: 'creator.json',
    });

    const today = dutchDay(new Date());
    const wave = await cli(
      'wave', 'create', '--name', 'Werkbeleving', '--questionnaire', 'werkbeleving@2026.1',
      '--opens', today, '--closes', addDays(today, 10),
    ); // prettier-ignore
    expect([wave.code, wave.stderr]).toEqual([0, '']);
    expect(wave.stdout).toContain('werkbeleving@2026.1');
    // the printable document of the uploaded version, as a file to hand on
    const out = path.join(dir, 'vragenlijst.html');
    const doc = await cli('questionnaire', 'document', 'werkbeleving@2026.1', '--out', out);
    expect([doc.code, doc.stdout]).toEqual([0, `Wrote the questionnaire document of werkbeleving@2026.1 to ${out}.\n`]);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('Op welke dagen werkt u thuis?');
    expect(html).toContain('EN: thuiswerk is 1 “Yes”');
    expect(html).not.toContain('/admin/'); // no link back into the admin pages
    expect((await cli('questionnaire', 'document', 'nope@1')).code).toBe(1);
  }, 120_000);

  test('other content under a registered version, or a broken file, is refused with the reason and changes nothing', async () => {
    const before = await database.db('questionnaire_versions').select('id', 'sha256').orderBy('id');
    const changed = write('changed.json', werkbeleving2027());
    const refused = await cli('questionnaire', 'add', changed, '--key', 'werkbeleving', '--version', '2026.1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('werkbeleving@2026.1 is registered already with other content');
    const broken = await cli('questionnaire', 'add', write('x.json', '{"pages": ['), '--key', 'w', '--version', '1');
    expect([broken.code, broken.stderr]).toEqual([1, expect.stringContaining('The file is not valid JSON')]);
    const usage = await cli('questionnaire', 'add', changed, '--key', 'werkbeleving');
    expect(usage.code).toBe(2);
    expect(await database.db('questionnaire_versions').select('id', 'sha256').orderBy('id')).toEqual(before);
    // the next version shows its changes against the one before it
    const next = await cli('questionnaire', 'add', changed, '--key', 'werkbeleving', '--version', '2027.1', '--check');
    expect(next.stdout).toMatch(/Changes from werkbeleving@2026\.1:\n {2}changed {2}thuiswerk/);
    expect(next.stdout).toMatch(/removed {2}werkdruk/);
  }, 120_000);
});
