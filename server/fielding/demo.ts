import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import { findDemoWave } from './data/waves';
import type { QuestionnaireRegistry } from '../questionnaires/registry';
import { generateSampleFrame } from './synth/sample-frame';
import { addDays, dutchDay } from '../shared/calendar';
import { createInvitations, respondentLink } from './issue-invitations';
import { createWave } from './wave-rules';

/** The demo fields the monitor's 2024 questionnaire for political office holders. */
export const DEMO_QUESTIONNAIRE = 'miv-politieke-ambtsdragers@2024.1';
const DEMO_KEPT = ['tier', 'role', 'province'];

/** The demo wave (created once, open for a year from its first day) with n fresh links for fictional office holders. */
export async function seedDemoLinks(
  db: Db,
  registry: QuestionnaireRegistry,
  publicUrl: string,
  n: number,
  now: Date,
): Promise<string[]> {
  let wave = await findDemoWave(db, DEMO_QUESTIONNAIRE);
  if (!wave) {
    const today = dutchDay(now);
    wave = await createWave(
      db,
      registry,
      {
        name: 'Demo: Monitor Integriteit en Veiligheid 2024, politieke ambtsdragers',
        questionnaireId: DEMO_QUESTIONNAIRE,
        opensOn: today,
        closesOn: addDays(today, 365),
        keptAttributes: DEMO_KEPT,
        isDemo: true,
      },
      now,
    );
  }
  // fictional people drawn from a synthetic sample frame (a fresh seed each time, so repeated runs differ)
  const people = generateSampleFrame('politieke-ambtsdragers', {
    size: n,
    seed: crypto.randomBytes(6).toString('hex'),
  });
  const invitees = people.map((p) => ({
    email: p.email,
    name: p.name,
    organisation: p.organisation,
    language: p.language,
    attributes: { tier: p.tier, role: p.role, province: p.province, size_class: p.size_class },
  }));
  const issued = await createInvitations(db, wave, invitees, { now });
  return issued.map((inv) => respondentLink(publicUrl, inv.token));
}
