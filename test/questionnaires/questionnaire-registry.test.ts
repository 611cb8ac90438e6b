import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImmutableVersionError, QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { loadQuestionnaireFiles, QuestionnaireFileError } from '../../server/questionnaires/questionnaire-file';
import { databaseKinds, freshDatabase } from '../helpers/databases';
import { QUESTIONNAIRES_DIR } from '../helpers/test-app';
import { registerVersions } from '../../server/questionnaires/version-registration';

function copyDemo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-q-'));
  fs.mkdirSync(path.join(dir, 'demo'));
  fs.copyFileSync(path.join(QUESTIONNAIRES_DIR, 'demo', '1.json'), path.join(dir, 'demo', '1.json'));
  return dir;
}

describe.each(databaseKinds())('questionnaire versions are immutable, on %s', (kind) => {
  test('a changed file of a registered version is refused, naming the file and both hashes', async () => {
    const database = await freshDatabase(kind);
    const dir = copyDemo();
    try {
      const first = QuestionnaireRegistry.fromDirectory(dir);
      await registerVersions(database.db, first);
      await registerVersions(database.db, QuestionnaireRegistry.fromDirectory(dir)); // unchanged: fine
      const file = path.join(dir, 'demo', '1.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Ervaringen', 'Ervaringen (herzien)'));
      const changed = QuestionnaireRegistry.fromDirectory(dir);
      const err = await registerVersions(database.db, changed).then(
        () => null,
        (e) => e,
      );
      expect(err).toBeInstanceOf(ImmutableVersionError);
      expect(err.message).toContain(file);
      expect(err.message).toContain(first.get('demo@1')!.sha256);
      expect(err.message).toContain(changed.get('demo@1')!.sha256);
      // the change as a new version is accepted
      fs.renameSync(file, path.join(dir, 'demo', '2.json'));
      fs.writeFileSync(
        path.join(dir, 'demo', '2.json'),
        fs.readFileSync(path.join(dir, 'demo', '2.json'), 'utf8').replace('"version": "1"', '"version": "2"'),
      );
      fs.copyFileSync(path.join(QUESTIONNAIRES_DIR, 'demo', '1.json'), file);
      await registerVersions(database.db, QuestionnaireRegistry.fromDirectory(dir));
      expect((await database.db('questionnaire_versions').select('id').orderBy('id')).map((r) => r.id)).toEqual([
        'demo@1',
        'demo@2',
      ]);
    } finally {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('questionnaire files', () => {
  test('the metadata must match the file name, and broken files are named', () => {
    const dir = copyDemo();
    try {
      const file = path.join(dir, 'demo', '1.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"version": "1"', '"version": "7"'));
      expect(() => loadQuestionnaireFiles(dir)).toThrow(QuestionnaireFileError);
      fs.writeFileSync(file, '{ not json');
      expect(() => loadQuestionnaireFiles(dir)).toThrow(`${file}: not valid JSON`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every shipped version loads with a key@version id and a SHA-256', () => {
    const all = loadQuestionnaireFiles(QUESTIONNAIRES_DIR);
    expect(all.map((q) => q.id)).toContain('demo@1');
    for (const q of all) expect(q.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
