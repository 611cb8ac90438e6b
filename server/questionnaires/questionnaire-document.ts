/**
 * The printable questionnaire document of one version, for the commissioning ministry's review: per page, every
 * question with its name, type, texts in Dutch and English, its codes (choices, matrix rows and columns) and its
 * routing in words, plus the variables it gives. Built from the questionnaire model, rendered by
 * views/questionnaires/document.ejs.
 */
import type { LocalizedText } from './questionnaire-file';
import { Coded, localized, SurveyQuestion } from './questionnaire-model';
import type { RegisteredQuestionnaire } from './registry';
import { routingInWords } from './routing-words';

export interface DocumentQuestion {
  number: number;
  name: string;
  type: LocalizedText;
  title: LocalizedText;
  description?: LocalizedText;
  required: boolean;
  /** where asked: the conditions of its panels and itself (the page's are shown with the page) */
  routing?: LocalizedText;
  routingExpression?: string;
  choices: Coded[];
  rows: Coded[];
  columns: Coded[];
  variables: string[];
  notes: LocalizedText[];
}

export interface DocumentPage {
  name: string;
  title?: LocalizedText;
  routing?: LocalizedText;
  routingExpression?: string;
  questions: DocumentQuestion[];
}

export interface QuestionnaireDocument {
  id: string;
  key: string;
  version: string;
  edition: string;
  population: string;
  title: LocalizedText;
  sha256: string;
  pages: DocumentPage[];
  questionCount: number;
}

const TYPE_NAMES: Record<string, LocalizedText> = {
  radiogroup: { nl: 'Eén antwoord', en: 'Single choice' },
  dropdown: { nl: 'Eén antwoord (keuzelijst)', en: 'Single choice (drop-down)' },
  checkbox: { nl: 'Meerdere antwoorden mogelijk', en: 'Multiple choice' },
  matrix: { nl: 'Matrix: één antwoord per rij', en: 'Matrix: one answer per row' },
  text: { nl: 'Open antwoord (kort)', en: 'Open answer (short)' },
  number: { nl: 'Getal', en: 'Number' },
  comment: { nl: 'Open antwoord', en: 'Open answer' },
  boolean: { nl: 'Ja/nee', en: 'Yes/no' },
  rating: { nl: 'Beoordeling', en: 'Rating' },
};

type Json = Record<string, unknown>;

/** Descriptions are not in the model: read them from the definition by question name. */
function descriptions(survey: Json): Map<string, LocalizedText> {
  const out = new Map<string, LocalizedText>();
  const walk = (elements: unknown) => {
    if (!Array.isArray(elements)) return;
    for (const e of elements as Json[]) {
      if (e && typeof e.name === 'string' && e.description !== undefined) out.set(e.name, localized(e.description));
      walk(e?.elements);
    }
  };
  for (const p of (Array.isArray(survey.pages) ? survey.pages : []) as Json[]) walk(p?.elements);
  return out;
}

function variablesOf(q: SurveyQuestion): string[] {
  if (q.type === 'matrix') return q.rows.map((r) => `${q.name}_${r.value}`);
  if (q.type === 'checkbox') return q.choices.map((c) => `${q.name}_${c.value}`);
  if (q.type === 'other') return [];
  return [q.name];
}

function notesOf(q: SurveyQuestion): LocalizedText[] {
  const notes: LocalizedText[] = [];
  if (q.min !== undefined || q.max !== undefined)
    notes.push({
      nl: `Waarde van ${q.min ?? '…'} tot en met ${q.max ?? '…'}`,
      en: `Value from ${q.min ?? '…'} to ${q.max ?? '…'}`,
    });
  if (q.maxLength !== undefined)
    notes.push({ nl: `Hoogstens ${q.maxLength} tekens`, en: `At most ${q.maxLength} characters` });
  const exclusive = q.choices.filter((c) => c.isExclusive).map((c) => String(c.value));
  if (exclusive.length)
    notes.push({
      nl: `Sluit andere antwoorden uit: ${exclusive.join(', ')}`,
      en: `Excludes other answers: ${exclusive.join(', ')}`,
    });
  return notes;
}

export function questionnaireDocument(q: RegisteredQuestionnaire): QuestionnaireDocument {
  const model = q.model;
  const described = descriptions(q.survey);
  const rawPages = (Array.isArray(q.survey.pages) ? q.survey.pages : []) as Json[];
  const pages: DocumentPage[] = rawPages.map((p, i) => {
    const own = typeof p.visibleIf === 'string' && p.visibleIf.trim() ? p.visibleIf : undefined;
    return {
      name: typeof p.name === 'string' ? p.name : `page${i + 1}`,
      title: p.title !== undefined ? localized(p.title) : undefined,
      routing: own ? routingInWords([own], model) : undefined,
      routingExpression: own,
      questions: [],
    };
  });
  const byName = new Map(pages.map((p) => [p.name, p]));
  let number = 0;
  for (const question of model.questions) {
    const page = byName.get(question.page);
    if (!page) continue;
    const conditions = page.routingExpression ? question.conditions.slice(1) : question.conditions;
    const typeKey = question.type === 'text' && question.inputType === 'number' ? 'number' : question.type;
    page.questions.push({
      number: ++number,
      name: question.name,
      type: TYPE_NAMES[typeKey] ?? { nl: question.type, en: question.type },
      title: question.title,
      description: described.get(question.name),
      required: question.required,
      routing: routingInWords(conditions, model),
      routingExpression: conditions.length ? conditions.join(' and ') : undefined,
      choices: question.choices,
      rows: question.rows,
      columns: question.columns,
      variables: variablesOf(question),
      notes: notesOf(question),
    });
  }
  return {
    id: q.id,
    key: q.key,
    version: q.version,
    edition: String(q.edition),
    population: q.population,
    title: q.title,
    sha256: q.sha256,
    pages,
    questionCount: number,
  };
}
