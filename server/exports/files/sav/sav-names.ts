/**
 * Variable-name rules and UTF-8 helpers for the .sav writer.
 */

/** Reserved words that can never be variable names (SPSS and PSPP). */
const RESERVED = new Set(['ALL', 'AND', 'BY', 'EQ', 'GE', 'GT', 'LE', 'LT', 'NE', 'NOT', 'OR', 'TO', 'WITH']);

/** First char a letter or '@'; then letters, digits and . _ @ # $; no trailing '.'. */
const NAME_RE = /^[\p{L}@][\p{L}\p{M}\p{N}._@#$]*$/u;

export const MAX_NAME_BYTES = 64;

/** Returns the UTF-8 encoding of `s`, cut to at most `maxBytes` bytes without
 *  splitting a character. */
export function utf8Truncate(s: string, maxBytes: number): Buffer {
  const full = Buffer.from(s, 'utf8');
  if (full.length <= maxBytes) return full;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character
  // that straddles the limit, and drop that character.
  while (end > 0 && (full[end] & 0xc0) === 0x80) end--;
  return full.subarray(0, end);
}

/** Throws unless `name` is a valid, non-reserved SPSS variable name. */
export function validateName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new Error('sav: variable name must be a non-empty string');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new Error(`sav: variable name "${name}" is longer than ${MAX_NAME_BYTES} bytes`);
  }
  if (!NAME_RE.test(name) || name.endsWith('.')) {
    throw new Error(`sav: "${name}" is not a valid SPSS variable name`);
  }
  if (RESERVED.has(name.toUpperCase())) throw new Error(`sav: "${name}" is a reserved word`);
}

/** Uppercase ASCII stem usable as (the start of) a short name. */
function shortStem(name: string): string {
  let s = name.toUpperCase().replace(/[^A-Z0-9._@#$]/g, '');
  if (!/^[A-Z]/.test(s)) s = 'V' + s;
  return s;
}

/** Allocates unique (case-insensitive) ASCII short names of at most 8 bytes. */
export class ShortNamer {
  private readonly taken = new Set<string>();

  /** Reserves `name` as-is if free and valid as a short name; returns success. */
  tryExact(name: string): boolean {
    const up = name.toUpperCase();
    if (!/^[A-Z@][A-Z0-9._@#$]{0,7}$/.test(up) || up.endsWith('.') || RESERVED.has(up) || this.taken.has(up)) {
      return false;
    }
    this.taken.add(up);
    return true;
  }

  /** Returns a fresh short name derived from `name` (prefix, then suffixes). */
  derive(name: string): string {
    const stem = shortStem(name);
    const first = stem.slice(0, 8).replace(/\.+$/, '');
    if (this.tryExact(first)) return first;
    for (let n = 1; ; n++) {
      const suffix = `_${n}`;
      const candidate = stem.slice(0, 8 - suffix.length).replace(/\.+$/, '') + suffix;
      if (this.tryExact(candidate)) return candidate;
    }
  }
}

/**
 * Assigns short names: per variable, one per segment (very long strings have
 * several). Names that already are valid short names keep their own spelling
 * (uppercased) in a first pass, so no derived name can equal another
 * variable's long name — readers rename short→long names one by one.
 */
export function assignShortNames(names: string[], segmentCounts: number[]): string[][] {
  const namer = new ShortNamer();
  const result: string[][] = names.map(() => []);
  names.forEach((name, i) => {
    if (Buffer.byteLength(name, 'utf8') <= 8 && namer.tryExact(name)) result[i][0] = name.toUpperCase();
  });
  names.forEach((name, i) => {
    if (result[i][0] === undefined) result[i][0] = namer.derive(name);
  });
  names.forEach((_name, i) => {
    for (let s = 1; s < segmentCounts[i]; s++) result[i][s] = namer.derive(result[i][0].slice(0, 5));
  });
  return result;
}
