import type { Db } from '../shared/data/connection';
import { countDevMail, DevMailRow, findDevMail, listDevMail } from './data/dev-mailbox';
import { findInvitationById } from '../fielding/data/invitations';
import { deriveToken, hashToken } from '../respondent/personal-tokens';
import { TOKEN_MARKER } from './mail-transport';

/**
 * The development mailbox (SMTP_URL unset): mail kept for the admin pages instead of sent. The stored copies hold a
 * marker where the personal link's token was; reading one puts the token back while its invitation still exists.
 */
export function listDevMailbox(db: Db, limit: number): Promise<DevMailRow[]> {
  return listDevMail(db, { limit });
}

export function countDevMailbox(db: Db): Promise<number> {
  return countDevMail(db);
}

export interface DevMessage {
  message: DevMailRow;
  headers: string[][];
  body: string;
  links: string[];
}

/** One kept message as it was meant to arrive, or undefined when there is none with that number. */
export async function readDevMessage(db: Db, id: number): Promise<DevMessage | undefined> {
  const message = Number.isSafeInteger(id) ? await findDevMail(db, id) : undefined;
  if (!message) return undefined;
  let token = '[link no longer valid]';
  const invitation = message.invitation_id ? await findInvitationById(db, message.invitation_id) : undefined;
  if (invitation?.token_hash && hashToken(deriveToken(invitation.id)) === invitation.token_hash) token = deriveToken(invitation.id);
  const fill = (s: string) => s.split(TOKEN_MARKER).join(token);
  const headers = Object.entries(JSON.parse(message.headers) as Record<string, string>).map(([k, v]) => [k, fill(v)]);
  const body = fill(message.body);
  const links = [...new Set(body.match(/https?:\/\/\S+\/[su]\/[A-Za-z0-9_-]{43}/g) ?? [])];
  return { message, headers, body, links };
}
