/**
 * Streaming writer for SPSS system files (.sav), after PSPP's documentation
 * of the system file format. Dictionary: header, variable records (2), value
 * labels (3/4), machine integer (7/3) and float (7/4) info, display
 * parameters (7/11), long names (7/13), very long strings (7/14), encoding
 * "UTF-8" (7/20), long string value labels (7/21), termination (999). Cases
 * follow uncompressed (default) or bytecode-compressed. Rows are encoded into
 * 64 KiB chunks and handed to the stream as they fill, so memory stays flat.
 */
import * as fs from 'node:fs';
import { buildDictionary, buildLayout, slotsFor, SYSMIS, type Layout } from './sav-dictionary';
import type { SavVariable, SavWriter, SavWriterOptions } from './sav-types';

export type { Measure, SavVariable, SavWriter, SavWriterOptions } from './sav-types';

const CHUNK_BYTES = 64 * 1024;
const CASE_COUNT_OFFSET = 80;

type Cell = number | string | null | undefined;

/** Encodes one case, uncompressed, into `buf` at `off` (caseSlots * 8 bytes). */
function makeCaseEncoder(layout: Layout): (values: ReadonlyArray<Cell>, buf: Buffer, off: number) => void {
  const longest = layout.vars.reduce((max, v) => Math.max(max, v.width), 0);
  const scratch = Buffer.alloc(longest);
  return (values, buf, off) => {
    const vars = layout.vars;
    for (let i = 0; i < vars.length; i++) {
      const v = vars[i];
      const value = values[i];
      const at = off + v.firstSlot * 8;
      if (v.width === 0) {
        if (typeof value === 'number') buf.writeDoubleLE(Number.isFinite(value) ? value : SYSMIS, at);
        else if (value === null || value === undefined) buf.writeDoubleLE(SYSMIS, at);
        else throw new TypeError(`sav: variable "${v.def.name}" is numeric, got ${typeof value}`);
        continue;
      }
      let s: string;
      if (typeof value === 'string') s = value;
      else if (value === null || value === undefined) s = '';
      else if (typeof value === 'number') s = String(value);
      else throw new TypeError(`sav: variable "${v.def.name}" is a string, got ${typeof value}`);
      const segs = v.segWidths;
      if (segs.length === 1) {
        // Buffer#write never writes a partial UTF-8 character: truncation is
        // at a character boundary by construction.
        const n = s.length === 0 ? 0 : buf.write(s, at, v.width, 'utf8');
        buf.fill(0x20, at + n, at + slotsFor(v.width) * 8);
        continue;
      }
      // Very long string: segment k stores value bytes [255k, 255k + 255),
      // padded with spaces to its slots (space is allocated at 252 bytes per
      // segment, so the last segments may be all padding).
      const n = s.length === 0 ? 0 : scratch.write(s, 0, v.width, 'utf8');
      scratch.fill(0x20, n, v.width);
      let dst = at;
      for (let k = 0; k < segs.length; k++) {
        const used = Math.max(0, Math.min(v.width - 255 * k, 255));
        if (used > 0) scratch.copy(buf, dst, 255 * k, 255 * k + used); // the last segments of a wide string may hold no bytes
        const alloc = slotsFor(segs[k]) * 8;
        buf.fill(0x20, dst + used, dst + alloc);
        dst += alloc;
      }
    }
  };
}

/** Output buffer: rows are encoded straight into 64 KiB chunks. */
interface Sink {
  chunk: Buffer;
  pos: number;
  /** Makes room for `n` contiguous bytes (handing the full chunk on). */
  reserve(n: number): void;
}

/**
 * Bytecode compression (bias 100): a group of 8 opcodes followed by the
 * 8-byte data items of its 253 opcodes. 1..251 = integer value - 100,
 * 253 = literal follows, 254 = 8 spaces, 255 = system-missing, 0 = padding.
 * Groups span cases; the last one is padded with 0 opcodes.
 */
