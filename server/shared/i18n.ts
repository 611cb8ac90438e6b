import type { Locale } from './locale';

/** Texts of Veldwerk's own respondent pages (the questionnaires carry their own texts). */
const texts = {
  nl: {
    switchLanguage: 'English',
    saving: 'Opslaan…',
    saved: 'Uw antwoorden zijn bewaard. U kunt later via dezelfde link verder gaan.',
    saveFailed: 'Uw antwoorden konden niet worden bewaard. Controleer uw verbinding; we proberen het opnieuw.',
    sending: 'Uw antwoorden worden verzonden…',
    invalid: 'Niet alle antwoorden zijn juist. Bekijk de gemarkeerde vragen.',
    thanksTitle: 'Hartelijk dank',
    thanksBody: 'Uw antwoorden zijn ontvangen. U kunt deze pagina sluiten.',
    helpTitle: 'Wilt u met iemand praten?',
    helpIntro:
      'Deze vragenlijst ging over agressie, intimidatie en integriteit. Heeft u iets meegemaakt waarover u wilt praten, dan kunt u hier terecht:',
    closedTitle: 'Dit onderzoek is gesloten',
    closedBody:
      'Het onderzoek is afgelopen: de vragenlijst kan niet meer worden ingevuld. Dank voor uw belangstelling.',
    endedTitle: 'Dit onderzoek is afgelopen',
    endedBody:
      'Het onderzoek is afgesloten en de persoonlijke links zijn verwijderd; ook uw link werkt daarom niet meer. U hoeft niets te doen. Hartelijk dank aan iedereen die heeft meegedaan.',
    notOpenTitle: 'Dit onderzoek is nog niet geopend',
    notOpenBody: 'De vragenlijst kan worden ingevuld vanaf',
    notFoundTitle: 'Deze link werkt niet (meer)',
    notFoundBody:
      'Is het onderzoek afgelopen, dan werkt de link niet meer en hoeft u niets te doen. Anders: kopieer de volledige link uit uw uitnodiging; soms breekt een e-mailprogramma hem af.',
    errorTitle: 'Er ging iets mis',
    errorBody: 'Probeer het later opnieuw.',
    // the database cannot write right now (disk full, read-only, unreachable): the operator's problem, not the respondent's
    unavailableTitle: 'Opslaan lukt nu even niet',
    unavailableBody:
      'Uw antwoorden konden nu niet worden opgeslagen. Wat u eerder hebt opgeslagen, is veilig. Probeer het over een paar minuten opnieuw.',
    unavailableOther:
      'Veldwerk kan nu even niets opslaan. Wat eerder is opgeslagen, is veilig. Probeer het over een paar minuten opnieuw.',
    unavailableSave:
      'Uw antwoorden konden nu niet worden opgeslagen. Wat u eerder hebt opgeslagen, is veilig. Laat deze pagina open: uw antwoorden blijven hier staan en we proberen het over een paar minuten opnieuw.',
    unavailableSubmit:
      'Uw antwoorden konden nu niet worden verzonden. Wat u eerder hebt opgeslagen, is veilig. Laat deze pagina open: uw antwoorden blijven hier staan. Verzend ze over een paar minuten opnieuw.',
    noScript:
      'Voor deze vragenlijst is JavaScript nodig. Zet JavaScript aan in uw browser en laad de pagina opnieuw, of open de link op een ander apparaat.',
    noScriptContact: 'Lukt dat niet? Neem contact op met',
    accessibility: 'Toegankelijkheid',
    anonymity:
      'Uw antwoorden worden anoniem bewaard: apart van uw naam en e-mailadres, zodat niemand ze aan u kan koppelen.',
    privacy: 'Privacyverklaring',
    contact: 'Vragen over dit onderzoek?',
    commissionedBy: 'In opdracht van',
    estimate: 'Invullen duurt ongeveer {0} minuten.',
    estimateRange: 'Invullen duurt ongeveer {0} tot {1} minuten, afhankelijk van uw antwoorden.',
    skipToContent: 'Naar de vragen',
    newerCopy:
      'Uw antwoorden zijn intussen ook ergens anders bewaard (in een ander venster of op een ander apparaat). U ziet nu de nieuwste versie.',
  },
  en: {
    switchLanguage: 'Nederlands',
    saving: 'Saving…',
    saved: 'Your answers have been saved. You can continue later with the same link.',
    saveFailed: 'Your answers could not be saved. Please check your connection; we will try again.',
    sending: 'Sending your answers…',
    invalid: 'Some answers are not valid. Please look at the marked questions.',
    thanksTitle: 'Thank you',
    thanksBody: 'Your answers have been received. You can close this page.',
    helpTitle: 'Would you like to talk to someone?',
    helpIntro:
      'This questionnaire was about aggression, intimidation and integrity. If you have been through something you would like to talk about, you can turn to:',
    closedTitle: 'This survey is closed',
    closedBody: 'The survey has ended: the questionnaire can no longer be filled in. Thank you for your interest.',
    endedTitle: 'This survey has ended',
    endedBody:
      'The survey is over and its personal links have been removed, so your link no longer works. There is nothing you need to do. Thank you to everyone who took part.',
    notOpenTitle: 'This survey is not open yet',
    notOpenBody: 'The questionnaire can be filled in from',
    notFoundTitle: 'This link does not work (any more)',
    notFoundBody:
      'If the survey has ended, the link no longer works and there is nothing you need to do. Otherwise, please copy the complete link from your invitation; some e-mail programs break it in two.',
    errorTitle: 'Something went wrong',
    errorBody: 'Please try again later.',
    unavailableTitle: 'Saving is not possible right now',
    unavailableBody:
      'Your answers could not be saved right now. What you saved before is safe. Please try again in a few minutes.',
    unavailableOther:
      'Veldwerk cannot save anything right now. What was saved before is safe. Please try again in a few minutes.',
    unavailableSave:
      'Your answers could not be saved right now. What you saved before is safe. Keep this page open: your answers stay here and we will try again in a few minutes.',
    unavailableSubmit:
      'Your answers could not be sent right now. What you saved before is safe. Keep this page open: your answers stay here. Please send them again in a few minutes.',
    noScript:
      'This questionnaire needs JavaScript. Please turn on JavaScript in your browser and reload the page, or open the link on another device.',
    noScriptContact: 'If that does not work, please contact',
    accessibility: 'Accessibility',
    anonymity:
      'Your answers are stored anonymously: separately from your name and e-mail address, so that nobody can link them to you.',
    privacy: 'Privacy statement',
    contact: 'Questions about this survey?',
    commissionedBy: 'Commissioned by',
    estimate: 'Answering takes about {0} minutes.',
    estimateRange: 'Answering takes about {0} to {1} minutes, depending on your answers.',
    skipToContent: 'Skip to the questions',
    newerCopy:
      'Your answers were meanwhile also saved elsewhere (in another window or on another device). You now see the latest version.',
  },
} satisfies Record<Locale, Record<string, string>>;

