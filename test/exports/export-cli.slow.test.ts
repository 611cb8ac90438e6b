import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { freshDatabase, TestDatabase } from '../helpers/databases';
import { realRegistry } from '../helpers/test-app';
import { DEMO_VALID } from '../helpers/pages';
import { runTs } from '../helpers/run-node';
import { seedResponses, seedWave } from './fixtures';
import type { WaveRow } from '../../server/fielding/data/waves';
import { registerVersions } from '../../server/questionnaires/version-registration';

describe('npm run cli -- export', () => {
  let t: TestDatabase;
  let wave: WaveRow;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-cli-'));
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    await registerVersions(t.db, realRegistry());
    wave = await seedWave(t.db, 'demo@1', ['tier'], 'CLI-golf');
    await seedResponses(
      t.db,
      wave,
      Array.from({ length: 6 }, (_, i) => ({
        answers: { ...DEMO_VALID, opmerkingen: i ? undefined : 'mail a@b.nl' },
        attributes: { tier: 'gemeente' },
      })),
    );
  });
  afterAll(async () => {
    await t.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the file, reports rows and redactions on stderr, and audits the download', async () => {
    const out = path.join(dir, 'golf.csv');
    const r = await runTs('server/cli/index.ts', ['export', '--wave', wave.id, '--format', 'csv', '--out', out], {
      ...t.env,
      DEMO: 'false',
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/6 responses; free-text cells with redactions: 1 \(email 1\); k = 5/);
    const rows: string[][] = parse(fs.readFileSync(out, 'utf8'), { record_delimiter: ['\r\n'] });
    expect(rows).toHaveLength(7);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
    const audit = await t.db('audit_log').where({ action: 'export.download', wave_id: wave.id }).first();
    expect(audit.actor).toMatch(/^cli:/);
    expect(JSON.parse(audit.detail)).toMatchObject({ format: 'csv', via: 'cli', rows: 6 });
  });

  it('codebook with a .json file name is JSON; DISCLOSURE_K above the responses refuses; bad arguments exit 2', async () => {
    const json = path.join(dir, 'codeboek.json');
    expect(
      (
        await runTs('server/cli/index.ts', ['export', '--wave', wave.id, '--format', 'codebook', '--out', json], {
          ...t.env,
          DEMO: 'false',
        })
      ).code,
    ).toBe(0);
    expect(JSON.parse(fs.readFileSync(json, 'utf8')).columns[0].name).toBe('response_id');
    const refused = await runTs(
      'server/cli/index.ts',
      ['export', '--wave', wave.id, '--format', 'sav', '--out', path.join(dir, 'x.sav')],
      { ...t.env, DEMO: 'false', DISCLOSURE_K: '10' },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/fewer than k = 10/);
    expect(fs.existsSync(path.join(dir, 'x.sav'))).toBe(false);
    const usage = await runTs('server/cli/index.ts', ['export', '--wave', wave.id, '--format', 'pdf', '--out', 'x'], {
      ...t.env,
      DEMO: 'false',
    });
    expect(usage.code).toBe(2);
  });
});
