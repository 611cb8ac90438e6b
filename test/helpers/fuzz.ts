/** Shared pieces of the fuzz suites: hostile strings, form bodies, content types, requests and table snapshots. */
import fc from 'fast-check';
import request from 'supertest';
import type { Db } from '../../server/shared/data/connection';

/** numRuns of a property: FUZZ_SCALE=10 searches ten times as long (the default keeps each file under a minute). */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * Number(process.env.FUZZ_SCALE ?? 1)));
}

/** A jest timeout for a property that runs `runs()` times: `ms` at FUZZ_SCALE=1, scaled with it. */
export function fuzzTimeout(ms: number): number {
  return Math.max(1, Number(process.env.FUZZ_SCALE ?? 1)) * ms;
}

/** Every table a request could write to. */
export const TABLES = [
  'questionnaire_versions',
  'questionnaire_variable_statuses',
  'waves',
  'invitations',
  'progress',
  'responses',
  'pending_imports',
  'outbox',
  'mail_templates',
  'dev_mailbox',
  'users',
  'sessions',
  'sign_in_failures',
  'link_misses',
  'audit_log',
  'api_tokens',
  'wave_final_counts',
  'population_totals',
];

/**
 * The stored state as one string: every row of every table (rows sorted, so storage order does not count).
 * `omit` leaves out whole tables, columns (`table.column`) or rows (a predicate) that a refusal may legitimately touch.
 */
export async function snapshot(
  db: Db,
  omit: { tables?: string[]; columns?: string[]; rows?: (table: string, row: Record<string, unknown>) => boolean } = {},
): Promise<string> {
  const out: string[] = [];
  for (const table of TABLES) {
    if (omit.tables?.includes(table)) continue;
    const rows = (await db(table).select()) as Array<Record<string, unknown>>;
    const kept = rows
      .filter((r) => !omit.rows?.(table, r))
      .map((r) => JSON.stringify(Object.entries(r).filter(([c]) => !omit.columns?.includes(`${table}.${c}`))))
      .sort();
    out.push(`${table}: ${kept.join('\n')}`);
  }
  return out.join('\n');
}

/** Waits until the stored state stops changing (a download writes its audit entry after the last byte). */
export async function settled(db: Db, omit?: Parameters<typeof snapshot>[1]): Promise<string> {
  let last = await snapshot(db, omit);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 15));
    const now = await snapshot(db, omit);
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** Strings that have broken web applications: markup, controls, prototype keys, odd unicode, numbers, huge. */
export const nasty: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      "' OR 1=1 --",
      '{{link}}',
      '{{ name }}',
      '{{nope}}',
      '\u0000',
      'a\u0000b',
      'a\r\nBcc: x@example.org',
      '\u202eevil',
      '\ufeff',
      '\ud800',
      '𝕍eld👩‍👩‍👧',
      'é',
      '%',
      '%ZZ',
      '%00',
      '../../etc/passwd',
      '1e400',
      '-1',
      '0',
      '1.5',
      'NaN',
      'Infinity',
      'true',
      'null',
      '[]',
      '{}',
      '99999999999',
      '2147483648',
      '-2147483649',
      '=cmd|/c calc!A1',
      '@SUM(1)',
      '+1',
      'a@b',
      'x@example.org',
    ),
  },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom(
        '\u0000',
        '\u0007',
        '\t',
        '\n',
        '\r',
        '\u007f',
        '\u0085',
        '\u2028',
        '\u202e',
        'x',
        '"',
        '&',
        '=',
      ),
      maxLength: 20,
    }),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 120_000 }).map((n) => 'x'.repeat(n)) },
);

/** Percent-encodes any string, lone surrogates included (they become U+FFFD, as a browser would send them). */
export function encode(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A path segment: a known good value, a random UUID, an encoded hostile string, or one that is not valid percent-encoding. */
export function segment(known: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: known },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: nasty.filter((s) => s.length < 300).map(encode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%ZZ', '%', '%E0%A4%A', '%C0%AF', '%00', '%2F', '..', '.', 'a%2Fb', '%FF%FE', '1%00'),
    },
  );
}

export type Pairs = Array<[string, string]>;

/** Good values per field of a form (or query string). */
export type Fields = Record<string, fc.Arbitrary<string>>;

