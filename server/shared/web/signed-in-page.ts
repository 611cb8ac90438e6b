import type { Response } from 'express';
import { pageTexts } from '../i18n';
import { readableDay, readableMoment } from '../calendar';

/** Renders a page of the signed-in areas (English, with the navigation and the sign-out form of the user). */
// the signed-in pages are in English: days and moments as people read them, in Amsterdam's time
const dayInEnglish = (day: string | null | undefined) => readableDay(day, 'en');
const momentInEnglish = (iso: string | null | undefined) => readableMoment(iso, 'en');

export function renderSignedInPage(
  res: Response,
  view: string,
  data: { title: string } & Record<string, unknown>,
  status = 200,
): void {
  const consumeFlash = res.locals.consumeFlash as (() => Promise<void>) | undefined;
  if (consumeFlash && status < 400) {
    // the notice shown here is cleared first, so no later request can show it again
    res.locals.consumeFlash = undefined;
    void consumeFlash()
      .catch(() => undefined)
      .then(() => renderSignedInPage(res, view, data, status));
    return;
  }
  res.status(status).render(view, {
    locale: 'en',
    t: pageTexts('en'),
    user: res.locals.user,
    signedInArea: true,
    errors: {},
    flash: res.locals.flash,
    day: dayInEnglish,
    moment: momentInEnglish,
    ...data,
  });
}

/** A form's text field, trimmed ('' when missing or not a string). */
export function formText(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}
