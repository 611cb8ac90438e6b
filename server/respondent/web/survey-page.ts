import ejs from 'ejs';
import zlib from 'node:zlib';
import type { Response } from 'express';
import { dynamicEncoding } from '../../shared/web/compression';

/**
 * The respondent's questionnaire page, made cheaply. Of a page view's work, rendering the template and compressing
 * its 2–3 kB were about a fifth (measured with a CPU profile under the bench's load), and nearly all of it is the same
 * for every respondent of a wave: only the configuration (their saved answers, page and revision) differs. So the
 * page is rendered once per wave, version, language, test flag, first page or not, and page settings, with a marker
 * where the configuration goes; the text before and after the marker is kept, and compressed once.
 *
 * A view then writes the kept head, the respondent's configuration (escaped as the template escapes it) and the kept
 * tail. Compressed with gzip, the kept parts are reused as they are: a gzip member's deflate data may be any run of
 * blocks, so the head is kept as deflate blocks ending on a byte boundary (a sync flush), the configuration is sent as
 * a stored block (or its own flushed blocks when long), and the tail's blocks end the stream; the CRC-32 and length
 * are worked out over the three parts. Nothing personal is kept: the cache holds the wave's texts, never answers.
 */

const MARK = '\u0000vw-configuration\u0000';
const MAX_PAGES = 256;
/** A configuration longer than this (saved answers) is deflated rather than stored; shorter, storing is cheaper. */
const DEFLATE_FROM = 1024;
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]); // deflate, no name, no time, OS unknown

interface Parts {
  head: string;
  tail: string;
  headBytes: number;
  tailBytes: Buffer;
  headCrc: number;
  headGz: Buffer;
  tailGz: Buffer;
}

export interface SurveyPages {
  /** Renders (or reuses) the page for `key` with these locals and sends it with `configJson` in place. */
  send(res: Response, key: string, locals: Record<string, unknown>, configJson: string): Promise<void>;
}

export function surveyPages(view = 'respondent/survey'): SurveyPages {
  const kept = new Map<string, Parts>();

  const partsFor = async (res: Response, key: string, locals: Record<string, unknown>) => {
    const found = kept.get(key);
    if (found) {
      kept.delete(key); // most recently used last
      kept.set(key, found);
      return found;
    }
    const html = await renderView(res, view, { ...locals, configJson: MARK });
    const at = html.indexOf(MARK);
    if (at < 0 || html.indexOf(MARK, at + 1) >= 0) return undefined; // the template changed: render every time
    const parts = split(html.slice(0, at), html.slice(at + MARK.length));
    if (kept.size >= MAX_PAGES) kept.delete(kept.keys().next().value as string);
    kept.set(key, parts);
    return parts;
  };

  return {
    async send(res, key, locals, configJson) {
      const parts = await partsFor(res, key, locals);
      if (!parts) return res.render(view, { ...locals, configJson });
      const middle = ejs.escapeXML(configJson);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (dynamicEncoding(res.req.headers['accept-encoding']) !== 'gzip') {
        res.send(parts.head + middle + parts.tail); // compressed (brotli) or not by the compression middleware
        return;
      }
      res.setHeader('Vary', 'Accept-Encoding'); // nothing before set Vary on a page view
      res.setHeader('Content-Encoding', 'gzip');
      res.send(gzipOf(parts, Buffer.from(middle, 'utf8')));
    },
  };
}

function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) =>
    res.render(view, locals, (err: Error | null, html: string) => (err ? reject(err) : resolve(html))),
  );
}

function split(head: string, tail: string): Parts {
  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(tail, 'utf8');
  return {
    head,
    tail,
    headBytes: headBytes.length,
    tailBytes,
    headCrc: zlib.crc32(headBytes),
    headGz: zlib.deflateRawSync(headBytes, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    tailGz: zlib.deflateRawSync(tailBytes, { level: 9 }), // ends with the final block
  };
}

/** One gzip member: the kept head's blocks, the middle, the kept tail's blocks, then CRC-32 and length. */
export function gzipOf(parts: Parts, middle: Buffer): Buffer {
  const crc = zlib.crc32(parts.tailBytes, zlib.crc32(middle, parts.headCrc));
  const size = (parts.headBytes + middle.length + parts.tailBytes.length) % 2 ** 32;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size, 4);
  const body =
    middle.length >= DEFLATE_FROM
      ? zlib.deflateRawSync(middle, { finishFlush: zlib.constants.Z_SYNC_FLUSH })
      : storedBlocks(middle);
  return Buffer.concat([GZIP_HEADER, parts.headGz, body, parts.tailGz, trailer]);
}

/** Deflate's stored (uncompressed) blocks, not final: a header byte, LEN and its complement, the bytes. */
function storedBlocks(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 0xffff) {
    const chunk = bytes.subarray(at, Math.min(bytes.length, at + 0xffff));
    const header = Buffer.alloc(5);
    header[0] = 0; // BFINAL 0, BTYPE 00 (stored), the rest of the byte is padding
    header.writeUInt16LE(chunk.length, 1);
    header.writeUInt16LE(~chunk.length & 0xffff, 3);
    out.push(header, chunk);
  }
  return Buffer.concat(out);
}
