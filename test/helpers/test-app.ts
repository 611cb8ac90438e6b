import path from 'node:path';
import type { Express } from 'express';
import { createApp } from '../../server/app';
import { QuestionnaireRegistry } from '../../server/questionnaires/registry';
import { addDays, dutchDay } from '../../server/shared/calendar';
import { createInvitations, Invitee } from '../../server/fielding/issue-invitations';
import { createWave, NewWave } from '../../server/fielding/wave-rules';
import type { WaveRow } from '../../server/fielding/data/waves';
import { freshDatabase, TestDatabase } from './databases';
import { registerVersions } from '../../server/questionnaires/version-registration';

export const QUESTIONNAIRES_DIR = path.join(__dirname, '..', '..', 'questionnaires');
let sharedRegistry: QuestionnaireRegistry | undefined;

/** The real questionnaires, loaded and compiled once per test file. */
export function realRegistry(): QuestionnaireRegistry {
  sharedRegistry ??= QuestionnaireRegistry.fromDirectory(QUESTIONNAIRES_DIR);
  return sharedRegistry;
}

export interface TestApp extends TestDatabase {
  app: Express;
  registry: QuestionnaireRegistry;
  logs: string[];
  /** the moment the app believes it is; tests move it */
  now: { value: Date };
  wave(overrides?: Partial<NewWave>): Promise<WaveRow>;
  invite(wave: WaveRow, invitees?: Invitee[], opts?: { isTest?: boolean }): Promise<string[]>;
}

export async function testApp(kind: 'sqlite' | 'postgres'): Promise<TestApp> {
  const database = await freshDatabase(kind);
  const registry = realRegistry();
  await registerVersions(database.db, registry);
  const now = { value: new Date() };
  const logs: string[] = [];
  const app = createApp({
    db: database.db,
    registry,
    config: { publicUrl: 'http://veldwerk.test', logRequests: true },
    clock: () => now.value,
    log: (line) => logs.push(line),
  });
  return {
    ...database,
    app,
    registry,
    logs,
    now,
    wave: (overrides = {}) => {
      const today = dutchDay(now.value);
      return createWave(
        database.db,
        registry,
        {
          name: 'Testgolf',
          questionnaireId: 'demo@1',
          opensOn: addDays(today, -1),
          closesOn: addDays(today, 30),
          keptAttributes: ['tier', 'role'],
          ...overrides,
        },
        now.value,
      );
    },
    invite: async (wave, invitees, opts = {}) => {
      const people = invitees ?? [
        {
          email: 'a.tester@example.org',
          name: 'A. Tester',
          organisation: 'Gemeente Voorbeeld',
          attributes: { tier: 'gemeente', role: 'raadslid', province: 'Utrecht' },
        },
      ];
      const issued = await createInvitations(database.db, wave, people, { now: now.value, isTest: opts.isTest });
      return issued.map((i) => i.token);
    },
  };
}
