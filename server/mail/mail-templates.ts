import type { Db } from '../shared/data/connection';
import { findMailTemplate, MailTemplateRow, saveMailTemplate } from './data/mail-templates';
import { InvalidError } from '../shared/errors';
import { recordAudit } from '../accounts/audit';

export type MailKind = 'invite' | 'remind';
export type MailLanguage = 'nl' | 'en';
export const MAIL_KINDS: MailKind[] = ['invite', 'remind'];
export const MAIL_LANGUAGES: MailLanguage[] = ['nl', 'en'];

export interface MailTemplate {
  subject: string;
  body: string;
}

/** The placeholders a template may use; {{link}} is required in the body and refused in the subject. */
export const PLACEHOLDERS = ['name', 'link', 'closing_date', 'survey'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

const DEFAULTS: Record<MailKind, Record<MailLanguage, MailTemplate>> = {
  invite: {
    nl: {
      subject: 'Uitnodiging: {{survey}}',
      body: `Beste {{name}},

Wij nodigen u uit om deel te nemen aan het onderzoek "{{survey}}".
Met uw persoonlijke link opent u de vragenlijst:

{{link}}

U kunt tussendoor stoppen en later, ook op een ander apparaat, met dezelfde link verder gaan.
De vragenlijst kan worden ingevuld tot en met {{closing_date}}.

Uw antwoorden worden anoniem opgeslagen, los van uw naam en e-mailadres.

Met vriendelijke groet,
Het onderzoeksteam`,
    },
    en: {
      subject: 'Invitation: {{survey}}',
      body: `Dear {{name}},

We invite you to take part in the survey "{{survey}}".
Your personal link opens the questionnaire:

{{link}}

You can stop at any time and continue later, also on another device, with the same link.
The questionnaire can be filled in until {{closing_date}} inclusive.

Your answers are stored anonymously, apart from your name and e-mail address.

Kind regards,
The research team`,
    },
  },
  remind: {
    nl: {
      subject: 'Herinnering: {{survey}}',
      body: `Beste {{name}},

Onlangs nodigden wij u uit voor het onderzoek "{{survey}}". Wij hebben uw antwoorden nog niet ontvangen.
Met uw persoonlijke link opent u de vragenlijst, ook als u al begonnen was:

{{link}}

De vragenlijst kan worden ingevuld tot en met {{closing_date}}.

Met vriendelijke groet,
Het onderzoeksteam`,
    },
    en: {
      subject: 'Reminder: {{survey}}',
      body: `Dear {{name}},

Recently we invited you to take part in the survey "{{survey}}". We have not received your answers yet.
Your personal link opens the questionnaire, also if you had already started:

{{link}}

The questionnaire can be filled in until {{closing_date}} inclusive.

Kind regards,
The research team`,
    },
  },
};

const PRIVACY_FOOTER: Record<MailLanguage, string> = {
  nl: 'Hoe we met uw gegevens omgaan:',
  en: 'How we handle your data:',
};

const FOOTER: Record<MailLanguage, string> = {
  nl: 'Wilt u over dit onderzoek geen e-mail meer ontvangen? Meld u hier af:',
  en: 'Do you want no more e-mail about this survey? Unsubscribe here:',
};

const NO_NAME: Record<MailLanguage, string> = { nl: 'deelnemer', en: 'participant' };

export class TemplateError extends InvalidError {}

export function asMailKind(value: unknown): MailKind | undefined {
  return value === 'invite' || value === 'remind' ? value : undefined;
}

export function asMailLanguage(value: unknown): MailLanguage | undefined {
  return value === 'nl' || value === 'en' ? value : undefined;
}

export function defaultTemplate(kind: MailKind, language: MailLanguage): MailTemplate {
  return DEFAULTS[kind][language];
}

/** The wave's template, or the built-in default. */
export async function loadTemplate(
  db: Db,
  waveId: string,
  kind: MailKind,
  language: MailLanguage,
): Promise<MailTemplate & { isDefault: boolean; updatedAt?: string }> {
  const row = await findMailTemplate(db, waveId, kind, language);
  return row
    ? { subject: row.subject, body: row.body, isDefault: false, updatedAt: row.updated_at }
    : { ...defaultTemplate(kind, language), isDefault: true };
}

/**
 * Whether the same message in the other language lags behind this one: this language's text was changed for the
 * wave later than the other's (or the other is still the built-in text), so a change may not have reached both.
 */
export async function otherLanguageOlder(
  db: Db,
  waveId: string,
  kind: MailKind,
  language: MailLanguage,
): Promise<{ other: MailLanguage; thisChanged: string; otherChanged?: string } | undefined> {
  const other: MailLanguage = language === 'nl' ? 'en' : 'nl';
  const [mine, theirs] = await Promise.all([
    findMailTemplate(db, waveId, kind, language),
    findMailTemplate(db, waveId, kind, other),
  ]);
  if (!mine) return undefined;
  if (theirs && theirs.updated_at >= mine.updated_at) return undefined;
  return { other, thisChanged: mine.updated_at, otherChanged: theirs?.updated_at };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** What is wrong with a template, every problem at once, per field. */
export interface TemplateProblems {
  subject: string[];
  body: string[];
}

export function templateProblems(t: MailTemplate): TemplateProblems {
  const subject = (t.subject ?? '').trim();
  const body = (t.body ?? '').replace(/\r\n?/g, '\n').trim();
  const problems: TemplateProblems = { subject: [], body: [] };
  if (!subject || subject.length > 200 || CONTROL.test(subject))
    problems.subject.push('The subject is required: one line, at most 200 characters.');
  if (!body || body.length > 20_000) problems.body.push('The text is required, at most 20,000 characters.');
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(body)) problems.body.push('The text contains control characters.');
  for (const [field, text] of [
    ['subject', subject],
    ['body', body],
  ] as const) {
    const unknown = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].filter(
      (name) => !(PLACEHOLDERS as readonly string[]).includes(name),
    );
    for (const name of unknown)
      problems[field].push(
        `Unknown placeholder {{${name}}} in the ${field === 'body' ? 'text' : 'subject'}; use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
      );
  }
  if (/\{\{\s*link\s*\}\}/.test(subject)) problems.subject.push('The personal link may not be in the subject.');
  if (body && !/\{\{\s*link\s*\}\}/.test(body))
    problems.body.push('The text must contain {{link}}, the personal link.');
  return problems;
}

/** The template, trimmed, or a TemplateError naming every problem (details.fields: the problems per field). */
export function checkTemplate(t: MailTemplate): MailTemplate {
  const problems = templateProblems(t);
  const all = [...problems.subject, ...problems.body];
  if (all.length > 0) throw new TemplateError(all.join(' '), { fields: problems });
  return { subject: (t.subject ?? '').trim(), body: (t.body ?? '').replace(/\r\n?/g, '\n').trim() };
}

/** Stores a checked template, with an audit entry that says who changed which template (the text is in the row). */
export async function storeTemplate(
  db: Db,
  waveId: string,
  kind: MailKind,
  language: MailLanguage,
  t: MailTemplate,
  now: Date,
  actor: string,
): Promise<void> {
  const checked = checkTemplate(t);
  const row: MailTemplateRow = {
    wave_id: waveId,
    kind,
    language,
    subject: checked.subject,
    body: checked.body,
    updated_at: now.toISOString(),
  };
  await db.transaction(async (trx) => {
    await saveMailTemplate(trx, row);
    await recordAudit(trx, {
      actor,
      action: 'mail.template',
      waveId,
      detail: { kind, language, subject: checked.subject },
      at: now,
    });
  });
}

/** A value for a header or a line of text: control characters and line breaks become spaces. */
export function oneLine(value: string, max = 200): string {
  return value.replace(new RegExp(CONTROL.source, 'g'), ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

export function formatClosingDate(day: string, language: MailLanguage): string {
  const d = new Date(`${day}T12:00:00Z`);
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
}

export interface MailValues {
  name: string | null;
  link: string;
  optOutLink: string;
  /** the wave's privacy statement (respondent/wave-page-routes.ts), named in every mail's footer */
  privacyLink?: string;
  /** YYYY-MM-DD */
  closesOn: string;
  survey: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
}

/**
 * Fills in a template as plain text. Values are substituted in one pass (a name that reads "{{link}}" stays text) and
 * lose control characters and line breaks, so nothing from a name can start a header or a new line. Every mail ends
 * with the opt-out link.
 */
export function renderMail(t: MailTemplate, values: MailValues, language: MailLanguage): RenderedMail {
  const filled: Record<Placeholder, string> = {
    name: oneLine(values.name ?? '') || NO_NAME[language],
    link: values.link,
    closing_date: formatClosingDate(values.closesOn, language),
    survey: oneLine(values.survey),
  };
  const fill = (text: string) =>
    text.replace(PLACEHOLDER, (whole, key: string) => (key in filled ? filled[key as Placeholder] : whole));
  const subject = oneLine(fill(t.subject), 250);
  const body = fill(t.body.replace(/\r\n?/g, '\n')).trimEnd();
  const privacy = values.privacyLink ? `${PRIVACY_FOOTER[language]}\n${values.privacyLink}\n` : '';
  return { subject, text: `${body}\n\n-- \n${privacy}${FOOTER[language]}\n${values.optOutLink}\n` };
}
