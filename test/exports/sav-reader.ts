/**
 * Minimal, independent SPSS system-file reader used by the tests to check the
 * writer. Little-endian files only; uncompressed or bytecode-compressed data.
 * Written from PSPP's format documentation, sharing no code with the writer.
 */
export interface ReadVariable {
  name: string;
  shortName: string;
  type: 'numeric' | 'string';
  width: number;
  label?: string;
  printFormat: { type: number; width: number; decimals: number };
  missing: number[];
  /** missing[0..1] is a range [low, high] */
  missingIsRange?: boolean;
  valueLabels: Array<{ value: number | string; label: string }>;
  measure?: 'nominal' | 'ordinal' | 'scale';
  displayWidth?: number;
  alignment?: number;
}

export interface ReadSav {
  product: string;
  caseSlots: number;
  compression: number;
  caseCount: number;
  created: string;
  fileLabel: string;
  encoding?: string;
  integerInfo?: number[];
  floatInfo?: number[];
  extensionSubtypes: number[];
  variables: ReadVariable[];
  rows: Array<Array<number | string | null>>;
  /** document lines (record type 6) */
  documents?: string[];
}

interface Slot {
  width: number; // 0 numeric, >0 string, -1 continuation
  shortName: string;
  label?: string;
  printFormat: number;
  missing: number[];
  valueLabels: Array<{ value: Buffer; label: string }>;
}

const SYSMIS = -Number.MAX_VALUE;

