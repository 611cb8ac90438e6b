import type { Db } from '../db/connection';
import { findDemoWave } from '../db/queries/waves';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { addDays, dutchDay } from './calendar';
import { createInvitations, respondentLink } from './invitations';
import { createWave } from './waves';

export const DEMO_QUESTIONNAIRE = 'demo@1';
const TIERS = ['gemeente', 'provincie', 'waterschap'];
const ROLES: Record<string, string[]> = {
  gemeente: ['burgemeester', 'wethouder', 'raadslid'],
  provincie: ['gedeputeerde', 'statenlid'],
  waterschap: ['dijkgraaf', 'heemraad', 'algemeen-bestuurslid'],
};

/** The demo wave (created once, open for a year from its first day) with n fresh links for synthetic people. */
export async function seedDemoLinks(db: Db, registry: QuestionnaireRegistry, publicUrl: string, n: number, now: Date): Promise<string[]> {
  let wave = await findDemoWave(db, DEMO_QUESTIONNAIRE);
  if (!wave) {
    const today = dutchDay(now);
    wave = await createWave(
      db,
      registry,
      { name: 'Demo', questionnaireId: DEMO_QUESTIONNAIRE, opensOn: today, closesOn: addDays(today, 365), keptAttributes: ['tier', 'role'], isDemo: true },
      now,
    );
  }
  const invitees = Array.from({ length: n }, (_, i) => {
    const tier = TIERS[i % TIERS.length];
    const roles = ROLES[tier];
    return { attributes: { tier, role: roles[Math.floor(i / TIERS.length) % roles.length] }, language: 'nl' as const };
  });
  const issued = await createInvitations(db, wave, invitees, { now });
  return issued.map((inv) => respondentLink(publicUrl, inv.token));
}