export type PageTexts = (typeof texts)['nl'];

/**
 * SurveyJS's own Dutch messages where they read as a translation ("Dit is een vereiste vraag", "Gelieve …"): the page
 * puts these in their place. Placeholders {0} {1} are SurveyJS's.
 */
export const SURVEY_TEXTS_NL: Record<string, string> = {
  completeText: 'Verzenden',
  requiredError: 'Beantwoord deze vraag.',
  requiredErrorInPanel: 'Beantwoord ten minste één vraag.',
  requiredInAllRowsError: 'Geef op elke regel een antwoord.',
  numericError: 'Vul een getal in.',
  minError: 'Vul een getal in van minstens {0}.',
  maxError: 'Vul een getal in van hoogstens {0}.',
  textMinLength: 'Vul minstens {0} tekens in.',
  textMaxLength: 'Vul niet meer dan {0} tekens in.',
  textMinMaxLength: 'Vul minstens {0} en hoogstens {1} tekens in.',
  minSelectError: 'Kies minstens {0} antwoorden.',
  maxSelectError: 'Kies niet meer dan {0} antwoorden.',
  otherRequiredError: 'Vul in wat u bij "Anders" bedoelt.',
  otherItemText: 'Anders, namelijk',
  commentText: 'Toelichting',
  placeholder: 'Kies…',
  invalidInputError: 'Dit antwoord klopt niet.',
  progressText: 'Pagina {0} van {1}',
  questionsProgressText: '{0} van {1} vragen beantwoord',
  loadingSurvey: 'De vragenlijst wordt geladen…',
  selectAllItemText: 'Alles kiezen',
};

export function pageTexts(locale: Locale): PageTexts {
  return texts[locale];
}
