import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { wantsJson } from '../../shared/web/errors';
import type { SignedInUser } from '../../accounts/sessions';
import { flashForNextPage } from '../../accounts/web/auth';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';
import {
  changePersonLanguage,
  findPeople,
  giveFreshLink,
  personActions,
  personDetail,
  resendInvitation,
} from '../people';
import type { WaveRow } from '../wave-rules';
import { waveParam } from './admin-waves';

const LANGUAGE_NAME: Record<string, string> = { nl: 'Dutch', en: 'English' };

/** The per-person pages of a wave: search, one person's status and mail, resend, a fresh link, their language. */
export function adminPeopleRouter(deps: AppDeps): Router {
  const router = express.Router();
  const loadWaveParam = waveParam(deps);
  const actor = (res: Response) => (res.locals.user as SignedInUser).email;
  const personPath = (wave: WaveRow, id: string) => `/admin/waves/${wave.id}/people/${encodeURIComponent(id)}`;
  const confirmed = (req: Request) => wantsJson(req) || formText(req.body, 'confirmed') === 'yes';

  router.get('/waves/:id/people', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const found = await findPeople(deps.db, wave, q);
    if (wantsJson(req)) return res.json(found);
    renderSignedInPage(res, 'admin/people', { title: `People in ${wave.name}`, wave, q: q.trim(), ...found });
  });

  router.get('/waves/:id/people/:person', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const detail = await personDetail(deps.db, wave, String(req.params.person));
    const blocked = personActions(wave, detail.person, deps.clock());
    if (wantsJson(req)) return res.json({ ...detail, blocked });
    renderSignedInPage(res, 'admin/person', {
      title: detail.person.name ?? detail.person.email,
      wave,
      ...detail,
      blocked,
      languageName: LANGUAGE_NAME,
    });
  });

  router.post('/waves/:id/people/:person/resend', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const id = String(req.params.person);
    if (!confirmed(req)) {
      const { person } = await personDetail(deps.db, wave, id);
      return renderSignedInPage(res, 'admin/confirm', {
        title: `Send the invitation again: ${person.name ?? person.email}`,
        message: `The invitation of ${wave.name} goes out again now, in ${LANGUAGE_NAME[person.language]}, to ${person.email}, with their current link.`,
        action: `${personPath(wave, id)}/resend`,
        fields: {},
        button: 'Send the invitation again',
        back: personPath(wave, id),
      });
    }
    const person = await resendInvitation(deps.db, wave, id, { actor: actor(res), now: deps.clock() });
    if (wantsJson(req)) return res.json({ person });
    await flashForNextPage(deps, req, `The invitation goes out again to ${person.email}.`);
    res.redirect(303, personPath(wave, id));
  });

  router.post('/waves/:id/people/:person/fresh-link', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const id = String(req.params.person);
    const mail = formText(req.body, 'mail') !== 'no';
    if (!confirmed(req)) {
      const { person } = await personDetail(deps.db, wave, id);
      return renderSignedInPage(res, 'admin/confirm', {
        title: `A fresh link for ${person.name ?? person.email}`,
        message:
          `The link ${person.email} has now stops working at once; answers they saved move to the new link. ` +
          (mail && !person.optedOut
            ? `The invitation goes out again with the new link, in ${LANGUAGE_NAME[person.language]}.`
            : 'No mail goes out: the person gets the new link only with a later invitation or reminder.'),
        action: `${personPath(wave, id)}/fresh-link`,
        fields: { mail: mail ? 'yes' : 'no' },
        button: 'Replace the link',
        back: personPath(wave, id),
      });
    }
    const result = await giveFreshLink(deps.db, wave, id, { actor: actor(res), now: deps.clock(), mail });
    if (wantsJson(req)) return res.json(result);
    await flashForNextPage(
      deps,
      req,
      `The old link no longer works.${result.answersMoved ? ' The saved answers moved to the new link.' : ''}${
        result.mailed ? ` The new link goes out by mail to ${result.person.email}.` : ' No mail was sent.'
      }`,
    );
    res.redirect(303, personPath(wave, id));
  });

  router.post('/waves/:id/people/:person/language', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const id = String(req.params.person);
    const person = await changePersonLanguage(deps.db, wave, id, formText(req.body, 'language'), {
      actor: actor(res),
      now: deps.clock(),
    });
    if (wantsJson(req)) return res.json({ person });
    await flashForNextPage(
      deps,
      req,
      `Mail and questionnaire for ${person.email} are now in ${LANGUAGE_NAME[person.language]}.`,
    );
    res.redirect(303, personPath(wave, id));
  });

  return router;
}
