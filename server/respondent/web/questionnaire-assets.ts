import express, { Router } from 'express';
import type { QuestionnaireRegistry, RegisteredQuestionnaire } from '../../questionnaires/registry';
import { IMMUTABLE, StaticBody } from '../../shared/web/assets';
import { pageTexts, SURVEY_TEXTS_NL } from '../../shared/i18n';

/**
 * Each questionnaire version as a script of its own, `/assets/q/<hash>.js`, named by the hash of its content and
 * cached for a year: the respondent page no longer carries the whole questionnaire (63 kB, serialised and escaped on
 * every view); a returning respondent, or the next respondent behind the same cache, loads it once. Built once per
 * version and process, compressed once. Questionnaires are not personal: no token is in the address.
 */
export interface QuestionnaireAssets {
  router: Router;
  url(questionnaire: RegisteredQuestionnaire): string;
  /** Veldwerk's own texts of the page in both languages, and SurveyJS's Dutch messages as Veldwerk words them */
  textsUrl: string;
  warm(): Promise<unknown>;
}

const built = new WeakMap<RegisteredQuestionnaire, StaticBody>();

/** The same for every page: made once per process (4 kB that every page view used to carry and escape). */
let texts: StaticBody | undefined;
function textsBody(): StaticBody {
  texts ??= new StaticBody(
    Buffer.from(
      `window.VW_TEXTS = ${JSON.stringify({ texts: { nl: pageTexts('nl'), en: pageTexts('en') }, surveyTexts: SURVEY_TEXTS_NL })};\n`,
      'utf8',
    ),
    'text/javascript; charset=utf-8',
  );
  return texts;
}

function bodyOf(questionnaire: RegisteredQuestionnaire): StaticBody {
  let body = built.get(questionnaire);
  if (!body) {
    // JSON is a JavaScript expression; "</" cannot end a script here (no HTML around it), U+2028 is valid since ES2019
    const script = `window.VW_QUESTIONNAIRE = ${JSON.stringify(questionnaire.survey)};\n`;
    body = new StaticBody(Buffer.from(script, 'utf8'), 'text/javascript; charset=utf-8');
    built.set(questionnaire, body);
  }
  return body;
}

export function questionnaireAssets(registry: QuestionnaireRegistry): QuestionnaireAssets {
  const byHash = new Map<string, StaticBody>();
  for (const questionnaire of registry.list()) {
    const body = bodyOf(questionnaire);
    byHash.set(body.hash, body);
  }
  const shared = textsBody();
  byHash.set(shared.hash, shared);
  const router = express.Router();
  router.get('/assets/q/:file', (req, res, next) => {
    const m = /^([0-9a-f]{16})\.js$/.exec(String(req.params.file));
    const body = m && byHash.get(m[1]);
    if (!body) return next();
    body.send(req, res, IMMUTABLE).catch(next);
  });
  return {
    router,
    // a version registered after start (uploaded through another process) is served from its first page view on
    url: (questionnaire) => {
      const body = bodyOf(questionnaire);
      byHash.set(body.hash, body);
      return `/assets/q/${body.hash}.js`;
    },
    textsUrl: `/assets/q/${shared.hash}.js`,
    warm: () => Promise.all([...byHash.values()].map((b) => b.warm())),
  };
}
