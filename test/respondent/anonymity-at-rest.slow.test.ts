import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/shared/config';
import { openPlatform, Platform } from '../../server/platform';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { createInvitations } from '../../server/fielding/issue-invitations';
import { hashToken } from '../../server/respondent/personal-tokens';
import { createWave } from '../../server/fielding/wave-rules';
import { freshDatabase } from '../helpers/databases';
import { count, linksInCopies, Person, takeCopies } from '../helpers/forensics';
import { DEMO_VALID } from '../helpers/pages';
import { killHard, startServerProcess } from '../helpers/server-process';
import { realRegistry } from '../helpers/test-app';
import { registerVersions } from '../../server/questionnaires/version-registration';

/** 40-character pieces from along a stored text (a staged import's compressed people): any one left is a leftover. */
function blobPieces(text: string): string[] {
  expect(text.length).toBeGreaterThan(400);
  const pieces: string[] = [];
  for (let at = 0; at + 40 <= text.length; at += Math.floor(text.length / 12)) pieces.push(text.slice(at, at + 40));
  return pieces;
}

/**
 * The promise tried as an attacker would: copies of the SQLite file, its WAL and a `.backup`, read byte by byte,
 * must not tie any answer to a person — not only after the fact, but at any moment of the fieldwork.
 */

const answersOf = (marker: string) => ({
  ...DEMO_VALID,
  agressie_toelichting: `Toelichting ${marker}`,
  opmerkingen: marker,
});
const shuffle = <T>(xs: T[]): T[] =>
  xs
    .map((x) => [crypto.randomInt(1e9), x] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x);

/** A demo@1 wave that opened yesterday and closes in nine days, keeping these attributes. */
function openDemoWave(db: Platform['db'], registry: Platform['registry'], name: string, now: Date, kept = ['tier']) {
  const today = dutchDay(now);
  return createWave(
    db,
    registry,
    { name, questionnaireId: 'demo@1', opensOn: addDays(today, -1), closesOn: addDays(today, 9), keptAttributes: kept },
    now,
  );
}

