import type { IncomingMessage, ServerResponse } from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import express, { Router } from 'express';
import { projectRoot } from '../project-root';
import { preferredEncoding } from './compression';

/** The package folder of an installed module (their package.json is not exported, so walk up from the main file). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (path.basename(dir) !== name && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Vendor files served from node_modules by an explicit list: nothing comes from a CDN or a font service. */
function vendorFiles(surveyCore: string, surveyUi: string): Record<string, string> {
  return {
    'survey.core.min.js': path.join(surveyCore, 'survey.core.min.js'),
    'survey-core.i18n.dutch.min.js': path.join(surveyCore, 'i18n', 'dutch.min.js'),
    'survey-js-ui.min.js': path.join(surveyUi, 'survey-js-ui.min.js'),
    // the font-less stylesheet: survey-core.min.css would load Google Fonts and leak respondents' addresses
    'survey-core.fontless.min.css': path.join(surveyCore, 'survey-core.fontless.min.css'),
  };
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A year, and never revalidated: the address changes with the content. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The old unhashed addresses (bookmarks, pages cached before this release): revalidated after an hour. */
const UNHASHED = 'public, max-age=3600';

/**
 * One static text file held in memory with its compressed copies, made once per process in the background (brotli at
 * its best quality: 1.46 MB of survey-core becomes 240 kB; about 3 s of a libuv thread, never the event loop).
 * Processes share nothing here, so a copy is made at most once per file per process, and the first request for one
 * waits for it.
 */
export class StaticBody {
  readonly hash: string;
  readonly etag: string;
  private brotli?: Promise<Buffer>;
  private gzip?: Promise<Buffer>;

  constructor(
    readonly body: Buffer,
    readonly type: string,
  ) {
    this.hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 16);
    this.etag = `"${this.hash}"`;
  }

  compressed(encoding: 'br' | 'gzip'): Promise<Buffer> {
    if (encoding === 'br') {
      this.brotli ??= promised((done) =>
        zlib.brotliCompress(
          this.body,
          {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: this.body.length,
              [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
            },
          },
          done,
        ),
      );
      return this.brotli;
    }
    this.gzip ??= promised((done) => zlib.gzip(this.body, { level: zlib.constants.Z_BEST_COMPRESSION }, done));
    return this.gzip;
  }

  /** Starts both compressions now (at start-up), so no respondent waits for them. */
  warm(): Promise<unknown> {
    return Promise.all([this.compressed('br'), this.compressed('gzip')]);
  }

  /** Answers a GET or HEAD with the best encoding the client accepts; 304 when it has this very content. */
  async send(req: IncomingMessage, res: ServerResponse, cacheControl: string): Promise<void> {
    res.setHeader('Content-Type', this.type);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', this.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === this.etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    const encoding = this.body.length > 1024 ? preferredEncoding(req.headers['accept-encoding']) : undefined;
    const body = encoding ? await this.compressed(encoding) : this.body;
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function promised(start: (done: (err: Error | null, out: Buffer) => void) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => start((err, out) => (err ? reject(err) : resolve(out))));
}

export interface AssetFolders {
  /** the installed survey-core and survey-js-ui packages */
  surveyCore: string;
  surveyUi: string;
  /** Veldwerk's own browser script and styles */
  publicDir: string;
}

export interface Assets {
  router: Router;
  /** The immutable, content-hashed address of an asset by its unhashed name ('veldwerk.css', 'vendor/survey…'). */
  url(name: string): string;
  /** Compresses every asset now, in the background. */
  warm(): Promise<unknown>;
}

const DEFAULT_FOLDERS = (): AssetFolders => ({
  surveyCore: packageDir('survey-core'),
  surveyUi: packageDir('survey-js-ui'),
  publicDir: path.join(projectRoot, 'server', 'public'),
});

/** One set of asset bodies per set of folders and process: every app a test builds shares the compressed copies. */
const loaded = new Map<string, Map<string, StaticBody>>();

function loadAssets(folders: AssetFolders): Map<string, StaticBody> {
  const key = JSON.stringify(folders);
  const known = loaded.get(key);
  if (known) return known;
  const files = new Map<string, StaticBody>();
  const add = (name: string, file: string) => {
    const type = TYPES[path.extname(file)];
    if (type) files.set(name, new StaticBody(fs.readFileSync(file), type));
  };
  for (const [name, file] of Object.entries(vendorFiles(folders.surveyCore, folders.surveyUi)))
    add(`vendor/${name}`, file);
  for (const entry of fs.readdirSync(folders.publicDir, { withFileTypes: true })) {
    if (entry.isFile() && !entry.name.startsWith('.')) add(entry.name, path.join(folders.publicDir, entry.name));
  }
  loaded.set(key, files);
  return files;
}

/**
 * Veldwerk's assets: its own script and styles (server/public/) and the four vendor files, read once. Each is
 * served at `/assets/<hash>/<name>` (the first 16 hex digits of its SHA-256) with a year's immutable caching, so a
 * returning respondent loads none of them again and a new release changes every address it changes; the plain
 * `/assets/<name>` still answers, revalidated hourly. Brotli or gzip by Accept-Encoding, compressed once.
 */
export function assets(folders: AssetFolders = DEFAULT_FOLDERS()): Assets {
  const files = loadAssets(folders);
  const byPath = new Map<string, { body: StaticBody; cache: string }>();
  for (const [name, body] of files) {
    byPath.set(`/assets/${body.hash}/${name}`, { body, cache: IMMUTABLE });
    byPath.set(`/assets/${name}`, { body, cache: UNHASHED });
  }
  const router = express.Router();
  router.use('/assets', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const found = byPath.get(`/assets${req.path}`);
    if (!found) return next();
    found.body.send(req, res, found.cache).catch(next);
  });
  return {
    router,
    url: (name) => {
      const body = files.get(name);
      if (!body) throw new Error(`no asset ${name}`);
      return `/assets/${body.hash}/${name}`;
    },
    warm: () => Promise.all([...files.values()].map((f) => f.warm())),
  };
}

/** The asset router alone (kept for callers that only serve). */
export function assetsRouter(folders?: AssetFolders): Router {
  return assets(folders).router;
}
