import crypto from 'node:crypto';
import type { Db } from '../shared/data/connection';
import type { Locale } from '../shared/locale';
import { InvalidError } from '../shared/errors';
import { recordAudit } from '../accounts/audit';
import { findWave } from '../fielding/data/waves';
import {
  findWaveLogo,
  findWavePage,
  saveWaveLogo,
  saveWavePageTexts,
  WavePageRow,
  WavePageTexts,
} from './data/wave-pages';

/**
 * Per wave, what makes the respondent pages and mails recognisable and trustworthy: the commissioning organisation
 * (name and logo), a contact address, the wave's own paragraphs of the privacy statement and the help resources the
 * thank-you page lists. Administrators set them at /admin/waves/ID/respondent-page.
 */
export interface WavePage {
  organisation: string;
  contactEmail: string;
  /** the wave's own paragraphs of the privacy statement (the fixed part says what Veldwerk does) */
  privacy: Record<Locale, string>;
  /** one resource per line; the defaults when none were set */
  help: Record<Locale, string[]>;
  /** the logo's immutable address, when there is one */
  logoUrl?: string;
}

/** Organisations a respondent of the monitor can turn to; an administrator replaces them per wave. */
export const DEFAULT_HELP: Record<Locale, string[]> = {
  nl: [
    'De vertrouwenspersoon van uw organisatie',
    'Slachtofferhulp Nederland: 0900 0101, https://www.slachtofferhulp.nl',
    'Bij direct gevaar: bel 112. Aangifte doen of advies vragen: politie, 0900 8844',
  ],
  en: [
    'The confidential adviser (vertrouwenspersoon) of your organisation',
    'Victim Support Netherlands (Slachtofferhulp Nederland): 0900 0101, https://www.slachtofferhulp.nl',
    'In immediate danger: call 112. To report a crime or ask for advice: police, 0900 8844',
  ],
};

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export function logoUrl(waveId: string, hash: string): string {
  return `/w/${waveId}/logo-${hash}`;
}

export async function wavePage(db: Db, waveId: string): Promise<WavePage> {
  return wavePageOf(waveId, await findWavePage(db, waveId));
}

/** The settings as the pages use them, from the row (or none: the defaults). */
export function wavePageOf(
  waveId: string,
  row?: Partial<
    Pick<
      WavePageRow,
      'organisation' | 'contact_email' | 'privacy_nl' | 'privacy_en' | 'help_nl' | 'help_en' | 'logo_hash'
    >
  >,
): WavePage {
  return {
    organisation: row?.organisation ?? '',
    contactEmail: row?.contact_email ?? '',
    privacy: { nl: row?.privacy_nl ?? '', en: row?.privacy_en ?? '' },
    help: {
      nl: row?.help_nl ? lines(row.help_nl) : DEFAULT_HELP.nl,
      en: row?.help_en ? lines(row.help_en) : DEFAULT_HELP.en,
    },
    logoUrl: row?.logo_hash ? logoUrl(waveId, row.logo_hash) : undefined,
  };
}

export interface WavePageInput {
  organisation: string;
  contactEmail: string;
  privacyNl: string;
  privacyEn: string;
  helpNl: string;
  helpEn: string;
}

const EMAIL =
  /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// no control characters in any of it (line breaks allowed in the longer texts)
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;

/** Field → message, empty when the input is fine. */
export function wavePageErrors(input: WavePageInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if (input.organisation.length > 200 || /[\r\n]/.test(input.organisation) || CONTROL.test(input.organisation))
    errors.organisation = 'The organisation is one line of at most 200 characters';
  if (input.contactEmail && (input.contactEmail.length > 254 || !EMAIL.test(input.contactEmail)))
    errors.contactEmail = 'Enter an e-mail address such as onderzoek@example.nl';
  for (const [field, value] of [
    ['privacyNl', input.privacyNl],
    ['privacyEn', input.privacyEn],
    ['helpNl', input.helpNl],
    ['helpEn', input.helpEn],
  ] as const) {
    if (value.length > 4000) errors[field] = 'At most 4000 characters';
    else if (CONTROL.test(value)) errors[field] = 'Contains control characters';
  }
  return errors;
}

export async function updateWavePage(db: Db, waveId: string, input: WavePageInput, actor: string, now: Date) {
  const errors = wavePageErrors(input);
  if (Object.keys(errors).length > 0) throw new InvalidError(Object.values(errors).join('; '));
  const texts: WavePageTexts = {
    organisation: input.organisation,
    contact_email: input.contactEmail,
    privacy_nl: input.privacyNl,
    privacy_en: input.privacyEn,
    help_nl: input.helpNl,
    help_en: input.helpEn,
  };
  await db.transaction(async (trx) => {
    await saveWavePageTexts(trx, waveId, texts);
    await recordAudit(trx, {
      actor,
      action: 'wave.respondent-page',
      waveId,
      detail: { organisation: input.organisation, contact: input.contactEmail },
      at: now,
    });
  });
}

export const MAX_LOGO_BYTES = 200 * 1024;

/** PNG or JPEG by their first bytes (never by the file name or the browser's word); SVG could carry script. */
export function logoType(bytes: Buffer): 'image/png' | 'image/jpeg' | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

export async function updateWaveLogo(db: Db, waveId: string, bytes: Buffer, actor: string, now: Date) {
  if (bytes.length === 0) throw new InvalidError('Choose a PNG or JPEG file');
  if (bytes.length > MAX_LOGO_BYTES) throw new InvalidError('The logo is larger than 200 kB');
  const type = logoType(bytes);
  if (!type) throw new InvalidError('The logo must be a PNG or JPEG image');
  const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  await db.transaction(async (trx) => {
    await saveWaveLogo(trx, waveId, { logo: bytes.toString('base64'), logo_type: type, logo_hash: hash });
    await recordAudit(trx, { actor, action: 'wave.logo', waveId, detail: { bytes: bytes.length, type }, at: now });
  });
}

export async function waveLogo(
  db: Db,
  waveId: string,
): Promise<{ bytes: Buffer; type: string; hash: string } | undefined> {
  const row = await findWaveLogo(db, waveId);
  if (!row?.logo || !row.logo_type || !row.logo_hash) return undefined;
  return { bytes: Buffer.from(row.logo, 'base64'), type: row.logo_type, hash: row.logo_hash };
}

const WAVE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What the privacy statement of one wave names: its page settings, closing day and questionnaire. */
export async function privacyFacts(
  db: Db,
  waveId: string,
): Promise<{ page: WavePage; closesOn: string; questionnaireId: string; purged: boolean } | undefined> {
  if (!WAVE_ID.test(waveId)) return undefined;
  const wave = await findWave(db, waveId);
  if (!wave) return undefined;
  return {
    page: await wavePage(db, waveId),
    closesOn: wave.closes_on,
    questionnaireId: wave.questionnaire_id,
    purged: Boolean(wave.purged_at),
  };
}
