import { databaseKinds } from '../helpers/databases';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { addTestUser, adminTestApp, AdminTestApp, Browser, PASSWORD, setCookie } from '../helpers/signed-in';
import type { WaveRow } from '../../server/fielding/data/waves';

const HEADER = 'email,name,organisation,tier,role,province,language';

function csv(rows: string[], header = HEADER): string {
  return [header, ...rows].join('\r\n') + '\r\n';
}

describe.each(databaseKinds())('sample import on %s', (kind) => {
  let t: AdminTestApp;
  let admin: Browser;
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    admin = await t.signIn('beheer@example.org');
  });
  afterAll(() => t.drop());

  async function invitationCount(wave: WaveRow): Promise<number> {
    return Number((await t.db('invitations').where({ wave_id: wave.id }).count({ n: '*' }).first())?.n);
  }

  test('an invalid file is rejected whole, with the line and reason of every problem, and nothing is stored', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role'] });
    const file = csv([
      'jan@example.org,Jan,Gemeente A,gemeente,raadslid,Utrecht,nl', // 2: fine
      'geen-adres,Piet,Gemeente B,gemeente,wethouder,Utrecht,nl', // 3: bad e-mail
      'klaas@example.org,Klaas,Gemeente C,stadsdeel,raadslid,Utrecht,nl', // 4: unknown tier
      'els@example.org,Els,Gemeente D,gemeente,raadslid,Utrecht,de', // 5: unknown language
      '"anna@example.org","Anna\nVries",Gemeente E,gemeente,raadslid,Utrecht,nl', // 6-7: line break in a quoted field
      'bel@example.org,"Bel\u0007",Gemeente F,gemeente,raadslid,Utrecht,nl', // 8: control character
      'JAN@example.org,Jan twee,Gemeente G,gemeente,raadslid,Utrecht,nl', // 9: duplicate of line 2
      'kort@example.org,Kort', // 10: too few fields
      'mies@example.org,Mies,Gemeente H,gemeente,raadslid,Atlantis,nl', // 11: unknown province
    ]);
    const res = await admin.upload(`/admin/waves/${wave.id}/import`, 'sample.csv', file).expect(422);
    expect(res.text).toContain('The file was not imported');
    const rows = [...res.text.matchAll(/<tr><th scope="row">(\d+)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [
      Number(m[1]),
      m[2],
    ]);
    expect(rows).toEqual([
      [3, 'the e-mail address is not valid'],
      [4, expect.stringContaining('&#34;stadsdeel&#34; is not a known tier')],
      [5, expect.stringContaining('&#34;de&#34; is not a known language')],
      [6, 'field &#34;name&#34; contains a line break'],
      [8, 'field &#34;name&#34; contains a control character (U+0007)'],
      [9, 'the e-mail address is also on line 2 of this file'],
      [10, '2 fields where the header has 7'],
      [11, expect.stringContaining('&#34;Atlantis&#34; is not a known province')],
    ]);
    expect(await invitationCount(wave)).toBe(0);
    expect(Number((await t.db('pending_imports').where({ wave_id: wave.id }).count({ n: '*' }).first())?.n)).toBe(0);

    const json = await admin
      .upload(`/admin/waves/${wave.id}/import`, 'sample.csv', file)
      .set('Accept', 'application/json')
      .expect(422);
    expect(json.body.problems[0]).toEqual({ line: 3, message: 'the e-mail address is not valid' });
    expect(json.body.problemCount).toBe(8);
  });

  test('header problems: no email column, a bad or repeated column name', async () => {
    const wave = await t.wave();
    const res = await admin
      .upload(`/admin/waves/${wave.id}/import`, 's.csv', csv(['x,y,z'], 'naam,tier,tier'))
      .set('Accept', 'application/json')
      .expect(422);
    const messages = res.body.problems.map((p: { line: number; message: string }) => `${p.line}: ${p.message}`);
    expect(messages).toEqual(['1: header: column "tier" appears twice', '1: header: there is no "email" column']);
    const bad = await admin
      .upload(`/admin/waves/${wave.id}/import`, 's.csv', csv(['a@example.org,1'], 'email,Functie Naam'))
      .set('Accept', 'application/json')
      .expect(422);
    expect(bad.body.problems[0].message).toContain('column name "Functie Naam" must be');
    const notUtf8 = await admin
      .upload(`/admin/waves/${wave.id}/import`, 's.csv', Buffer.from('email,name\na@example.org,Jos\xe9\n', 'latin1'))
      .set('Accept', 'application/json')
      .expect(422);
    expect(notUtf8.body.problems[0].message).toContain('not valid UTF-8');
    // a Windows-1252 file whose first accented letter is on line 41: the problem is reported on line 41, not line 1
    const rows = Array.from({ length: 39 }, (_, i) => `p${i}@example.org,Persoon ${i}`);
    const ansi = Buffer.from(
      ['email,name', ...rows, 'anke@example.org,Anke Cr\xe9mer', 'b@example.org,B\xfcrger'].join('\r\n') + '\r\n',
      'latin1',
    );
    const located = await admin
      .upload(`/admin/waves/${wave.id}/import`, 'ansi.csv', ansi)
      .set('Accept', 'application/json')
      .expect(422);
    expect(located.body.problems).toHaveLength(1);
    expect(located.body.problems[0].line).toBe(41);
    expect(located.body.problems[0].message).toContain('Windows-1252');
    // a big file is read in 64 kB slices: a letter of two bytes cut by a slice is read whole, and a bad byte far into
    // the file is still reported on its own line
    const fileOf = (pad: string) =>
      Buffer.from(
        ['email,name', ...Array.from({ length: 5000 }, (_, i) => `p${i}@example.org,${pad}${'ë'.repeat(16)}`)].join(
          '\r\n',
        ) + '\r\n',
        'utf8',
      );
    // byte 65,536 is the second byte of an ë: the first slice ends in the middle of the letter
    const big = Array.from({ length: 60 }, (_, n) => fileOf('x'.repeat(n))).find(
      (b) => b[64 * 1024] >= 0x80 && b[64 * 1024] <= 0xbf,
    ) as Buffer;
    expect(big.length).toBeGreaterThan(3 * 64 * 1024);
    const staged = await admin.upload(`/admin/waves/${wave.id}/import`, 'groot.csv', big).expect(303);
    const names = (await admin.get(staged.headers.location).set('Accept', 'application/json')).body.summary.rows;
    expect(names).toBe(5000);
    await admin.post(`${staged.headers.location}/cancel`).expect(303);
    const broken = Buffer.concat([big, Buffer.from('laat@example.org,Cr\xe9mer\r\n', 'latin1')]);
    const late = await admin
      .upload(`/admin/waves/${wave.id}/import`, 'laat.csv', broken)
      .set('Accept', 'application/json')
      .expect(422);
    expect(late.body.problems.map((p: { line: number }) => p.line)).toEqual([5002]);
  });

  test('a valid file shows the counts per attribute, is kept in the database until confirmed, then becomes invitations', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role', 'province'] });
    const file =
      '\ufeff' +
      csv(
        [
          'a@example.org;A;Gemeente A;gemeente;raadslid;Utrecht;nl',
          'b@example.org;B;Gemeente A;Gemeente;wethouder;utrecht;EN',
          'c@example.org;C;Provincie Z;provincie;statenlid;Friesland;',
          'd@example.org;D;Waterschap W;waterschap;lid_db_waterschap;;nl',
        ],
        HEADER.replace(/,/g, ';'),
      );
    const upload = await admin.upload(`/admin/waves/${wave.id}/import`, 'steekproef.csv', file).expect(303);
    const preview = upload.headers.location as string;
    expect(preview).toMatch(new RegExp(`^/admin/waves/${wave.id}/import/[0-9a-f-]{36}$`));
    expect(await invitationCount(wave)).toBe(0);
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(1);

    const page = await admin.get(preview).expect(200);
    expect(page.text).toContain('<strong>4</strong> people');
    // declared attributes by their labels, with the code beside the value
    expect(page.text).toMatch(/<caption>Tier \(kept with the answers\)<\/caption>/);
    expect(page.text).toContain('<tr><th scope="row">Municipality (gemeente)</th><td>2</td></tr>');
    expect(page.text).toContain('<tr><th scope="row">Fryslân</th><td>1</td></tr>');
    expect(page.text).toContain('<tr><th scope="row">(empty)</th><td>1</td></tr>');
    const json = await admin.get(preview).set('Accept', 'application/json').expect(200);
    const language = json.body.summary.attributes.find((a: { attribute: string }) => a.attribute === 'language');
    expect(language.values).toEqual([
      { value: 'nl', count: 3 },
      { value: 'en', count: 1 },
    ]);

    await admin.post(`${preview}/confirm`).expect(303).expect('location', `/admin/waves/${wave.id}`);
    expect((await admin.get(`/admin/waves/${wave.id}`).expect(200)).text).toContain('4 people were added to the wave.');
    const stored = await t.db('invitations').where({ wave_id: wave.id }).orderBy('email');
    expect(stored.map((r) => [r.email, r.language, JSON.parse(r.attributes)])).toEqual([
      ['a@example.org', 'nl', { tier: 'gemeente', role: 'raadslid', province: 'Utrecht' }],
      ['b@example.org', 'en', { tier: 'gemeente', role: 'wethouder', province: 'Utrecht' }],
      ['c@example.org', 'nl', { tier: 'provincie', role: 'statenlid', province: 'Fryslân' }],
      ['d@example.org', 'nl', { tier: 'waterschap', role: 'lid_db_waterschap' }],
    ]);
    for (const r of stored) expect(r.token_hash).toMatch(/^[0-9a-f]{64}$/); // the mail worker derives the token again
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(0);
    await admin.post(`${preview}/confirm`).expect(404); // confirmed once only
    const audit = await t.db('audit_log').where({ action: 'sample.import', wave_id: wave.id });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail)).toEqual({ file: 'steekproef.csv', rows: 4 });
    expect(audit[0].actor).toBe('beheer@example.org');

    // a second file with an address from the first is refused, naming the line
    const again = await admin
      .upload(
        `/admin/waves/${wave.id}/import`,
        'extra.csv',
        csv(['e@example.org,E,,gemeente,,,', 'B@Example.org,B,,gemeente,,,']),
      )
      .set('Accept', 'application/json')
      .expect(422);
    expect(again.body.problems).toEqual([
      {
        line: 3,
        message:
          'the e-mail address is already in this wave (an earlier import): choose "skip those already in the wave" to leave them out',
      },
    ]);
    expect(await invitationCount(wave)).toBe(4);
    // ... unless the administrator asks to skip those already in the wave: they are counted, not added again
    const skipping = await admin
      .upload(
        `/admin/waves/${wave.id}/import`,
        'extra.csv',
        csv(['e@example.org,E,,gemeente,,,', 'B@Example.org,B,,gemeente,,,']),
        undefined,
        { skip_existing: 'yes' },
      )
      .expect(303);
    const shown = await admin.get(skipping.headers.location).expect(200);
    expect(shown.text).toContain('1 person already in this wave was skipped.');
    expect(shown.text).toContain('<strong>1</strong> people');
    await admin.post(`${skipping.headers.location}/confirm`).expect(303);
    expect(await invitationCount(wave)).toBe(5);
    const none = await admin
      .upload(`/admin/waves/${wave.id}/import`, 'same.csv', csv(['e@example.org,E,,gemeente,,,']), undefined, {
        skip_existing: 'yes',
      })
      .set('Accept', 'application/json')
      .expect(422);
    expect(none.body.problems[0].message).toContain('everyone in the file (1) is in this wave already');
  });

  test("people outside the questionnaire's population are a warning in the preview, not a refusal", async () => {
    // council members and aldermen in a wave of the civil servants' questionnaire (role not kept)
    const wave = await t.wave({ questionnaireId: 'miv-ambtenaren@2024.1', keptAttributes: ['tier'] });
    const file = csv([
      'a@example.org,A,Gemeente A,gemeente,raadslid,Utrecht,nl',
      'b@example.org,B,Gemeente A,gemeente,raadslid,Utrecht,nl',
      'c@example.org,C,Gemeente A,gemeente,wethouder,Utrecht,nl',
      'd@example.org,D,Gemeente A,gemeente,beleid,Utrecht,nl',
    ]);
    const upload = await admin.upload(`/admin/waves/${wave.id}/import`, 'raad.csv', file).expect(303);
    const preview = await admin.get(upload.headers.location).expect(200);
    expect(preview.text).toMatch(
      /<strong>3 of 4 people<\/strong> have a role that\s+miv-ambtenaren is not for: raadslid \(2\), wethouder \(1\)/,
    );
    const json = await admin.get(upload.headers.location).set('Accept', 'application/json').expect(200);
    expect(json.body.summary.outsidePopulation).toEqual([
      {
        attribute: 'role',
        people: 3,
        values: [
          { value: 'raadslid', count: 2 },
          { value: 'wethouder', count: 1 },
        ],
      },
    ]);
    // a fitting file has no warning
    const wave2 = await t.wave({ questionnaireId: 'miv-ambtenaren@2024.1', keptAttributes: ['tier'] });
    const fits = await admin
      .upload(
        `/admin/waves/${wave2.id}/import`,
        'ok.csv',
        csv(['e@example.org,E,Gemeente A,gemeente,beleid,Utrecht,nl']),
      )
      .expect(303);
    expect((await admin.get(fits.headers.location)).text).not.toContain('is not for');
  });

  test('a cancelled preview is deleted and adds nobody', async () => {
    const wave = await t.wave();
    const upload = await admin
      .upload(`/admin/waves/${wave.id}/import`, 's.csv', csv(['z@example.org,Z,,rijk,,,']))
      .expect(303);
    await admin.post(`${upload.headers.location}/cancel`).expect(303);
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(0);
    expect(await invitationCount(wave)).toBe(0);
  });

  test('an expired preview opened again is refused and erased at once, not at the next sweep', async () => {
    const { PENDING_IMPORT_TTL_MS } = await import('../../server/fielding/sample-import');
    const wave = await t.wave();
    const upload = await admin
      .upload(`/admin/waves/${wave.id}/import`, 's.csv', csv(['verlopen@example.org,V,,rijk,,,']))
      .expect(303);
    const old = new Date(t.now.value.getTime() - PENDING_IMPORT_TTL_MS - 60_000).toISOString();
    await t.db('pending_imports').where({ wave_id: wave.id }).update({ created_at: old });
    for (const res of [
      await admin.get(upload.headers.location),
      await admin.post(`${upload.headers.location}/confirm`),
    ])
      expect([res.status, res.text]).toEqual([404, expect.stringContaining('has expired')]);
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(0);
    expect(await invitationCount(wave)).toBe(0);
  });

  test('markup in names and attributes is shown as text, never as markup; a kept attribute takes declared values only', async () => {
    const evil = '<script>alert(1)</script>';
    const file = csv(
      [1, 2, 3, 4, 5].map(
        (i) => `x${i}@example.org,"${evil}","<b>Org</b>",gemeente,"<img src=x onerror=alert(2)>",,nl`,
      ),
    );
    // role is kept with the answers by this wave: only the questionnaire's declared roles are taken
    const keeping = await t.wave({ keptAttributes: ['role'] });
    const refused = await admin
      .upload(`/admin/waves/${keeping.id}/import`, 's.csv', file)
      .set('Accept', 'application/json')
      .expect(422);
    expect(refused.body.problems[0]).toMatchObject({ line: 2 });
    expect(refused.body.problems[0].message).toContain('is not a role this questionnaire declares');
    expect(await invitationCount(keeping)).toBe(0);
    // a wave that keeps only tier takes the same role column as free text, shown escaped in the preview
    const wave = await t.wave({ keptAttributes: ['tier'] });
    const upload = await admin.upload(`/admin/waves/${wave.id}/import`, '<i>name</i>.csv', file).expect(303);
    const preview = await admin.get(upload.headers.location).expect(200);
    expect(preview.text).not.toContain('<img src=x');
    expect(preview.text).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(preview.text).not.toContain('<i>name</i>');
    await admin.post(`${upload.headers.location}/confirm`).expect(303);
    const monitor = await admin.get(`/admin/waves/${wave.id}/monitor`).expect(200);
    expect(monitor.text).not.toContain('<img src=x');
    const audit = await admin.get('/admin/audit').expect(200);
    expect(audit.text).not.toContain('<i>name</i>');
    // a hostile wave name too
    const named = await t.wave({ name: '<svg onload=alert(3)>' });
    const list = await admin.get('/admin').expect(200);
    expect(list.text).not.toContain('<svg onload');
    expect((await admin.get(`/admin/waves/${named.id}`).expect(200)).text).toContain('&lt;svg onload=alert(3)&gt;');
  });

  test('a file over 20 MB is refused with 413 and nothing is stored', async () => {
    const wave = await t.wave();
    const big = Buffer.alloc(21 * 1024 * 1024, 'a');
    const res = await admin.upload(`/admin/waves/${wave.id}/import`, 'big.csv', big).set('Accept', 'application/json');
    expect(res.status).toBe(413);
    expect(res.body.error).toContain('larger than 20 MB');
    expect(await invitationCount(wave)).toBe(0);
  });

  test('a forged upload (file before a valid form token) is refused at once, before the 19 MB body is read', async () => {
    const wave = await t.wave();
    const browser = new Browser(t.proxied, '203.0.113.60');
    const signedIn = await browser.signIn('beheer@example.org', PASSWORD);
    const cookie = (setCookie(signedIn, 'veldwerk_session') as string).split(';')[0];
    const server = t.proxied.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    // the parts a cross-site form would send: no token, or a wrong one, then the file; only the first 64 kB are sent
    const answer = (before: string) =>
      new Promise<{ status: number; wholeBodySent: boolean }>((resolve, reject) => {
        const boundary = 'vwboundary';
        const head = `${before}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\nContent-Type: text/csv\r\n\r\nemail\r\n`;
        const req = http.request({
          port,
          method: 'POST',
          path: `/admin/waves/${wave.id}/import`,
          headers: {
            cookie,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': String(19 * 1024 * 1024),
          },
        });
        let sent = false;
        req.on('response', (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, wholeBodySent: sent });
          req.destroy();
        });
        req.on('error', (err) => (sent ? undefined : reject(err)));
        req.write(head + 'x'.repeat(64 * 1024));
        setTimeout(() => {
          sent = true; // never: the rest of the 19 MB is not sent
          reject(new Error('no answer within 5 s: the server waited for the whole body'));
        }, 5_000).unref();
      });
    try {
      expect(await answer('')).toEqual({ status: 403, wholeBodySent: false });
      expect(
        await answer(`--vwboundary\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nforged-token\r\n`),
      ).toEqual({ status: 403, wholeBodySent: false });
    } finally {
      server.close();
    }
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(0);
  });

  test('an upload without the CSRF token is refused', async () => {
    const wave = await t.wave();
    await admin.upload(`/admin/waves/${wave.id}/import`, 's.csv', csv(['q@example.org,Q,,rijk,,,']), null).expect(403);
    expect(await t.db('pending_imports').where({ wave_id: wave.id })).toHaveLength(0);
  });

  test('10,000 rows are checked, previewed and committed quickly', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role', 'province'] });
    const tiers = ['gemeente', 'provincie', 'waterschap'];
    const roles = ['raadslid', 'statenlid', 'dijkgraaf'];
    const provinces = ['Utrecht', 'Zeeland', 'Limburg', 'Drenthe'];
    const rows = Array.from(
      { length: 10_000 },
      (_, i) =>
        `persoon${i}@example.org,Persoon ${i},Organisatie ${i % 300},${tiers[i % 3]},${roles[i % 3]},${provinces[i % 4]},${i % 5 ? 'nl' : 'en'}`,
    );
    const started = Date.now();
    const upload = await admin.upload(`/admin/waves/${wave.id}/import`, 'groot.csv', csv(rows)).expect(303);
    const staged = Date.now();
    await admin.post(`${upload.headers.location}/confirm`).expect(303);
    const committed = Date.now();
    expect(await invitationCount(wave)).toBe(10_000);
    console.log(
      `sample import of 10,000 rows on ${kind}: upload+check+stage ${staged - started} ms, commit ${committed - staged} ms`,
    );
    expect(committed - started).toBeLessThan(20_000);
  });
});
