import type { RequestHandler } from 'express';
import { HttpError } from './errors';

/**
 * A path with broken percent-encoding (`/admin/waves/%ZZ`, a cut-off UTF-8 sequence) is a bad request: 400 before any
 * router sees it. Otherwise the router's own decoding of a path parameter fails with a URIError, which the error
 * middleware cannot tell from a fault of Veldwerk and answers with 500.
 */
export function rejectMalformedPath(): RequestHandler {
  return (req, _res, next) => {
    if (req.path.includes('%')) {
      try {
        decodeURIComponent(req.path);
      } catch {
        return next(new HttpError(400, 'The address of this page is not valid'));
      }
    }
    next();
  };
}
