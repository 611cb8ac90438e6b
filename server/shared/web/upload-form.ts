import busboy from 'busboy';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './errors';

export interface UploadedFile {
  field: string;
  name: string;
  bytes: Buffer;
}

/**
 * Reads a multipart/form-data body (one file and a few small fields) with busboy, the streaming parser behind
 * multer. The fields become req.body, the file res.locals.uploadedFile. A file over maxFileBytes is answered with
 * 413 before anything else looks at it. Other requests pass untouched.
 *
 * `formTokenOk` checks the form's CSRF token (field `_csrf`) as soon as it arrives, and a file part that comes before
 * a valid token is refused with 403 at once: a forged cross-site upload is never read further, so it cannot make the
 * server hold 20 MB per request before the CSRF check (pages put the hidden token field before the file input, and
 * browsers send the parts in that order).
 */
export function uploadForm(
  maxFileBytes: number,
  formTokenOk: (req: Request, token: unknown) => boolean,
): RequestHandler {
  const forged = () =>
    new HttpError(403, 'This form has expired or did not come from Veldwerk: reload the page and try again');
  const tooLarge = () => new HttpError(413, `The file is larger than ${Math.round(maxFileBytes / (1024 * 1024))} MB`);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxFileBytes + 64 * 1024) {
      res.set('Connection', 'close');
      return next(tooLarge());
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: maxFileBytes, fields: 10, fieldSize: 4096, parts: 11 },
      });
    } catch {
      return next(new HttpError(400, 'The upload could not be read'));
    }
    const fields: Record<string, string> = Object.create(null);
    let file: UploadedFile | undefined;
    let exceeded = false;
    let done = false;
    let tokenChecked = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      req.unpipe(parser);
      if (err instanceof HttpError && err.status === 403) {
        res.set('Connection', 'close'); // the rest of the body is not read
        req.resume();
      }
      if (err) return next(err instanceof HttpError ? err : new HttpError(400, 'The upload could not be read'));
      if (exceeded) {
        res.set('Connection', 'close');
        return next(tooLarge());
      }
      req.body = fields;
      res.locals.uploadedFile = file;
      next();
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
      if (name === '_csrf') {
        if (!formTokenOk(req, value)) return finish(forged());
        tokenChecked = true;
      }
    });
    parser.on('file', (field, stream, info) => {
      if (!tokenChecked && !formTokenOk(req, req.get('x-csrf-token'))) {
        stream.resume();
        return finish(forged());
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!exceeded) chunks.push(chunk);
      });
      stream.on('limit', () => {
        exceeded = true;
        chunks.length = 0;
      });
      stream.on('end', () => {
        if (!exceeded) file = { field, name: info.filename ?? '', bytes: Buffer.concat(chunks) };
      });
      // a body that ends inside the file ("Unexpected end of form") errors the file stream: without this listener
      // the error event is unhandled, an uncaught exception that takes the whole process down
      stream.on('error', finish);
    });
    parser.on('error', finish);
    parser.on('close', () => finish());
    req.on('error', finish);
    req.pipe(parser);
  };
}
