import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { countDevMailbox, devMailView, listDevMailbox } from '../dev-mailbox';
import type { WaveRow } from '../../fielding/wave-rules';
import { HttpError, wantsJson } from '../../shared/web/errors';
import {
  asReminderAudience,
  describeMailPlan,
  describeQueueResult,
  mailPlan,
  inviteWave,
  outboxCounts,
  previewMail,
  remindWave,
  sendTestMail,
  scheduledMail,
  cancelScheduledMail,
  SendMoment,
} from '../wave-mail';
import { amsterdamMoment } from '../../shared/calendar';
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
  otherLanguageOlder,
  PLACEHOLDERS,
  TemplateProblems,
  storeTemplate,
  TemplateError,
} from '../mail-templates';
import type { SignedInUser } from '../../accounts/sessions';
import { waveParam } from '../../fielding/web/admin-waves';
import { waveStatus } from '../../fielding/wave-actions';
import { formText, renderSignedInPage } from '../../shared/web/signed-in-page';
import { flashForNextPage } from '../../accounts/web/auth';

const KIND_NAMES: Record<MailKind, string> = { invite: 'Invitation', remind: 'Reminder' };
const LANGUAGE_NAMES: Record<MailLanguage, string> = { nl: 'Dutch', en: 'English' };
const SEND_FIELDS = ['when', 'send_on', 'send_time', 'before_opening'] as const;

/**
 * The send moment chosen on the mail page (or in a JSON body): "default" (now, or the opening when the wave has not
 * opened), "now", "early" (now, before the opening: the explicit choice), or "at" a day and time in Amsterdam.
 */
function sendChoice(body: unknown, now: Date): SendMoment {
  const when = formText(body, 'when') || 'default';
  const beforeOpening = formText(body, 'before_opening') === 'yes';
  switch (when) {
    case 'default':
      return { beforeOpening };
    case 'now':
      return { at: now, beforeOpening };
    case 'early':
      return { at: now, beforeOpening: true };
    case 'at': {
      const at = amsterdamMoment(formText(body, 'send_on'), formText(body, 'send_time'));
      if (!at)
        throw new HttpError(
          422,
          'Give the day as YYYY-MM-DD and the time as HH:MM (24-hour clock, Amsterdam time); 02:00–02:59 on the day the clocks go forward does not exist.',
        );
      return { at, beforeOpening };
    }
    default:
      throw new HttpError(400, 'Choose when to send: default, now, early or at');
  }
}

