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
 */
export function uploadForm(maxFileBytes: number): RequestHandler {
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
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      req.unpipe(parser);
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
    });
    parser.on('file', (field, stream, info) => {
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
