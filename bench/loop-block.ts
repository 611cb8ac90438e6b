/*
 * How long the event loop's thread went without coming back to the loop, less the time it waited for a core (Linux).
 *
 * A timer that fires late (monitorEventLoopDelay) counts two things: the loop's thread busy (running JavaScript, or
 * in a synchronous call such as SQLite's fsync), and the operating system running other processes on the core
 * meanwhile. On a 2-core machine with autocannon beside the server the second dominates (hello-world alone shows
 * 20-40 ms). This probe separates them: every millisecond a timer reads the main thread's scheduler counters
 * (/proc/thread-self/schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting for one) and keeps the longest
 * gap between two firings less the time waited for a core in it. A timer fires only between two turns of the loop,
 * so that is the longest block the server's own work caused (an upper bound: a gap may hold several short turns and
 * up to a millisecond of idling).
 */
import fs from 'node:fs';

export interface LoopBlock {
  /** the longest gap between two firings less the time waited for a core in it, ms */
  ownMs: number;
  /** of that gap: on a CPU, and waited for one, ms */
  onCpuMs: number;
  waitedMs: number;
  /** the longest gap between two firings, ms (wall time: what a timer saw) */
  wallMs: number;
}

export function startLoopBlockProbe(): { read(): LoopBlock | null; reset(): void } {
  let fd: number;
  try {
    fd = fs.openSync('/proc/thread-self/schedstat', 'r'); // opened in the main thread: its counters
  } catch {
    return { read: () => null, reset: () => undefined };
  }
  const buf = Buffer.alloc(96);
  const sample = (): [number, number] => {
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const [run, wait] = buf.toString('latin1', 0, n).split(' ');
    return [Number(run) / 1e6, Number(wait) / 1e6];
  };
  const empty = (): LoopBlock => ({ ownMs: 0, onCpuMs: 0, waitedMs: 0, wallMs: 0 });
  let [lastRun, lastWait] = sample();
  let last = performance.now();
  let worst = empty();
  const timer = setInterval(() => {
    const now = performance.now();
    const [run, wait] = sample();
    const wall = now - last;
    const own = wall - (wait - lastWait);
    if (own > worst.ownMs)
      worst = { ownMs: own, onCpuMs: run - lastRun, waitedMs: wait - lastWait, wallMs: worst.wallMs };
    worst.wallMs = Math.max(worst.wallMs, wall);
    [lastRun, lastWait, last] = [run, wait, now];
  }, 1);
  timer.unref();
  return {
    read: () => ({ ...worst }),
    reset: () => {
      worst = empty();
    },
  };
}
