/**
 * Versions brought by administrators (web upload, `questionnaire add`): stored in the database with their exact text,
 * in one transaction with their audit entry, and served by every app process: a process loads a version another one
 * stored when it first needs it (a link of a wave that pins it, an admin or analyst page). Versions are immutable:
 * the same key@version again is accepted only with the same SHA-256.
 */
import ejs from 'ejs';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../shared/data/connection';
import { ConflictError, InvalidError, NotFoundError } from '../shared/errors';
import { recordAudit } from '../accounts/audit';
import {
  findQuestionnaireVersion,
  findVariableStatuses,
  insertQuestionnaireVersion,
  listUploadedVersionIds,
  listVersionOrigins,
  listVariableStatusTimes,
  QuestionnaireVersionRow,
  saveVariableStatuses,
} from './data/questionnaire-versions';
import type { LoadedQuestionnaire } from './questionnaire-file';
import type { QuestionnaireRegistry, RegisteredQuestionnaire } from './registry';
import { CheckedUpload, questionnaireFromSource } from './version-upload';
import { ConfirmedStatus, confirmationProblems, diffVersions, mapWithVersion, VersionDiff } from './version-diff';
import { variableMapFor, VariableMap } from '../exports/files/variable-map';
import { projectRoot } from '../shared/project-root';
import { questionnaireDocument } from './questionnaire-document';

/** Where an uploaded version's file would be: the variable map and declarations beside it apply to it too. */
function placed(registry: QuestionnaireRegistry, q: LoadedQuestionnaire): LoadedQuestionnaire {
  return { ...q, file: path.join(registry.dir ?? 'questionnaires', q.key, `${q.version}.json`) };
}

function fromRow(registry: QuestionnaireRegistry, row: QuestionnaireVersionRow): RegisteredQuestionnaire {
  const file = path.join(registry.dir ?? 'questionnaires', row.key, `${row.version}.json`);
  return registry.add(questionnaireFromSource(row.source as string, row.sha256, file));
}

/**
 * The version with this id, loaded from the database when another process stored it after this one started;
 * undefined when no such version exists (or it came from a file this process does not have).
 */
export async function resolveVersion(
  db: Db,
  registry: QuestionnaireRegistry,
  id: string,
): Promise<RegisteredQuestionnaire | undefined> {
  const known = registry.get(id);
  if (known || id.length > 200) return known;
  const row = await findQuestionnaireVersion(db, id);
  return row?.origin === 'upload' && row.source ? fromRow(registry, row) : undefined;
}

/** Loads every uploaded version this process does not serve yet; one that cannot be read is skipped and logged. */
export async function loadUploadedVersions(
  db: Db,
  registry: QuestionnaireRegistry,
  log: (line: string) => void = (line) => console.error(line),
): Promise<void> {
  for (const id of await listUploadedVersionIds(db)) {
    if (registry.get(id)) continue;
    try {
      await resolveVersion(db, registry, id);
    } catch (err) {
      log(`questionnaire ${id}: not loaded: ${(err as Error).message}`);
    }
  }
  await loadConfirmedMaps(db, registry, log);
}

/** Per registry (one per process): the confirmation time of each version whose map it holds. */
const mapsApplied = new WeakMap<QuestionnaireRegistry, Map<string, string>>();

/**
 * Gives every version with confirmed statuses its map (confirmedMap), recomputed per key, oldest version first (a
 * version's map builds on the one before it), whenever a confirmation changed since this process last looked.
 */
export async function loadConfirmedMaps(
  db: Db,
  registry: QuestionnaireRegistry,
  log: (line: string) => void = (line) => console.error(line),
): Promise<void> {
  const times = await listVariableStatusTimes(db);
  const applied = mapsApplied.get(registry) ?? new Map<string, string>();
  mapsApplied.set(registry, applied);
  const keys = new Set<string>();
  for (const t of times) {
    const q = registry.get(t.version_id);
    if (q && applied.get(t.version_id) !== t.confirmed_at) keys.add(q.key);
  }
  const order = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  for (const key of keys) {
    const versions = registry
      .list()
      .filter((v) => v.key === key)
      .sort((a, b) => order(a.version, b.version));
    for (const v of versions) v.confirmedMap = undefined;
    for (const v of versions) {
      const time = times.find((t) => t.version_id === v.id);
      if (!time) continue;
      try {
        const json = await variableMapWithVersion(db, registry, v);
        const base = baseMap(registry, v);
        if (json && base)
          v.confirmedMap = {
            ...(json as unknown as VariableMap),
            editions: (json.editions as unknown[]).map(String),
            fromFile: base.fromFile,
          };
      } catch (err) {
        log(`questionnaire ${v.id}: confirmed variable statuses not applied: ${(err as Error).message}`);
      }
      applied.set(v.id, time.confirmed_at);
    }
  }
}

