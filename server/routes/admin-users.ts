import express, { Response, Router } from 'express';
import type { AppDeps } from '../app';
import { listUsers } from '../db/queries/users';
import { recordAudit } from '../services/audit';
import type { SignedInUser } from '../services/sessions';
import { addUser, ROLES, UserInputError } from '../services/users';
import { formText, renderSignedInPage } from './signed-in-page';

/** Accounts: the list, and a new account with a generated password shown once. */
export function adminUsersRouter(deps: AppDeps): Router {
  const router = express.Router();

  const showList = async (res: Response, values: { email: string; role: string }, errors: Record<string, string>) =>
    renderSignedInPage(res, 'admin/users', { title: 'Users', users: await listUsers(deps.db), roles: ROLES, values, errors }, Object.keys(errors).length ? 422 : 200);

  router.get('/users', (_req, res) => showList(res, { email: '', role: 'analyst' }, {}));

  router.post('/users', async (req, res) => {
    const values = { email: formText(req.body, 'email'), role: formText(req.body, 'role') };
    let created;
    try {
      created = await addUser(deps.db, values, deps.clock());
    } catch (err) {
      if (!(err instanceof UserInputError)) throw err;
      return showList(res, values, { [/role/.test(err.message) ? 'role' : 'email']: err.message });
    }
    const actor = (res.locals.user as SignedInUser).email;
    await recordAudit(deps.db, { actor, action: 'user.add', detail: { email: created.user.email, role: created.user.role }, at: deps.clock() });
    renderSignedInPage(res, 'admin/user-created', { title: 'User added', created: created.user, password: created.password }, 201);
  });

  return router;
}
