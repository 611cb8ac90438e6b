import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { pageTexts } from '../../shared/i18n';
import { asLocale, type Locale } from '../../shared/locale';
import { findByOptOutToken, optOut } from '../wave-mail';

const TEXTS = {
  nl: {
    title: 'Afmelden voor e-mail',
    question: 'Wilt u geen e-mail meer ontvangen over dit onderzoek, ook geen herinneringen?',
    button: 'Afmelden',
    doneTitle: 'U bent afgemeld',
    done: 'U ontvangt geen e-mail meer over dit onderzoek. Met de link uit uw uitnodiging kunt u de vragenlijst nog wel invullen.',
  },
  en: {
    title: 'Unsubscribe from e-mail',
    question: 'Do you want no more e-mail about this survey, no reminders either?',
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    done: 'You will get no more e-mail about this survey. The link in your invitation still opens the questionnaire.',
  },
} satisfies Record<Locale, Record<string, string>>;

/**
 * The opt-out link of every mail, /u/<personal token>. GET only shows a confirmation (mail scanners open links);
 * POST opts out. The POST takes no CSRF token: mail clients send it on their own for List-Unsubscribe-Post
 * (RFC 8058), and the unguessable token in the path is what authorises it.
 */
export function optOutRouter(deps: AppDeps): Router {
  const router = express.Router();

  const localeOf = (req: Request, fallback: unknown): Locale => asLocale(req.query.lang, asLocale(fallback));
  const notFound = (req: Request, res: Response) => {
    const locale = localeOf(req, 'nl');
    const t = pageTexts(locale);
    res.status(404).render('respondent/message', { locale, t, title: t.notFoundTitle, body: t.notFoundBody });
  };

  router.get('/u/:token', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const invitation = await findByOptOutToken(deps.db, String(req.params.token));
    if (!invitation) return notFound(req, res);
    const locale = localeOf(req, invitation.language);
    const texts = TEXTS[locale];
    if (invitation.opted_out)
      return res.render('respondent/message', {
        locale,
        t: pageTexts(locale),
        title: texts.doneTitle,
        body: texts.done,
      });
    res.render('mail/opt-out', {
      locale,
      t: pageTexts(locale),
      title: texts.title,
      texts,
      action: `/u/${String(req.params.token)}${req.query.lang ? `?lang=${locale}` : ''}`,
    });
  });

  router.post('/u/:token', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const token = String(req.params.token);
    const invitation = await findByOptOutToken(deps.db, token);
    if (!invitation || !(await optOut(deps.db, token))) return notFound(req, res);
    const locale = localeOf(req, invitation.language);
    res.render('respondent/message', {
      locale,
      t: pageTexts(locale),
      title: TEXTS[locale].doneTitle,
      body: TEXTS[locale].done,
    });
  });

  return router;
}