/** The columns every registered version has, from a file or an upload alike. */
export function storedVersion(q: LoadedQuestionnaire, registeredAt: Date) {
  return {
    id: q.id,
    key: q.key,
    version: q.version,
    sha256: q.sha256,
    edition: Number.isFinite(Number(q.edition)) ? Number(q.edition) : null,
    population: q.population,
    title_nl: q.title.nl,
    title_en: q.title.en,
    definition: JSON.stringify(q.survey),
    registered_at: registeredAt.toISOString(),
  };
}

export type UploadOutcome = { status: 'registered' | 'identical'; questionnaire: RegisteredQuestionnaire };

/**
 * Registers a checked upload as a new version, with its audit entry, in one transaction. The same version again with
 * the same content is accepted as it is (and audited); with other content it is refused (409) and nothing changes.
 */
export async function registerUpload(
  db: Db,
  registry: QuestionnaireRegistry,
  checked: CheckedUpload,
  meta: { actor: string; via: 'web' | 'cli'; fileName: string; now: Date },
): Promise<UploadOutcome> {
  const q = placed(registry, checked.questionnaire);
  const refuse = (registeredSha: string) =>
    new ConflictError(
      `${q.id} is registered already with other content (SHA-256 ${registeredSha}, this file ${q.sha256}). ` +
        'A registered version never changes: upload the change as a new version.',
      { registered: registeredSha, uploaded: q.sha256 },
    );
  const inMemory = registry.get(q.id);
  if (inMemory && inMemory.sha256 !== q.sha256) throw refuse(inMemory.sha256);
  const status = await db.transaction(async (trx) => {
    const existing = await findQuestionnaireVersion(trx, q.id);
    if (existing && existing.sha256 !== q.sha256) throw refuse(existing.sha256);
    if (!existing) {
      await insertQuestionnaireVersion(trx, {
        ...storedVersion(q, meta.now),
        source: checked.source,
        origin: 'upload',
        uploaded_by: meta.actor.slice(0, 320),
      });
      // another process may have registered the same id a moment earlier: the row that stands decides
      const stored = await findQuestionnaireVersion(trx, q.id);
      if (stored && stored.sha256 !== q.sha256) throw refuse(stored.sha256);
    }
    const status = existing ? 'identical' : 'registered';
    await recordAudit(trx, {
      actor: meta.actor,
      action: 'questionnaire.upload',
      detail: {
        version: q.id,
        sha256: q.sha256,
        result: status,
        via: meta.via,
        file: meta.fileName.replace(/[^\w .@-]/g, '_').slice(0, 200),
        bytes: Buffer.byteLength(checked.source),
      },
      at: meta.now,
    });
    return status;
  });
  const questionnaire = registry.get(q.id) ?? registry.add(q);
  return { status, questionnaire };
}

/** Where a version came from and who brought it. */
export async function versionOrigin(
  db: Db,
  id: string,
): Promise<{ origin: 'file' | 'upload'; uploadedBy: string | null; registeredAt: string } | undefined> {
  const row = await findQuestionnaireVersion(db, id);
  return row
    ? { origin: row.origin ?? 'file', uploadedBy: row.uploaded_by ?? null, registeredAt: row.registered_at }
    : undefined;
}

/** Per version id: where it came from (a file or an upload) and who uploaded it. */
export async function versionOrigins(
  db: Db,
): Promise<Map<string, { origin: 'file' | 'upload'; uploadedBy: string | null }>> {
  const rows = await listVersionOrigins(db);
  return new Map(rows.map((r) => [r.id, { origin: r.origin ?? 'file', uploadedBy: r.uploaded_by ?? null }]));
}

