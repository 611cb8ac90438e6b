import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { recordAudit } from '../audit';
import type { SignedInUser } from '../sessions';
import { changeUser, listAccounts, UserChange } from '../account-changes';
import { addUser, ROLES, UserInputError } from '../new-account';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';

/**
 * Accounts: the list, a new account with a generated password shown once, and per account: disable, enable, change
 * the role, and a new generated password (shown once). The guards (not one's own account, not the last enabled
 * administrator) are in accounts/account-changes.ts.
 */
export function adminUsersRouter(deps: AppDeps): Router {
  const router = express.Router();

  const showList = async (res: Response, values: { email: string; role: string }, errors: Record<string, string>) =>
    renderSignedInPage(
      res,
      'admin/users',
      { title: 'Users', users: await listAccounts(deps.db), roles: ROLES, values, errors },
      Object.keys(errors).length ? 422 : 200,
    );

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
    await recordAudit(deps.db, {
      actor,
      action: 'user.add',
      detail: { email: created.user.email, role: created.user.role },
      at: deps.clock(),
    });
    renderSignedInPage(
      res,
      'admin/user-created',
      { title: 'User added', created: created.user, password: created.password },
      201,
    );
  });

  const change = async (req: Request, res: Response, what: UserChange) => {
    const me = res.locals.user as SignedInUser;
    return changeUser(deps.db, { actor: me.email, userId: me.userId }, String(req.params.user), what, deps.clock());
  };

  router.post('/users/:user/disable', async (req, res) => {
    await change(req, res, { kind: 'disable' });
    res.redirect(303, '/admin/users');
  });

  router.post('/users/:user/enable', async (req, res) => {
    await change(req, res, { kind: 'enable' });
    res.redirect(303, '/admin/users');
  });

  router.post('/users/:user/role', async (req, res) => {
    await change(req, res, { kind: 'role', role: formText(req.body, 'role') });
    res.redirect(303, '/admin/users');
  });

  router.post('/users/:user/reset', async (req, res) => {
    const done = await change(req, res, { kind: 'reset' });
    renderSignedInPage(res, 'admin/user-created', {
      title: 'New password',
      created: done.user,
      password: done.password,
      reset: true,
    });
  });

  return router;
}
