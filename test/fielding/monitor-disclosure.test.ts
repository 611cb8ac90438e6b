import { createApp } from '../../server/app';
import type { WaveRow } from '../../server/fielding/data/waves';
import { groupSmallValues, MonitorCounts, MonitorView } from '../../server/fielding/monitor';
import { craftInvitations, CraftedPerson } from '../helpers/crafted-invitations';
import { databaseKinds } from '../helpers/databases';
import { addTestUser, adminTestApp, AdminTestApp, Browser } from '../helpers/signed-in';

/**
 * The monitor's tables per kept attribute apply the exports' k (DISCLOSURE_K): value groups with fewer than k invited
 * are combined into one row, and that row is made at least k by folding in the smallest shown groups, so no small
 * group's counts can be read directly or as the overall total minus the rows shown.
 */

type Person = CraftedPerson;

const COLUMNS = ['invited', 'queued', 'sent', 'bounced', 'optedOut', 'started', 'completed'] as const;
type Row = MonitorView['attributes'][number]['values'][number];

const times = (n: number, p: Person): Person[] => Array.from({ length: n }, () => ({ ...p }));

/** 12 gemeente, 6 provincie, 2 waterschap (both completed), 1 rijk (opted out; no role). */
const MIXED: Person[] = [
  ...times(5, { tier: 'gemeente', role: 'raadslid', mail: 'sent', status: 'completed' }),
  ...times(2, { tier: 'gemeente', role: 'raadslid', mail: 'sent', optedOut: true }),
  ...times(3, { tier: 'gemeente', role: 'wethouder', mail: 'sent', status: 'started' }),
  ...times(2, { tier: 'gemeente', role: 'wethouder', mail: 'queued' }),
  ...times(3, { tier: 'provincie', role: 'statenlid', mail: 'sent', status: 'completed' }),
  ...times(1, { tier: 'provincie', role: 'statenlid', mail: 'sent', optedOut: true }),
  ...times(2, { tier: 'provincie', role: 'statenlid', mail: 'bounced' }),
  { tier: 'waterschap', role: 'dijkgraaf', mail: 'sent', status: 'completed' },
  { tier: 'waterschap', role: 'heemraad', mail: 'sent', status: 'completed' },
  { tier: 'rijk', mail: 'sent', optedOut: true },
];

/** Every count of the rows summed per column. */
function total(rows: Array<{ counts: MonitorCounts }>): Record<string, number> {
  return Object.fromEntries(COLUMNS.map((c) => [c, rows.reduce((n, r) => n + r.counts[c], 0)]));
}

/**
 * What an administrator can work out from a monitor: every shown row holds at least k invited (or is the only row);
 * the rows add up to the overall row in every column, so the overall total minus the rows shown on their own is
 * exactly the combined row, which itself holds at least k invited.
 */
function expectProtected(body: MonitorView, k: number): void {
  for (const a of body.attributes) {
    if (a.values.length > 1) for (const r of a.values) expect(r.counts.invited).toBeGreaterThanOrEqual(k);
    expect(total(a.values)).toEqual(total([{ counts: body.overall }]));
    const combined = a.values.filter((r) => r.value === null);
    expect(combined.length).toBeLessThanOrEqual(1);
    if (combined.length === 1) {
      expect(a.values[a.values.length - 1]).toBe(combined[0]); // last
      const shown = a.values.filter((r) => r.value !== null);
      const recovered = Object.fromEntries(COLUMNS.map((c) => [c, body.overall[c] - total(shown)[c]]));
      expect(recovered).toEqual(total(combined)); // total minus shown rows gives the combined row, nothing smaller
      if (shown.length > 0 || body.overall.invited >= k) expect(combined[0].counts.invited).toBeGreaterThanOrEqual(k);
    }
  }
}

const summary = (rows: Row[]) =>
  rows.map((r) => [
    r.value,
    'combinedValues' in r ? r.combinedValues : undefined,
    r.counts.invited,
    r.counts.completed,
  ]);

