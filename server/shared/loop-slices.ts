/**
 * Heavy request work (judging and storing answers) in bounded slices of the event loop.
 *
 * Under load many requests become ready together: at 50 connections one turn of the loop read 50 completions and
 * judged them all before any timer, page view or other socket got a turn, 35-55 ms on this machine's cores. Here the
 * heavy part of a request waits for a slice instead: the waiting work runs in arrival order in the loop's check phase,
 * until SLICE_MS of it have run; the rest waits for the next turn, after timers and the sockets that became ready
 * meanwhile. Light requests (page views, assets) are not held up behind a burst of completions.
 *
 * Nothing is dropped or reordered: each caller resumes once, in the order it asked. The cost is one promise and at
 * most one turn of the loop per request.
 */
const SLICE_MS = 5;

const waiting: Array<() => void> = [];
let scheduled = false;

/** Resolves when the caller may run its heavy part (in the next slice with room). */
export function nextSlice(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(runSlice);
    }
  });
}

async function runSlice(): Promise<void> {
  const ends = performance.now() + SLICE_MS;
  // at least one caller per slice, so a long one still gets through
  do {
    waiting.shift()!();
    // the released caller's synchronous part (queued first) runs before this loop goes on
    await undefined;
  } while (waiting.length > 0 && performance.now() < ends);
  if (waiting.length > 0) setImmediate(runSlice);
  else scheduled = false;
}
