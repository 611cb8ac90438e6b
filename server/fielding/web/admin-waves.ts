import { renderSurveyPreview } from '../../shared/web/survey-preview';
import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { HttpError, wantsJson } from '../../shared/web/errors';
import type { SignedInUser } from '../../accounts/sessions';
import { closePlan, labelMonitor, waveMonitor } from '../monitor';
import {
  allWaves,
  closeWave,
  createTestLinks,
  createWaveAudited,
  editWave,
  loadWave,
  MAX_TEST_LINKS,
  parseKeptAttributes,
  waveFormErrors,
  waveFormValues,
  waveStatus,
  waveStatusNow,
} from '../wave-actions';
import { purgeWave } from '../wave-purge';
import { keptAttributes, NewWave, WaveRow } from '../wave-rules';
import { kOf } from '../../exports/web/export-response';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';

/** Loads :id into res.locals.wave (404 when unknown). */
export function waveParam(deps: AppDeps) {
  return async (req: Request, res: Response, next: () => void) => {
    const wave = await loadWave(deps.db, String(req.params.id));
    if (!wave) throw new HttpError(404, 'No such wave');
    res.locals.wave = wave;
    next();
  };
}

function formInput(body: unknown): NewWave {
  return {
    name: formText(body, 'name'),
    questionnaireId: formText(body, 'questionnaire'),
    opensOn: formText(body, 'opens_on'),
    closesOn: formText(body, 'closes_on'),
    keptAttributes: parseKeptAttributes(formText(body, 'kept')),
  };
}

