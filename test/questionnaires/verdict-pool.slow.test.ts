// survey-core's verdicts run off the event loop (issue 15, point 2): while a worker thread judges answer sets of a
// large definition, the main thread stays free for other respondents; a verdict that runs away ends its worker and
// answers "could not be checked", and the next verdict gets a fresh worker.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { VerdictPool } from '../../server/questionnaires/verdict-pool';
import { LARGE_DEFINITION, largeAnswers } from '../../bench/large-definition';

test('twenty verdicts on a large definition: all answered, the event loop never blocked long', async () => {
  const pool = new VerdictPool(1);
  try {
    await pool.run('large', LARGE_DEFINITION, largeAnswers(0), 'nl', true); // the worker starts and builds its Model
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pool.run('large', LARGE_DEFINITION, largeAnswers(i), i % 2 ? 'en' : 'nl', true),
      ),
    );
    const elapsed = performance.now() - t0;
    delay.disable();
    expect(verdicts.every((v) => v.ok)).toBe(true);
    const maxMs = delay.max / 1e6;
    console.log(`20 verdicts in ${elapsed.toFixed(0)} ms; longest event-loop block ${maxMs.toFixed(1)} ms`);
    // the verdicts themselves took far longer than any block of the main thread: they did not run on it
    expect(maxMs).toBeLessThan(Math.max(200, elapsed / 3)); // loose: the shared machine has its own hiccups
  } finally {
    await pool.close();
  }
}, 120_000);

test('a verdict that runs past the time limit answers "could not be checked"; the next one gets a fresh worker', async () => {
  // an author's regular expression with catastrophic backtracking: survey-core's validator runs for minutes
  const survey = { elements: [{ type: 'text', name: 'code', validators: [{ type: 'regex', regex: '^(a+)+$' }] }] };
  const pool = new VerdictPool(1, 1500);
  try {
    expect(await pool.run('regex', survey, { code: 'aaa' }, 'nl', true)).toEqual({
      ok: true,
      answers: { code: 'aaa' },
    });
    const slow = await pool.run('regex', survey, { code: `${'a'.repeat(40)}!` }, 'en', true);
    expect(slow).toEqual({ ok: false, errors: [{ name: '', message: 'The answers could not be checked' }] });
    expect(await pool.run('regex', survey, { code: 'aa' }, 'nl', true)).toEqual({ ok: true, answers: { code: 'aa' } });
  } finally {
    await pool.close();
  }
}, 120_000);

test('thousands of dynamic panels are refused before survey-core sees them', async () => {
  const pool = new VerdictPool(1);
  try {
    const heavy = { ...largeAnswers(1), personen: Array.from({ length: 3000 }, (_, i) => ({ naam: `P${i}`, rol: 1 })) };
    const t0 = performance.now();
    const verdict = await pool.run('large', LARGE_DEFINITION, heavy, 'en', true);
    expect(verdict).toEqual({
      ok: false,
      errors: [{ name: 'personen', message: 'This answer has too many parts (at most 6)' }],
    });
    expect(performance.now() - t0).toBeLessThan(10_000); // survey-core took over a minute for these
  } finally {
    await pool.close();
  }
}, 120_000);

test('after close, verdicts answer "could not be checked" instead of hanging', async () => {
  const pool = new VerdictPool(1);
  await pool.close();
  expect(await pool.run('x', { elements: [{ type: 'text', name: 'a' }] }, {}, 'nl', true)).toEqual({
    ok: false,
    errors: [{ name: '', message: 'De antwoorden konden niet worden gecontroleerd' }],
  });
});
