import express, { NextFunction, Request, Response, Router } from 'express';
import type { AppDeps } from '../app';
import { HttpError } from '../http/errors';
import { pageTexts } from '../i18n';
import type { Locale } from '../questionnaires/answer-validator';
import { asLocale, completeResponse, LinkState, openLink, saveAnswersInProgress } from '../services/respondent';

type OpenState = Extract<LinkState, { kind: 'open' }>;

export function respondentRouter(deps: AppDeps): Router {
  const router = express.Router();
  const json = express.json({ limit: '256kb', strict: true });

  const loadLink = (withProgress: boolean) => async (req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    const link = await openLink(deps.db, deps.registry, String(req.params.token), req.ip ?? 'unknown', deps.clock(), { withProgress });
    if (link.kind === 'throttled') {
      res.set('Retry-After', String(link.retryAfter));
      throw new HttpError(429, 'Too many unknown links from this address; try again later');
    }
    res.locals.link = link;
    next();
  };

  /** API calls need an open link; every other state has one clear answer. */
  const requireOpen = (req: Request, res: Response, next: NextFunction) => {
    const link = res.locals.link as LinkState;
    if (link.kind === 'open') return next();
    if (link.kind === 'not-found') throw new HttpError(404, 'Unknown link');
    if (link.kind === 'completed') throw new HttpError(409, 'This questionnaire has already been completed');
    if (link.kind === 'closed') throw new HttpError(410, 'This survey is closed');
    throw new HttpError(403, 'This survey is not open yet');
  };

  const requireJsonBody = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is('application/json')) throw new HttpError(415, 'Send the answers as application/json');
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new HttpError(400, 'The body must be a JSON object');
    next();
  };

  router.get('/s/:token', loadLink(true), (req, res) => renderLink(req, res, res.locals.link as Exclude<LinkState, { kind: 'throttled' }>));

  router.put('/s/:token/progress', loadLink(false), requireOpen, json, requireJsonBody, async (req, res) => {
    const result = await saveAnswersInProgress(deps.db, res.locals.link as OpenState, {
      answers: req.body.answers,
      pageNo: req.body.pageNo,
      locale: req.body.locale,
    });
    if (!result.ok && 'completed' in result) throw new HttpError(409, 'This questionnaire has already been completed');
    if (!result.ok) throw new HttpError(422, 'The answers could not be saved', { errors: result.errors });
    res.status(204).end();
  });

  router.post('/s/:token/complete', loadLink(false), requireOpen, json, requireJsonBody, async (req, res) => {
    const result = await completeResponse(deps.db, res.locals.link as OpenState, { answers: req.body.answers, locale: req.body.locale }, deps.clock());
    if (result.status === 'invalid') throw new HttpError(422, 'Some answers are not valid', { errors: result.errors });
    if (result.status === 'already-completed') throw new HttpError(409, 'This questionnaire has already been completed');
    res.status(201).json({ status: 'completed' });
  });

  return router;
}

function renderLink(req: Request, res: Response, link: Exclude<LinkState, { kind: 'throttled' }>): void {
  const requested = req.query.lang === 'en' || req.query.lang === 'nl' ? (req.query.lang as Locale) : undefined;
  if (link.kind === 'not-found') {
    const locale = requested ?? 'nl';
    res.status(404).render('respondent/message', { locale, t: pageTexts(locale), title: pageTexts(locale).notFoundTitle, body: pageTexts(locale).notFoundBody });
    return;
  }
  const locale = requested ?? link.locale;
  const t = pageTexts(locale);
  if (link.kind === 'completed') {
    res.render('respondent/message', { locale, t, title: t.thanksTitle, body: t.thanksBody });
  } else if (link.kind === 'closed') {
    res.status(410).render('respondent/message', { locale, t, title: t.closedTitle, body: t.closedBody });
  } else if (link.kind === 'not-open') {
    res.status(403).render('respondent/message', { locale, t, title: t.notOpenTitle, body: `${t.notOpenBody} ${link.wave.opens_on}.` });
  } else if (link.kind === 'open') {
    const config = {
      survey: link.questionnaire.survey,
      answers: link.answers,
      pageNo: link.pageNo,
      locale,
      texts: { nl: pageTexts('nl'), en: pageTexts('en') },
    };
    res.render('respondent/survey', { locale, t, title: link.questionnaire.title[asLocale(locale)], configJson: JSON.stringify(config) });
  }
}
