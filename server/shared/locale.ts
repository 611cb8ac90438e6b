/** The two languages of every respondent-facing page, error page and questionnaire text. */
export type Locale = 'nl' | 'en';

/** A language from a query string or form field; anything else is the fallback (Dutch unless told). */
export function asLocale(value: unknown, fallback: Locale = 'nl'): Locale {
  return value === 'en' || value === 'nl' ? value : fallback;
}
