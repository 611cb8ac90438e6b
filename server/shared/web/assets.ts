import express, { Router } from 'express';
import path from 'node:path';
import { projectRoot } from '../project-root';

/** The package folder of an installed module (their package.json is not exported, so walk up from the main file). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (path.basename(dir) !== name && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Vendor files served from node_modules by an explicit list: nothing comes from a CDN or a font service. */
function vendorFiles(surveyCore: string, surveyUi: string): Record<string, string> {
  return {
    'survey.core.min.js': path.join(surveyCore, 'survey.core.min.js'),
    'survey-core.i18n.dutch.min.js': path.join(surveyCore, 'i18n', 'dutch.min.js'),
    'survey-js-ui.min.js': path.join(surveyUi, 'survey-js-ui.min.js'),
    // the font-less stylesheet: survey-core.min.css would load Google Fonts and leak respondents' addresses
    'survey-core.fontless.min.css': path.join(surveyCore, 'survey-core.fontless.min.css'),
  };
}

export interface AssetFolders {
  /** the installed survey-core and survey-js-ui packages */
  surveyCore: string;
  surveyUi: string;
  /** Veldwerk's own browser script and styles */
  publicDir: string;
}

export function assetsRouter(
  folders: AssetFolders = {
    surveyCore: packageDir('survey-core'),
    surveyUi: packageDir('survey-js-ui'),
    publicDir: path.join(projectRoot, 'server', 'public'),
  },
): Router {
  const vendor = vendorFiles(folders.surveyCore, folders.surveyUi);
  const router = express.Router();
  router.get('/assets/vendor/:file', (req, res, next) => {
    const name = String(req.params.file);
    if (!Object.hasOwn(vendor, name)) return next(); // own keys only: "constructor" or "__proto__" is no file either
    // the path is one of the four above, never the request's: Veldwerk installed under ~/.local/share/… or any
    // other dot-folder must still serve them (send's default answers 404 for any dot in the absolute path)
    res.sendFile(vendor[name], { maxAge: '1d', dotfiles: 'allow' });
  });
  // static files are checked below publicDir only, so a dot-folder above it is fine; a dot-file inside is not served
  router.use('/assets', express.static(folders.publicDir, { maxAge: '1h', index: false }));
  return router;
}
