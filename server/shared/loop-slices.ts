/**
 * Heavy request work (judging and storing answers) in bounded slices of the event loop.
 *
 * Under load many requests become ready together: at 50 connections one turn of the loop read 50 completions and
 * judged them all before any timer, page view or other socket got a turn, 35-55 ms on this machine's cores. Here the
 * heavy part of a request waits for a slice instead: each caller resumes in a callback of its own in the loop's
 * check phase (setImmediate), and node runs every promise that callback set going (the caller's awaits on reads,
 * parsing, judging) before the next callback, so a caller's whole synchronous chain is done before the next one
 * starts. Once SLICE_MS of a turn's check phase have gone to callers, the rest wait for the next turn, after timers
 * and the sockets that became ready meanwhile. Light requests (page views, assets) are not held up behind a burst of
 * completions. A caller's part ends where it waits for something outside the loop's thread (the disk's sync, a
 * worker), which comes back in a later turn.
 *
 * Nothing is dropped: each caller resumes once, in the order it asked. The cost is one callback and at most one turn
 * of the loop per request.
 */
const SLICE_MS = 5;

/** when this turn's slice ends (performance.now()); 0 before the turn's first caller */
let sliceEnds = 0;

/** Resolves when the caller may run its heavy part (in the next slice with room). */
export function nextSlice(): Promise<void> {
  return new Promise<void>((resolve) => {
    setImmediate(enter, resolve);
  });
}

function enter(resolve: () => void): void {
  const now = performance.now();
  if (sliceEnds === 0) {
    // the turn's first caller always runs (so a long one still gets through); the slice closes at the next turn's
    // check phase, before the callers that wait for it
    sliceEnds = now + SLICE_MS;
    setImmediate(closeSlice);
  } else if (now >= sliceEnds) {
    setImmediate(enter, resolve); // the next turn, in the same order
    return;
  }
  resolve();
}

function closeSlice(): void {
  sliceEnds = 0;
}
