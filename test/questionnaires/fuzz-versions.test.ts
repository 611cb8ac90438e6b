import fc from 'fast-check';
import { runs, snapshot } from '../helpers/fuzz';
import { adminTestApp, AdminTestApp, addTestUser, Browser } from '../helpers/signed-in';
import { werkbeleving2026 } from './version-fixtures';

/**
 * Random and mutated definitions and fields uploaded as questionnaire versions: never a 5xx, and a refused upload
 * (a check, too) changes nothing stored.
 */
describe('fuzzing the questionnaire upload', () => {
  let t: AdminTestApp;
  let admin: Browser;
  beforeAll(async () => {
    t = await adminTestApp('sqlite');
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    admin = await t.signIn('beheer@example.org');
  });
  afterAll(() => t.drop());

  const hostile = fc.constantFrom(null, 0, -1, '', 'x', [], {}, [null], [[]], { pages: null }, '__proto__', true);
  /** the valid definition with one value somewhere replaced by something hostile or random */
  const mutated = fc
    .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.oneof(hostile, fc.jsonValue({ maxDepth: 3 })))
    .map(([path, value]) => {
      const def = werkbeleving2026() as any;
      let node = def;
      for (let i = 0; i < path.length - 1; i++) {
        const keys = Object.keys(node);
        const next = node[keys[path[i] % keys.length]];
        if (next === null || typeof next !== 'object') break;
        node = next;
      }
      const keys = Object.keys(node);
      node[keys.length ? keys[path[path.length - 1] % keys.length] : 'x'] = value;
      return JSON.stringify(def);
    });
  const content = fc.oneof(
    mutated,
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc
      .record({ pages: fc.array(fc.oneof(hostile, fc.jsonValue({ maxDepth: 3 })), { maxLength: 3 }) })
      .map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 40 }),
  );
  const fields = fc.record({
    key: fc.constantFrom('werkbeleving', 'demo', 'Werk', '-x', ''),
    version: fc.constantFrom('2026.1', '1', '2026.x.1', 'v1', '', '9'.repeat(60)),
    title_nl: fc.oneof(fc.constant('Werk'), fc.string({ maxLength: 20 })),
    title_en: fc.oneof(fc.constant('Work'), fc.string({ maxLength: 20 })),
    edition: fc.constantFrom('', '2026', 'demo', '<b>'),
    action: fc.constantFrom('check', 'register'),
  });

  test('never a 5xx; a refused or checked upload changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(content, fields, async (body, form) => {
        const before = await snapshot(t.db, { tables: ['sessions'] });
        const logged = t.logs.length;
        const res = await admin.upload('/admin/questionnaires', 'q.json', body, admin.csrf, form);
        expect([200, 201, 303, 409, 413, 422]).toContain(res.status);
        if (res.status !== 303) expect(await snapshot(t.db, { tables: ['sessions'] })).toBe(before);
        expect(
          t.logs
            .slice(logged)
            .filter((l) => l.startsWith('error'))
            .join('\n'),
        ).toBe('');
      }),
      { numRuns: runs(150) },
    );
  });
});
