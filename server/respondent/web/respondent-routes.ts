import express, { NextFunction, Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { HttpError } from '../../shared/web/errors';
import { pageTexts } from '../../shared/i18n';
import { asLocale, type Locale } from '../../shared/locale';
import { LinkState, openLink } from '../respondent';
import { answerCall, ApiCall, BODY_LIMIT, bodyRefusal, linkRefusal, OpenLink } from './respondent-api';
import { readableDay } from '../../shared/calendar';

export function respondentRouter(deps: AppDeps): Router {
  const router = express.Router();
  const json = express.json({ limit: BODY_LIMIT, strict: true });

  const loadLink = (withProgress: boolean) => async (req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    const link = await openLink(deps.db, deps.registry, String(req.params.token), req.ip ?? 'unknown', deps.clock(), {
      withProgress,
    });
    if (link.kind === 'throttled') {
      res.set('Retry-After', String(link.retryAfter));
      throw linkRefusal(link);
    }
    res.locals.link = link;
    next();
  };

  /** API calls need an open link; every other state has one clear answer. */
  const requireOpen = (_req: Request, res: Response, next: NextFunction) => {
    const refused = linkRefusal(res.locals.link as LinkState);
    if (refused) throw refused;
    next();
  };

  const requireJsonBody = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is('application/json')) throw new HttpError(415, 'Send the answers as application/json');
    const refused = bodyRefusal(req.body);
    if (refused) throw refused;
    next();
  };

  const answer = (call: ApiCall) => async (req: Request, res: Response) => {
    const answered = await answerCall(deps, call, res.locals.link as OpenLink, req.body as Record<string, unknown>);
    res.status(answered.status);
    if (answered.body) res.json(answered.body);
    else res.end();
  };

  router.get('/s/:token', loadLink(true), (req, res) =>
    renderLink(req, res, res.locals.link as Exclude<LinkState, { kind: 'throttled' }>),
  );
  // ordinary autosaves and completions are answered before express (respondent-fast-path.ts); these routes answer the rest
  router.put('/s/:token/progress', loadLink(false), requireOpen, json, requireJsonBody, answer('progress'));
  router.post('/s/:token/complete', loadLink(false), requireOpen, json, requireJsonBody, answer('complete'));

  return router;
}

function renderLink(req: Request, res: Response, link: Exclude<LinkState, { kind: 'throttled' }>): void {
  const requested = req.query.lang === 'en' || req.query.lang === 'nl' ? (req.query.lang as Locale) : undefined;
  if (link.kind === 'not-found') {
    const locale = requested ?? 'nl';
    res.status(404).render('respondent/message', {
      locale,
      t: pageTexts(locale),
      title: pageTexts(locale).notFoundTitle,
      body: pageTexts(locale).notFoundBody,
    });
    return;
  }
  const locale = requested ?? link.locale;
  const t = pageTexts(locale);
  if (link.kind === 'completed') {
    res.render('respondent/message', { locale, t, title: t.thanksTitle, body: t.thanksBody });
  } else if (link.kind === 'closed') {
    res.status(410).render('respondent/message', { locale, t, title: t.closedTitle, body: t.closedBody });
  } else if (link.kind === 'not-open') {
    res.status(403).render('respondent/message', {
      locale,
      t,
      title: t.notOpenTitle,
      body: `${t.notOpenBody} ${readableDay(link.wave.opens_on, locale)}.`,
    });
  } else if (link.kind === 'open') {
    const config = {
      survey: link.questionnaire.survey,
      answers: link.answers,
      pageNo: link.pageNo,
      locale,
      texts: { nl: pageTexts('nl'), en: pageTexts('en') },
    };
    res.render('respondent/survey', {
      locale,
      t,
      title: link.questionnaire.title[asLocale(locale)],
      configJson: JSON.stringify(config),
      isTest: Boolean(link.invitation.is_test),
    });
  }
}
