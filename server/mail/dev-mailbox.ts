import type { Db } from '../shared/data/connection';
import { countDevMail, DevMailRow, findDevMail, listDevMail } from './data/dev-mailbox';
import { TOKEN_MARKER } from './mail-transport';

/** What the development mailbox shows in place of a personal token. */
export const TOKEN_NOT_SHOWN = '[personal token: not shown in the development mailbox]';

export interface DevMailLink {
  /** where the link in the message leads in the development mailbox: a read-only preview, never the person's link */
  href?: string;
  text: string;
}

export interface DevMailView {
  message: DevMailRow;
  headers: Array<[string, string]>;
  body: string;
  links: DevMailLink[];
}

/**
 * One message of the development mailbox (only without SMTP_URL), as an administrator may see it. The stored copy
 * has a marker where the personal token was, and it stays a marker: a personal link opens the person's saved answers,
 * which belong to the link holder alone, so the mailbox never rebuilds one. A respondent link in the message leads
 * to the wave's read-only preview instead (no answers shown, nothing stored); an opt-out link leads nowhere.
 */
export async function devMailView(db: Db, id: number): Promise<DevMailView | undefined> {
  const message = await findDevMail(db, id);
  if (!message) return undefined;
  const hide = (s: string) => s.split(TOKEN_MARKER).join(TOKEN_NOT_SHOWN);
  const headers = Object.entries(JSON.parse(message.headers) as Record<string, string>).map(
    ([k, v]): [string, string] => [k, hide(v)],
  );
  const links: DevMailLink[] = [];
  const marker = TOKEN_MARKER.replace(/[[\]]/g, '\\$&');
  for (const match of new Set(message.body.match(new RegExp(`https?://\\S+?/([su])/${marker}`, 'g')) ?? [])) {
    const optOut = /\/u\/\[/.test(match);
    if (optOut) links.push({ text: 'Opt-out link of this person (not shown in the development mailbox)' });
    else if (message.wave_id)
      links.push({
        href: `/admin/waves/${message.wave_id}/preview`,
        text: 'Personal link: opens a read-only preview of the questionnaire here, without the person’s answers',
      });
  }
  return { message, headers, body: hide(message.body), links };
}

/** The newest messages of the development mailbox, as the list page shows them. */
export function listDevMailbox(db: Db, limit: number): Promise<DevMailRow[]> {
  return listDevMail(db, { limit });
}

export function countDevMailbox(db: Db): Promise<number> {
  return countDevMail(db);
}