/**
 * Form fields: sometimes the whole form with good values (one of them perhaps hostile), otherwise a random set of the
 * route's own names and others with good or hostile values: missing, repeated (arrays), unknown, prototype keys.
 */
export function formPairs(fields: Fields): fc.Arbitrary<Pairs> {
  const own = Object.keys(fields);
  const odd = fc.oneof(
    nasty.filter((s) => s.length < 100),
    fc.constantFrom('__proto__', 'constructor', '__proto__[x]', 'a[b]', 'name[]', '_csrf', 'toString'),
  );
  const name = own.length
    ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: odd })
    : odd;
  const pair = name.chain((n) =>
    fc.tuple(
      fc.constant(n),
      Object.hasOwn(fields, n) ? fc.oneof({ weight: 3, arbitrary: fields[n] }, { weight: 2, arbitrary: nasty }) : nasty,
    ),
  );
  const random = fc.array(pair, { maxLength: 8 });
  if (!own.length) return random;
  const whole = fc
    .tuple(
      fc.tuple(...own.map((n) => fields[n].map((v): [string, string] => [n, v]))),
      fc.option(fc.tuple(fc.nat(own.length - 1), nasty), { freq: 2 }),
    )
    .map(([pairs, spoil]) =>
      spoil ? pairs.map((p, i): [string, string] => (i === spoil[0] ? [p[0], spoil[1]] : p)) : pairs,
    );
  return fc.oneof({ weight: 2, arbitrary: whole }, { weight: 3, arbitrary: random });
}

export function formBody(pairs: Pairs): string {
  return pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

/** A multipart/form-data body with the given text fields (and possibly a file part). */
export function multipartBody(
  boundary: string,
  pairs: Pairs,
  file?: { field: string; name: string; bytes: Buffer },
): Buffer {
  const parts: Buffer[] = pairs.map(([k, v]) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '_')}"\r\n\r\n${v}\r\n`,
    ),
  );
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

/** How a body is sent: its content type, encoding and bytes. */
export interface Body {
  type?: string;
  encoding?: string;
  bytes: string | Buffer;
}

/** Form bodies as a browser sends them, and everything a browser would not: raw text, JSON, broken multipart, odd types. */
export function bodyFor(pairs: fc.Arbitrary<Pairs>): fc.Arbitrary<Body> {
  const type = fc.constantFrom(
    undefined,
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-16',
    'application/x-www-form-urlencoded; charset=latin1',
    'application/json',
    'text/plain',
    'text/csv',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'multipart/form-data; boundary=XyZ',
    'application/octet-stream',
    'x/y; ;;=',
    '*/*',
  );
  return fc.oneof(
    {
      weight: 6,
      arbitrary: pairs.map((p): Body => ({ type: 'application/x-www-form-urlencoded', bytes: formBody(p) })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(pairs, fc.boolean()).map(([p, closed]): Body => {
        const bytes = multipartBody('fUzZbOuNdArY', p);
        return {
          type: 'multipart/form-data; boundary=fUzZbOuNdArY',
          bytes: closed ? bytes : bytes.subarray(0, Math.max(0, bytes.length - 20)),
        };
      }),
    },
    {
      weight: 1,
      arbitrary: pairs.map((p): Body => ({ type: 'application/json', bytes: JSON.stringify(Object.fromEntries(p)) })),
    },
    {
      weight: 2,
      arbitrary: fc.record({ type, bytes: fc.oneof(nasty, fc.constant('a=%ZZ&b=%&=&&c'), fc.constant('{"_csrf":')) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type,
        encoding: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-zip'),
        bytes: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      }),
    },
  );
}

/** A query string of the route's own keys and others, good or hostile, repeated or malformed. */
export function queryFor(keys: Fields): fc.Arbitrary<string> {
  return fc.oneof(
    // values are cut to 2,000 characters: a longer URL is refused by Node's HTTP parser (431) before Veldwerk sees it
    {
      weight: 4,
      arbitrary: formPairs(keys).map((p) =>
        p.length ? `?${formBody(p.map(([k, v]): [string, string] => [k, v.slice(0, 2000)]))}` : '',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '?%ZZ=1',
        '?lang=%E0%A4%A',
        '?before=1&before=2',
        '?&&=&',
        '?__proto__[x]=1',
        '?lang[]=en',
      ),
    },
  );
}

/** A route to fuzz: `:name` in the path is filled from the params given to requestTo. */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  fields?: Fields;
  query?: Fields;
}

