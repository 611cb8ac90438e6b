import crypto from 'node:crypto';
import { QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { createInvitations } from '../../server/fielding/issue-invitations';
import { setTokenSecret } from '../../server/respondent/personal-tokens';
import { createWave } from '../../server/fielding/wave-rules';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';
import { DEMO_VALID } from '../helpers/pages';
import { killHard, startServerProcess, ServerProcess } from '../helpers/server-process';
import { QUESTIONNAIRES_DIR } from '../helpers/test-app';
import { registerVersions } from '../../server/questionnaires/version-registration';

/** One respondent: autosaves with a rising counter, then completes; remembers what the server acknowledged. */
interface Client {
  token: string;
  marker: string;
  savedAck: number;
  sent: number;
  completedAck: boolean;
}

async function call(url: string, method: string, body: unknown): Promise<number> {
  try {
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // connection reset by the kill: not acknowledged
  }
}

async function drive(server: ServerProcess, clients: Client[], stopAt: number): Promise<void> {
  await Promise.all(
    clients.map(async (c) => {
      while (!c.completedAck && Date.now() < stopAt) {
        if (c.sent < 3) {
          const n = c.sent + 1;
          const status = await call(`${server.url}/s/${c.token}/progress`, 'PUT', {
            answers: { agressie_any: 2, jaren_functie: n },
            pageNo: 1,
          });
          if (status === 204) c.savedAck = Math.max(c.savedAck, n);
          if (status === 0) return;
          c.sent = n;
        } else {
          const status = await call(`${server.url}/s/${c.token}/complete`, 'POST', {
            answers: { ...DEMO_VALID, agressie_any: 2, opmerkingen: c.marker },
          });
          if (status === 201 || status === 409) c.completedAck = true; // 409: an earlier, unacknowledged try committed
          if (status === 0) return;
        }
      }
    }),
  );
}

describe.each(databaseKinds())('durability under SIGKILL, on %s', (kind) => {
  let database: TestDatabase;
  const secret = crypto.randomBytes(32).toString('base64url');
  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(() => database.drop());

  test('acknowledged completions and autosaves survive random kills; no completion without its response', async () => {
    const registry = QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR);
    await registerVersions(database.db, registry);
    setTokenSecret(secret);
    const now = new Date();
    const wave = await createWave(
      database.db,
      registry,
      {
        name: 'kill',
        questionnaireId: 'demo@1',
        opensOn: addDays(dutchDay(now), -1),
        closesOn: addDays(dutchDay(now), 3),
        keptAttributes: [],
      },
      now,
    );
    const issued = await createInvitations(
      database.db,
      wave,
      Array.from({ length: 60 }, () => ({ attributes: {} })),
      { now },
    );
    const clients: Client[] = issued.map((i, n) => ({
      token: i.token,
      marker: `client-${n}`,
      savedAck: 0,
      sent: 0,
      completedAck: false,
    }));
    const env = { ...database.env, TOKEN_SECRET: secret };

    for (let round = 0; round < 3 && clients.some((c) => !c.completedAck); round++) {
      const server = await startServerProcess(env);
      const killAfter = round === 2 ? 20_000 : 150 + Math.floor(Math.random() * 600);
      const driving = drive(server, clients, Date.now() + killAfter);
      await new Promise((r) => setTimeout(r, killAfter));
      await killHard(server);
      await driving;
    }

    const responses = await database.db('responses').where({ wave_id: wave.id }).select('answers');
    const perMarker = new Map<string, number>();
    for (const r of responses) {
      const marker = JSON.parse(r.answers).opmerkingen as string;
      perMarker.set(marker, (perMarker.get(marker) ?? 0) + 1);
    }
    const invitations = await database
      .db('invitations')
      .where({ wave_id: wave.id })
      .select('id', 'status', 'token_hash');
    const progress = await database.db('progress').select('invitation_id', 'answers');
    expect(clients.filter((c) => c.completedAck).length).toBeGreaterThan(0);
    for (const c of clients) {
      const count = perMarker.get(c.marker) ?? 0;
      if (c.completedAck) expect(count).toBe(1); // every acknowledged completion exactly once
      expect(count).toBeLessThanOrEqual(1);
    }
    // every completed invitation has its response, and every response its completed invitation
    expect(invitations.filter((i) => i.status === 'completed').length).toBe(responses.length);
    // no acknowledged autosave lost for those still in progress
    const { hashToken } = await import('../../server/respondent/personal-tokens');
    for (const c of clients.filter((x) => (perMarker.get(x.marker) ?? 0) === 0 && x.savedAck > 0)) {
      const inv = invitations.find((i) => i.token_hash === hashToken(c.token))!;
      const saved = progress.find((p) => p.invitation_id === inv.id);
      expect(saved).toBeDefined();
      const { openProgress, progressKey } = await import('../../server/respondent/progress-sealing');
      expect(
        JSON.parse(openProgress(progressKey(c.token), inv.id, saved!.answers) as string).jaren_functie,
      ).toBeGreaterThanOrEqual(c.savedAck);
    }
  }, 240_000);

  test('two app processes writing at once: no 5xx, no lost write, one response per completion', async () => {
    const registry = QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR);
    await registerVersions(database.db, registry);
    setTokenSecret(secret);
    const now = new Date();
    const wave = await createWave(
      database.db,
      registry,
      {
        name: 'two',
        questionnaireId: 'demo@1',
        opensOn: addDays(dutchDay(now), -1),
        closesOn: addDays(dutchDay(now), 3),
        keptAttributes: [],
      },
      now,
    );
    const issued = await createInvitations(
      database.db,
      wave,
      Array.from({ length: 60 }, () => ({ attributes: {} })),
      { now },
    );
    const env = { ...database.env, TOKEN_SECRET: secret };
    const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const statuses: number[] = [];
      await Promise.all(
        issued.map(async (inv, i) => {
          const [a, b] = i % 2 ? servers : [servers[1], servers[0]];
          statuses.push(
            await call(`${a.url}/s/${inv.token}/progress`, 'PUT', { answers: { agressie_any: 2 }, pageNo: 1 }),
          );
          statuses.push(
            await call(`${b.url}/s/${inv.token}/progress`, 'PUT', {
              answers: { agressie_any: 2, jaren_functie: 3 },
              pageNo: 1,
            }),
          );
          const both = await Promise.all(
            [a, b].map((s) =>
              call(`${s.url}/s/${inv.token}/complete`, 'POST', { answers: { ...DEMO_VALID, agressie_any: 2 } }),
            ),
          );
          statuses.push(...both.sort());
        }),
      );
      const counts = statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
      expect(counts).toEqual({ 204: 120, 201: 60, 409: 60 });
      expect(Number((await database.db('responses').where({ wave_id: wave.id }).count({ n: '*' }).first())?.n)).toBe(
        60,
      );
      expect((await database.db('invitations').where({ wave_id: wave.id, status: 'completed' })).length).toBe(60);
    } finally {
      await Promise.all(servers.map(killHard));
    }
  }, 120_000);
});
