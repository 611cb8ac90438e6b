import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';
import proxyAddr from 'proxy-addr';

/**
 * The two things every response path shares, made once at the server's entry: the security headers (helmet's, and
 * the same set written by the respondent fast path) and the client address behind TRUST_PROXY (express's req.ip and
 * the fast path's address come from this one function, so the link throttle counts the same client either way).
 */
export interface Security {
  /** helmet's middleware, for express */
  middleware: ReturnType<typeof helmet>;
  /** the headers that middleware sets on every response, for the paths that answer without express */
  headers: Readonly<Record<string, string>>;
  /** TRUST_PROXY compiled: given to express as its 'trust proxy' function */
  trust: (address: string, hop: number) => boolean;
  /** the client's address as express's req.ip computes it */
  clientAddress(req: IncomingMessage): string;
}

export function security(opts: { publicUrl: string; trustProxy?: number | string }): Security {
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"], // SurveyJS sets style attributes on its elements
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' }, // personal tokens are in URLs
    strictTransportSecurity: opts.publicUrl.startsWith('https:'),
  });
  const trust = compileTrust(opts.trustProxy);
  return {
    middleware,
    headers: Object.freeze(headersOf(middleware)),
    trust,
    clientAddress: (req) => proxyAddr(req, trust),
  };
}

/**
 * TRUST_PROXY as express reads a 'trust proxy' value (a number of hops, or a comma-separated list of addresses,
 * subnets and the names loopback/linklocal/uniquelocal), compiled with proxy-addr's public API.
 */
export function compileTrust(value: number | string | undefined): (address: string, hop: number) => boolean {
  if (typeof value === 'number') return (_address, hop) => hop < value;
  if (typeof value === 'string')
    return proxyAddr.compile(
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    );
  return () => false;
}

/** The headers a middleware that only sets headers (helmet) gives every response, taken once. */
function headersOf(
  middleware: (req: never, res: never, next: (err?: unknown) => void) => void,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  middleware({} as never, res as never, (err) => {
    if (err) throw err;
  });
  return headers;
}
