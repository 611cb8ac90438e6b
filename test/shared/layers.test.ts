import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/run-node';

/**
 * The layer rules (.dependency-cruiser.js, run by `npm run check:layers` in `npm test`) must refuse a crossing, not
 * only pass on today's tree: a small tree with one crossing per rule is checked with the project's configuration.
 */
const FILES: Record<string, string> = {
  'server/fielding/data/waves.ts': "export const rows = ['wave'];\n",
  'server/fielding/wave-rules.ts': "import { rows } from './data/waves';\nexport const waves = () => rows;\n",
  // a router reading a query module
  'server/fielding/web/waves-page.ts': "import { rows } from '../data/waves';\nexport const page = rows;\n",
  // a router going through the service: allowed
  'server/fielding/web/waves-list.ts': "import { waves } from '../wave-rules';\nexport const list = waves;\n",
  // a service that speaks HTTP
  'server/mail/wave-mail.ts': "import express from 'express';\nexport const app = express;\n",
  // shared code that knows a domain
  'server/shared/i18n.ts': "import { waves } from '../fielding/wave-rules';\nexport const t = waves;\n",
  // a questionnaire module that reads the database
  'server/questionnaires/registry.ts': "import { rows } from '../fielding/data/waves';\nexport const r = rows;\n",
  // a query module that calls up into a service
  'server/accounts/data/users.ts': "import { waves } from '../../fielding/wave-rules';\nexport const u = waves;\n",
};

test('the layer check names every crossing and passes the allowed import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-layers-'));
  try {
    for (const [file, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      '{"compilerOptions":{"module":"commonjs","esModuleInterop":true}}',
    );
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const run = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        'server',
        '--config',
        path.join(ROOT, '.dependency-cruiser.js'),
        '--output-type',
        'err',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    const out = run.stdout + run.stderr;
    expect(run.status).not.toBe(0);
    expect(out).toMatch(
      /web-calls-services-only: server\/fielding\/web\/waves-page\.ts → server\/fielding\/data\/waves\.ts/,
    );
    expect(out).toMatch(/services-know-no-http: server\/mail\/wave-mail\.ts → .*express/);
    expect(out).toMatch(/shared-knows-no-domain: server\/shared\/i18n\.ts → server\/fielding\/wave-rules\.ts/);
    expect(out).toMatch(
      /questionnaires-and-files-are-pure: server\/questionnaires\/registry\.ts → server\/fielding\/data\/waves\.ts/,
    );
    expect(out).toMatch(/data-is-the-bottom: server\/accounts\/data\/users\.ts → server\/fielding\/wave-rules\.ts/);
    expect(out).not.toMatch(/waves-list\.ts/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
