import type { Response } from 'express';
import { pageTexts } from '../i18n';
import type { Locale } from '../locale';

/**
 * The administrators' preview of a questionnaire: the respondent page with the definition inline, no answers, nothing
 * saved or sent, and no required question (respondent.js reads `preview`). Used for a version and for a wave.
 */
export function renderSurveyPreview(
  res: Response,
  opts: { survey: unknown; title: Record<Locale, string>; locale: Locale; pageNo?: number; backTo?: string },
): void {
  const config = {
    survey: opts.survey,
    answers: {},
    pageNo: opts.pageNo ?? 0,
    locale: opts.locale,
    texts: { nl: pageTexts('nl'), en: pageTexts('en') },
    preview: true,
  };
  res.render('respondent/survey', {
    locale: opts.locale,
    t: pageTexts(opts.locale),
    title: opts.title[opts.locale],
    configJson: JSON.stringify(config),
    preview: true,
    backTo: opts.backTo,
    user: undefined,
  });
}