describe.each(databaseKinds())('the monitor protects small groups on %s', (kind) => {
  let t: AdminTestApp;
  let admin: Browser;
  let adminK2: Browser;
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    admin = await t.signIn('beheer@example.org');
    // the same database, with DISCLOSURE_K = 2
    const k2 = createApp({
      db: t.db,
      registry: t.registry,
      config: { publicUrl: 'http://veldwerk.test', logRequests: false, trustProxy: 'loopback', disclosureK: 2 },
      clock: () => t.now.value,
      log: () => undefined,
    });
    adminK2 = new Browser(k2, '203.0.113.20');
    expect((await adminK2.signIn('beheer@example.org', 'correct horse battery staple')).status).toBe(303);
    await adminK2.refreshCsrf();
  });
  afterAll(() => t.drop());

  const craft = (wave: WaveRow, people: Person[]) => craftInvitations(t.db, wave, people);

  const json = async (browser: Browser, wave: WaveRow): Promise<MonitorView> =>
    (await browser.get(`/admin/waves/${wave.id}/monitor`).set('Accept', 'application/json').expect(200)).body;
  const byAttribute = (body: MonitorView, name: string) =>
    (body.attributes.find((a) => a.attribute === name) as MonitorView['attributes'][number]).values;

  test('groups below k are combined, and the combined row is made at least k by folding in the smallest shown group', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role'] });
    await craft(wave, MIXED);
    const body = await json(admin, wave);
    expect(body.k).toBe(5);
    // the overall row stays as is
    expect(body.overall).toMatchObject({
      invited: 21,
      queued: 2,
      sent: 19,
      bounced: 2,
      optedOut: 4,
      started: 13,
      completed: 10,
    });
    // waterschap (2) + rijk (1) = 3 < 5: provincie (6), the smallest shown group, joins them
    const tier = byAttribute(body, 'tier');
    expect(summary(tier)).toEqual([
      ['gemeente', undefined, 12, 5],
      [null, 3, 9, 5],
    ]);
    expect(tier[0].counts).toEqual({
      invited: 12,
      queued: 2,
      sent: 10,
      bounced: 0,
      optedOut: 2,
      started: 8,
      completed: 5,
      responseRate: 41.7,
      sendingProgress: 83.3,
    });
    // every count column and the rates follow the grouping
    expect(tier[1].counts).toEqual({
      invited: 9,
      queued: 0,
      sent: 9,
      bounced: 2,
      optedOut: 2,
      started: 5,
      completed: 5,
      responseRate: 55.6,
      sendingProgress: 100,
    });
    // role: dijkgraaf 1, heemraad 1 and no role 1 = 3 < 5; wethouder (5) joins; raadslid and statenlid shown, in order
    expect(summary(byAttribute(body, 'role'))).toEqual([
      ['raadslid', undefined, 7, 5],
      ['statenlid', undefined, 6, 3],
      [null, 4, 8, 2],
    ]);
    expectProtected(body, 5);
    // the small groups are nowhere: not by name, and their completed counts (waterschap 2, rijk 0) cannot be derived
    expect(JSON.stringify(body)).not.toMatch(/waterschap|rijk|dijkgraaf|heemraad|provincie|wethouder/);
    const shownTier = tier.filter((r) => r.value !== null);
    expect(body.overall.completed - total(shownTier).completed).toBe(5); // waterschap + rijk + provincie together

    const page = await admin.get(`/admin/waves/${wave.id}/monitor`).expect(200);
    expect(page.text).not.toMatch(/waterschap|rijk|dijkgraaf|heemraad|provincie|wethouder/);
    expect(page.text).toMatch(/<th scope="row">gemeente<\/th><td>12<\/td>/);
    expect(page.text).toMatch(
      /<th scope="row">Other values \(3 combined\)<\/th><td>9<\/td><td>0<\/td><td>9<\/td>\s*<td>100.0%<\/td><td>2<\/td><td>2<\/td>\s*<td>5<\/td><td>5<\/td><td>55.6%<\/td>/,
    );
    expect(page.text).toMatch(/<th scope="row">Other values \(4 combined\)<\/th><td>8<\/td>/);
    expect(page.text).toContain('values with fewer than 5 invited are not shown on their own');
    // the combined row is the last one of its table
    const tierTable = /<table[^>]*data-table="by-tier"[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    expect(tierTable.indexOf('gemeente')).toBeLessThan(tierTable.indexOf('Other values'));
  });

  test('small groups that together reach k need no further fold', async () => {
    const wave = await t.wave({ keptAttributes: ['tier'] });
    await craft(wave, [
      ...times(12, { tier: 'gemeente', mail: 'sent' }),
      ...times(6, { tier: 'provincie', mail: 'sent', status: 'completed' }),
      ...times(3, { tier: 'waterschap', mail: 'sent', status: 'completed' }),
      ...times(2, { tier: 'rijk', mail: 'sent', optedOut: true }),
    ]);
    const body = await json(admin, wave);
    expect(summary(byAttribute(body, 'tier'))).toEqual([
      ['gemeente', undefined, 12, 0],
      ['provincie', undefined, 6, 6],
      [null, 2, 5, 3],
    ]);
    expect(byAttribute(body, 'tier')[2].counts).toMatchObject({ optedOut: 2, completed: 3, responseRate: 60 });
    expectProtected(body, 5);
  });

  test('no small groups: every value is shown; only small groups: one combined row equal to the total', async () => {
    const big = await t.wave({ keptAttributes: ['tier'] });
    await craft(big, [...times(5, { tier: 'gemeente' }), ...times(5, { tier: 'provincie', status: 'completed' })]);
    expect(summary(byAttribute(await json(admin, big), 'tier'))).toEqual([
      ['gemeente', undefined, 5, 0],
      ['provincie', undefined, 5, 5],
    ]);
    const small = await t.wave({ keptAttributes: ['tier'] });
    await craft(small, [...times(3, { tier: 'gemeente' }), { tier: 'rijk', status: 'completed' }]);
    const body = await json(admin, small);
    expect(summary(byAttribute(body, 'tier'))).toEqual([[null, 2, 4, 1]]);
    expectProtected(body, 5);
    // one big and one tiny group: the big one is folded in too, leaving one row equal to the total
    const lone = await t.wave({ keptAttributes: ['tier'] });
    await craft(lone, [...times(8, { tier: 'gemeente' }), { tier: 'rijk', status: 'completed' }]);
    const loneBody = await json(admin, lone);
    expect(summary(byAttribute(loneBody, 'tier'))).toEqual([[null, 2, 9, 1]]);
    expectProtected(loneBody, 5);
  });

  test('k comes from DISCLOSURE_K: with k = 2 the grouping changes, and the page says so', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role'] });
    await craft(wave, MIXED);
    const body = await json(adminK2, wave);
    expect(body.k).toBe(2);
    // rijk (1) < 2: waterschap (2), the smallest shown group, joins it
    expect(summary(byAttribute(body, 'tier'))).toEqual([
      ['gemeente', undefined, 12, 5],
      ['provincie', undefined, 6, 3],
      [null, 2, 3, 2],
    ]);
    // dijkgraaf, heemraad and no role: 1 each, together 3 >= 2
    expect(summary(byAttribute(body, 'role'))).toEqual([
      ['raadslid', undefined, 7, 5],
      ['statenlid', undefined, 6, 3],
      ['wethouder', undefined, 5, 0],
      [null, 3, 3, 2],
    ]);
    expectProtected(body, 2);
    const page = await adminK2.get(`/admin/waves/${wave.id}/monitor`).expect(200);
    expect(page.text).toContain('values with fewer than 2 invited are not shown on their own');
    expect(page.text).toContain('Other values (2 combined)');
  });

  test('the final counts kept after a purge are grouped the same way', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role'] });
    await craft(wave, MIXED);
    const live = await json(admin, wave);
    await admin.post(`/admin/waves/${wave.id}/close`).expect(303);
    await admin.post(`/admin/waves/${wave.id}/purge`, { confirm: 'yes' }).set('Accept', 'application/json').expect(200);
    const final = await json(admin, wave);
    expect(final.source).toBe('final');
    expect(final.attributes).toEqual(live.attributes);
    expectProtected(final, 5);
    expect(JSON.stringify(final)).not.toMatch(/waterschap|rijk|dijkgraaf|heemraad/);
  });

  test('markup in attribute values is still shown as text; a small group with markup is not shown at all', async () => {
    const wave = await t.wave({ keptAttributes: ['role'] });
    await craft(wave, [
      ...times(7, { tier: 'gemeente', role: '<img src=x onerror=alert(1)>' }),
      ...times(5, { tier: 'gemeente', role: 'raadslid' }),
      { tier: 'gemeente', role: '<b>alleen</b>' },
    ]);
    const page = await admin.get(`/admin/waves/${wave.id}/monitor`).expect(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('<th scope="row">&lt;img src=x onerror=alert(1)&gt;</th>');
    expect(page.text).not.toMatch(/alleen/);
    expect(page.text).toContain('Other values (2 combined)'); // <b>alleen</b> (1) and raadslid (5, the smallest shown) together
  });
});

