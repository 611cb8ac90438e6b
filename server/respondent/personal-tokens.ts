import crypto from 'node:crypto';

/**
 * Personal tokens are derived, not stored: token = HMAC-SHA256(TOKEN_SECRET, invitation id), 32 bytes in base64url
 * (43 URL-safe characters). The database keeps only the token's SHA-256 (to find the invitation from a link); the
 * mail worker derives the token again to put it in an invitation or a reminder, so every mail carries the same link.
 * Without the secret, a copy of the database cannot rebuild a single link.
 */
let secret: Buffer | undefined;

/** Set once at start (openPlatform) from TOKEN_SECRET or the SQLite key file. */
export function setTokenSecret(value: string): void {
  if (value.length < 32) throw new Error('the token secret must be at least 32 characters long');
  secret = Buffer.from(value, 'utf8');
}

export function hasTokenSecret(): boolean {
  return secret !== undefined;
}

/**
 * The personal token of an invitation. `generation` counts the links the person was given: 0 is the first, a fresh
 * link (the old one lost or forwarded) raises it, so the new token shares nothing with the old one.
 */
export function deriveToken(invitationId: string, generation = 0): string {
  if (!secret) throw new Error('no token secret is configured (TOKEN_SECRET)');
  if (!Number.isSafeInteger(generation) || generation < 0) throw new Error('a link generation is a whole number ≥ 0');
  const label =
    generation === 0
      ? `veldwerk/personal-token/v1/${invitationId}`
      : `veldwerk/personal-token/v1/${invitationId}/${generation}`;
  return crypto.createHmac('sha256', secret).update(label, 'utf8').digest('base64url');
}

/**
 * A link's fingerprint in the filter of a purged wave's links (ended-links.ts): keyed, so that without TOKEN_SECRET
 * the filter cannot be tested at all, and labelled apart from the token derivation and the token hash.
 */
export function endedLinkFingerprint(token: string): Buffer {
  if (!secret) throw new Error('no token secret is configured (TOKEN_SECRET)');
  return crypto.createHmac('sha256', secret).update(`veldwerk/ended-link/v1/${token}`, 'utf8').digest();
}

/** 32 random bytes = 256 bits, base64url: 43 URL-safe characters. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}
