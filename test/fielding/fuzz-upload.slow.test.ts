import fc from 'fast-check';
import type { WaveRow } from '../../server/fielding/data/waves';
import type { SampleSummary } from '../../server/fielding/sample-import';
import { databaseKinds } from '../helpers/databases';
import { multipartBody, nasty, Requester, runs, send, snapshot, serverErrors } from '../helpers/fuzz';
import { brokenFile, Person, render, validFile } from '../helpers/sample-files';
import { addTestUser, adminTestApp, AdminTestApp, Browser } from '../helpers/signed-in';

/**
 * Sample uploads (multipart, CSV) made by fast-check: valid files must be accepted and stored exactly as the preview
 * said; a file with a bad row must be refused naming that row's line; random bytes, encodings, headers and multipart
 * bodies never cause a 5xx, and a refused upload stores nothing (no pending import, no invitations).
 */
interface Problem {
  line: number;
  message: string;
}

/** localeCompare, with ties (e.g. U+1D15F and U+1D160, equal to ICU) broken by code units: the same order however the input was ordered */
const totalOrder = (a: string, b: string) => a.localeCompare(b) || (a < b ? -1 : a > b ? 1 : 0);
const utf16 = (s: string, be: boolean) => {
  const le = Buffer.from(`\ufeff${s}`, 'utf16le');
  return be ? Buffer.from(le.map((_b, i) => le[i ^ 1])) : le;
};
/** Files nobody should upload, and some almost right. */
const headers = fc.constantFrom(
  'email',
  'email,name',
  'Email;Naam;tier',
  'email,email',
  'naam,tier',
  'email,Functie Naam',
  '',
  'email,,tier',
  '__proto__,email',
  'email,constructor',
  'email,toString',
  '"email","name"',
  'email,"open',
  'e"mail',
  'email\u0000,name',
  Array.from({ length: 61 }, (_, i) => (i ? `c${i}` : 'email')).join(','),
);
const rows = fc.oneof(
  fc.constantFrom(
    'a@example.org,Jan',
    'b@example.org;Piet',
    'c@example.org,=cmd|calc!A1',
    '"d@example.org","x""y"',
    '"open',
    'a"b,c',
    ',,,',
    '\u0000,\u0000',
    'e@example.org,gemeente',
    'e@example.org,constructor',
  ),
  fc.string({
    unit: fc.constantFrom(
      'a',
      '@',
      '.',
      'x.org',
      ',',
      ';',
      '"',
      '\r',
      '\n',
      '\u0000',
      '=',
      '+',
      '-',
      ' ',
      'é',
      '\ufeff',
    ),
    maxLength: 40,
  }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const text = fc
  .tuple(
    fc.constantFrom('', '\ufeff', '\ufeff\ufeff'),
    headers,
    fc.array(rows, { maxLength: 15 }),
    fc.constantFrom('\n', '\r\n', '\r'),
    fc.boolean(),
  )
  .map(([bom, h, r, nl, last]) => bom + [h, ...r].join(nl) + (last ? nl : ''));
const mutated = fc
  .tuple(validFile, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
  .map(([f, edits]) => {
    const bytes = Buffer.from(render(f).text, 'utf8');
    for (const [at, b] of edits) bytes[at % bytes.length] = b;
    return bytes;
  });
const anyFile: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: text.map((s) => Buffer.from(s, 'utf8')) },
  { weight: 1, arbitrary: fc.tuple(text, fc.boolean()).map(([s, be]) => utf16(s, be)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  { weight: 2, arbitrary: mutated },
  { weight: 1, arbitrary: validFile.map((f) => Buffer.from(render(f).text, 'utf8')) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '',
        '\ufeff',
        '\n',
        '\r\n\r\n',
        'email',
        'email\n',
        `email,name\na@example.org,${'x'.repeat(300_000)}\n`,
        `email\n${'"'.repeat(50_001)}`,
      )
      .map((s) => Buffer.from(s, 'utf8')),
  },
);

describe.each(databaseKinds())('fuzzing sample uploads on %s', (kind) => {
  let t: AdminTestApp;
  let admin: Browser;
  let target: WaveRow;
  const A = '203.0.113.71';
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    admin = await t.signIn('beheer@example.org', { address: A });
    target = await t.wave({ keptAttributes: ['tier'] }); // role stays free text: a kept one takes declared values only
  });
  afterAll(() => t.drop());

  const upload = (wave: WaveRow, bytes: Buffer, json = true) => {
    const req = admin.upload(`/admin/waves/${wave.id}/import`, 'steekproef.csv', bytes);
    return json ? req.set('Accept', 'application/json') : req;
  };
  const invitations = async (wave: WaveRow): Promise<Person[]> =>
    (
      await t
        .db('invitations')
        .where({ wave_id: wave.id })
        .select('email', 'name', 'organisation', 'language', 'attributes')
    )
      .map((r) => ({ ...r, attributes: JSON.parse(r.attributes) }))
      .sort((a, b) => totalOrder(a.email, b.email));
  /** The problems of a refusal: each names a line of the file and says something. */
  function checkProblems(body: { problems: Problem[]; problemCount: number }, lines: number): void {
    expect(body.problems.length).toBeGreaterThan(0);
    expect(body.problemCount).toBeGreaterThanOrEqual(body.problems.length);
    for (const p of body.problems) {
      expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines + 1).toBe(true);
      expect(p.message.length).toBeGreaterThan(10);
    }
  }
  /** The counts per attribute value the preview shows, made from what was stored. */
  function countsOf(people: Person[], attribute: string): Array<{ value: string; count: number }> {
    const counts = new Map<string, number>();
    for (const p of people) {
      const v =
        attribute === 'language' ? p.language : Object.hasOwn(p.attributes, attribute) ? p.attributes[attribute] : '';
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => totalOrder(a.value, b.value));
  }
  /** Preview, then confirm: what is stored is what the preview said, row for row (and the expected people, if given). */
  async function previewAndConfirm(wave: WaveRow, preview: string, expected?: Person[]): Promise<void> {
    const { summary } = (await admin.get(preview).set('Accept', 'application/json').expect(200)).body as {
      summary: SampleSummary;
    };
    const before = await invitations(wave);
    // kept as a pending import until confirmed, not yet as invitations
    expect(
      (await t.db('pending_imports').where({ id: preview.split('/').pop() })).map((p) => Number(p.row_count)),
    ).toEqual([summary.rows]);
    expect((await admin.post(`${preview}/confirm`).set('Accept', 'application/json').expect(200)).body).toEqual({
      imported: summary.rows,
    });
    const after = await invitations(wave);
    const added = after.filter((p) => !before.some((b) => b.email === p.email));
    expect(after).toHaveLength(before.length + summary.rows);
    expect(added).toHaveLength(summary.rows);
    for (const a of summary.attributes)
      expect([...a.values].sort((x, y) => totalOrder(x.value, y.value))).toEqual(countsOf(added, a.attribute));
    if (expected) expect(added).toEqual([...expected].sort((a, b) => totalOrder(a.email, b.email)));
    expect(await t.db('pending_imports').where({ id: preview.split('/').pop() })).toEqual([]);
  }

  test('counterexample: a body that ends inside the file part is a 400 (it was an unhandled error event: the process died)', async () => {
    const whole = multipartBody('b0undary', [['_csrf', admin.csrf]], {
      field: 'file',
      name: 's.csv',
      bytes: Buffer.from('email\na@example.org\n'),
    });
    const before = await snapshot(t.db);
    const res = await send(admin.agent as unknown as Requester, {
      method: 'POST',
      path: `/admin/waves/${target.id}/import`,
      accept: 'application/json',
      headers: { 'X-Forwarded-For': A },
      body: { type: 'multipart/form-data; boundary=b0undary', bytes: whole.subarray(0, whole.length - 30) },
    });
    expect([res.status, res.body]).toEqual([400, { error: 'The upload could not be read' }]);
    expect(await snapshot(t.db)).toBe(before);
  });

  test('counterexample: a column named "constructor" is an attribute like any other (it was refused as a bad name)', async () => {
    const wave = await t.wave({ keptAttributes: ['tier'] });
    const res = await upload(
      wave,
      Buffer.from('email,constructor,tier\na@example.org,,gemeente\nb@example.org,x,\n'),
    ).expect(201);
    await previewAndConfirm(wave, res.body.preview, [
      { email: 'a@example.org', name: null, organisation: null, language: 'nl', attributes: { tier: 'gemeente' } },
      { email: 'b@example.org', name: null, organisation: null, language: 'nl', attributes: { constructor: 'x' } },
    ]);
    const long = await upload(wave, Buffer.from(`email\n${'x'.repeat(250)}@example.org\n`)).expect(422);
    expect(long.body.problems).toEqual([{ line: 2, message: 'field "email" is longer than 254 characters' }]); // it said 200
  });

  test('counterexample: a row of only "" is a row with one empty field, not a blank line (it was skipped unseen)', async () => {
    const two = await upload(target, Buffer.from('email,name\na@example.org,A\n""\n')).expect(422);
    expect(two.body.problems).toEqual([{ line: 3, message: '1 fields where the header has 2' }]);
    const one = await upload(target, Buffer.from('email\r\na@example.org\r\n""\r\n')).expect(422);
    expect(one.body.problems).toEqual([{ line: 3, message: 'the e-mail address is missing' }]);
  });

  test('generated valid files are accepted, and stored exactly as the preview said', async () => {
    await fc.assert(
      fc.asyncProperty(validFile, async (f) => {
        const wave = await t.wave({ keptAttributes: ['tier'] });
        const res = await upload(wave, Buffer.from(render(f).text, 'utf8'));
        if (res.status !== 201) throw new Error(`${res.status}: ${JSON.stringify(res.body)}\n${render(f).text}`);
        const { summary } = (await admin.get(res.body.preview).set('Accept', 'application/json').expect(200)).body as {
          summary: SampleSummary;
        };
        expect(summary.rows).toBe(f.people.length);
        expect(summary.columns).toEqual(f.columns);
        expect(summary.missingKept).toEqual(['tier'].filter((k) => !f.columns.includes(k)));
        await previewAndConfirm(wave, res.body.preview, f.people);
      }),
      { numRuns: runs(60) },
    );
  });

  test('a file with one bad row is refused, naming the line the row starts on, and nothing is stored', async () => {
    await fc.assert(
      fc.asyncProperty(brokenFile, fc.boolean(), async (f, json) => {
        const before = await snapshot(t.db);
        const res = await upload(target, Buffer.from(f.text, 'utf8'), json);
        expect(res.status).toBe(422);
        const lines = json
          ? (res.body.problems as Problem[]).map((p) => p.line)
          : [...res.text.matchAll(/<tr><th scope="row">(\d+)<\/th><td>[^<]+<\/td><\/tr>/g)].map((m) => Number(m[1]));
        if (json) checkProblems(res.body, f.text.split('\n').length);
        else expect(res.text).toContain('The file was not imported');
        expect(lines).toContain(f.line);
        expect(await snapshot(t.db)).toBe(before);
      }),
      { numRuns: runs(150) },
    );
  });

  test('random bytes, encodings, headers, rows and separators: never a 5xx; refused files store nothing', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(anyFile, async (bytes) => {
        const before = await snapshot(t.db);
        const logged = t.logs.length;
        const res = await upload(target, bytes);
        if (res.status >= 500) throw new Error(`${res.status}\n${serverErrors(t.logs, logged)}`);
        if (res.status === 201) {
          seen.accepted++;
          return previewAndConfirm(target, res.body.preview);
        }
        seen.refused++;
        expect(res.status).toBe(422);
        checkProblems(res.body, bytes.toString('latin1').split('\n').length);
        expect(await snapshot(t.db)).toBe(before);
      }),
      { numRuns: runs(300) },
    );
    expect(seen.accepted).toBeGreaterThan(5);
    expect(seen.refused).toBeGreaterThan(150);
  });

  test('multipart bodies with missing, extra, repeated or misnamed parts, and broken boundaries', async () => {
    const part = fc.tuple(
      fc.constantFrom('_csrf', '_csrf', 'file', 'x', '', '__proto__', 'constructor'),
      fc.oneof(
        fc.constantFrom('@@csrf'),
        nasty.filter((s) => s.length < 5000),
      ),
    );
    const filePart = fc.record({
      field: fc.constantFrom('file', 'file', 'upload', '', 'FILE'),
      name: fc.constantFrom('s.csv', '', '../../x.csv', 'a\u0007b.csv', 'é.csv', 'x'.repeat(300)),
      bytes: anyFile,
    });
    const shape = fc.record({
      fields: fc.array(part, { maxLength: 14 }),
      files: fc.array(filePart, { maxLength: 2 }),
      csrfHeader: fc.boolean(),
      boundary: fc.constantFrom('b0undary', 'b0undary', '', 'x'.repeat(80), 'other'),
      cut: fc.option(fc.nat(), { freq: 4 }),
      type: fc.constantFrom(
        'multipart/form-data',
        'multipart/form-data',
        'multipart/mixed',
        'multipart/form-data; charset=utf-16',
      ),
    });
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const fields = s.fields.map(([k, v]): [string, string] => [k, v === '@@csrf' ? admin.csrf : v]);
        let body = multipartBody('b0undary', fields, s.files[0]);
        if (s.files[1])
          body = Buffer.concat([body.subarray(0, body.length - 14), multipartBody('b0undary', [], s.files[1])]);
        if (s.cut !== null) body = body.subarray(0, s.cut % (body.length + 1));
        const type = s.boundary ? `${s.type}; boundary=${s.boundary}` : s.type;
        const before = await snapshot(t.db);
        const logged = t.logs.length;
        const res = await send(admin.agent as unknown as Requester, {
          method: 'POST',
          path: `/admin/waves/${target.id}/import`,
          accept: 'application/json',
          body: { type, bytes: body },
          headers: { 'X-Forwarded-For': A, ...(s.csrfHeader ? { 'X-CSRF-Token': admin.csrf } : {}) },
        });
        if (res.status >= 500) throw new Error(`${res.status}\n${serverErrors(t.logs, logged)}`);
        if (res.status === 201) return previewAndConfirm(target, res.body.preview);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(typeof res.body.error).toBe('string');
        expect(await snapshot(t.db)).toBe(before);
      }),
      { numRuns: runs(200) },
    );
  });
});
