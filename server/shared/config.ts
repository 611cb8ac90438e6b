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
  /** Express's 'trust proxy' when Veldwerk runs behind a reverse proxy (hops, or addresses/subnets); undefined: none */
  trustProxy: number | string | undefined;
  /** undefined = no mail server: messages go to the development mailbox, marked as not sent */
  smtpUrl: string | undefined;
  /** From header of every mail, "Name <address>" or a bare address */
  mailFrom: string;
  /** messages per second per worker process */
  mailRatePerSecond: number;
  /** pooled SMTP connections per worker process = messages in flight at once */
  mailConnections: number;
  /** SMTP connection, greeting and socket timeout */
  mailTimeoutMs: number;
  /** key that derives the personal tokens; undefined on SQLite = kept in a file next to the database */
  tokenSecret: string | undefined;
  /** disclosure control of exports and tables: every released combination and table cell holds at least k responses */
  disclosureK: number;
  /** the least time between two reminders to one person, in days */
  reminderMinIntervalDays: number;
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
    throw new ConfigError(
      'DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded SQLite file)',
    );
  }
  return raw;
}

function databaseSchema(env: Env): string | undefined {
  const raw = env.DATABASE_SCHEMA;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw))
    throw new ConfigError(`DATABASE_SCHEMA must be a plain lower-case PostgreSQL name, got "${raw}"`);
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

function smtpUrl(env: Env): string | undefined {
  const raw = env.SMTP_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // the value may hold a password: it is never repeated in a message
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new ConfigError('SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465');
  }
  return raw;
}

const MAIL_ADDRESS = /^[^\s@<>()",;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

function mailFrom(env: Env, smtp: string | undefined): string {
  const raw = env.MAIL_FROM;
  if (raw === undefined || raw === '') {
    if (smtp) throw new ConfigError('MAIL_FROM must be set when SMTP_URL is set, e.g. "Monitor <monitor@example.org>"');
    return 'Veldwerk <veldwerk@localhost>';
  }
  const m = /^\s*(?:([^<>"\u0000-\u001f\u007f]{1,100}?)\s*<([^<>]+)>|([^<>\s]+))\s*$/.exec(raw);
  if (!m || !MAIL_ADDRESS.test(m[2] ?? m[3]) || /[\u0000-\u001f\u007f]/.test(raw)) {
    throw new ConfigError(
      `MAIL_FROM must be an address or "Name <address>" on one line, got "${raw.replace(/[\u0000-\u001f]/g, ' ')}"`,
    );
  }
  return raw.trim();
}

function tokenSecret(env: Env, databaseUrlValue: string | undefined): string | undefined {
  const raw = env.TOKEN_SECRET;
  if (raw === undefined || raw === '') {
    if (databaseUrlValue)
      throw new ConfigError(
        'TOKEN_SECRET must be set when DATABASE_URL is set (at least 32 characters, e.g. openssl rand -base64 48)',
      );
    return undefined;
  }
  if (raw.length < 32)
    throw new ConfigError('TOKEN_SECRET must be at least 32 characters long (e.g. openssl rand -base64 48)');
  return raw;
}

function trustProxy(env: Env): number | string | undefined {
  const raw = env.TRUST_PROXY;
  if (raw === undefined || raw === '' || /^(0|false|no|off)$/i.test(raw)) return undefined;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  if (/^[0-9a-fA-F:.,/ a-z]+$/.test(raw)) return raw;
  throw new ConfigError(`TRUST_PROXY must be a number of proxy hops or a list of proxy addresses, got "${raw}"`);
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
    trustProxy: trustProxy(env),
    smtpUrl: smtpUrl(env),
    mailFrom: mailFrom(env, smtpUrl(env)),
    mailRatePerSecond: integer(env, 'MAIL_RATE_PER_SECOND', 10, 1, 10_000),
    mailConnections: integer(env, 'MAIL_CONNECTIONS', 1, 1, 50),
    mailTimeoutMs: integer(env, 'MAIL_TIMEOUT_SECONDS', 5, 1, 120) * 1000,
    tokenSecret: tokenSecret(env, databaseUrl(env)),
    disclosureK: integer(env, 'DISCLOSURE_K', 5, 2, 1000),
    reminderMinIntervalDays: integer(env, 'REMINDER_MIN_INTERVAL_DAYS', 3, 0, 60),
  };
}