/** Mail pages under /admin (mounted by adminRouter behind its session, role and CSRF checks). */
export function adminMailRouter(deps: AppDeps): Router {
  const router = express.Router();
  const mail: MailDeps = deps.mail ?? {
    transport: devMailboxTransport(deps.db, deps.clock),
    from: 'Veldwerk <veldwerk@localhost>',
    timeoutMs: 5000,
  };
  const loadWave = waveParam(deps);
  const reminderDays = deps.config.reminderMinIntervalDays ?? 3;
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
    const scheduled = await scheduledMail(deps.db, wave.id, deps.clock());
    if (wantsJson(req)) return res.json({ outbox, scheduled, via: mail.transport.via });
    // controls that no longer apply are not shown: a closed or purged wave sends nothing more
    const status = waveStatus(wave, deps.clock());
    const mailable = status.phase !== 'closed' && !status.purged;
    renderSignedInPage(res, 'mail/wave-mail', {
      title: `E-mail: ${wave.name}`,
      wave,
      status,
      mailable,
      outbox,
      scheduled,
      reminderDays,
      opensOn: wave.opens_on,
      notOpenYet: status.phase === 'not-open',
      via: mail.transport.via,
      kinds: MAIL_KINDS,
      languages: MAIL_LANGUAGES,
      kindNames: KIND_NAMES,
      languageNames: LANGUAGE_NAMES,
      notice: undefined,
    });
  });

  for (const kind of MAIL_KINDS) {
    router.post(`/waves/:id/mail/${kind}`, loadWave, async (req, res) => {
      const wave = res.locals.wave as WaveRow;
      const now = deps.clock();
      const opts = {
        actor: user(res).email,
        now,
        send: sendChoice(req.body, now),
        minIntervalMs: reminderDays * 86_400_000,
      };
      const audience = asReminderAudience(formText(req.body, 'audience') || 'all');
      if (kind === 'remind' && !audience)
        throw new HttpError(400, 'Choose whom to remind: all, not-started or started');
      // a page asks first, with the count (an API call with a JSON answer is its own confirmation)
      if (!wantsJson(req) && formText(req.body, 'confirmed') !== 'yes') {
        const plan = await mailPlan(deps.db, wave.id, kind, { ...opts, audience });
        const carried = Object.fromEntries(SEND_FIELDS.map((f) => [f, formText(req.body, f)]).filter(([, v]) => v));
        return renderSignedInPage(res, 'admin/confirm', {
          title: kind === 'invite' ? `Queue invitations: ${wave.name}` : `Queue reminders: ${wave.name}`,
          message: describeMailPlan(kind, audience ?? 'all', plan),
          action: `/admin/waves/${wave.id}/mail/${kind}`,
          fields: kind === 'remind' ? { audience: audience ?? 'all', ...carried } : carried,
          button: `${plan.scheduled ? 'Schedule' : 'Queue'} ${plan.count} ${kind === 'invite' ? 'invitation' : 'reminder'} mail${plan.count === 1 ? '' : 's'}`,
          back: `/admin/waves/${wave.id}/mail`,
        });
      }
      const result =
        kind === 'invite'
          ? await inviteWave(deps.db, wave.id, opts)
          : await remindWave(deps.db, wave.id, { ...opts, audience });
      if (wantsJson(req))
        return res.json({
          queued: result.queued,
          dueAt: result.dueAt,
          scheduled: result.scheduled,
          total: result.total,
          optedOut: result.optedOut,
          noEmail: result.noEmail,
          completed: result.completed,
        });
      await flashForNextPage(deps, req, describeQueueResult(kind, result));
      res.redirect(303, `/admin/waves/${wave.id}/mail`);
    });

    router.post(`/waves/:id/mail/${kind}/cancel-scheduled`, loadWave, async (req, res) => {
      const wave = res.locals.wave as WaveRow;
      const cancelled = await cancelScheduledMail(deps.db, wave.id, kind, {
        actor: user(res).email,
        now: deps.clock(),
      });
      if (wantsJson(req)) return res.json({ cancelled });
      const what = kind === 'invite' ? 'invitation' : 'reminder';
      await flashForNextPage(
        deps,
        req,
        cancelled > 0
          ? `Cancelled ${cancelled} scheduled ${what} mail${cancelled === 1 ? '' : 's'}: they will not go out.`
          : `No scheduled ${what} mail was waiting (what was due has gone out).`,
      );
      res.redirect(303, `/admin/waves/${wave.id}/mail`);
    });
  }

  /** The template page: the text being edited, its preview (none when it was refused), and what to say about it. */
  const showTemplate = async (
    res: Response,
    page: { wave: WaveRow; kind: MailKind; language: MailLanguage; template: unknown; preview: unknown },
    say: { problems?: TemplateProblems; notice?: string } = {},
    status = 200,
  ) => {
    const lagging = await otherLanguageOlder(deps.db, page.wave.id, page.kind, page.language);
    renderSignedInPage(
      res,
      'mail/template',
      {
        title: `${KIND_NAMES[page.kind]} (${LANGUAGE_NAMES[page.language]}): ${page.wave.name}`,
        ...page,
        placeholders: PLACEHOLDERS,
        problems: say.problems ?? { subject: [], body: [] },
        notice: say.notice,
        lagging: lagging && { ...lagging, name: LANGUAGE_NAMES[lagging.other] },
      },
      status,
    );
  };

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
    await showTemplate(res, { wave, kind, language, template, preview });
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
        await storeTemplate(deps.db, wave.id, kind, language, checked, deps.clock(), user(res).email);
        await flashForNextPage(deps, req, 'Saved.');
        return res.redirect(303, `/admin/waves/${wave.id}/mail/templates/${kind}/${language}`);
      }
      const preview = await previewMail(deps.db, {
        wave,
        kind,
        language,
        publicUrl: deps.config.publicUrl,
        from: mail.from,
        template: checked,
      });
      await showTemplate(
        res,
        { wave, kind, language, template: input, preview },
        { notice: 'Preview of the text above: not saved yet.' },
      );
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const problems = (err.details?.fields as TemplateProblems | undefined) ?? { subject: [], body: [err.message] };
      await showTemplate(res, { wave, kind, language, template: input, preview: undefined }, { problems }, 422);
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
    await flashForNextPage(deps, req, notice);
    res.redirect(303, `/admin/waves/${wave.id}/mail`);
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
