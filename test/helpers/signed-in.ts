import crypto from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app';
import type { Db } from '../../server/shared/data/connection';
import { insertUser, Role } from '../../server/accounts/data/users';
import { hashPassword, ScryptCost } from '../../server/accounts/passwords';
import { testApp, TestApp } from './test-app';

/** Test accounts get a cheap hash so the suites stay quick; sign-in reads the cost from each stored hash. */
export const CHEAP_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';

export async function addTestUser(db: Db, email: string, role: Role, password = PASSWORD): Promise<void> {
  await insertUser(db, {
    id: crypto.randomUUID(),
    email,
    role,
    password_hash: await hashPassword(password, CHEAP_COST),
    created_at: new Date().toISOString(),
  });
}

export interface AdminTestApp extends TestApp {
  /** the same app, trusting X-Forwarded-For from loopback so tests can act from several client addresses */
  proxied: Express;
  signIn(email: string, opts?: { address?: string; password?: string }): Promise<Browser>;
}

export async function adminTestApp(
  kind: 'sqlite' | 'postgres',
  publicUrl = 'http://veldwerk.test',
): Promise<AdminTestApp> {
  const t = await testApp(kind);
  const proxied = createApp({
    db: t.db,
    registry: t.registry,
    config: { publicUrl, logRequests: true, trustProxy: 'loopback' },
    clock: () => t.now.value,
    log: (l) => t.logs.push(l),
  });
  return {
    ...t,
    proxied,
    signIn: async (email, opts = {}) => {
      const browser = new Browser(proxied, opts.address ?? '203.0.113.10');
      const res = await browser.signIn(email, opts.password ?? PASSWORD);
      if (res.status !== 303) throw new Error(`sign-in of ${email} failed: ${res.status}`);
      await browser.refreshCsrf();
      return browser;
    },
  };
}

/** A browser: keeps cookies, sends forms with the page's CSRF token, acts from one client address. */
export class Browser {
  readonly agent: ReturnType<typeof request.agent>;
  csrf = '';

  constructor(
    app: Express,
    readonly address = '203.0.113.10',
  ) {
    this.agent = request.agent(app);
  }

  async signIn(email: string, password: string): Promise<request.Response> {
    const form = await this.agent.get('/signin').set('X-Forwarded-For', this.address).expect(200);
    const token = hiddenField(form.text, '_csrf');
    return this.agent
      .post('/signin')
      .set('X-Forwarded-For', this.address)
      .type('form')
      .send({ _csrf: token, email, password });
  }

  /** Reads the CSRF token from a signed-in page. */
  async refreshCsrf(path = '/analyst'): Promise<void> {
    const page = await this.get(path).expect(200);
    this.csrf = hiddenField(page.text, '_csrf');
  }

  get(path: string): request.Test {
    return this.agent.get(path).set('X-Forwarded-For', this.address);
  }

  post(path: string, form: Record<string, string> = {}, csrf: string | null = this.csrf): request.Test {
    const body = csrf === null ? form : { _csrf: csrf, ...form };
    return this.agent.post(path).set('X-Forwarded-For', this.address).type('form').send(body);
  }

  upload(path: string, fileName: string, content: string | Buffer, csrf: string | null = this.csrf): request.Test {
    const req = this.agent.post(path).set('X-Forwarded-For', this.address);
    if (csrf !== null) req.field('_csrf', csrf);
    return req.attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), {
      filename: fileName,
      contentType: 'text/csv',
    });
  }
}

export function hiddenField(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no hidden field ${name} on the page`);
  return m[1];
}

/** The value of the Set-Cookie header that sets the given cookie. */
export function setCookie(res: request.Response, name: string): string | undefined {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return raw?.find((c) => c.startsWith(`${name}=`));
}
