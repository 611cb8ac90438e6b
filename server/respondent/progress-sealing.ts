import crypto from 'node:crypto';

/**
 * In-progress answers are stored sealed (AES-256-GCM) under a key derived from the respondent's personal token, which
 * is in no table and no log: the `progress` row ties an invitation to ciphertext only. Whoever holds a copy of the
 * database, or finds an old page image of a progress row in free space, a WAL frame or a backup, cannot read the
 * answers in it, nor match them with the anonymous response they became. The invitation id is the ciphertext's
 * associated data, so a sealed copy cannot be moved to another invitation.
 *
 * What remains (SECURITY.md): the token is derived from TOKEN_SECRET and the invitation id, so someone who holds both
 * the database and TOKEN_SECRET can derive every key, as they could derive every link.
 */
const INFO = 'veldwerk/in-progress-answers/v1';
const PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key that seals one link's in-progress answers: HMAC-SHA256 keyed with the token (256 random-looking bits) over
 * a fixed label, the expand step of HKDF; a third of the cost of crypto.hkdfSync, and it runs on every link request.
 */
export function progressKey(token: string): Buffer {
  return crypto.createHmac('sha256', token).update(INFO, 'utf8').digest();
}

export function sealProgress(key: Buffer, invitationId: string, plaintext: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(invitationId, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

/** true for a row written before answers were sealed (plain JSON); startup seals those (sealLegacyProgress). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** The plaintext, or undefined when the stored text was not sealed with this key for this invitation. */
export function openProgress(key: Buffer, invitationId: string, stored: string): string | undefined {
  if (!isSealed(stored)) return undefined;
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(invitationId, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
