import express, { Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { HttpError } from '../../shared/web/errors';
import { ApiTokenInputError, apiTokensOf, createApiToken, revokeOwnApiToken } from '../api-tokens';
import type { SignedInUser } from '../sessions';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';

/** /analyst/tokens: the user's API tokens for the export API; a new one is shown once; revoking is for good. */
export function analystTokensRouter(deps: AppDeps): Router {
  const router = express.Router();
  const userOf = (res: Response) => res.locals.user as SignedInUser;
  const show = async (res: Response, extra: Record<string, unknown> = {}, status = 200) =>
    renderSignedInPage(
      res,
      'analyst/tokens',
      {
        title: 'API tokens',
        tokens: await apiTokensOf(deps.db, userOf(res).userId),
        created: null,
        values: { name: '' },
        errors: {},
        ...extra,
      },
      status,
    );

  router.get('/tokens', (_req, res) => show(res));

  router.post('/tokens', async (req, res) => {
    const name = formText(req.body, 'name');
    try {
      const created = await createApiToken(deps.db, userOf(res), name, deps.clock());
      await show(res, { created: { name, token: created.token } }, 201);
    } catch (err) {
      if (!(err instanceof ApiTokenInputError)) throw err;
      await show(res, { values: { name }, errors: { name: err.message } }, 422);
    }
  });

  router.post('/tokens/:id/revoke', async (req, res) => {
    if (!(await revokeOwnApiToken(deps.db, userOf(res), req.params.id, deps.clock())))
      throw new HttpError(404, 'There is no such live token of yours');
    res.redirect(303, '/analyst/tokens');
  });

  return router;
}
