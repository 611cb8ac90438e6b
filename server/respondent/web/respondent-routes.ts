import { nextSlice } from '../../shared/loop-slices';
import express, { NextFunction, Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { HttpError } from '../../shared/web/errors';
import { pageTexts } from '../../shared/i18n';
import type { RegisteredQuestionnaire } from '../../questionnaires/registry';
import { asLocale, type Locale } from '../../shared/locale';
import { LinkState, openLink } from '../respondent';
import { answerCall, ApiCall, BODY_LIMIT, bodyRefusal, linkRefusal, OpenLink } from './respondent-api';
import { readableDay } from '../../shared/calendar';
import { Estimate, estimateMinutes } from '../estimate';
import { wavePage } from '../wave-pages';
import { QuestionnaireAssets, questionnaireAssets } from './questionnaire-assets';
import { SurveyPages, surveyPages } from './survey-page';

export function respondentRouter(deps: AppDeps): Router {
  const router = express.Router();
  const questionnaires = questionnaireAssets(deps.registry);
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
    await nextSlice(); // judging and storing answers runs in bounded slices of the event loop (loop-slices.ts)
    const answered = await answerCall(deps, call, res.locals.link as OpenLink, req.body as Record<string, unknown>);
    res.status(answered.status);
    if (answered.body) res.json(answered.body);
    else res.end();
  };

  const pages = surveyPages();
  router.get('/s/:token', loadLink(true), (req, res) =>
    renderLink(deps, questionnaires, pages, req, res, res.locals.link as Exclude<LinkState, { kind: 'throttled' }>),
  );
  // ordinary autosaves and completions are answered before express (respondent-fast-path.ts); these routes answer the rest
  router.put('/s/:token/progress', loadLink(false), requireOpen, json, requireJsonBody, answer('progress'));
  router.post('/s/:token/complete', loadLink(false), requireOpen, json, requireJsonBody, answer('complete'));
  router.use(questionnaires.router); // after the links: most requests here are page views

  return router;
}

async function renderLink(
  deps: AppDeps,
  questionnaires: QuestionnaireAssets,
  pages: SurveyPages,
  req: Request,
  res: Response,
  link: Exclude<LinkState, { kind: 'throttled' }>,
): Promise<void> {
  const requested = req.query.lang === 'en' || req.query.lang === 'nl' ? (req.query.lang as Locale) : undefined;
  if (link.kind === 'not-found') {
    // an unknown link (a purged wave's links are recognised by its filter of ended links: 'ended' below); it may
    // still be an ended survey's link whose filter missed it, so the text does not blame the respondent alone
    const locale = requested ?? 'nl';
    const t = pageTexts(locale);
    res.status(404).render('respondent/message', { locale, t, title: t.notFoundTitle, body: t.notFoundBody });
    return;
  }
  const locale = requested ?? link.locale;
  const t = pageTexts(locale);
  const page = link.page ?? (await wavePage(deps.db, link.wave.id));
  const questionnaire = deps.registry.get(link.wave.questionnaire_id);
  const common = {
    locale,
    t,
    page,
    privacyPath: `/privacy/${link.wave.id}`,
    surveyTitle: questionnaire?.title[locale],
  };
  if (link.kind === 'completed') {
    res.render('respondent/message', {
      ...common,
      title: t.thanksTitle,
      body: t.thanksBody,
      help: page.help[locale].map(linkedParts),
    });
  } else if (link.kind === 'closed') {
    res.status(410).render('respondent/message', { ...common, title: t.closedTitle, body: t.closedBody });
  } else if (link.kind === 'ended') {
    res.status(410).render('respondent/message', {
      ...common,
      title: t.endedTitle,
      body: t.endedBody,
      help: page.help[locale].map(linkedParts),
    });
  } else if (link.kind === 'not-open') {
    res.status(403).render('respondent/message', {
      ...common,
      title: t.notOpenTitle,
      body: `${t.notOpenBody} ${readableDay(link.wave.opens_on, locale)}.`,
    });
  } else if (link.kind === 'open') {
    const estimate = estimateOf(link.questionnaire);
    const config = {
      answers: link.answers,
      pageNo: link.pageNo,
      revision: link.revision,
      locale,
      estimate: { nl: estimate.nl, en: estimate.en },
    };
    const isTest = Boolean(link.invitation.is_test);
    // everything on the page but the configuration is the same for each respondent with this key (survey-page.ts)
    // (of the page settings the questionnaire page shows the organisation, logo and contact address only)
    const key = [
      link.wave.id,
      link.questionnaire.id,
      locale,
      link.pageNo === 0,
      isTest,
      page.organisation,
      page.contactEmail,
      page.logoUrl,
    ].join('\u0000');
    await pages.send(
      res,
      key,
      {
        ...common,
        title: link.questionnaire.title[asLocale(locale)],
        scriptsBefore: [questionnaires.url(link.questionnaire), questionnaires.textsUrl],
        texts: TEXTS,
        estimate: estimate[locale],
        pageNo: link.pageNo,
        isTest,
      },
      JSON.stringify(config),
    );
  }
}

const TEXTS = { nl: pageTexts('nl'), en: pageTexts('en') };

/** The estimated time of a questionnaire version in both languages, worked out once per version. */
const estimates = new WeakMap<RegisteredQuestionnaire, Record<Locale, string>>();
function estimateOf(questionnaire: RegisteredQuestionnaire): Record<Locale, string> {
  let found = estimates.get(questionnaire);
  if (!found) {
    const minutes = estimateMinutes(questionnaire.survey as { pages?: [] });
    found = { nl: estimateText('nl', minutes), en: estimateText('en', minutes) };
    estimates.set(questionnaire, found);
  }
  return found;
}

function estimateText(locale: Locale, estimate: Estimate): string {
  const t = pageTexts(locale);
  return estimate.min === estimate.max
    ? t.estimate.replace('{0}', String(estimate.max))
    : t.estimateRange.replace('{0}', String(estimate.min)).replace('{1}', String(estimate.max));
}

/** A line of help resources as text and links: only http(s) addresses become links, everything else stays text. */
export function linkedParts(line: string): Array<{ text: string; href?: string }> {
  const parts: Array<{ text: string; href?: string }> = [];
  let last = 0;
  for (const m of line.matchAll(/https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g)) {
    if (m.index > last) parts.push({ text: line.slice(last, m.index) });
    parts.push({ text: m[0].replace(/^https?:\/\/(www\.)?/, ''), href: m[0] });
    last = m.index + m[0].length;
  }
  if (last < line.length) parts.push({ text: line.slice(last) });
  return parts;
}
