import path from 'node:path';
import { projectRoot } from './project-root';

export interface Config {
  port: number;
  host: string;
  /** undefined = embedded SQLite at sqliteFile */
  databaseUrl: string | undefined;
  /** PostgreSQL schema (default: the server's search_path, normally public) */
  databaseSchema: string | undefined;
  sqliteFile: string;
  publicUrl: string;
  questionnairesDir: string;
  /** seed the demo wave and print links when the database is empty */
  demoOnEmpty: boolean;
  logRequests: boolean;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded SQLite file)');
  }
  return raw;
}

function databaseSchema(env: Env): string | undefined {
  const raw = env.DATABASE_SCHEMA;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) throw new ConfigError(`DATABASE_SCHEMA must be a plain lower-case PostgreSQL name, got "${raw}"`);
  return raw;
}

function publicUrl(env: Env, port: number): string {
  const raw = env.PUBLIC_URL;
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must use http or https, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  return {
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl: databaseUrl(env),
    databaseSchema: databaseSchema(env),
    sqliteFile: path.resolve(projectRoot, env.SQLITE_FILE || 'data/veldwerk.sqlite'),
    publicUrl: publicUrl(env, port),
    questionnairesDir: path.resolve(projectRoot, env.QUESTIONNAIRES_DIR || 'questionnaires'),
    demoOnEmpty: bool(env, 'DEMO', true),
    logRequests: bool(env, 'LOG_REQUESTS', true),
  };
}
