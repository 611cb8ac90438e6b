import request from 'supertest';
import type { WaveRow } from '../../server/fielding/data/waves';
import { craftInvitations, CraftedPerson } from '../helpers/crafted-invitations';
import { databaseKinds } from '../helpers/databases';
import { addTestUser, adminTestApp, AdminTestApp, Browser } from '../helpers/signed-in';

type Person = CraftedPerson;

describe.each(databaseKinds())('the response monitor on %s', (kind) => {
  let t: AdminTestApp;
  let admin: Browser;
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    admin = await t.signIn('beheer@example.org');
  });
  afterAll(() => t.drop());

  const craft = (wave: WaveRow, people: Person[]) => craftInvitations(t.db, wave, people);

  test('counts invited, queued, sent, bounced, opted out, started, completed and the rates, overall and per kept attribute', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role'] });
    // five of each real invitee, so every value group reaches k = 5 and is shown on its own
    const five = (people: Person[]) => people.flatMap((p) => (p.test ? [p] : [p, p, p, p, p]));
    await craft(
      wave,
      five([
        { tier: 'gemeente', role: 'raadslid', mail: 'sent', status: 'completed' },
        { tier: 'gemeente', role: 'raadslid', mail: 'sent', status: 'started' },
        { tier: 'gemeente', role: 'wethouder', mail: 'bounced' },
        { tier: 'gemeente', role: 'wethouder', mail: 'queued' },
        { tier: 'provincie', role: 'statenlid', mail: 'sent', optedOut: true },
        { tier: 'provincie', mail: 'sent', status: 'completed' },
        { tier: 'waterschap', role: 'heemraad' }, // not mailed yet
        // test invitations: never counted
        { tier: 'gemeente', role: 'raadslid', mail: 'sent', status: 'completed', test: true },
        { tier: 'rijk', role: 'tester', status: 'started', test: true },
      ]),
    );
    const res = await admin.get(`/admin/waves/${wave.id}/monitor`).set('Accept', 'application/json').expect(200);
    expect(res.body.source).toBe('live');
    expect(res.body.overall).toEqual({
      invited: 35,
      queued: 5,
      sent: 25,
      bounced: 5,
      optedOut: 5,
      started: 15,
      completed: 10,
      responseRate: 28.6,
      sendingProgress: 83.3,
    });
    const [tier, role] = res.body.attributes;
    expect(tier.attribute).toBe('tier');
    expect(tier.values.map((v: { value: string; counts: object }) => [v.value, v.counts])).toEqual([
      [
        'gemeente',
        {
          invited: 20,
          queued: 5,
          sent: 15,
          bounced: 5,
          optedOut: 0,
          started: 10,
          completed: 5,
          responseRate: 25,
          sendingProgress: 75,
        },
      ],
      [
        'provincie',
        {
          invited: 10,
          queued: 0,
          sent: 10,
          bounced: 0,
          optedOut: 5,
          started: 5,
          completed: 5,
          responseRate: 50,
          sendingProgress: 100,
        },
      ],
      [
        'waterschap',
        {
          invited: 5,
          queued: 0,
          sent: 0,
          bounced: 0,
          optedOut: 0,
          started: 0,
          completed: 0,
          responseRate: 0,
          sendingProgress: null,
        },
      ],
    ]);
    expect(role.values.map((v: { value: string; counts: { invited: number } }) => [v.value, v.counts.invited])).toEqual(
      [
        ['heemraad', 5],
        ['raadslid', 10],
        ['statenlid', 5],
        ['wethouder', 10],
        ['', 5], // the provincial invitations without a role, last
      ],
    );
    expect(JSON.stringify(res.body)).not.toMatch(/rijk|tester/);
  });

  test('the page shows the same numbers in accessible tables and polls with a self-hosted script', async () => {
    const wave = await t.wave({ keptAttributes: ['tier'] });
    await craft(wave, [
      ...Array(3).fill({ tier: 'gemeente', mail: 'sent', status: 'completed' }),
      ...Array(3).fill({ tier: 'gemeente', mail: 'sent' }),
    ]);
    const page = await admin.get(`/admin/waves/${wave.id}/monitor`).expect(200);
    expect(page.text).toContain('<caption>All invitations</caption>');
    expect(page.text).toContain('<caption>By tier</caption>');
    expect(page.text).toContain('<th scope="col">Response rate</th>');
    expect(page.text).toMatch(
      /<th scope="row">gemeente<\/th><td>6<\/td><td>0<\/td><td>6<\/td>\s*<td>100.0%<\/td>[\s\S]*?<td>50.0%<\/td>/,
    );
    expect(page.text).toContain('<script src="/assets/admin-monitor.js"></script>');
    expect(page.text).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    await request(t.app)
      .get('/assets/admin-monitor.js')
      .expect(200)
      .expect('content-type', /javascript/);
  });

  test('stays fast at 10,000 invitations', async () => {
    const wave = await t.wave({ keptAttributes: ['tier', 'role', 'province'] });
    const tiers = ['gemeente', 'provincie', 'waterschap'];
    const people: Person[] = Array.from({ length: 10_000 }, (_, i) => ({
      tier: tiers[i % 3],
      role: `rol${i % 9}`,
      mail: i % 10 === 0 ? 'queued' : 'sent',
      status: i % 3 === 0 ? 'completed' : i % 3 === 1 ? 'started' : 'invited',
    }));
    await craft(wave, people);
    await admin.get(`/admin/waves/${wave.id}/monitor`).set('Accept', 'application/json').expect(200); // warm up
    const started = Date.now();
    const res = await admin.get(`/admin/waves/${wave.id}/monitor`).set('Accept', 'application/json').expect(200);
    const ms = Date.now() - started;
    console.log(`monitor JSON for 10,000 invitations and 3 attributes on ${kind}: ${ms} ms`);
    expect(res.body.overall.invited).toBe(10_000);
    expect(res.body.overall.completed).toBe(3334);
    expect(ms).toBeLessThan(2000);
  });
});
