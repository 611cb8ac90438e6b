import { renderSurveyPreview } from '../../shared/web/survey-preview';
import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import type { SignedInUser } from '../../accounts/sessions';
import type { UploadedFile } from '../../shared/web/upload-form';
import { HttpError, wantsJson } from '../../shared/web/errors';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';
import { flashForNextPage } from '../../accounts/web/auth';
import type { RegisteredQuestionnaire } from '../registry';
import type { LoadedQuestionnaire } from '../questionnaire-file';
import {
  checkReport,
  checkUpload,
  MAX_QUESTIONNAIRE_BYTES,
  UploadFields,
  UploadRefusedError,
  UploadTooLargeError,
} from '../version-upload';
import {
  compareWithPrevious,
  confirmVariableStatuses,
  previousVersion,
  registerUpload,
  renderQuestionnaireDocument,
  resolveVersion,
  variableMapWithVersion,
  versionFileText,
  versionOrigin,
  versionOrigins,
} from '../version-uploads';
import { ConfirmedStatus, diffVersions, ProposedStatus } from '../version-diff';
import { InvalidError } from '../../shared/errors';

const ID = /^([a-z0-9][a-z0-9-]{0,99})@(\d[0-9A-Za-z.-]{0,49})$/;

function uploadFields(body: unknown): UploadFields {
  return {
    key: formText(body, 'key'),
    version: formText(body, 'version'),
    titleNl: formText(body, 'title_nl'),
    titleEn: formText(body, 'title_en'),
    population: formText(body, 'population'),
    edition: formText(body, 'edition'),
  };
}

/**
 * Questionnaire versions in the admin: the list and the upload form, the check (report and changes, nothing stored),
 * registering an upload as a new version, and per version its page, preview, changes against the previous version
 * with the variable-map statuses to confirm, the printable document and the version file.
 */
