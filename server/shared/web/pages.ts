import express, { Router } from 'express';
import { pageTexts } from '../i18n';
import { asLocale } from '../locale';

/** Veldwerk's own public pages. */
export function pagesRouter(): Router {
  const router = express.Router();
  router.get('/', (req, res) => {
    const locale = asLocale(req.query.lang);
    res.render('pages/home', { locale, t: pageTexts(locale), title: 'Veldwerk' });
  });
  router.get('/toegankelijkheid', (req, res) => {
    const locale = asLocale(req.query.lang);
    res.render('pages/accessibility', {
      locale,
      t: pageTexts(locale),
      title: locale === 'nl' ? 'Toegankelijkheidsverklaring' : 'Accessibility statement',
    });
  });
  return router;
}