/** The version registered before this one under the same key (by version number), if any. */
export function previousVersion(
  registry: QuestionnaireRegistry,
  q: RegisteredQuestionnaire,
): RegisteredQuestionnaire | undefined {
  const order = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  return registry
    .list()
    .filter((v) => v.key === q.key && order(v.version, q.version) < 0)
    .sort((a, b) => order(a.version, b.version))
    .pop();
}

/** The key's variable map as it stands without this version (the map file, or derived from the versions before it). */
function baseMap(registry: QuestionnaireRegistry, q: RegisteredQuestionnaire): VariableMap | undefined {
  const before = registry.list().filter((v) => v.key === q.key && v.id !== q.id);
  return before.length ? variableMapFor(before) : undefined;
}

export interface VersionComparison {
  previous: RegisteredQuestionnaire;
  diff: VersionDiff;
  confirmed?: { statuses: ConfirmedStatus[]; by: string; at: string };
}

export async function compareWithPrevious(
  db: Db,
  registry: QuestionnaireRegistry,
  q: RegisteredQuestionnaire,
): Promise<VersionComparison | undefined> {
  const previous = previousVersion(registry, q);
  if (!previous) return undefined;
  const diff = diffVersions(previous, q, baseMap(registry, q));
  const row = await findVariableStatuses(db, q.id);
  const confirmed =
    row && row.previous_id === previous.id
      ? { statuses: JSON.parse(row.statuses) as ConfirmedStatus[], by: row.confirmed_by, at: row.confirmed_at }
      : undefined;
  return { previous, diff, confirmed };
}

/** Stores the administrator's statuses for the version's variables (checked against the diff), audited. */
export async function confirmVariableStatuses(
  db: Db,
  registry: QuestionnaireRegistry,
  q: RegisteredQuestionnaire,
  statuses: ConfirmedStatus[],
  actor: string,
  now: Date,
): Promise<void> {
  const comparison = await compareWithPrevious(db, registry, q);
  if (!comparison) throw new NotFoundError(`${q.id} is the first version of ${q.key}: there is nothing to compare`);
  const problems = confirmationProblems(comparison.diff, statuses);
  if (problems.length) throw new InvalidError('The statuses were not saved', { problems });
  await db.transaction(async (trx) => {
    await saveVariableStatuses(trx, {
      version_id: q.id,
      previous_id: comparison.previous.id,
      statuses: JSON.stringify(statuses),
      confirmed_by: actor.slice(0, 320),
      confirmed_at: now.toISOString(),
    });
    const counts: Record<string, number> = {};
    for (const s of statuses) counts[s.status] = (counts[s.status] ?? 0) + 1;
    await recordAudit(trx, {
      actor,
      action: 'questionnaire.variable-statuses',
      detail: { version: q.id, previous: comparison.previous.id, ...counts },
      at: now,
    });
  });
  await loadConfirmedMaps(db, registry); // the exports of this process use the statuses at once
}

/** The key's variable-map.json with this version added by the confirmed statuses (undefined: not confirmed yet). */
export async function variableMapWithVersion(
  db: Db,
  registry: QuestionnaireRegistry,
  q: RegisteredQuestionnaire,
): Promise<Record<string, unknown> | undefined> {
  const comparison = await compareWithPrevious(db, registry, q);
  const base = baseMap(registry, q);
  if (!comparison?.confirmed || !base) return undefined;
  return mapWithVersion(base, comparison.diff, comparison.confirmed.statuses, q);
}

/** The text of the version file: the stored upload, or the file it was registered from (same SHA-256). */
export async function versionFileText(db: Db, q: RegisteredQuestionnaire): Promise<string> {
  const row = await findQuestionnaireVersion(db, q.id);
  if (row?.source) return row.source;
  return fs.readFileSync(q.file, 'utf8');
}

/**
 * The printable questionnaire document as one self-contained HTML page (styles inline, print styles for A4).
 * `standalone`: a file to hand on (download, command line), without the link back into the admin pages.
 */
export function renderQuestionnaireDocument(q: RegisteredQuestionnaire, standalone: boolean): Promise<string> {
  return ejs.renderFile(
    path.join(projectRoot, 'views/questionnaires/document.ejs'),
    { doc: questionnaireDocument(q), standalone },
    { cache: true },
  );
}
