import express, { Router } from 'express';
import path from 'node:path';
import { projectRoot } from '../project-root';

/** The package folder of an installed module (their package.json is not exported, so walk up from the main file). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (path.basename(dir) !== name && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const surveyCore = packageDir('survey-core');
const surveyUi = packageDir('survey-js-ui');

/** Vendor files served from node_modules by an explicit list: nothing comes from a CDN or a font service. */
const VENDOR: Record<string, string> = {
  'survey.core.min.js': path.join(surveyCore, 'survey.core.min.js'),
  'survey-core.i18n.dutch.min.js': path.join(surveyCore, 'i18n', 'dutch.min.js'),
  'survey-js-ui.min.js': path.join(surveyUi, 'survey-js-ui.min.js'),
  // the font-less stylesheet: survey-core.min.css would load Google Fonts and leak respondents' addresses
  'survey-core.fontless.min.css': path.join(surveyCore, 'survey-core.fontless.min.css'),
};

export function assetsRouter(): Router {
  const router = express.Router();
  router.get('/assets/vendor/:file', (req, res, next) => {
    const name = String(req.params.file);
    if (!Object.hasOwn(VENDOR, name)) return next(); // own keys only: "constructor" or "__proto__" is no file either
    const file = VENDOR[name];
    res.sendFile(file, { maxAge: '1d' });
  });
  router.use('/assets', express.static(path.join(projectRoot, 'server', 'public'), { maxAge: '1h', index: false }));
  return router;
}
