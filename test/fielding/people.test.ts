import request from 'supertest';
import { inviteWave } from '../../server/mail/wave-mail';
import { hashToken } from '../../server/respondent/personal-tokens';
import { openProgress, progressKey } from '../../server/respondent/progress-sealing';
import { databaseKinds } from '../helpers/databases';
import { appWithSmtp, people, sendQueued, signedInAs } from '../helpers/mail';
import { Browser } from '../helpers/signed-in';
import { linkIn, SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { testApp, TestApp } from '../helpers/test-app';
import { DEMO_VALID } from '../helpers/pages';
import type { WaveRow } from '../../server/fielding/wave-rules';

const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1);

describe.each(databaseKinds())('the per-person pages on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  let app: ReturnType<typeof appWithSmtp>;
  let admin: Browser;
  let analyst: Browser;

  beforeAll(async () => {
    t = await testApp(kind);
    sink = await startSmtpSink();
    app = appWithSmtp(t, sink);
    admin = await signedInAs(app, t.db, 'beheer@example.org', 'admin', '203.0.113.40');
    analyst = await signedInAs(app, t.db, 'analist@example.org', 'analyst', '203.0.113.41');
  });
  afterAll(async () => {
    await sink.close();
    await t.drop();
  });
  beforeEach(() => {
    sink.received.length = 0;
  });

  /** A wave whose invitations went out to n people; returns the wave and the mail each person got. */
  async function invitedWave(n: number, prefix: string): Promise<WaveRow> {
    const wave = await t.wave();
    await t.invite(
      wave,
      people(n, prefix).map((p, i) => ({ ...p, name: i === 0 ? `Anna de Vries ${prefix}` : `Persoon ${i} ${prefix}` })),
    );
    await inviteWave(t.db, wave.id, { actor: 'beheer@example.org', now: t.now.value });
    await sendQueued(t.db, sink);
    return wave;
  }
  const personId = async (wave: WaveRow, email: string) =>
    (await t.db('invitations').where({ wave_id: wave.id, email }).first()).id as string;
  const mailsTo = (email: string) => sink.received.filter((m) => m.envelopeTo.includes(email));

  test('search by part of an address or a name, case-insensitively; % and _ are taken literally; no test links', async () => {
    const wave = await invitedWave(4, 'zoek');
    await admin.post(`/admin/waves/${wave.id}/test-links`, { count: '2', language: 'nl' }).expect(201);
    const names = async (q: string) =>
      (
        (await admin.get(`/admin/waves/${wave.id}/people?q=${encodeURIComponent(q)}`).set('Accept', 'application/json'))
          .body.people as Array<{ email: string }>
      ).map((p) => p.email);
    expect(await names('')).toHaveLength(4); // the two test links are nobody
    expect(await names('ZOEK2@')).toEqual(['zoek2@example.org']);
    expect(await names('anna de')).toEqual(['zoek0@example.org']);
    expect(await names('%')).toEqual([]);
    expect(await names('_')).toEqual([]);
    const page = await admin.get(`/admin/waves/${wave.id}/people?q=vries`).expect(200);
    expect(page.text).toContain('Anna de Vries zoek');
    expect(page.text).not.toContain('zoek1@example.org');
    // control characters and very long searches are refused with a message
    await admin.get(`/admin/waves/${wave.id}/people?q=${'a'.repeat(201)}`).expect(422, /at most 200 characters/);
    // administrators only
    await analyst.get(`/admin/waves/${wave.id}/people`).expect(403);
    await analyst.get(`/admin/waves/${wave.id}/people/${await personId(wave, 'zoek0@example.org')}`).expect(403);
    // an unknown or malformed person is a 404, not an error
    await admin.get(`/admin/waves/${wave.id}/people/00000000-0000-4000-8000-000000000000`).expect(404);
    await admin.get(`/admin/waves/${wave.id}/people/..%2F..%2Fusers`).expect(404);
  });

  test('a person page shows status and mail history, never answers', async () => {
    const wave = await invitedWave(2, 'status');
    const email = 'status0@example.org';
    const id = await personId(wave, email);
    const link = linkIn(mailsTo(email)[0]);
    await request(app)
      .put(`/s/${tokenOf(link)}/progress`)
      .send({ answers: { opmerkingen: 'geheim-antwoord-xyz' }, pageNo: 0 })
      .expect(204);
    const page = await admin.get(`/admin/waves/${wave.id}/people/${id}`).expect(200);
    expect(page.text).toContain(email);
    expect(page.text).toMatch(/Questionnaire<\/dt><dd>started/);
    expect(page.text).toMatch(/Invitation \(Dutch\)<\/th>\s*<td>sent<\/td>/);
    expect(page.text).not.toContain('geheim-antwoord-xyz');
    expect(page.text).not.toContain(tokenOf(link));
    const json = (await admin.get(`/admin/waves/${wave.id}/people/${id}`).set('Accept', 'application/json')).body;
    expect(json.person).toMatchObject({ email, progress: 'started', mail: 'sent', optedOut: false });
    expect(JSON.stringify(json)).not.toContain('geheim-antwoord-xyz');
  });

  test('resend: asks first, sends the same link again, once; refused for someone who completed', async () => {
    const wave = await invitedWave(2, 'opnieuw');
    const email = 'opnieuw0@example.org';
    const id = await personId(wave, email);
    const first = linkIn(mailsTo(email)[0]);
    const ask = await admin.post(`/admin/waves/${wave.id}/people/${id}/resend`, {}).expect(200);
    expect(ask.text).toContain(`to ${email}`);
    expect(await t.db('outbox').where({ invitation_id: id })).toHaveLength(1); // asking changed nothing
    await admin.post(`/admin/waves/${wave.id}/people/${id}/resend`, { confirmed: 'yes' }).expect(303);
    // a second press before the worker ran: the message is already waiting
    await admin
      .post(`/admin/waves/${wave.id}/people/${id}/resend`, { confirmed: 'yes' })
      .expect(409, /already waiting/);
    await sendQueued(t.db, sink);
    expect(mailsTo(email)).toHaveLength(2);
    expect(linkIn(mailsTo(email)[1])).toBe(first);
    expect(mailsTo('opnieuw1@example.org')).toHaveLength(1); // only this person
    const audit = await t.db('audit_log').where({ wave_id: wave.id, action: 'person.resend' });
    expect(audit.map((a) => [a.actor, JSON.parse(a.detail).invitation])).toEqual([['beheer@example.org', id]]);
    // after completing there is nothing to resend
    await request(app)
      .post(`/s/${tokenOf(first)}/complete`)
      .send({ answers: DEMO_VALID })
      .expect(201);
    await admin.post(`/admin/waves/${wave.id}/people/${id}/resend`, { confirmed: 'yes' }).expect(409, /completed/);
    expect((await admin.get(`/admin/waves/${wave.id}/people/${id}`)).text).not.toContain('Send the invitation again…');
  });

  test('a fresh link: the old link stops, the saved answers move to the new one, the new link goes out by mail', async () => {
    const wave = await invitedWave(2, 'vers');
    const email = 'vers0@example.org';
    const id = await personId(wave, email);
    const oldToken = tokenOf(linkIn(mailsTo(email)[0]));
    await request(app)
      .put(`/s/${oldToken}/progress`)
      .send({ answers: { opmerkingen: 'bewaard-voor-de-nieuwe-link' }, pageNo: 0 })
      .expect(204);
    const ask = await admin.post(`/admin/waves/${wave.id}/people/${id}/fresh-link`, { mail: 'yes' }).expect(200);
    expect(ask.text).toContain('stops working');
    await request(app).get(`/s/${oldToken}`).expect(200); // asking changed nothing
    await admin.post(`/admin/waves/${wave.id}/people/${id}/fresh-link`, { mail: 'yes', confirmed: 'yes' }).expect(303);
    await request(app).get(`/s/${oldToken}`).expect(404);
    await request(app)
      .put(`/s/${oldToken}/progress`)
      .send({ answers: { opmerkingen: 'te laat' }, pageNo: 0 })
      .expect(404);
    await sendQueued(t.db, sink);
    const mails = mailsTo(email);
    expect(mails).toHaveLength(2);
    const newToken = tokenOf(linkIn(mails[1]));
    expect(newToken).not.toBe(oldToken);
    // the answers are there under the new link, sealed with its key; the old key opens nothing any more
    const row = await t.db('progress').where({ invitation_id: id }).first();
    expect(openProgress(progressKey(newToken), id, row.answers)).toContain('bewaard-voor-de-nieuwe-link');
    expect(openProgress(progressKey(oldToken), id, row.answers)).toBeUndefined();
    expect((await request(app).get(`/s/${newToken}`).expect(200)).text).toContain('bewaard-voor-de-nieuwe-link');
    // only the new token's hash is stored; the audit entry names the invitation, never a link
    const invitation = await t.db('invitations').where({ id }).first();
    expect(invitation.token_hash).toBe(hashToken(newToken));
    const audit = await t.db('audit_log').where({ wave_id: wave.id, action: 'person.fresh-link' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail)).toEqual({ invitation: id, mailed: true, answersMoved: true });
    expect(audit[0].detail).not.toContain(newToken);
    // later reminders carry the new link as well
    await admin.post(`/admin/waves/${wave.id}/mail/remind`, { confirmed: 'yes' }).expect(303);
    await sendQueued(t.db, sink);
    expect(tokenOf(linkIn(mailsTo(email)[2]))).toBe(newToken);
    // the new link completes
    await request(app).post(`/s/${newToken}/complete`).send({ answers: DEMO_VALID }).expect(201);
  });

  test('a fresh link without mail, and two administrators at once: one replaces it', async () => {
    const wave = await invitedWave(1, 'stil');
    const id = await personId(wave, 'stil0@example.org');
    sink.received.length = 0;
    const results = await Promise.all([
      admin.post(`/admin/waves/${wave.id}/people/${id}/fresh-link`, { mail: 'no', confirmed: 'yes' }),
      admin.post(`/admin/waves/${wave.id}/people/${id}/fresh-link`, { mail: 'no', confirmed: 'yes' }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(303);
    expect([303, 409]).toContain(statuses[1]);
    const generation = Number((await t.db('invitations').where({ id }).first()).link_generation);
    expect(generation).toBe(statuses[1] === 303 ? 2 : 1);
    await sendQueued(t.db, sink);
    expect(sink.received).toHaveLength(0);
  });

  test('language: mail waiting to go out follows; refused values change nothing', async () => {
    const wave = await t.wave();
    await t.invite(wave, people(1, 'taal'));
    const id = await personId(wave, 'taal0@example.org');
    await inviteWave(t.db, wave.id, { actor: 'beheer@example.org', now: t.now.value });
    await admin.post(`/admin/waves/${wave.id}/people/${id}/language`, { language: 'fr' }).expect(422, /Dutch|English/);
    expect((await t.db('invitations').where({ id }).first()).language).toBe('nl');
    await admin.post(`/admin/waves/${wave.id}/people/${id}/language`, { language: 'en' }).expect(303);
    expect((await t.db('invitations').where({ id }).first()).language).toBe('en');
    expect((await t.db('outbox').where({ invitation_id: id, state: 'pending' }).first()).language).toBe('en');
    await sendQueued(t.db, sink);
    expect(sink.received[0].text).toMatch(/closes|survey|link/i); // the English template
    const audit = await t.db('audit_log').where({ wave_id: wave.id, action: 'person.language' });
    expect(JSON.parse(audit[0].detail)).toEqual({ invitation: id, from: 'nl', to: 'en' });
  });

  test('a closed wave allows no mail or link changes; a purged wave has nobody to look up', async () => {
    const wave = await invitedWave(1, 'dicht');
    const id = await personId(wave, 'dicht0@example.org');
    await admin.post(`/admin/waves/${wave.id}/close`, { confirmed: 'yes' }).expect(303);
    const page = await admin.get(`/admin/waves/${wave.id}/people/${id}`).expect(200);
    expect(page.text).toContain('is closed');
    expect(page.text).not.toContain('Replace the link…');
    await admin.post(`/admin/waves/${wave.id}/people/${id}/resend`, { confirmed: 'yes' }).expect(409, /closed/);
    await admin.post(`/admin/waves/${wave.id}/people/${id}/fresh-link`, { confirmed: 'yes' }).expect(409, /closed/);
    await admin.post(`/admin/waves/${wave.id}/purge`, { confirm: 'yes' }).expect(303);
    expect((await admin.get(`/admin/waves/${wave.id}/people`).expect(200)).text).toContain('was purged');
    await admin.get(`/admin/waves/${wave.id}/people/${id}`).expect(404);
  });
});