async function waitForEmptyWal(sqliteFile: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const size = () => (fs.existsSync(`${sqliteFile}-wal`) ? fs.statSync(`${sqliteFile}-wal`).size : 0);
  while (size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(size()).toBe(0);
}

describe('anonymity at rest: raw bytes of the SQLite file, its WAL and a backup', () => {
  let dir: string;
  let platform: Platform;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-forensic-'));
    platform = await openPlatform(
      loadConfig({
        SQLITE_FILE: path.join(dir, 'veldwerk.sqlite'),
        DEMO: 'false',
        TOKEN_SECRET: 'forensic-test-secret-0123456789abcdefghij',
      }),
    );
  });
  afterEach(async () => {
    await platform.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('30 respondents autosave, then complete in shuffled order: no copy at any moment links an answer to a person', async () => {
    const { db, registry, config } = platform;
    const app = createApp({ db, registry, config: { ...config, logRequests: false } });
    const now = new Date();
    const wave = await openDemoWave(db, registry, 'Forensisch', now, ['tier', 'role']);
    const invitees = Array.from({ length: 30 }, (_, i) => ({
      email: `respondent.${i}.${crypto.randomBytes(3).toString('hex')}@example.org`,
      name: `Persoon Achternaam${i}`,
      organisation: 'Gemeente Proefstad',
      attributes: { tier: 'gemeente', role: 'raadslid' },
    }));
    const issued = await createInvitations(db, wave, invitees, { now });
    const people: Array<Person & { token: string; marker: string }> = issued.map((inv, i) => ({
      invitationId: inv.invitationId,
      email: invitees[i].email,
      name: invitees[i].name,
      tokenHash: hashToken(inv.token),
      token: inv.token,
      marker: `antwoord-${crypto.randomBytes(8).toString('hex')}`,
    }));
    const markers = people.map((p) => p.marker);

    // everyone saves answers in progress first (the marker is in them), in shuffled order
    for (const p of shuffle(people)) {
      const { opmerkingen, agressie_toelichting } = answersOf(p.marker);
      await request(app)
        .put(`/s/${p.token}/progress`)
        .send({ answers: { agressie_any: 1, agressie_toelichting, opmerkingen }, pageNo: 0 })
        .expect(204);
    }
    const sealed = (await db('progress').select('answers')).map((r) => r.answers as string);
    expect(sealed).toHaveLength(30);
    const copies = await takeCopies(config.sqliteFile, dir);
    expect(linksInCopies(copies, people, markers)).toEqual([]);
    for (const m of markers) expect(count(Buffer.concat([copies.main, copies.wal, copies.backup]), m)).toBe(0); // sealed, not plain

    // then they complete, in another shuffled order; copies are taken along the way, as a backup job might
    for (const [n, p] of shuffle(people).entries()) {
      await request(app)
        .post(`/s/${p.token}/complete`)
        .send({ answers: answersOf(p.marker), locale: 'nl' })
        .expect(201);
      if (n % 6 === 5) {
        const during = await takeCopies(config.sqliteFile, dir);
        expect(linksInCopies(during, people, markers)).toEqual([]);
        // a backup is a consistent snapshot: at most the one response of each person (its comment field), never a
        // leftover in-progress copy. (A plain copy of the live file may catch a checkpoint between writing a split
        // page's two halves, so it can hold a response twice; it links nothing, which is checked above.)
        for (const m of markers) expect(count(during.backup, `opmerkingen":"${m}`)).toBeLessThanOrEqual(1);
      }
    }
    expect(await db('responses').where({ wave_id: wave.id }).count({ n: '*' }).first()).toEqual({ n: 30 });

    // at rest (the checkpoint thread has emptied the WAL): each answer once, in its anonymous response, and the
    // deleted in-progress copies are gone from the file, not only from the table
    await waitForEmptyWal(config.sqliteFile);
    const after = await takeCopies(config.sqliteFile, dir);
    expect(after.wal.length).toBe(0);
    expect(linksInCopies(after, people, markers)).toEqual([]);
    for (const m of markers) {
      expect(count(after.main, `opmerkingen":"${m}`)).toBe(1); // its one response
      expect(count(after.backup, `opmerkingen":"${m}`)).toBe(1);
      expect(count(Buffer.concat([after.main, after.backup]), m)).toBe(4); // in that response's two text answers
    }
    for (const s of sealed) expect(count(Buffer.concat([after.main, after.backup]), s.slice(3, 40))).toBe(0);
    // the same holds for a VACUUM INTO copy
    const vacuumed = path.join(dir, 'vacuum-into.sqlite');
    await db.raw('VACUUM INTO ?', [vacuumed]);
    const v = fs.readFileSync(vacuumed);
    expect(linksInCopies({ main: v, wal: Buffer.alloc(0), backup: Buffer.alloc(0) }, people, markers)).toEqual([]);
  }, 120_000);

  test('a staged import is gone from the file, its WAL and a backup as soon as it is cancelled, expires or is confirmed: no purge needed', async () => {
    const { db, registry, config } = platform;
    const {
      stagePendingImport,
      cancelPendingImport,
      confirmPendingImport,
      sweepExpiredImports,
      PENDING_IMPORT_TTL_MS,
    } = await import('../../server/fielding/sample-import');
    const { addUser } = await import('../../server/accounts/new-account');
    const declared = registry.get('demo@1')!.sampleAttributes;
    const now = new Date();
    const wave = await openDemoWave(db, registry, 'Gefaseerd', now);
    const { user } = await addUser(db, { email: 'stage@example.org', role: 'admin' }, now, { N: 1024, r: 8, p: 1 });
    const stage = async (kind: string) => {
      const tag = `${kind}${crypto.randomBytes(3).toString('hex')}`;
      const people = Array.from({ length: 4000 }, (_, i) => ({
        email: `p${i}.${tag}@staged.example.org`,
        name: `Naam${i} ${tag}`,
        organisation: `Organisatie ${tag}`,
      }));
      const csv = [
        'email,name,organisation,tier',
        ...people.map((p) => `${p.email},${p.name},${p.organisation},gemeente`),
      ];
      const result = await stagePendingImport(
        db,
        wave,
        { name: `${kind}.csv`, bytes: Buffer.from(csv.join('\n')) },
        user.id,
        now,
        declared,
      );
      if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
      const row = (await db('pending_imports').where({ id: result.pendingId }).first())!;
      return { tag, people, row, pieces: blobPieces(row.invitees) };
    };
    const leftIn = async (staged: { pieces: string[] }) => {
      await waitForEmptyWal(config.sqliteFile);
      const copies = await takeCopies(config.sqliteFile, dir);
      const all = Buffer.concat([copies.main, copies.wal, copies.backup]).toString('latin1');
      return { all, pieces: staged.pieces.filter((piece) => all.includes(piece)) };
    };

    // while staged, the compressed people are in the file (what the checks below look for is really there)
    const cancelled = await stage('cancel');
    expect((await leftIn(cancelled)).pieces.length).toBeGreaterThan(0);
    await cancelPendingImport(db, cancelled.row);
    const afterCancel = await leftIn(cancelled);
    expect(afterCancel.pieces).toEqual([]);
    expect(afterCancel.all.includes(cancelled.tag)).toBe(false);

    const expired = await stage('expire');
    expect(await sweepExpiredImports(db, new Date(now.getTime() + PENDING_IMPORT_TTL_MS + 1000))).toBe(1);
    const afterExpiry = await leftIn(expired);
    expect(afterExpiry.pieces).toEqual([]);
    expect(afterExpiry.all.includes(expired.tag)).toBe(false);

    // confirmed: the people are now invitations (their addresses readable there, as they must be until purge), but
    // the staged copy is gone
    const confirmed = await stage('confirm');
    expect(await confirmPendingImport(db, wave, confirmed.row, 'test', now)).toBe(4000);
    expect((await leftIn(confirmed)).pieces).toEqual([]);
    expect(await db('pending_imports').where({ wave_id: wave.id })).toHaveLength(0);
  }, 180_000);

  test('purge: not one address, name or token hash of the wave is left anywhere in the file, its WAL or its free pages', async () => {
    const { db, registry, config } = platform;
    const { commitSample, stagePendingImport, cancelPendingImport } =
      await import('../../server/fielding/sample-import');
    const { closeWave } = await import('../../server/fielding/wave-actions');
    const { purgeWave } = await import('../../server/fielding/wave-purge');
    const declared = registry.get('demo@1')!.sampleAttributes;
    const now = new Date();
    const wave = await openDemoWave(db, registry, 'Te wissen', now);
    const tag = crypto.randomBytes(3).toString('hex');
    const person = (i: number, kind: string) => ({
      email: `${kind}${i}.${tag}@wis.example.org`,
      name: `Naam${kind}${i} ${tag}`,
      organisation: `Organisatie ${kind}${i % 40} ${tag}`,
      language: 'nl' as const,
      attributes: { tier: 'gemeente', functie: `vrije tekst ${i}` },
    });
    const imported = Array.from({ length: 3000 }, (_, i) => person(i, 'imp'));
    await commitSample(db, wave, imported, now);
    // a staged import of 20,000 people that is cancelled: it was in the database for a while
    const staged = Array.from({ length: 20_000 }, (_, i) => person(i, 'stg'));
    const csv = [
      'email,name,organisation,tier,functie',
      ...staged.map((p) => `${p.email},${p.name},${p.organisation},gemeente,${p.attributes.functie}`),
    ].join('\n');
    const { addUser } = await import('../../server/accounts/new-account');
    const { user } = await addUser(db, { email: 'beheer@example.org', role: 'admin' }, now, { N: 1024, r: 8, p: 1 });
    const stagedResult = await stagePendingImport(
      db,
      wave,
      { name: 'groot.csv', bytes: Buffer.from(csv) },
      user.id,
      now,
      declared,
    );
    if (!stagedResult.ok) throw new Error(JSON.stringify(stagedResult.problems.slice(0, 3)));
    const stagedRow = (await db('pending_imports').where({ id: stagedResult.pendingId }).first())!;
    // the staged people are stored compressed: pieces of that text are what must not survive (names would not show)
    const stagedPieces = blobPieces(stagedRow.invitees);
    await cancelPendingImport(db, stagedRow);
    // some respondents save and complete
    const rows = await db('invitations').where({ wave_id: wave.id }).select('id').limit(40);
    const { deriveToken } = await import('../../server/respondent/personal-tokens');
    const app = createApp({ db, registry, config: { ...config, logRequests: false } });
    for (const [i, r] of rows.entries()) {
      const token = deriveToken(r.id);
      await request(app)
        .put(`/s/${token}/progress`)
        .send({ answers: { agressie_any: 2 }, pageNo: 0 })
        .expect(204);
      if (i % 2 === 0)
        await request(app)
          .post(`/s/${token}/complete`)
          .send({ answers: { ...DEMO_VALID, agressie_any: 2 } })
          .expect(201);
    }
    const hashes = (await db('invitations').where({ wave_id: wave.id }).select('token_hash')).map(
      (r) => r.token_hash as string,
    );
    await closeWave(db, wave, 'test', now);
    await purgeWave(db, (await db('waves').where({ id: wave.id }).first())!, 'test', now);

    const copies = await takeCopies(config.sqliteFile, dir);
    const all = Buffer.concat([copies.main, copies.wal, copies.backup]).toString('latin1');
    const leftovers = [...imported, ...staged]
      .flatMap((p) => [p.email, p.name])
      .filter((s) => all.includes(Buffer.from(s, 'utf8').toString('latin1')));
    expect(leftovers).toEqual([]);
    expect(stagedPieces.filter((piece) => all.includes(piece))).toEqual([]);
    expect(hashes.filter((h) => all.includes(h))).toEqual([]);
    expect(all.includes(tag)).toBe(false); // not even a fragment of an address, a name or an organisation
    expect(await db('responses').where({ wave_id: wave.id }).count({ n: '*' }).first()).toEqual({ n: 20 }); // answers stay
  }, 180_000);
});

describe('anonymity at rest after a crash: SIGKILL in the middle of autosaves and completions (SQLite)', () => {
  test('the file and WAL left behind by a killed server link no answer to a person', async () => {
    const database = await freshDatabase('sqlite');
    const registry = realRegistry();
    await registerVersions(database.db, registry);
    const sqliteFile = database.env.SQLITE_FILE;
    try {
      const now = new Date();
      const today = dutchDay(now);
      const wave = await createWave(
        database.db,
        registry,
        {
          name: 'Crash',
          questionnaireId: 'demo@1',
          opensOn: addDays(today, -1),
          closesOn: addDays(today, 5),
          keptAttributes: ['tier'],
        },
        now,
      );
      const invitees = Array.from({ length: 60 }, (_, i) => ({
        email: `crash${i}@example.org`,
        name: `Crash Persoon ${i}`,
        organisation: 'Waterschap Proef',
        attributes: { tier: 'waterschap' },
      }));
      const issued = await createInvitations(database.db, wave, invitees, { now });
      const people = issued.map((inv, i) => ({
        invitationId: inv.invitationId,
        email: invitees[i].email,
        name: invitees[i].name,
        tokenHash: hashToken(inv.token),
        token: inv.token,
        marker: `crash-${crypto.randomBytes(8).toString('hex')}`,
      }));
      const server = await startServerProcess(database.env);
      const send = (url: string, method: string, body: unknown) =>
        fetch(`${server.url}${url}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(
          (r) => r.status,
          () => 0,
        );
      let completed = 0;
      const load = Promise.all(
        people.map(async (p) => {
          for (let n = 1; n <= 3; n++)
            if (
              (await send(`/s/${p.token}/progress`, 'PUT', {
                answers: { agressie_any: 1, opmerkingen: `${p.marker}-${n}` },
                pageNo: 1,
              })) === 0
            )
              return;
          if ((await send(`/s/${p.token}/complete`, 'POST', { answers: answersOf(p.marker) })) === 201) completed++;
        }),
      );
      while (completed < 15) await new Promise((r) => setTimeout(r, 5));
      await killHard(server);
      await load;
      const markers = people.flatMap((p) => [p.marker, ...[1, 2, 3].map((n) => `${p.marker}-${n}`)]);
      const copies = await takeCopies(sqliteFile, path.dirname(sqliteFile));
      expect(linksInCopies(copies, people, markers)).toEqual([]);
      // in-progress answers were never written in plain text, whatever the crash left behind
      const all = Buffer.concat([copies.main, copies.wal, copies.backup]);
      for (const p of people) for (const n of [1, 2, 3]) expect(count(all, `${p.marker}-${n}`)).toBe(0);
    } finally {
      await database.drop();
    }
  }, 120_000);
});

/**
 * PostgreSQL keeps a deleted row's bytes in the table's heap (and TOAST) until the space is reused. Purge rewrites the
 * contact tables (VACUUM FULL), so their files hold only live rows. Read as the server's own files, after a
 * CHECKPOINT wrote them out; needs the data directory to be readable (the tests run as root beside the server).
 */
const pgDescribe = process.env.TEST_DATABASE_URL ? describe : describe.skip;
pgDescribe("anonymity at rest on PostgreSQL: the contact tables' own files after purge", () => {
  test('no address, name or token hash of a purged wave is left in the heap, TOAST or index files of its tables', async () => {
    const { testApp } = await import('../helpers/test-app');
    const t = await testApp('postgres');
    try {
      const dataDir = (await t.db.raw('show data_directory')).rows[0].data_directory as string;
      try {
        fs.accessSync(dataDir, fs.constants.R_OK);
      } catch {
        console.warn(`skipped: the PostgreSQL data directory ${dataDir} is not readable by this process`);
        return;
      }
      const { commitSample, stagePendingImport, cancelPendingImport } =
        await import('../../server/fielding/sample-import');
      const { closeWave } = await import('../../server/fielding/wave-actions');
      const { purgeWave } = await import('../../server/fielding/wave-purge');
      const { addUser } = await import('../../server/accounts/new-account');
      const now = t.now.value;
      const wave = await t.wave({ keptAttributes: ['tier'] });
      const tag = crypto.randomBytes(3).toString('hex');
      const person = (i: number, kind: string) => ({
        email: `${kind}${i}.${tag}@pg.example.org`,
        name: `Pg${kind}${i} ${tag}`,
        organisation: null,
        language: 'nl' as const,
        attributes: { tier: 'gemeente' },
      });
      const imported = Array.from({ length: 300 }, (_, i) => person(i, 'imp'));
      await commitSample(t.db, wave, imported, now);
      const staged = Array.from({ length: 2000 }, (_, i) => person(i, 'stg'));
      const { user } = await addUser(t.db, { email: 'pg-beheer@example.org', role: 'admin' }, now, {
        N: 1024,
        r: 8,
        p: 1,
      });
      const csv = ['email,name,tier', ...staged.map((p) => `${p.email},${p.name},gemeente`)].join('\n');
      const result = await stagePendingImport(
        t.db,
        wave,
        { name: 's.csv', bytes: Buffer.from(csv) },
        user.id,
        now,
        t.registry.get('demo@1')!.sampleAttributes,
      );
      if (!result.ok) throw new Error('staging failed');
      const stagedRow = (await t.db('pending_imports').where({ id: result.pendingId }).first())!;
      const stagedPieces = blobPieces(stagedRow.invitees);
      await cancelPendingImport(t.db, stagedRow);
      const { deriveToken } = await import('../../server/respondent/personal-tokens');
      for (const [i, r] of (await t.db('invitations').where({ wave_id: wave.id }).select('id').limit(20)).entries()) {
        const token = deriveToken(r.id);
        await request(t.app)
          .put(`/s/${token}/progress`)
          .send({ answers: { agressie_any: 2 }, pageNo: 0 })
          .expect(204);
        if (i % 2 === 0) await request(t.app).post(`/s/${token}/complete`).send({ answers: DEMO_VALID }).expect(201);
      }
      const hashes = (await t.db('invitations').where({ wave_id: wave.id }).select('token_hash')).map(
        (r) => r.token_hash as string,
      );
      await closeWave(t.db, wave, 'test', now);
      await purgeWave(t.db, (await t.db('waves').where({ id: wave.id }).first())!, 'test', now);
      await t.db.raw('CHECKPOINT');
      // every file of the contact tables: heap, TOAST, and their indexes
      const files = await t.db.raw(
        `select pg_relation_filepath(c.oid) as path from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relname in ('invitations','progress','pending_imports','outbox','dev_mailbox')
         union select pg_relation_filepath(c.reltoastrelid) from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.reltoastrelid <> 0 and c.relname in ('invitations','progress','pending_imports','outbox','dev_mailbox')
         union select pg_relation_filepath(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relname in ('invitations','progress','pending_imports','outbox','dev_mailbox')`,
      );
      const bytes = Buffer.concat(
        (files.rows as Array<{ path: string | null }>).flatMap(({ path: rel }) => {
          if (!rel) return [];
          const base = path.join(dataDir, rel);
          return fs
            .readdirSync(path.dirname(base))
            .filter((f) => f === path.basename(base) || f.startsWith(`${path.basename(base)}.`))
            .map((f) => fs.readFileSync(path.join(path.dirname(base), f)));
        }),
      ).toString('latin1');
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.includes(tag)).toBe(false);
      expect(stagedPieces.filter((piece) => bytes.includes(piece))).toEqual([]);
      expect(hashes.filter((h) => bytes.includes(h))).toEqual([]);
    } finally {
      await t.drop();
    }
  }, 120_000);
});