describe('groupSmallValues', () => {
  const counts = (invited: number, completed = 0) => ({
    invited,
    queued: 0,
    sent: invited,
    bounced: 0,
    opted_out: 0,
    started: completed,
    completed,
  });
  test('orders shown values the Dutch way with the empty value last, the combined row after them', () => {
    const rows = groupSmallValues(
      [
        { value: '', counts: counts(5) },
        { value: 'Zeeland', counts: counts(6) },
        { value: 'Fryslân', counts: counts(5) },
        { value: 'Drenthe', counts: counts(2) },
        { value: 'Utrecht', counts: counts(3) },
      ],
      5,
    );
    expect(rows.map((r) => r.value)).toEqual(['Fryslân', 'Zeeland', '', null]);
  });
  test('folds equal-sized groups in a fixed order, and nothing when the small groups are empty', () => {
    const rows = groupSmallValues(
      [
        { value: 'a', counts: counts(5) },
        { value: 'b', counts: counts(5) },
        { value: 'c', counts: counts(5) },
        { value: 'd', counts: counts(1) },
      ],
      5,
    );
    expect(rows.map((r) => [r.value, r.counts.invited])).toEqual([
      ['a', 5],
      ['b', 5],
      [null, 6],
    ]);
    expect(
      groupSmallValues(
        [
          { value: 'a', counts: counts(5) },
          { value: 'z', counts: counts(0) },
        ],
        5,
      ).map((r) => [r.value, r.counts.invited]),
    ).toEqual([
      ['a', 5],
      [null, 0],
    ]);
  });
});
