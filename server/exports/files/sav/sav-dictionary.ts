/**
 * Builds the dictionary part of an SPSS system file: everything before the
 * case data. Record layout follows PSPP's "System File Format" documentation.
 */
import type { Measure, SavVariable, SavWriterOptions } from './sav-types';
import { assignShortNames, utf8Truncate, validateName } from './sav-names';

export const SYSMIS = -Number.MAX_VALUE; // bytes ff ef ff ff ff ff ff ff (LE: reversed)
const HIGHEST = Number.MAX_VALUE;
const LOWEST = -1.7976931348623155e308; // next value above -DBL_MAX
const MAX_STRING = 32767;
const FMT_A = 1;
const FMT_F = 5;
const DATE_FORMATS = { DATE: [20, 11], MOYR: [28, 8], QYR: [29, 8] } as const;
const MEASURE_CODE: Record<Measure, number> = { nominal: 1, ordinal: 2, scale: 3 };

export interface VarLayout {
  def: SavVariable;
  /** 0 for numeric, else the declared string width in bytes. */
  width: number;
  decimals: number;
  measure: Measure;
  /** Allocated width per segment (one segment unless width > 255). */
  segWidths: number[];
  shortNames: string[];
  /** Index of the first 8-byte slot of this variable in a case. */
  firstSlot: number;
}

export interface Layout {
  vars: VarLayout[];
  /** 8-byte slots per case (nominal case size). */
  caseSlots: number;
  /** Per slot: 1 if it holds a numeric value (used by compression). */
  numericSlot: Uint8Array;
}

/** Allocated widths of the segments of a string of `width` bytes. */
export function segmentWidths(width: number): number[] {
  if (width < 256) return [width];
  const n = Math.ceil(width / 252);
  return [...Array<number>(n - 1).fill(255), width - 252 * (n - 1)];
}

export const slotsFor = (allocWidth: number): number => Math.max(1, Math.ceil(allocWidth / 8));

export function buildLayout(defs: SavVariable[]): Layout {
  if (defs.length === 0) throw new Error('sav: at least one variable is required');
  const seen = new Set<string>();
  const partial = defs.map((def) => {
    validateName(def.name);
    const key = def.name.toUpperCase();
    if (seen.has(key)) throw new Error(`sav: duplicate variable name "${def.name}"`);
    seen.add(key);
    return checkVariable(def);
  });
  const shortNames = assignShortNames(
    defs.map((d) => d.name),
    partial.map((p) => p.segWidths.length),
  );
  let slot = 0;
  const vars = partial.map((p, i): VarLayout => {
    const v = { ...p, shortNames: shortNames[i], firstSlot: slot };
    slot += p.segWidths.reduce((acc, w) => acc + slotsFor(w), 0);
    return v;
  });
  const numericSlot = new Uint8Array(slot);
  for (const v of vars) if (v.width === 0) numericSlot[v.firstSlot] = 1;
  return { vars, caseSlots: slot, numericSlot };
}

