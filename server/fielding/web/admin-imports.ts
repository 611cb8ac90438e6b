import express, { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app-deps';
import type { UploadedFile } from '../../shared/web/upload-form';
import { HttpError, wantsJson } from '../../shared/web/errors';
import {
  cancelPendingImport,
  sweepExpiredImports,
  confirmPendingImport,
  findStagedImport,
  isPendingImportExpired,
  PendingImportRow,
  MAX_SAMPLE_BYTES,
  SampleSummary,
  stagePendingImport,
} from '../sample-import';
import { KNOWN_VALUES } from '../sample-rules';
import type { SignedInUser } from '../../accounts/sessions';
import { waveStatus } from '../wave-actions';
import { keptAttributes, WaveRow } from '../wave-rules';
import { waveParam } from './admin-waves';
import { renderSignedInPage } from '../../shared/web/signed-in-page';
import { flashForNextPage } from '../../accounts/web/auth';
import { formText } from '../../shared/web/signed-in-page';

/** Sample import: upload → checked preview with counts (kept in the database) → confirm or cancel. */
export function adminImportsRouter(deps: AppDeps): Router {
  const router = express.Router();
  const loadWaveParam = waveParam(deps);
  const user = (res: Response) => res.locals.user as SignedInUser;

  const showUpload = (res: Response, wave: WaveRow, extra: Record<string, unknown> = {}, status = 200) =>
    renderSignedInPage(
      res,
      'admin/import',
      {
        title: `Import a sample into ${wave.name}`,
        wave,
        kept: keptAttributes(wave),
        knownValues: KNOWN_VALUES,
        maxMb: MAX_SAMPLE_BYTES / (1024 * 1024),
        problems: undefined,
        ...extra,
      },
      status,
    );

  const loadPending = async (req: Request, res: Response, next: () => void) => {
    const row = /^[0-9a-f-]{36}$/.test(String(req.params.pendingId))
      ? await findStagedImport(deps.db, String(req.params.pendingId), (res.locals.wave as WaveRow).id)
      : undefined;
    if (row && isPendingImportExpired(row, deps.clock())) await sweepExpiredImports(deps.db, deps.clock()); // now, for good
    if (!row || isPendingImportExpired(row, deps.clock()))
      throw new HttpError(404, 'This import preview does not exist or has expired: upload the file again');
    res.locals.pending = row;
    next();
  };

  router.get('/waves/:id/import', loadWaveParam, (_req, res) => {
    const wave = res.locals.wave as WaveRow;
    if (!waveStatus(wave, deps.clock()).importable)
      throw new HttpError(409, 'A closed or purged wave takes no more addresses');
    showUpload(res, wave);
  });

  router.post('/waves/:id/import', loadWaveParam, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const file = res.locals.uploadedFile as UploadedFile | undefined;
    if (!file || file.field !== 'file') throw new HttpError(400, 'Choose a CSV file to upload');
    const result = await stagePendingImport(
      deps.db,
      wave,
      { name: file.name, bytes: file.bytes },
      user(res).userId,
      deps.clock(),
      deps.registry.get(wave.questionnaire_id)?.sampleAttributes ?? new Map(),
      {
        skipExisting: formText(req.body, 'skip_existing') === 'yes',
      },
    );
    if (!result.ok) {
      if (wantsJson(req))
        throw new HttpError(422, 'The file was not imported: it has problems', {
          problems: result.problems,
          problemCount: result.problemCount,
        });
      return showUpload(
        res,
        wave,
        { problems: result.problems, problemCount: result.problemCount, fileName: file.name },
        422,
      );
    }
    const preview = `/admin/waves/${wave.id}/import/${result.pendingId}`;
    if (wantsJson(req)) return res.status(201).json({ preview });
    res.redirect(303, preview);
  });

  router.get('/waves/:id/import/:pendingId', loadWaveParam, loadPending, (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const pending = res.locals.pending as PendingImportRow;
    const summary = JSON.parse(pending.summary) as SampleSummary;
    if (wantsJson(req)) return res.json({ fileName: pending.file_name, summary });
    renderSignedInPage(res, 'admin/import-preview', {
      title: `Check the sample for ${wave.name}`,
      wave,
      pending,
      summary,
      questionnaireKey: deps.registry.get(wave.questionnaire_id)?.key ?? wave.questionnaire_id,
      // declared attributes are shown by their labels, with the code beside them (Water board member, lid_ab_waterschap)
      label: (attribute: string, value?: string) => {
        const declared = deps.registry.get(wave.questionnaire_id)?.sampleAttributes.get(attribute);
        if (value === undefined) return declared?.label.en ?? attribute;
        const text = declared?.values.get(value)?.en;
        return text && text !== value ? `${text} (${value})` : value;
      },
    });
  });

  router.post('/waves/:id/import/:pendingId/confirm', loadWaveParam, loadPending, async (req, res) => {
    const wave = res.locals.wave as WaveRow;
    const count = await confirmPendingImport(
      deps.db,
      wave,
      res.locals.pending as PendingImportRow,
      user(res).email,
      deps.clock(),
    );
    if (wantsJson(req)) return res.json({ imported: count });
    await flashForNextPage(deps, req, `${count} people were added to the wave.`);
    res.redirect(303, `/admin/waves/${wave.id}`);
  });

  router.post('/waves/:id/import/:pendingId/cancel', loadWaveParam, loadPending, async (req, res) => {
    await cancelPendingImport(deps.db, res.locals.pending as PendingImportRow);
    if (wantsJson(req)) return res.json({ status: 'cancelled' });
    res.redirect(303, `/admin/waves/${(res.locals.wave as WaveRow).id}`);
  });

  return router;
}
