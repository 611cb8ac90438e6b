import request from 'supertest';
import { DEMO_VALID, surveyConfig } from '../helpers/pages';
import { addTestUser, adminTestApp, AdminTestApp } from '../helpers/signed-in';

/** Markup that would run if it reached a page unescaped. */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  '</textarea><script>alert(1)</script>',
  '<iframe srcdoc="<script>alert(1)</script>">',
];

function expectOnlyEscaped(html: string): void {
  for (const payload of PAYLOADS) expect(html).not.toContain(payload);
  expect(html).not.toMatch(/<script>alert|<img src=x|<svg\/onload|<iframe srcdoc/);
}

describe('markup in every place text is shown is shown as text', () => {
  let t: AdminTestApp;
  beforeAll(async () => {
    t = await adminTestApp('sqlite');
    await addTestUser(t.db, 'beheer@example.org', 'admin');
  });
  afterAll(() => t.drop());

  test.each(PAYLOADS)('payload %s in a wave name, sample attributes and answers', async (payload) => {
    const wave = await t.wave({ name: `Golf ${payload}`, keptAttributes: ['tier', 'role'] });
    // five invitees with the value, so its group reaches k = 5 and the monitor shows it on its own
    const [token] = await t.invite(
      wave,
      [1, 2, 3, 4, 5].map((i) => ({
        email: `x${i}.tester@example.org`,
        name: `Naam ${payload}`,
        organisation: `Org ${payload}`,
        attributes: { tier: 'gemeente', role: `rol ${payload}` },
      })),
    );
    // respondent: an answer with markup comes back inside the escaped configuration only
    await request(t.app)
      .put(`/s/${token}/progress`)
      .send({ answers: { opmerkingen: payload }, pageNo: 1 })
      .expect(204);
    const page = await request(t.app).get(`/s/${token}`).expect(200);
    expectOnlyEscaped(page.text);
    expect(surveyConfig(page.text).answers.opmerkingen).toBe(payload);
    await request(t.app)
      .post(`/s/${token}/complete`)
      .send({ answers: { ...DEMO_VALID, opmerkingen: payload } })
      .expect(201);
    expectOnlyEscaped((await request(t.app).get(`/s/${token}`)).text);

    // administrator: wave list, wave page, monitor (per kept attribute), audit log
    const admin = await t.signIn('beheer@example.org');
    for (const path of ['/admin', `/admin/waves/${wave.id}`, `/admin/waves/${wave.id}/monitor`, '/admin/audit']) {
      const res = await admin.get(path).expect(200);
      expectOnlyEscaped(res.text);
    }
    const monitor = await admin.get(`/admin/waves/${wave.id}/monitor`).expect(200);
    expect(monitor.text).toMatch(/rol &(lt|#34|#39);/); // the attribute value is there, as text
  });
});