function checkVariable(def: SavVariable): Omit<VarLayout, 'shortNames' | 'firstSlot'> {
  const where = `sav: variable "${def.name}"`;
  const numeric = def.type === 'numeric';
  if (!numeric && def.type !== 'string') throw new Error(`${where}: type must be 'numeric' or 'string'`);
  const width = numeric ? 0 : (def.width ?? 255);
  if (!Number.isInteger(width) || (!numeric && (width < 1 || width > MAX_STRING))) {
    throw new Error(`${where}: string width must be an integer 1..${MAX_STRING}`);
  }
  const decimals = numeric ? (def.decimals ?? 0) : 0;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 16) throw new Error(`${where}: decimals must be 0..16`);
  if (def.measure !== undefined && !(def.measure in MEASURE_CODE)) throw new Error(`${where}: bad measure`);
  if (!numeric && def.measure === 'scale') throw new Error(`${where}: a string variable cannot be 'scale'`);
  const missing = def.missing ?? [];
  if ((missing.length > 0 || def.missingRange) && !numeric)
    throw new Error(`${where}: user-missing codes are supported for numerics only`);
  if (
    missing.length > (def.missingRange ? 1 : 3) ||
    missing.some((m) => typeof m !== 'number' || !Number.isFinite(m))
  ) {
    throw new Error(`${where}: at most 3 finite user-missing codes, or a range and one code`);
  }
  if (def.missingRange && !(def.missingRange.every(Number.isFinite) && def.missingRange[0] <= def.missingRange[1]))
    throw new Error(`${where}: bad missing range`);
  if (def.dateFormat && (!numeric || !(def.dateFormat in DATE_FORMATS)))
    throw new Error(`${where}: a date format is for numerics only`);
  const values = new Set<number | string>();
  for (const vl of def.valueLabels ?? []) {
    if (numeric ? typeof vl.value !== 'number' || !Number.isFinite(vl.value) : typeof vl.value !== 'string') {
      throw new Error(`${where}: value label value ${JSON.stringify(vl.value)} does not match the variable type`);
    }
    const key = numeric
      ? vl.value
      : utf8Truncate(vl.value as string, width)
          .toString('utf8')
          .trimEnd();
    if (values.has(key)) throw new Error(`${where}: duplicate value label for ${JSON.stringify(vl.value)}`);
    values.add(key);
    if (typeof vl.label !== 'string') throw new Error(`${where}: value label must be a string`);
  }
  const measure = def.measure ?? (numeric && !def.valueLabels?.length ? 'scale' : 'nominal');
  return { def, width, decimals, measure, segWidths: numeric ? [0] : segmentWidths(width) };
}

