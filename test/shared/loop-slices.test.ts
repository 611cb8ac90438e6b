import { nextSlice } from '../../server/shared/loop-slices';

/** Heavy request work in bounded slices: every caller runs once, in order, and other work gets turns in between. */
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** A 1 ms timer, started and settled: how often it fired and the longest gap between two firings, until stopped. */
async function timerProbe(): Promise<{ stop(): { fired: number; longestGap: number } }> {
  let last = performance.now();
  let longestGap = 0;
  let fired = 0;
  const ticks = setInterval(() => {
    longestGap = Math.max(longestGap, performance.now() - last);
    last = performance.now();
    fired++;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  [last, longestGap, fired] = [performance.now(), 0, 0];
  return {
    stop: () => {
      clearInterval(ticks);
      return { fired, longestGap };
    },
  };
}

test('200 callers of 1 ms each all run, in arrival order, and a timer fires between slices', async () => {
  const order: number[] = [];
  const probe = await timerProbe();
  await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      await nextSlice();
      busy(1);
      order.push(i);
    }),
  );
  const { fired, longestGap } = probe.stop();
  expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
  // all at once would hold the loop for 200 ms; in slices of about 5 ms the timer kept firing
  expect(fired).toBeGreaterThan(10);
  expect(longestGap).toBeLessThan(100);
});

test('a caller longer than a slice still runs, and the ones behind it run in the following turns', async () => {
  const order: string[] = [];
  await Promise.all([
    nextSlice().then(() => (busy(12), order.push('long'))),
    nextSlice().then(() => order.push('next')),
    nextSlice().then(() => order.push('last')),
  ]);
  expect(order).toEqual(['long', 'next', 'last']);
});

test('a caller whose heavy part spans several awaits finishes it before the next caller starts, and the slice counts all of it', async () => {
  const events: string[] = [];
  const probe = await timerProbe();
  await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      await nextSlice();
      events.push(`${i} start`);
      for (let step = 0; step < 4; step++) {
        await Promise.resolve(); // a read through a promise, say
        busy(0.5);
      }
      events.push(`${i} end`);
    }),
  );
  const { longestGap } = probe.stop();
  // one caller at a time: each one's end comes right after its start
  expect(events).toEqual(Array.from({ length: 60 }, (_, i) => [`${i} start`, `${i} end`]).flat());
  // 60 callers of 2 ms: 120 ms in one turn if the slice counted only the parts before the first await
  expect(longestGap).toBeLessThan(40);
});
