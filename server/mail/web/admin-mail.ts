import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { countDevMailbox, devMailView, listDevMailbox } from '../dev-mailbox';
import type { WaveRow } from '../../fielding/wave-rules';
import { HttpError, wantsJson } from '../../shared/web/errors';
import { describeQueueResult, inviteWave, outboxCounts, previewMail, remindWave, sendTestMail } from '../wave-mail';
import { DomainError } from '../../shared/errors';
import { classifyFailure, devMailboxTransport, MailDeps } from '../mail-transport';
import {
  asMailKind,
  asMailLanguage,
  checkTemplate,
  loadTemplate,
  MAIL_KINDS,
  MAIL_LANGUAGES,
  MailKind,
  MailLanguage,
  PLACEHOLDERS,
  storeTemplate,
  TemplateError,
} from '../mail-templates';
import type { SignedInUser } from '../../accounts/sessions';
import { waveParam } from '../../fielding/web/admin-waves';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';

const KIND_NAMES: Record<MailKind, string> = { invite: 'Invitation', remind: 'Reminder' };
const LANGUAGE_NAMES: Record<MailLanguage, string> = { nl: 'Dutch', en: 'English' };

/** Mail pages under /admin (mounted by adminRouter behind its session, role and CSRF checks). */
export function adminMailRouter(deps: AppDeps): Router {
  const router = express.Router();
  const mail: MailDeps = deps.mail ?? {
    transport: devMailboxTransport(deps.db, deps.clock),
    from: 'Veldwerk <veldwerk@localhost>',
    timeoutMs: 5000,
  };
  const loadWave = waveParam(deps);
  const user = (res: Response) => res.locals.user as SignedInUser;
  const kindLang = (req: Request) => {
    const kind = asMailKind(req.params.kind);
    const language = asMailLanguage(req.params.lang);
    if (!kind || !language) throw new HttpError(404, 'No such template');
    return { kind, language };
  };

  router.get('/waves/:id/mail', loadWave, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const outbox = await outboxCounts(deps.db, wave.id);
    if (wantsJson(req)) return res.json({ outbox, via: mail.transport.via });
    const notice = typeof req.query.notice === 'string' ? req.query.notice.slice(0, 500) : undefined;
    renderSignedInPage(res, 'mail/wave-mail', {
      title: `E-mail: ${wave.name}`,
      wave,
      outbox,
      via: mail.transport.via,
      kinds: MAIL_KINDS,
      languages: MAIL_LANGUAGES,
      kindNames: KIND_NAMES,
      languageNames: LANGUAGE_NAMES,
      notice,
    });
  });

  for (const kind of MAIL_KINDS) {
    router.post(`/waves/:id/mail/${kind}`, loadWave, async (req, res) => {
      const wave = res.locals.wave as WaveRow;
      const run = kind === 'invite' ? inviteWave : remindWave;
      const result = await run(deps.db, wave.id, { actor: user(res).email, now: deps.clock() });
      if (wantsJson(req))
        return res.json({
          queued: result.queued,
          total: result.total,
          optedOut: result.optedOut,
          noEmail: result.noEmail,
          completed: result.completed,
        });
      res.redirect(303, `/admin/waves/${wave.id}/mail?notice=${encodeURIComponent(describeQueueResult(kind, result))}`);
    });
  }

  router.get('/waves/:id/mail/templates/:kind/:lang', loadWave, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const { kind, language } = kindLang(req);
    const template = await loadTemplate(deps.db, wave.id, kind, language);
    const preview = await previewMail(deps.db, {
      wave,
      kind,
      language,
      publicUrl: deps.config.publicUrl,
      from: mail.from,
      template,
    });
    renderSignedInPage(res, 'mail/template', {
      title: `${KIND_NAMES[kind]} (${LANGUAGE_NAMES[language]}): ${wave.name}`,
      wave,
      kind,
      language,
      template,
      preview,
      placeholders: PLACEHOLDERS,
      error: undefined,
      notice: req.query.saved ? 'Saved.' : undefined,
    });
  });

  // "preview" shows the text as a person would get it without saving; "save" checks and stores it
  router.post('/waves/:id/mail/templates/:kind/:lang', loadWave, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const { kind, language } = kindLang(req);
    const input = {
      subject: formText(req.body, 'subject'),
      body: typeof req.body?.body === 'string' ? req.body.body : '',
    };
    try {
      const checked = checkTemplate(input);
      if (formText(req.body, 'action') === 'save') {
        await storeTemplate(deps.db, wave.id, kind, language, checked, deps.clock());
        return res.redirect(303, `/admin/waves/${wave.id}/mail/templates/${kind}/${language}?saved=1`);
      }
      const preview = await previewMail(deps.db, {
        wave,
        kind,
        language,
        publicUrl: deps.config.publicUrl,
        from: mail.from,
        template: checked,
      });
      renderSignedInPage(res, 'mail/template', {
        title: `${KIND_NAMES[kind]} (${LANGUAGE_NAMES[language]}): ${wave.name}`,
        wave,
        kind,
        language,
        template: input,
        preview,
        placeholders: PLACEHOLDERS,
        error: undefined,
        notice: 'Preview of the text above: not saved yet.',
      });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      renderSignedInPage(
        res,
        'mail/template',
        {
          title: `${KIND_NAMES[kind]} (${LANGUAGE_NAMES[language]}): ${wave.name}`,
          wave,
          kind,
          language,
          template: input,
          preview: undefined,
          placeholders: PLACEHOLDERS,
          error: err.message,
          notice: undefined,
        },
        422,
      );
    }
  });

  router.post('/waves/:id/mail/test', loadWave, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const kind = asMailKind(formText(req.body, 'kind')) ?? 'invite';
    const language = asMailLanguage(formText(req.body, 'language')) ?? 'nl';
    let notice: string;
    try {
      await sendTestMail(deps.db, mail.transport, {
        wave,
        kind,
        language,
        publicUrl: deps.config.publicUrl,
        from: mail.from,
        to: user(res).email,
        actor: user(res).email,
        now: deps.clock(),
        timeoutMs: mail.timeoutMs,
      });
      notice =
        mail.transport.via === 'smtp'
          ? `A test mail was sent to ${user(res).email}.`
          : 'The test mail is in the development mailbox: NOT sent, SMTP_URL is not set.';
    } catch (err) {
      if (err instanceof DomainError) throw err; // a refusal (closed wave, no address) answers 4xx
      notice = `The test mail could not be sent: ${classifyFailure(err).message}`;
    }
    if (wantsJson(req)) return res.json({ notice });
    res.redirect(303, `/admin/waves/${wave.id}/mail?notice=${encodeURIComponent(notice)}`);
  });

  router.get('/mail/dev-mailbox', async (req, res) => {
    const messages = await listDevMailbox(deps.db, 200);
    if (wantsJson(req))
      return res.json({
        sent: false,
        messages: messages.map((m) => ({
          id: m.id,
          recipient: m.recipient,
          subject: m.subject,
          created_at: m.created_at,
        })),
      });
    renderSignedInPage(res, 'mail/dev-mailbox', {
      title: 'Development mailbox (NOT sent)',
      messages,
      total: await countDevMailbox(deps.db),
      via: mail.transport.via,
    });
  });

  router.get('/mail/dev-mailbox/:no', async (req, res) => {
    const id = Number(req.params.no);
    const view = Number.isSafeInteger(id) ? await devMailView(deps.db, id) : undefined;
    if (!view) throw new HttpError(404, 'No such message');
    renderSignedInPage(res, 'mail/dev-message', { title: `NOT sent: ${view.message.subject}`, ...view });
  });

  return router;
}
