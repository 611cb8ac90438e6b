// Error texts for the answer validator. Where survey-core itself reports an error we use its own localized
// string (so the server says what the browser said); the checks survey-core does not make get our own texts.
import { surveyLocalization } from 'survey-core';
import 'survey-core/i18n/dutch';
import type { Locale } from '../shared/locale';

export const LOCALES: readonly Locale[] = ['nl', 'en'];

const OWN = {
  notObject: { nl: 'De antwoorden moeten een JSON-object zijn', en: 'The answers must be a JSON object' },
  forbiddenKey: {
    nl: 'De antwoorden bevatten een verboden sleutel ({0})',
    en: 'The answers contain a forbidden key ({0})',
  },
  tooDeep: { nl: 'De antwoorden zijn te diep genest', en: 'The answers are nested too deeply' },
  unknownQuestion: {
    nl: 'Deze vraag bestaat niet in deze vragenlijst',
    en: 'This question does not exist in this questionnaire',
  },
  notAChoice: { nl: 'Dit antwoord staat niet tussen de keuzes', en: 'This answer is not one of the choices' },
  wrongType: { nl: 'Dit antwoord heeft een ongeldige vorm', en: 'This answer has an invalid form' },
  notAList: { nl: 'Dit antwoord moet een lijst met keuzes zijn', en: 'This answer must be a list of choices' },
  duplicate: { nl: 'Een keuze is meer dan eens gekozen', en: 'A choice was selected more than once' },
  exclusive: {
    nl: 'Dit antwoord kan niet met andere antwoorden gecombineerd worden',
    en: 'This answer cannot be combined with other answers',
  },
  unknownRow: { nl: 'Deze rij bestaat niet in deze vraag', en: 'This row does not exist in this question' },
  tooLong: {
    nl: 'Dit antwoord is te lang (maximaal {0} tekens)',
    en: 'This answer is too long (at most {0} characters)',
  },
  tooMany: {
    nl: 'Dit antwoord heeft te veel onderdelen (maximaal {0})',
    en: 'This answer has too many parts (at most {0})',
  },
  internal: { nl: 'De antwoorden konden niet worden gecontroleerd', en: 'The answers could not be checked' },
} satisfies Record<string, Record<Locale, string>>;

export type OwnKey = keyof typeof OWN;

/** A message key: one of ours, or `sjs:<survey-core string name>` (e.g. `sjs:numericError`, `sjs:maxSelectError`). */
export type MessageKey = OwnKey | `sjs:${string}`;

export function format(text: string, arg?: unknown): string {
  return arg === undefined ? text : text.split('{0}').join(String(arg));
}

/** survey-core's own localized string (survey-core/i18n/dutch is loaded above). */
export function sjsString(key: string, locale: Locale): string {
  return surveyLocalization.getString(key, locale);
}

export function message(key: MessageKey, locale: Locale, arg?: unknown): string {
  const loc: Locale = locale === 'en' ? 'en' : 'nl';
  const text = key.startsWith('sjs:') ? sjsString(key.slice(4), loc) : OWN[key as OwnKey][loc];
  return format(text, arg);
}
