import express, { Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import type { SignedInUser } from '../../accounts/sessions';
import { waveParam } from '../../fielding/web/admin-waves';
import type { WaveRow } from '../../fielding/wave-rules';
import { HttpError } from '../../shared/web/errors';
import type { UploadedFile } from '../../shared/web/upload-form';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';
import { flashForNextPage } from '../../accounts/web/auth';
import { DomainError } from '../../shared/errors';
import {
  DEFAULT_HELP,
  MAX_LOGO_BYTES,
  updateWaveLogo,
  updateWavePage,
  WavePageInput,
  wavePage,
  wavePageErrors,
} from '../wave-pages';

/**
 * /admin/waves/ID/respondent-page: what respondents see of the wave around the questionnaire (organisation, logo,
 * contact, privacy additions, help resources on the thank-you page). Mounted inside the admin area (session, role,
 * CSRF and body handling in front). Any wave, open or closed: these are not answers.
 */
export function wavePageAdminRouter(deps: AppDeps): Router {
  const router = express.Router();
  const loadWave = waveParam(deps);
  const actor = (res: Response) => (res.locals.user as SignedInUser).email;

  const show = async (res: Response, wave: WaveRow, input?: WavePageInput, errors: Record<string, string> = {}) => {
    const page = await wavePage(deps.db, wave.id);
    renderSignedInPage(
      res,
      'admin/respondent-page',
      {
        title: `Respondent pages of ${wave.name}`,
        wave,
        page,
        values: input ?? {
          organisation: page.organisation,
          contactEmail: page.contactEmail,
          privacyNl: page.privacy.nl,
          privacyEn: page.privacy.en,
          helpNl: page.help.nl.join('\n'),
          helpEn: page.help.en.join('\n'),
        },
        defaults: DEFAULT_HELP,
        maxLogoKb: MAX_LOGO_BYTES / 1024,
        errors,
      },
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  };

  router.get('/waves/:id/respondent-page', loadWave, async (_req, res) => {
    await show(res, res.locals.wave as WaveRow);
  });

  router.post('/waves/:id/respondent-page', loadWave, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const input: WavePageInput = {
      organisation: formText(req.body, 'organisation'),
      contactEmail: formText(req.body, 'contactEmail'),
      privacyNl: formText(req.body, 'privacyNl'),
      privacyEn: formText(req.body, 'privacyEn'),
      helpNl: formText(req.body, 'helpNl'),
      helpEn: formText(req.body, 'helpEn'),
    };
    const errors = wavePageErrors(input);
    if (Object.keys(errors).length > 0) return show(res, wave, input, errors);
    await updateWavePage(deps.db, wave.id, input, actor(res), deps.clock());
    await flashForNextPage(deps, req, 'Saved: respondents see the new settings on their next page.');
    res.redirect(303, `/admin/waves/${wave.id}/respondent-page`);
  });

  router.post('/waves/:id/respondent-page/logo', loadWave, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const file = res.locals.uploadedFile as UploadedFile | undefined;
    if (!file || file.field !== 'logo') throw new HttpError(400, 'Choose a PNG or JPEG file');
    try {
      await updateWaveLogo(deps.db, wave.id, file.bytes, actor(res), deps.clock());
    } catch (err) {
      if (err instanceof DomainError) return show(res, wave, undefined, { logo: err.message });
      throw err;
    }
    await flashForNextPage(deps, req, 'The logo was saved.');
    res.redirect(303, `/admin/waves/${wave.id}/respondent-page`);
  });
  return router;
}