/** One request to a route: its parameters, a query, a method (unsafe ones get bodies), an Accept header. */
export function requestTo(route: Route, params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<Sent> {
  const parts = route.path.split('/').map((p) => (p.startsWith(':') ? params[p.slice(1)] : fc.constant(p)));
  return fc
    .record({
      path: fc.tuple(...parts).map((p) => p.join('/')),
      query: fc.oneof(queryFor(route.query ?? {}), fc.constant('')),
      method:
        route.method === 'GET'
          ? fc.constant('GET')
          : fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, fc.constantFrom('PUT', 'DELETE', 'PATCH')),
      body: route.method === 'GET' ? fc.constant(undefined) : bodyFor(formPairs(route.fields ?? {})),
      accept,
    })
    .map((r) => ({ method: r.method, path: r.path + r.query, body: r.body, accept: r.accept }));
}

export interface Sent {
  method: string;
  path: string;
  body?: Body;
  accept?: string;
  headers?: Record<string, string>;
}

/** Sends a request on an agent (keeps cookies) or the bare app. */
export type Requester = Record<'get' | 'post' | 'put' | 'delete' | 'patch', (url: string) => request.Test>;

export function send(on: Requester, r: Sent): request.Test {
  const req = on[r.method.toLowerCase() as keyof Requester](r.path);
  for (const [k, v] of Object.entries(r.headers ?? {})) req.set(k, v);
  if (r.accept) req.set('Accept', r.accept);
  if (r.body) {
    if (r.body.type !== undefined) req.set('Content-Type', r.body.type);
    if (r.body.encoding) req.set('Content-Encoding', r.body.encoding);
    req.send(r.body.bytes);
  }
  return req;
}

export const accept = fc.constantFrom(undefined, 'text/html', 'application/json', '*/*', 'text/csv', 'image/png;q=0.1');

/** The server's error lines in a test app's log, from line `from` on (a run's own, not those of earlier runs). */
export function serverErrors(logs: string[], from = 0): string {
  return logs
    .slice(from)
    .filter((l) => l.startsWith('error'))
    .join('\n');
}

/**
 * Sends one fuzzed request and checks what every fuzz property asks: never a 5xx and no error logged by it (it throws
 * with the error lines of this request only, so a shrunk counterexample shows its own), and a refused request (4xx)
 * leaves every table as it was (waiting first until what an accepted request wrote after its response has landed).
 * Resolves with the response for further checks.
 */
export async function sendChecked(
  db: Db,
  logs: string[],
  on: Requester,
  req: Sent,
  omit?: Parameters<typeof snapshot>[1],
): Promise<request.Response> {
  const before = await snapshot(db, omit);
  const logged = logs.length;
  const res = await send(on, req);
  // only this request's error lines: earlier runs of the property (a failed one, while shrinking) logged theirs before
  if (res.status >= 500)
    throw new Error(`${res.status} for ${req.method} ${req.path}\n${serverErrors(logs.slice(logged))}`);
  // a page that was sent may still write after its last byte (a download's audit entry, the shown notice cleared)
  if (res.status < 400) await settled(db, omit);
  // an error after the status was sent (a download that broke off) is a server bug too
  const errors = serverErrors(logs.slice(logged));
  if (errors) throw new Error(`${res.status} for ${req.method} ${req.path}, but the server logged:\n${errors}`);
  if (res.status >= 400) {
    const after = await snapshot(db, omit);
    if (after !== before)
      throw new Error(
        `${res.status} for ${req.method} ${req.path} changed stored rows:\n${changedLines(before, after)}`,
      );
  }
  return res;
}

/** The lines of two snapshots that differ, marked - (before) and + (after). */
export function changedLines(before: string, after: string): string {
  const a = new Set(before.split('\n'));
  const b = new Set(after.split('\n'));
  return [
    ...[...a].filter((l) => !b.has(l)).map((l) => `- ${l}`),
    ...[...b].filter((l) => !a.has(l)).map((l) => `+ ${l}`),
  ].join('\n');
}