export function adminQuestionnairesRouter(deps: AppDeps): Router {
  const router = express.Router();
  const user = (res: Response) => res.locals.user as SignedInUser;

  const versionParam = async (req: Request, res: Response, next: () => void) => {
    const id = String(req.params.id);
    const q = ID.test(id) ? await resolveVersion(deps.db, deps.registry, id) : undefined;
    if (!q) throw new HttpError(404, 'No such questionnaire version');
    res.locals.questionnaire = q;
    next();
  };

  const showList = async (res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const origins = await versionOrigins(deps.db);
    const byKey = new Map<string, RegisteredQuestionnaire[]>();
    for (const q of deps.registry.list()) byKey.set(q.key, [...(byKey.get(q.key) ?? []), q]);
    const keys = [...byKey.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, versions]) => ({
        key,
        versions: versions.sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true })),
      }));
    renderSignedInPage(
      res,
      'questionnaires/list',
      {
        title: 'Questionnaires',
        keys,
        origins,
        values: { key: '', version: '', titleNl: '', titleEn: '', population: '', edition: '' },
        problems: undefined,
        maxMb: MAX_QUESTIONNAIRE_BYTES / (1024 * 1024),
        ...extra,
      },
      status,
    );
  };

  router.get('/questionnaires', async (_req, res) => showList(res));

  router.post('/questionnaires', async (req, res) => {
    const fields = uploadFields(req.body);
    const file = res.locals.uploadedFile as UploadedFile | undefined;
    const action = formText(req.body, 'action');
    const register = action !== 'check' && action !== 'preview';
    try {
      if (!file || file.field !== 'file') throw new UploadRefusedError('Choose a questionnaire file (.json) to upload');
      const checked = checkUpload(file.bytes, fields);
      const report = checkReport(checked.questionnaire.survey);
      if (action === 'preview') return renderPreview(res, checked.questionnaire, 'nl');
      if (!register) {
        // the check alone: the report, and the changes against the version before it; nothing is stored
        const draft = deps.registry.compile(checked.questionnaire);
        const known = deps.registry.get(checked.questionnaire.id);
        const previous = previousVersion(deps.registry, draft);
        const diff = previous ? diffVersions(previous, draft) : undefined;
        if (wantsJson(req))
          return res.json({ ok: true, id: draft.id, sha256: draft.sha256, report, changes: diff?.questions });
        return renderSignedInPage(res, 'questionnaires/check', {
          title: `Check of ${draft.id}`,
          q: draft,
          report,
          diff,
          previous,
          exists: known ? (known.sha256 === draft.sha256 ? 'identical' : 'different') : undefined,
          fileName: file.name,
          values: fields,
        });
      }
      const outcome = await registerUpload(deps.db, deps.registry, checked, {
        actor: user(res).email,
        via: 'web',
        fileName: file.name,
        now: deps.clock(),
      });
      const q = outcome.questionnaire;
      const page = `/admin/questionnaires/${encodeURIComponent(q.id)}`;
      if (wantsJson(req))
        return res
          .status(outcome.status === 'registered' ? 201 : 200)
          .json({ id: q.id, sha256: q.sha256, status: outcome.status, report, page });
      await flashForNextPage(
        deps,
        req,
        outcome.status === 'registered'
          ? `Registered ${q.id} (SHA-256 ${q.sha256}). It can now be chosen for a wave.`
          : `${q.id} was registered already with exactly this content; nothing changed.`,
      );
      res.redirect(303, page);
    } catch (err) {
      if (!(err instanceof UploadRefusedError) || wantsJson(req)) {
        if (err instanceof UploadTooLargeError) throw new HttpError(413, err.message, { problems: err.problems });
        throw err;
      }
      await showList(
        res,
        { problems: err.problems, problemTitle: err.message, fileName: file?.name, values: fields },
        err instanceof UploadTooLargeError ? 413 : 422,
      );
    }
  });

  router.get('/questionnaires/:id', versionParam, async (req, res) => {
    const q = res.locals.questionnaire as RegisteredQuestionnaire;
    const origin = await versionOrigin(deps.db, q.id);
    const previous = previousVersion(deps.registry, q);
    const report = checkReport(q.survey);
    const confirmed = previous ? (await compareWithPrevious(deps.db, deps.registry, q))?.confirmed : undefined;
    if (wantsJson(req))
      return res.json({
        id: q.id,
        sha256: q.sha256,
        origin,
        previous: previous?.id ?? null,
        statusesConfirmed: Boolean(confirmed),
        report,
      });
    renderSignedInPage(res, 'questionnaires/version', {
      title: `Questionnaire ${q.id}`,
      q,
      origin,
      previous,
      confirmed,
      report,
    });
  });

  router.get('/questionnaires/:id/preview', versionParam, (req, res) =>
    renderPreview(res, res.locals.questionnaire as RegisteredQuestionnaire, req.query.lang === 'en' ? 'en' : 'nl'),
  );

  router.get('/questionnaires/:id/changes', versionParam, async (req, res) => {
    const q = res.locals.questionnaire as RegisteredQuestionnaire;
    const comparison = await compareWithPrevious(deps.db, deps.registry, q);
    if (!comparison) throw new HttpError(404, `${q.id} is the first version of ${q.key}: there is nothing to compare`);
    if (wantsJson(req))
      return res.json({
        from: comparison.previous.id,
        to: q.id,
        questions: comparison.diff.questions,
        variables: comparison.diff.variables,
        confirmed: comparison.confirmed ?? null,
      });
    renderSignedInPage(res, 'questionnaires/changes', {
      title: `Changes from ${comparison.previous.id} to ${q.id}`,
      q,
      ...comparison,
      problems: undefined,
      chosen: undefined,
    });
  });

  router.post('/questionnaires/:id/changes', versionParam, async (req, res) => {
    const q = res.locals.questionnaire as RegisteredQuestionnaire;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const comparison = await compareWithPrevious(deps.db, deps.registry, q);
    if (!comparison) throw new HttpError(404, `${q.id} is the first version of ${q.key}: there is nothing to compare`);
    // only what can change is sent, so a long questionnaire stays within the form's field limit: a select for a
    // variable proposed as new or reworded (status:NAME, with continues:NAME for a new one), a tick box for one
    // proposed as same (reworded:NAME, sent only when ticked); a dropped variable stays dropped
    const statuses: ConfirmedStatus[] = comparison.diff.variables.map((v) => {
      const continues = formText(body, `continues:${v.variable}`);
      const ticked = formText(body, `reworded:${v.variable}`) === 'yes' ? 'reworded' : '';
      return {
        variable: v.variable,
        status: (formText(body, `status:${v.variable}`) || ticked || v.proposed) as ProposedStatus,
        ...(continues ? { continues } : {}),
      };
    });
    try {
      await confirmVariableStatuses(deps.db, deps.registry, q, statuses, user(res).email, deps.clock());
    } catch (err) {
      if (wantsJson(req) || !(err instanceof InvalidError)) throw err;
      return renderSignedInPage(
        res,
        'questionnaires/changes',
        {
          title: `Changes from ${comparison.previous.id} to ${q.id}`,
          q,
          ...comparison,
          problems: (err.details?.problems as string[]) ?? [err.message],
          chosen: new Map(statuses.map((s) => [s.variable, s])),
        },
        422,
      );
    }
    if (wantsJson(req)) return res.json({ status: 'confirmed', variables: statuses.length });
    await flashForNextPage(deps, req, `The statuses of ${statuses.length} variables of ${q.id} were saved.`);
    res.redirect(303, `/admin/questionnaires/${encodeURIComponent(q.id)}/changes`);
  });

  router.get('/questionnaires/:id/variable-map.json', versionParam, async (_req, res) => {
    const q = res.locals.questionnaire as RegisteredQuestionnaire;
    const map = await variableMapWithVersion(deps.db, deps.registry, q);
    if (!map)
      throw new HttpError(
        404,
        'Confirm the variable statuses first (a version whose edition is in the map already is edited by hand)',
      );
    res
      .type('application/json')
      .attachment(`${q.key}-variable-map.json`)
      .send(JSON.stringify(map, null, 2) + '\n');
  });

  router.get('/questionnaires/:id/document', versionParam, async (req, res) => {
    const q = res.locals.questionnaire as RegisteredQuestionnaire;
    const download = req.query.download === '1';
    if (download) res.attachment(`${q.key}-${q.version}-vragenlijst.html`);
    res.type('html').send(await renderQuestionnaireDocument(q, download));
  });

  router.get('/questionnaires/:id/file', versionParam, async (_req, res) => {
    const q = res.locals.questionnaire as RegisteredQuestionnaire;
    res
      .type('application/json')
      .attachment(`${q.version}.json`)
      .send(await versionFileText(deps.db, q));
  });

  return router;
}

/** The questionnaire as a respondent sees it; the page's script saves and submits nothing when config.preview is set. */
function renderPreview(res: Response, q: LoadedQuestionnaire, locale: 'nl' | 'en'): void {
  renderSurveyPreview(res, { survey: q.survey, title: q.title, locale });
}
