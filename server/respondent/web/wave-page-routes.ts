import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { HttpError } from '../../shared/web/errors';
import { pageTexts } from '../../shared/i18n';
import { asLocale } from '../../shared/locale';
import { readableDay } from '../../shared/calendar';
import { privacyFacts, waveLogo } from '../wave-pages';
import { IMMUTABLE } from '../../shared/web/assets';

/**
 * The public pages of a wave that need no personal link: its privacy statement (linked from every respondent page and
 * every mail, so it names no token) and its logo. A wave id is a random UUID; an unknown one is a 404.
 */
export function wavePageRouter(deps: AppDeps): Router {
  const router = express.Router();

  const privacy = async (req: Request, res: Response, waveId?: string) => {
    const locale = asLocale(req.query.lang);
    const t = pageTexts(locale);
    const facts = waveId === undefined ? undefined : await privacyFacts(deps.db, waveId);
    if (waveId !== undefined && !facts) throw new HttpError(404, 'Unknown survey');
    res.render('respondent/privacy', {
      locale,
      t,
      title: t.privacy,
      page: facts?.page,
      privacyPath: waveId ? `/privacy/${waveId}` : '/privacy',
      surveyTitle: facts && deps.registry.get(facts.questionnaireId)?.title[locale],
      closesOn: facts && readableDay(facts.closesOn, locale),
      purged: facts?.purged,
      k: deps.config.disclosureK ?? 5,
    });
  };
  router.get('/privacy', (req, res) => privacy(req, res));
  router.get('/privacy/:wave', (req, res) => privacy(req, res, String(req.params.wave)));

  router.get('/w/:wave/:file', async (req, res) => {
    const m = /^logo-([0-9a-f]{16})$/.exec(String(req.params.file));
    const logo = m ? await waveLogoIfValid(deps, String(req.params.wave)) : undefined;
    if (!m || !logo || logo.hash !== m[1]) throw new HttpError(404, 'Not found');
    res.set({
      'Content-Type': logo.type,
      'Cache-Control': IMMUTABLE,
      'Content-Security-Policy': "default-src 'none'",
      'X-Content-Type-Options': 'nosniff',
    });
    res.send(logo.bytes);
  });
  return router;
}

async function waveLogoIfValid(deps: AppDeps, waveId: string) {
  if (!/^[0-9a-f-]{36}$/.test(waveId)) return undefined;
  return waveLogo(deps.db, waveId);
}
