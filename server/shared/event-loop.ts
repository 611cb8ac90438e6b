/** After this long on the event loop, long work lets other requests in (setImmediate) before it goes on. */
export const TURN_MS = 15;

/**
 * A yield point for long work on the event loop (a 20 MB sample file, 100,000 invitations): call the returned
 * function often; it resolves at once while the current turn is shorter than TURN_MS, and otherwise waits one
 * setImmediate, so timers and other requests run in between and no turn holds the loop much longer than TURN_MS.
 */
export function eventLoopTurns(): () => Promise<void> {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < TURN_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    started = performance.now();
  };
}
