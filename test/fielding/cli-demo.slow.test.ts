import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../server/app';
import { openDatabase } from '../../server/shared/data/connection';
import { ROOT, runTs } from '../helpers/run-node';
import { realRegistry } from '../helpers/test-app';

describe('npm run cli -- demo and the start-up checks', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-cli-'));
    env = { SQLITE_FILE: path.join(dir, 'demo.sqlite'), DATABASE_URL: '', PUBLIC_URL: 'https://monitor.example.org' };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('demo --links N prints N fresh links and nothing else, and seeds one demo wave however often it runs', async () => {
    const first = await runTs('server/cli/index.ts', ['demo', '--links', '4'], env);
    expect(first.code).toBe(0);
    const links = first.stdout.trim().split('\n');
    expect(links).toHaveLength(4);
    for (const link of links) expect(link).toMatch(/^https:\/\/monitor\.example\.org\/s\/[A-Za-z0-9_-]{43}$/);
    const second = await runTs('server/cli/index.ts', ['demo', '--links', '2'], env);
    expect(second.stdout.trim().split('\n')).toHaveLength(2);
    const db = openDatabase({ sqliteFile: env.SQLITE_FILE });
    try {
      expect((await db('waves').where({ is_demo: true })).length).toBe(1);
      expect((await db('invitations')).length).toBe(6);
      const app = createApp({
        db,
        registry: realRegistry(),
        config: { publicUrl: env.PUBLIC_URL, logRequests: false },
      });
      await request(app).get(new URL(links[0]).pathname).expect(200);
    } finally {
      await db.destroy();
    }
  });

  test('demo --links 10000 piped into a slow reader prints all 10,000 lines', async () => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'server/cli/index.ts', 'demo', '--links', '10000'],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, SQLITE_FILE: path.join(dir, 'many.sqlite') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // the reader takes 4 kB every 10 ms (about 400 kB/s, the links are some 700 kB), as `| slow-program` would
    const chunks: Buffer[] = [];
    const read = new Promise<void>((resolve) => {
      // a 'readable' listener keeps the stream paused for read(); without one, node resumes (and drops) it at exit
      child.stdout.on('readable', () => undefined);
      const timer = setInterval(() => {
        const chunk = child.stdout.read(4096) ?? child.stdout.read();
        if (chunk) chunks.push(chunk);
      }, 10);
      child.stdout.on('end', () => {
        clearInterval(timer);
        resolve();
      });
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    await read;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(10_000);
    expect(new Set(lines).size).toBe(10_000);
    for (const link of [lines[0], lines[9_999]])
      expect(link).toMatch(/^https:\/\/monitor\.example\.org\/s\/[A-Za-z0-9_-]{43}$/);
  });

  test('a wrong command line exits 2 with the usage; bad configuration exits 1 with a clear message', async () => {
    const bad = await runTs('server/cli/index.ts', ['demo', '--links', 'many'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--links must be a whole number');
    const config = await runTs('server/cli/index.ts', ['demo'], { ...env, DATABASE_URL: 'mysql://x' });
    expect(config.code).toBe(1);
    expect(config.stderr).toContain('DATABASE_URL must start with postgres://');
  });

  test('the server refuses to start when a registered questionnaire file has changed', async () => {
    const qdir = path.join(dir, 'questionnaires');
    fs.cpSync(path.join(ROOT, 'questionnaires'), qdir, { recursive: true });
    const file = path.join(qdir, 'demo', '1.json');
    const qenv = { ...env, SQLITE_FILE: path.join(dir, 'start.sqlite'), QUESTIONNAIRES_DIR: qdir };
    expect((await runTs('server/cli/index.ts', ['demo', '--links', '1'], qenv)).code).toBe(0);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Hoe veilig', 'Hoe onveilig'));
    const start = await runTs('server/main.ts', [], { ...qenv, PORT: '0' });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(file);
    expect(start.stderr).toMatch(/registered SHA-256 [0-9a-f]{64}, file now [0-9a-f]{64}/);
  });
});
