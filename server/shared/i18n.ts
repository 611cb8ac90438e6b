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
    closedTitle: 'Dit onderzoek is gesloten',
    closedBody: 'U kunt de vragenlijst niet meer invullen. Dank voor uw belangstelling.',
    notOpenTitle: 'Dit onderzoek is nog niet geopend',
    notOpenBody: 'De vragenlijst kan worden ingevuld vanaf',
    notFoundTitle: 'Deze link werkt niet',
    notFoundBody: 'Controleer of u de volledige link uit uw uitnodiging hebt gebruikt.',
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
    noScript: 'Voor deze vragenlijst is JavaScript nodig. Zet JavaScript aan in uw browser en laad de pagina opnieuw.',
    accessibility: 'Toegankelijkheid',
    anonymity: 'Uw antwoorden worden anoniem opgeslagen, los van uw naam en e-mailadres.',
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
    closedTitle: 'This survey is closed',
    closedBody: 'The questionnaire can no longer be filled in. Thank you for your interest.',
    notOpenTitle: 'This survey is not open yet',
    notOpenBody: 'The questionnaire can be filled in from',
    notFoundTitle: 'This link does not work',
    notFoundBody: 'Please check that you used the complete link from your invitation.',
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
    noScript: 'This questionnaire needs JavaScript. Please turn on JavaScript in your browser and reload the page.',
    accessibility: 'Accessibility',
    anonymity: 'Your answers are stored anonymously, apart from your name and e-mail address.',
  },
} satisfies Record<Locale, Record<string, string>>;

export type PageTexts = (typeof texts)['nl'];

export function pageTexts(locale: Locale): PageTexts {
  return texts[locale];
}