/** Waves: list, create, see, edit until it opens, preview, test links, close, purge, monitor. */
export function adminWavesRouter(deps: AppDeps): Router {
  const router = express.Router();
  const loadWaveParam = waveParam(deps);
  const actor = (res: Response) => (res.locals.user as SignedInUser).email;
  const questionnaires = () => deps.registry.list().map((q) => ({ id: q.id, title: q.title.en }));
  // per questionnaire key, the sample attributes it declares for keeping with the answers (the form's hint)
  const declaredKept = () => {
    const byKey = new Map<string, string[]>();
    for (const q of deps.registry.list()) byKey.set(q.key, [...q.sampleAttributes.keys()]);
    return [...byKey].map(([key, names]) => `${key}: ${names.join(', ') || 'none'}`).join('; ');
  };

  const showForm = (res: Response, values: NewWave, errors: Record<string, string>, wave?: WaveRow) =>
    renderSignedInPage(
      res,
      'admin/wave-form',
      {
        title: wave ? `Edit wave ${wave.name}` : 'New wave',
        values,
        errors,
        wave,
        questionnaires: questionnaires(),
        declaredKept: declaredKept(),
      },
      Object.keys(errors).length ? 422 : 200,
    );

  router.get('/', async (_req, res) => {
    const now = deps.clock();
    const waves = (await allWaves(deps.db)).map((w) => ({ ...w, status: waveStatus(w, now) }));
    renderSignedInPage(res, 'admin/waves', { title: 'Waves', waves });
  });

  router.get('/waves/new', (_req, res) =>
    showForm(res, { name: '', questionnaireId: '', opensOn: '', closesOn: '', keptAttributes: [] }, {}),
  );

  router.post('/waves', async (req, res) => {
    const input = formInput(req.body);
    const errors = waveFormErrors(input, deps.registry);
    if (Object.keys(errors).length > 0) return showForm(res, input, errors);
    const wave = await createWaveAudited(deps.db, deps.registry, input, actor(res), deps.clock());
    res.redirect(303, `/admin/waves/${wave.id}`);
  });

  router.get('/waves/:id', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    renderSignedInPage(res, 'admin/wave', {
      title: `Wave ${wave.name}`,
      wave,
      kept: keptAttributes(wave),
      status: await waveStatusNow(deps.db, wave, deps.clock()),
      maxTestLinks: MAX_TEST_LINKS,
      notice: undefined,
    });
  });

  router.get('/waves/:id/edit', loadWaveParam, async (_req, res) => {
    const wave = res.locals.wave as WaveRow;
    if (!(await waveStatusNow(deps.db, wave, deps.clock())).editable)
      throw new HttpError(
        409,
        'A wave can be changed only until it opens, or while nothing was sent and nobody answered',
      );
    showForm(res, waveFormValues(wave), {}, wave);
  });

  router.post('/waves/:id', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const input = formInput(req.body);
    const errors = waveFormErrors(input, deps.registry);
    if (Object.keys(errors).length > 0) return showForm(res, input, errors, wave);
    await editWave(deps.db, deps.registry, wave, input, actor(res), deps.clock());
    res.redirect(303, `/admin/waves/${wave.id}`);
  });

  // the questionnaire as a respondent sees it; the page's script saves and submits nothing when config.preview is set
  router.get('/waves/:id/preview', loadWaveParam, (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const questionnaire = deps.registry.get(wave.questionnaire_id);
    if (!questionnaire) throw new HttpError(404, 'The questionnaire of this wave is not loaded');
    const locale = req.query.lang === 'en' ? 'en' : 'nl';
    // ?page=N opens the preview at that page (counted from 1); anything else starts at the first
    const asked = typeof req.query.page === 'string' && /^\d{1,3}$/.test(req.query.page) ? Number(req.query.page) : 1;
    renderSurveyPreview(res, {
      survey: questionnaire.survey,
      title: questionnaire.title,
      locale,
      pageNo: Math.max(0, asked - 1),
      backTo: `/admin/waves/${wave.id}`,
    });
  });

  router.post('/waves/:id/test-links', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const count = Number(formText(req.body, 'count') || '1');
    const language = formText(req.body, 'language') === 'en' ? 'en' : 'nl';
    const links = await createTestLinks(
      deps.db,
      wave,
      count,
      language,
      deps.config.publicUrl,
      actor(res),
      deps.clock(),
    );
    if (wantsJson(req)) return res.status(201).json({ links });
    renderSignedInPage(res, 'admin/test-links', { title: `Test links for ${wave.name}`, wave, links }, 201);
  });

  router.post('/waves/:id/close', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    if (!wantsJson(req) && formText(req.body, 'confirmed') !== 'yes' && waveStatus(wave, deps.clock()).closable) {
      const plan = await closePlan(deps.db, wave);
      return renderSignedInPage(res, 'admin/confirm', {
        title: `Close the wave: ${wave.name}`,
        message: `Closing stops every link of "${wave.name}" at once and cannot be undone. ${plan.notFinished} invited ${plan.notFinished === 1 ? 'person has' : 'people have'} not completed; ${plan.started} of them started and would not be able to finish.`,
        action: `/admin/waves/${wave.id}/close`,
        fields: {},
        button: 'Close the wave now',
        back: `/admin/waves/${wave.id}`,
      });
    }
    await closeWave(deps.db, wave, actor(res), deps.clock());
    if (wantsJson(req)) return res.json({ status: 'closed' });
    res.redirect(303, `/admin/waves/${wave.id}`);
  });

  router.post('/waves/:id/purge', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    if (formText(req.body, 'confirm') !== 'yes')
      throw new HttpError(400, 'Tick the box to confirm that the contact data is to be deleted for good');
    const result = await purgeWave(deps.db, wave, actor(res), deps.clock());
    if (wantsJson(req)) return res.json({ status: 'purged', ...result });
    res.redirect(303, `/admin/waves/${wave.id}`);
  });

  router.get('/waves/:id/monitor', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const monitor = labelMonitor(
      await waveMonitor(deps.db, wave, deps.clock(), kOf(deps)),
      deps.registry.get(wave.questionnaire_id)?.sampleAttributes ?? new Map(),
      'en',
    );
    if (wantsJson(req)) return res.json(monitor);
    renderSignedInPage(res, 'admin/monitor', {
      title: `Monitor: ${monitor.wave.name}`,
      wave: res.locals.wave,
      monitor,
    });
  });

  return router;
}
