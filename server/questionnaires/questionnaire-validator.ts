// The validator of one questionnaire version, made once by the registry: survey-core's verdict with the strict checks,
// computed by the compiled validator where the definition uses only what it models (compiled-subset.ts), else by
// survey-core itself in the worker pool (verdict-pool.ts). Both answer asynchronously, so callers need not know which.
import { compileValidator } from './answer-validator';
import { usesOnlyCompiledFeatures } from './compiled-subset';
import type { AnswerError, ValidationResult } from './survey-verdict';
import { sharedVerdictPool, type VerdictPool } from './verdict-pool';
import type { Locale } from '../shared/locale';

export type { AnswerError, ValidationResult };

export interface QuestionnaireValidator {
  /** which engine judges: the compiled rules or survey-core in a worker thread */
  engine: 'compiled' | 'survey-core';
  /** for final submit: survey-core's verdict plus the strict checks; the answers as stored when ok */
  validateComplete(answers: unknown, locale: Locale): Promise<ValidationResult>;
  /** for autosave: the strict checks only (names, types, choices, sizes), no required, no conditions */
  validatePartial(answers: unknown, locale: Locale): Promise<ValidationResult>;
}

export function createValidator(id: string, survey: object, pool?: VerdictPool): QuestionnaireValidator {
  if (usesOnlyCompiledFeatures(survey)) {
    const compiled = compileValidator(survey);
    return {
      engine: 'compiled',
      validateComplete: async (answers, locale) => compiled.validateComplete(answers, locale),
      validatePartial: async (answers, locale) => compiled.validatePartial(answers, locale),
    };
  }
  const p = () => pool ?? sharedVerdictPool();
  return {
    engine: 'survey-core',
    validateComplete: (answers, locale) => p().run(id, survey, answers, locale, true),
    validatePartial: (answers, locale) => p().run(id, survey, answers, locale, false),
  };
}
