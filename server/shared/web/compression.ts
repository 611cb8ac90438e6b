import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';

/**
 * Brotli or gzip for Veldwerk's own text responses, with node's zlib (brotli is built in; no library needed).
 * Static assets are compressed once and kept (assets.ts); this compresses what is made per request: pages, JSON,
 * CSV sent whole. Streamed downloads (exports) are written piece by piece and stay as they are.
 */

/** 'br' when the client accepts brotli, else 'gzip' when it accepts gzip, else undefined (q=0 refuses one). */
export function preferredEncoding(header: string | string[] | undefined): 'br' | 'gzip' | undefined {
  if (!header) return undefined;
  const accepted = new Set<string>();
  for (const part of String(header).toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find(Boolean);
    if (q && Number(q[1]) === 0) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return undefined;
}

/** Below this a compressed body saves less than the work costs (and may grow). */
const MIN_BYTES = 1024;
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml)|image\/svg)/i;

/**
 * Per-request pages are small (a respondent page is 2–4 kB), and for them the cost is mostly setting up the
 * compressor: measured on a 5 kB page, gzip level 6 with a 4 kB window took 57 µs for 2,232 bytes, brotli quality 5
 * 278 µs for 2,161 (quality 1 with a 64 kB window 68 µs for 2,438). So generated responses prefer gzip, with a window
 * to suit their size; brotli (quality 1) only for a client that takes nothing else. Static assets are brotli at its
 * best, made once (assets.ts).
 */
function compress(body: Buffer, encoding: 'br' | 'gzip'): Buffer {
  if (encoding === 'br')
    return zlib.brotliCompressSync(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
        [zlib.constants.BROTLI_PARAM_LGWIN]: 16,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
  return zlib.gzipSync(body, body.length <= 8192 ? { level: 6, windowBits: 12, memLevel: 8 } : { level: 6 });
}

/** For generated responses: gzip when accepted (cheaper to start, see compress), else brotli. */
export function dynamicEncoding(header: string | string[] | undefined): 'br' | 'gzip' | undefined {
  if (typeof header !== 'string') return chooseDynamic(header);
  // a browser sends the same Accept-Encoding with every request: parse each distinct header once
  let found = seen.get(header);
  if (found === undefined) {
    found = chooseDynamic(header) ?? 'none';
    if (seen.size >= 64) seen.clear();
    seen.set(header, found);
  }
  return found === 'none' ? undefined : found;
}
const seen = new Map<string, 'br' | 'gzip' | 'none'>();

function chooseDynamic(header: string | string[] | undefined): 'br' | 'gzip' | undefined {
  const best = preferredEncoding(header);
  if (best !== 'br') return best;
  return preferredEncoding(String(header).replace(/\bbr\b/gi, 'x-none')) === 'gzip' ? 'gzip' : 'br';
}

/** Compresses what `res.send` (and so `res.render` and `res.json`) sends, when the client accepts it. */
export function compression() {
  return (req: Request, res: Response, next: NextFunction) => {
    const encoding = dynamicEncoding(req.headers['accept-encoding']);
    if (!encoding) return next();
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body !== 'string' && !Buffer.isBuffer(body)) return send(body); // res.json comes back with a string
      if (typeof body === 'string') {
        const given = res.get('Content-Type');
        if (!given) res.type('html');
        else if (!/charset/i.test(given)) res.set('Content-Type', `${given}; charset=utf-8`); // as send() would
      }
      const type = String(res.get('Content-Type') ?? '');
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      if (
        bytes.length < MIN_BYTES ||
        !COMPRESSIBLE.test(type) ||
        res.get('Content-Encoding') ||
        res.statusCode === 204 ||
        res.statusCode === 304 ||
        /no-transform/i.test(String(res.get('Cache-Control') ?? ''))
      )
        return send(body);
      // Vary only on what was compressed: an uncompressed answer suits every client, whatever it accepts
      res.vary('Accept-Encoding');
      res.set('Content-Encoding', encoding);
      return send(compress(bytes, encoding));
    };
    next();
  };
}