function makeCompressor(numericSlot: Uint8Array, sink: Sink): (c: Buffer) => void {
  let groupAt = 0;
  let nOps = 8; // forces a new group on the first slot
  return (c) => {
    for (let slot = 0, at = 0; slot < numericSlot.length; slot++, at += 8) {
      if (nOps === 8) {
        sink.reserve(72); // a whole group fits, so it is never split
        groupAt = sink.pos;
        sink.chunk.fill(0, groupAt, groupAt + 8);
        sink.pos += 8;
        nOps = 0;
      }
      let code = 253;
      if (numericSlot[slot]) {
        const d = c.readDoubleLE(at);
        if (d === SYSMIS) code = 255;
        else if (Number.isInteger(d) && d >= -99 && d <= 151) code = d + 100;
      } else if (
        c[at] === 0x20 &&
        c[at + 1] === 0x20 &&
        c[at + 2] === 0x20 &&
        c[at + 3] === 0x20 &&
        c[at + 4] === 0x20 &&
        c[at + 5] === 0x20 &&
        c[at + 6] === 0x20 &&
        c[at + 7] === 0x20
      ) {
        code = 254;
      }
      sink.chunk[groupAt + nOps++] = code;
      if (code === 253) {
        c.copy(sink.chunk, sink.pos, at, at + 8);
        sink.pos += 8;
      }
    }
  };
}

export function createSavWriter(
  out: NodeJS.WritableStream,
  variables: SavVariable[],
  opts: SavWriterOptions = {},
): SavWriter {
  const layout = buildLayout(variables);
  const caseBytes = layout.caseSlots * 8;
  const chunkBytes = Math.max(CHUNK_BYTES, caseBytes);
  const encode = makeCaseEncoder(layout);
  let rows = 0;
  let ended = false;
  let failure: Error | null = null;
  let drain: Promise<void> | null = null;
  let rejectDrain: ((e: Error) => void) | null = null;

  const onError = (e: Error): void => {
    failure ??= e;
    rejectDrain?.(e);
  };
  out.on('error', onError);

  /** Hands bytes to the stream; on backpressure, arms the drain promise. */
  const write = (b: Buffer): void => {
    if (!out.write(b) && !drain) {
      drain = new Promise<void>((resolve, reject) => {
        rejectDrain = reject;
        out.once('drain', () => {
          drain = rejectDrain = null;
          resolve();
        });
      });
      drain.catch(() => undefined); // surfaced through writeRow/end instead
    }
  };
  const sink: Sink & { flush(): void } = {
    chunk: Buffer.allocUnsafe(chunkBytes),
    pos: 0,
    reserve(n) {
      if (this.pos + n > chunkBytes) this.flush();
    },
    flush() {
      if (this.pos === 0) return;
      write(this.chunk.subarray(0, this.pos));
      this.chunk = Buffer.allocUnsafe(chunkBytes); // the stream keeps the old one
      this.pos = 0;
    },
  };
  const compress = opts.compress ? makeCompressor(layout.numericSlot, sink) : null;
  const caseBuf = Buffer.alloc(compress ? caseBytes : 0);

  write(buildDictionary(layout, opts));

  return {
    get rowCount() {
      return rows;
    },
    writeRow(values) {
      if (failure) throw failure;
      if (ended) throw new Error('sav: writeRow after end');
      if (!Array.isArray(values) || values.length !== layout.vars.length) {
        throw new Error(`sav: row ${rows + 1} has ${values?.length} values, expected ${layout.vars.length}`);
      }
      if (compress) {
        encode(values, caseBuf, 0);
        compress(caseBuf);
      } else {
        sink.reserve(caseBytes);
        encode(values, sink.chunk, sink.pos);
        sink.pos += caseBytes;
      }
      rows++;
      return drain ?? undefined;
    },
    async end() {
      if (ended) throw new Error('sav: end called twice');
      ended = true;
      if (failure) throw failure;
      sink.flush(); // a partial compression group is already 0-padded
      await new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        rejectDrain = reject;
        out.once('finish', resolve);
        out.end();
      });
      out.removeListener('error', onError);
      await patchCaseCount(out, rows);
    },
  };
}

/** For an fs.WriteStream written from the start of a path, replaces the
 *  header's case count of -1 with the real count. */
async function patchCaseCount(out: NodeJS.WritableStream, rows: number): Promise<void> {
  if (!(out instanceof fs.WriteStream) || rows > 0x7fffffff) return;
  const { path, flags, start } = out as fs.WriteStream & { flags?: string; start?: number };
  if (typeof path !== 'string' || (start !== undefined && start !== 0) || (flags && flags.startsWith('a'))) return;
  const fh = await fs.promises.open(path, 'r+');
  try {
    const b = Buffer.alloc(4);
    b.writeInt32LE(rows);
    await fh.write(b, 0, 4, CASE_COUNT_OFFSET);
  } finally {
    await fh.close();
  }
}