export function readSav(buf: Buffer): ReadSav {
  let p = 0;
  const rangeMissing = new Set<number[]>();
  const documents: string[] = [];
  const int = (): number => ((p += 4), buf.readInt32LE(p - 4));
  const dbl = (): number => ((p += 8), buf.readDoubleLE(p - 8));
  const bytes = (n: number): Buffer => ((p += n), buf.subarray(p - n, p));
  const text = (n: number): string => bytes(n).toString('utf8');

  if (text(4) !== '$FL2') throw new Error('not a system file');
  const product = text(60).trimEnd();
  if (int() !== 2) throw new Error('unsupported layout code');
  const caseSlots = int();
  const compression = int();
  int(); // weight index
  const caseCount = int();
  const bias = dbl();
  const created = `${text(9)} ${text(8)}`;
  const fileLabel = text(64).trimEnd();
  p += 3;

  const slots: Slot[] = [];
  const ext = new Map<number, Buffer>();
  const extensionSubtypes: number[] = [];
  let integerInfo: number[] | undefined;
  let floatInfo: number[] | undefined;
  for (let type = int(); type !== 999; type = int()) {
    if (type === 2) {
      const width = int();
      const hasLabel = int();
      const nMissing = int();
      const printFormat = int();
      int(); // write format
      const shortName = text(8).trimEnd();
      let label: string | undefined;
      if (hasLabel) {
        const len = int();
        label = bytes(len).toString('utf8');
        p += (4 - (len % 4)) % 4;
      }
      // a range (-2) or a range and one code (-3): read as [low, high(, code)]
      const missing = Array.from({ length: nMissing < 0 ? -nMissing : nMissing }, () => dbl());
      if (nMissing < 0) rangeMissing.add(missing);
      slots.push({ width, shortName, label, printFormat, missing, valueLabels: [] });
    } else if (type === 3) {
      const labels = Array.from({ length: int() }, () => {
        const value = Buffer.from(bytes(8));
        const len = buf[p];
        const label = buf.subarray(p + 1, p + 1 + len).toString('utf8');
        p += Math.ceil((len + 1) / 8) * 8;
        return { value, label };
      });
      if (int() !== 4) throw new Error('record 3 not followed by record 4');
      const n = int();
      for (let i = 0; i < n; i++) slots[int() - 1].valueLabels.push(...labels);
    } else if (type === 6) {
      const n = int();
      for (let i = 0; i < n; i++) documents.push(text(80).trimEnd());
    } else if (type === 7) {
      const subtype = int();
      const size = int();
      const count = int();
      const data = Buffer.from(bytes(size * count));
      extensionSubtypes.push(subtype);
      ext.set(subtype, data);
      if (subtype === 3) integerInfo = Array.from({ length: count }, (_, i) => data.readInt32LE(4 * i));
      if (subtype === 4) floatInfo = Array.from({ length: count }, (_, i) => data.readDoubleLE(8 * i));
    } else {
      throw new Error(`unknown record type ${type} at ${p - 4}`);
    }
  }
  int(); // filler
  const dataStart = p;

  // Group slots into segments, then very long string segments into variables.
  const segs: Array<Slot & { slot: number; nSlots: number }> = [];
  slots.forEach((s, i) => {
    if (s.width === -1) segs[segs.length - 1].nSlots++;
    else segs.push({ ...s, slot: i, nSlots: 1 });
  });
  const vlsWidths = new Map<string, number>();
  for (const entry of (ext.get(14)?.toString('latin1') ?? '').split('\t')) {
    const m = /^([^=]+)=(\d+)/.exec(entry.replace(/\0/g, ''));
    if (m) vlsWidths.set(m[1].toUpperCase(), Number(m[2]));
  }
  const longNames = new Map<string, string>();
  for (const entry of (ext.get(13)?.toString('utf8') ?? '').split('\t')) {
    const eq = entry.indexOf('=');
    if (eq > 0) longNames.set(entry.slice(0, eq).toUpperCase(), entry.slice(eq + 1));
  }
  const vars: Array<{ seg: (typeof segs)[number]; segments: Array<(typeof segs)[number]>; width: number }> = [];
  for (let i = 0; i < segs.length;) {
    const seg = segs[i];
    const full = vlsWidths.get(seg.shortName.toUpperCase());
    const nSegs = full ? Math.ceil(full / 252) : 1;
    vars.push({ seg, segments: segs.slice(i, i + nSegs), width: full ?? seg.width });
    i += nSegs;
  }
  const display = ext.get(11);
  const segIndex = (v: (typeof vars)[number]): number => segs.indexOf(v.seg);
  const measures = ['unknown', 'nominal', 'ordinal', 'scale'] as const;

  const variables: ReadVariable[] = vars.map((v) => {
    const width = v.width;
    const f = v.seg.printFormat;
    const rv: ReadVariable = {
      name: longNames.get(v.seg.shortName.toUpperCase()) ?? v.seg.shortName,
      shortName: v.seg.shortName,
      type: width === 0 ? 'numeric' : 'string',
      width,
      label: v.seg.label,
      printFormat: { type: (f >> 16) & 0xff, width: (f >> 8) & 0xff, decimals: f & 0xff },
      missing: v.seg.missing,
      missingIsRange: rangeMissing.has(v.seg.missing),
      valueLabels: v.seg.valueLabels.map(({ value, label }) => ({
        value: width === 0 ? value.readDoubleLE(0) : value.toString('utf8').trimEnd(),
        label,
      })),
    };
    if (display && display.length === segs.length * 12) {
      const at = segIndex(v) * 12;
      const m = display.readInt32LE(at);
      rv.measure = m >= 1 && m <= 3 ? (measures[m] as ReadVariable['measure']) : undefined;
      rv.displayWidth = display.readInt32LE(at + 4);
      rv.alignment = display.readInt32LE(at + 8);
    }
    return rv;
  });

  // 7/21: long string value labels.
  const lsl = ext.get(21);
  for (let q = 0; lsl && q < lsl.length;) {
    const nameLen = lsl.readInt32LE(q);
    const name = lsl.subarray(q + 4, q + 4 + nameLen).toString('utf8');
    q += 4 + nameLen + 4; // name, width
    const n = lsl.readInt32LE(q);
    q += 4;
    const target = variables.find((v) => v.name === name);
    if (!target) throw new Error(`7/21 names unknown variable ${name}`);
    for (let i = 0; i < n; i++) {
      const vLen = lsl.readInt32LE(q);
      const value = lsl
        .subarray(q + 4, q + 4 + vLen)
        .toString('utf8')
        .trimEnd();
      q += 4 + vLen;
      const lLen = lsl.readInt32LE(q);
      target.valueLabels.push({ value, label: lsl.subarray(q + 4, q + 4 + lLen).toString('utf8') });
      q += 4 + lLen;
    }
  }

  // Case data.
  const caseBytes = caseSlots * 8;
  const caseData = compression === 0 ? buf.subarray(dataStart) : decompress(buf.subarray(dataStart), bias);
  if (caseData.length % caseBytes !== 0)
    throw new Error(`data length ${caseData.length} is not a whole number of cases`);
  const rows: ReadSav['rows'] = [];
  for (let c = 0; c < caseData.length; c += caseBytes) {
    rows.push(
      vars.map((v) => {
        if (v.width === 0) {
          const d = caseData.readDoubleLE(c + v.seg.slot * 8);
          return d === SYSMIS ? null : d;
        }
        const parts = v.segments.map((s, k) => {
          // Segment k holds bytes [255k, 255k + 255) of the value.
          const used = Math.max(0, Math.min(v.width - 255 * k, 255));
          return caseData.subarray(c + s.slot * 8, c + s.slot * 8 + used);
        });
        return Buffer.concat(parts).toString('utf8').trimEnd();
      }),
    );
  }
  return {
    product,
    caseSlots,
    compression,
    caseCount,
    created,
    fileLabel,
    encoding: ext.get(20)?.toString('ascii'),
    integerInfo,
    floatInfo,
    extensionSubtypes,
    variables,
    rows,
    documents,
  };
}

function decompress(src: Buffer, bias: number): Buffer {
  const out: Buffer[] = [];
  const spaces = Buffer.alloc(8, 0x20);
  let p = 0;
  outer: while (p + 8 <= src.length) {
    const ops = src.subarray(p, p + 8);
    p += 8;
    for (const op of ops) {
      if (op === 0) continue;
      if (op === 252) break outer;
      if (op === 253) {
        out.push(src.subarray(p, p + 8));
        p += 8;
      } else if (op === 254) out.push(spaces);
      else {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(op === 255 ? SYSMIS : op - bias);
        out.push(b);
      }
    }
  }
  if (p !== src.length) throw new Error(`trailing bytes after compressed data (${src.length - p})`);
  return Buffer.concat(out);
}
