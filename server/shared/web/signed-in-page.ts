import type { Response } from 'express';
import { pageTexts } from '../i18n';

/** Renders a page of the signed-in areas (English, with the navigation and the sign-out form of the user). */
export function renderSignedInPage(
  res: Response,
  view: string,
  data: { title: string } & Record<string, unknown>,
  status = 200,
): void {
  res
    .status(status)
    .render(view, { locale: 'en', t: pageTexts('en'), user: res.locals.user, signedInArea: true, errors: {}, ...data });
}

/** A form's text field, trimmed ('' when missing or not a string). */
export function formText(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}
