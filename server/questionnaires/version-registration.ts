import type { Db } from '../shared/data/connection';
import { findQuestionnaireVersion, insertQuestionnaireVersion } from './data/questionnaire-versions';
import { ImmutableVersionError, QuestionnaireRegistry } from './registry';
import { loadUploadedVersions, storedVersion } from './version-uploads';

/**
 * Registers every version in the database; refuses (throws) when a registered version's file has changed.
 * Versions registered earlier whose file is gone stay registered: their responses still refer to them.
 * Then the registry also serves every version uploaded so far (stored in the database only).
 */
export async function registerVersions(db: Db, registry: QuestionnaireRegistry): Promise<void> {
  for (const q of registry.list()) {
    const existing = await findQuestionnaireVersion(db, q.id);
    if (!existing) {
      await insertQuestionnaireVersion(db, storedVersion(q, new Date()));
      continue;
    }
    if (existing.sha256 !== q.sha256) throw new ImmutableVersionError(q.file, existing.sha256, q.sha256);
  }
  // a second process may have inserted the same version a moment earlier: check its hash too
  for (const q of registry.list()) {
    const row = await findQuestionnaireVersion(db, q.id);
    if (row && row.sha256 !== q.sha256) throw new ImmutableVersionError(q.file, row.sha256, q.sha256);
  }
  await loadUploadedVersions(db, registry);
}
