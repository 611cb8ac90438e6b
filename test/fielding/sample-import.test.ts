import { databaseKinds } from '../helpers/databases';
import { addTestUser, adminTestApp, AdminTestApp, Browser } from '../helpers/signed-in';
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
    expect(page.text).toMatch(/<caption>tier \(kept with the answers\)<\/caption>/);
    expect(page.text).toContain('<tr><th scope="row">gemeente</th><td>2</td></tr>');
    expect(page.text).toContain('<tr><th scope="row">Fryslân</th><td>1</td></tr>');
    expect(page.text).toContain('<tr><th scope="row">(empty)</th><td>1</td></tr>');
    const json = await admin.get(preview).set('Accept', 'application/json').expect(200);
    const language = json.body.summary.attributes.find((a: { attribute: string }) => a.attribute === 'language');
    expect(language.values).toEqual([
      { value: 'nl', count: 3 },
      { value: 'en', count: 1 },
    ]);

    await admin.post(`${preview}/confirm`).expect(303).expect('location', `/admin/waves/${wave.id}?imported=4`);
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
      { line: 3, message: 'the e-mail address is already in this wave (an earlier import)' },
    ]);
    expect(await invitationCount(wave)).toBe(4);
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
