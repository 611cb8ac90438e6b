/**
 * A practical check of an e-mail address (the dot-atom form of RFC 5322 with a DNS domain; no quoted local parts,
 * no IP literals, no internationalised addresses): what a mail server will accept and a mail header cannot be
 * abused by (no spaces, quotes, angle brackets, commas or line breaks).
 */
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isValidEmail(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at < 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return (
    /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]) || /^xn--[A-Za-z0-9-]{1,59}$/.test(labels[labels.length - 1])
  );
}

/** The form used to compare addresses: trimmed, lower case. */
export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}
