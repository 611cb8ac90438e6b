import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..');

export interface Figure {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  /** connection errors, timeouts included (autocannon counts them in both) */
  errors: number;
  timeouts: number;
  non2xx: number;
  total: number;
}

/** Starts a TypeScript server script in its own process; resolves with its port once it prints "listening <port>". */
export function startServer(
  script: string,
  env: Record<string, string>,
  cwd = ROOT,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // PRELOAD=/path/to/script.js loads a script into the server first (a profiler, say)
    const child = spawn(
      process.execPath,
      [...(process.env.PRELOAD ? ['-r', process.env.PRELOAD] : []), '-r', '@swc-node/register', script],
      {
        cwd,
        env: { ...process.env, LOG_REQUESTS: 'false', DEMO: 'false', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

export async function load(name: string, opts: autocannon.Options): Promise<Figure> {
  const settings: autocannon.Options = { connections: 50, ...opts };
  if (settings.amount === undefined && settings.duration === undefined) settings.duration = 10;
  const result = await autocannon(settings);
  return {
    name,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
    non2xx: result.non2xx,
  };
}

export function printTable(title: string, figures: Figure[], baseline?: Figure, floor?: Figure): void {
  console.log(`\n${title}`);
  console.log(
    `scenario                          req/s    p50 ms   p99 ms   errors  non-2xx  vs hello${floor ? '  vs node' : ''}`,
  );
  const ratio = (f: Figure, base?: Figure) => (base ? `${((f.reqPerSec / base.reqPerSec) * 100).toFixed(0)}%` : '');
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(32)} ${f.reqPerSec.toFixed(0).padStart(6)} ${String(f.p50).padStart(9)} ${String(f.p99).padStart(8)} ${String(f.errors).padStart(8)} ${String(f.non2xx).padStart(8)}  ${ratio(f, baseline).padStart(7)}${floor ? `  ${ratio(f, floor).padStart(7)}` : ''}`,
    );
  }
}
