/**
 * Free-text answers leave Veldwerk only scrubbed: e-mail addresses, URLs, phone numbers, Dutch postcodes and long
 * digit strings (account, citizen service or case numbers) are replaced by a marker. The counts are reported with
 * every export; the texts themselves never reach a log.
 */

export type RedactionKind = 'email' | 'url' | 'phone' | 'postcode' | 'number';

export const MARKERS: Record<RedactionKind, string> = {
  email: '[e-mail]',
  url: '[url]',
  phone: '[telefoon]',
  postcode: '[postcode]',
  number: '[nummer]',
};

const PATTERNS: Array<[RedactionKind, RegExp]> = [
  ['email', /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu],
  ['url', /\b(?:(?:https?|ftp):\/\/|www\.)[^\s<>"']+/giu],
  [
    'url',
    /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:nl|com|org|net|eu|be|de|info|io|gov|edu|frl|amsterdam)\b(?:\/[^\s<>"']*)?/giu,
  ],
  // international (+31 6 1234 5678, 0031 20 …) and Dutch (06-12345678, 020 123 45 67, (010) 1234567)
  ['phone', /(?:\+|\b00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\d(?:[\s.-]?\d){6,11}\b/g],
  ['phone', /(?:\(0\d{1,3}\)|\b0\d)(?:[\s.-]?\d){7,8}\b/g],
  ['postcode', /\b[1-9]\d{3}(?: ?[A-Z]{2}|[a-z]{2})\b/g],
  ['number', /\d(?:[\s.-]?\d){6,}/g],
];

export interface RedactionCounts {
  /** text cells that had at least one redaction */
  cells: number;
  /** replacements per kind */
  byKind: Record<RedactionKind, number>;
}

export function emptyCounts(): RedactionCounts {
  return { cells: 0, byKind: { email: 0, url: 0, phone: 0, postcode: 0, number: 0 } };
}

/** A scrubber that adds what it replaces to `counts`. */
export function scrubber(counts: RedactionCounts): (text: string) => string {
  return (text) => {
    let out = text;
    let changed = false;
    for (const [kind, re] of PATTERNS) {
      re.lastIndex = 0;
      if (!re.test(out)) continue;
      re.lastIndex = 0;
      out = out.replace(re, () => {
        counts.byKind[kind]++;
        return MARKERS[kind];
      });
      changed = true;
    }
    if (changed) counts.cells++;
    return out;
  };
}

/** One-off scrubbing (tests, previews). */
export function scrubText(text: string): { text: string; counts: RedactionCounts } {
  const counts = emptyCounts();
  return { text: scrubber(counts)(text), counts };
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell that a spreadsheet could take for a formula (it begins with = + - @, a tab or a carriage return) gets a
 * leading apostrophe, as OWASP advises: Excel and LibreOffice then show it as text. Numbers are never passed here.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
