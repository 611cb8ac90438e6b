import express from 'express';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { assetsRouter } from '../../server/shared/web/assets';
import { ROOT } from '../helpers/run-node';

/**
 * Installed under a path with a dot-folder (~/.local/share/veldwerk, /srv/.apps/…), every vendor asset answered 404
 * and the respondent page never showed a question: send refuses any dot-segment of an absolute path by default.
 */
describe('assets under a path with a dot-folder', () => {
  let base: string;
  let install: string;
  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-assets-'));
    install = path.join(base, '.local', 'share', 'veldwerk');
    const copy = (from: string, to: string) => {
      fs.mkdirSync(path.dirname(path.join(install, to)), { recursive: true });
      fs.cpSync(path.join(ROOT, from), path.join(install, to), { recursive: true });
    };
    for (const file of ['survey.core.min.js', 'i18n/dutch.min.js', 'survey-core.fontless.min.css'])
      copy(`node_modules/survey-core/${file}`, `node_modules/survey-core/${file}`);
    copy('node_modules/survey-js-ui/survey-js-ui.min.js', 'node_modules/survey-js-ui/survey-js-ui.min.js');
    copy('server/public', 'server/public');
    fs.writeFileSync(path.join(install, 'server', 'public', '.secret'), 'not for the web');
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  test('every vendor file and the own scripts are served, a dot-file inside the public folder is not', async () => {
    const app = express().use(
      assetsRouter({
        surveyCore: path.join(install, 'node_modules', 'survey-core'),
        surveyUi: path.join(install, 'node_modules', 'survey-js-ui'),
        publicDir: path.join(install, 'server', 'public'),
      }),
    );
    const served: Record<string, string> = {
      '/assets/vendor/survey.core.min.js': 'node_modules/survey-core/survey.core.min.js',
      '/assets/vendor/survey-core.i18n.dutch.min.js': 'node_modules/survey-core/i18n/dutch.min.js',
      '/assets/vendor/survey-js-ui.min.js': 'node_modules/survey-js-ui/survey-js-ui.min.js',
      '/assets/vendor/survey-core.fontless.min.css': 'node_modules/survey-core/survey-core.fontless.min.css',
      '/assets/respondent.js': 'server/public/respondent.js',
      '/assets/veldwerk.css': 'server/public/veldwerk.css',
    };
    for (const [url, file] of Object.entries(served)) {
      const res = await request(app)
        .get(url)
        .buffer(true)
        .parse((r, done) => {
          const parts: Buffer[] = [];
          r.on('data', (d: Buffer) => parts.push(d));
          r.on('end', () => done(null, Buffer.concat(parts)));
        });
      expect([url, res.status]).toEqual([url, 200]);
      expect((res.body as Buffer).equals(fs.readFileSync(path.join(install, file)))).toBe(true);
    }
    expect((await request(app).get('/assets/.secret')).status).toBe(404);
    expect((await request(app).get('/assets/vendor/constructor')).status).toBe(404);
  });
});