/** Little-endian record builder. */
class Bytes {
  private readonly parts: Buffer[] = [];
  int(...ns: number[]): this {
    const b = Buffer.alloc(4 * ns.length);
    ns.forEach((n, i) => b.writeInt32LE(n, 4 * i));
    return this.raw(b);
  }
  dbl(x: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(x);
    return this.raw(b);
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** `s` truncated to / padded with `pad` to exactly `width` bytes. */
  fixed(s: string | Buffer, width: number, pad = 0x20): this {
    const b = Buffer.alloc(width, pad);
    (typeof s === 'string' ? utf8Truncate(s, width) : s.subarray(0, width)).copy(b);
    return this.raw(b);
  }
  /** A 7/subtype extension record of 1-byte items. */
  ext(subtype: number, payload: Buffer): this {
    return this.int(7, subtype, 1, payload.length).raw(payload);
  }
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const fmt = (type: number, w: number, d: number): number => (type << 16) | (w << 8) | d;
const numWidth = (v: VarLayout): number => Math.max(8, v.decimals + 3);

function writeHeader(out: Bytes, layout: Layout, opts: SavWriterOptions): void {
  const t = opts.created ?? new Date();
  out.fixed('$FL2', 4).fixed('@(#) SPSS DATA FILE Veldwerk sav-writer', 60);
  out.int(2, layout.caseSlots, opts.compress ? 1 : 0, 0, -1).dbl(100);
  out.fixed(`${pad2(t.getDate())} ${MONTHS[t.getMonth()]} ${pad2(t.getFullYear() % 100)}`, 9);
  out.fixed(`${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}`, 8);
  out.fixed(opts.fileLabel ?? '', 64).raw(Buffer.alloc(3));
}

function numFormat(v: VarLayout): number {
  const d = v.def.dateFormat ? DATE_FORMATS[v.def.dateFormat] : null;
  return d ? fmt(d[0], d[1], 0) : fmt(FMT_F, numWidth(v), v.decimals);
}

function writeVariable(out: Bytes, v: VarLayout): void {
  v.segWidths.forEach((segWidth, s) => {
    const label = s === 0 && v.def.label ? utf8Truncate(v.def.label, 255) : null;
    const range = s === 0 ? v.def.missingRange : undefined;
    const missing = s === 0 ? [...(range ?? []), ...(v.def.missing ?? [])] : [];
    // n_missing_values: 1..3 discrete codes, -2 a range, -3 a range and one code
    const nMissing = range ? -2 - (v.def.missing?.length ? 1 : 0) : missing.length;
    const format = v.width === 0 ? numFormat(v) : fmt(FMT_A, segWidth, 0);
    out.int(2, segWidth, label ? 1 : 0, nMissing, format, format).fixed(v.shortNames[s], 8);
    if (label) out.int(label.length).fixed(label, Math.ceil(label.length / 4) * 4);
    for (const m of missing) out.dbl(m);
    for (let i = 1; i < slotsFor(segWidth); i++) out.int(2, -1, 0, 0, 0, 0).fixed('', 8, 0);
  });
}

/** Type 3 + 4 records: numerics and strings of at most 8 bytes. */
function writeValueLabels(out: Bytes, v: VarLayout): void {
  const labels = v.def.valueLabels ?? [];
  if (labels.length === 0 || v.width > 8) return;
  out.int(3, labels.length);
  for (const { value, label } of labels) {
    if (typeof value === 'number') out.dbl(value);
    else out.fixed(utf8Truncate(value, v.width), 8);
    const text = utf8Truncate(label, 255);
    out.raw(Buffer.from([text.length])).fixed(text, Math.ceil((text.length + 1) / 8) * 8 - 1);
  }
  out.int(4, 1, v.firstSlot + 1);
}

/** 7/21: value labels of strings wider than 8 bytes (keyed by long name). */
function longStringLabels(layout: Layout): Buffer | null {
  const rec = new Bytes();
  for (const v of layout.vars) {
    const labels = v.def.valueLabels ?? [];
    if (v.width <= 8 || labels.length === 0) continue;
    const name = Buffer.from(v.def.name, 'utf8');
    rec.int(name.length).raw(name).int(v.width, labels.length);
    for (const { value, label } of labels) {
      const text = utf8Truncate(label, 255);
      rec
        .int(v.width)
        .fixed(utf8Truncate(String(value), v.width), v.width)
        .int(text.length)
        .raw(text);
    }
  }
  return rec.length > 0 ? rec.buffer() : null;
}

export function buildDictionary(layout: Layout, opts: SavWriterOptions = {}): Buffer {
  const out = new Bytes();
  writeHeader(out, layout, opts);
  for (const v of layout.vars) writeVariable(out, v);
  for (const v of layout.vars) writeValueLabels(out, v);
  // type 6: document lines of 80 bytes, space-padded
  if (opts.documents?.length) {
    out.int(6, opts.documents.length);
    for (const line of opts.documents) out.fixed(line, 80);
  }

  // 7/3 machine integer info: version 1.0.0, machine -1, IEEE 754, compression
  // code 1, little-endian (2), character code 65001 (UTF-8).
  out.int(7, 3, 4, 8, 1, 0, 0, -1, 1, 1, 2, 65001);
  // 7/4 machine floating-point info: SYSMIS, HIGHEST, LOWEST.
  out.int(7, 4, 8, 3).dbl(SYSMIS).dbl(HIGHEST).dbl(LOWEST);

  // 7/11 display parameters: measure, display width, alignment per segment.
  const segments = layout.vars.reduce((n, v) => n + v.segWidths.length, 0);
  out.int(7, 11, 4, segments * 3);
  for (const v of layout.vars) {
    v.segWidths.forEach((w, s) => {
      const display =
        v.width === 0
          ? v.def.dateFormat
            ? DATE_FORMATS[v.def.dateFormat][1]
            : numWidth(v)
          : Math.min(s === 0 ? v.width : w, 32);
      out.int(MEASURE_CODE[v.measure], display, v.width === 0 ? 1 : 0);
    });
  }

  // 7/13 long variable names: SHORT=Long, tab separated.
  out.ext(13, Buffer.from(layout.vars.map((v) => `${v.shortNames[0]}=${v.def.name}`).join('\t'), 'utf8'));

  // 7/14 very long string widths: SHORT=00300 NUL TAB.
  const vls = layout.vars.filter((v) => v.segWidths.length > 1);
  if (vls.length > 0) {
    out.ext(
      14,
      Buffer.from(vls.map((v) => `${v.shortNames[0]}=${String(v.width).padStart(5, '0')}\0\t`).join(''), 'latin1'),
    );
  }

  out.ext(20, Buffer.from('UTF-8', 'ascii')); // 7/20 character encoding
  const lsl = longStringLabels(layout);
  if (lsl) out.ext(21, lsl);

  out.int(999, 0); // dictionary termination
  return out.buffer();
}
