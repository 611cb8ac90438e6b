import { dutchDay } from '../../server/shared/calendar';

/** Submission days are Dutch calendar days: what a respondent in the Netherlands would call "today". */
describe('dutchDay', () => {
  test('the day turns at midnight in Amsterdam, in winter (UTC+1) and in summer (UTC+2)', () => {
    expect(dutchDay(new Date('2026-01-15T22:59:59.999Z'))).toBe('2026-01-15');
    expect(dutchDay(new Date('2026-01-15T23:00:00.000Z'))).toBe('2026-01-16');
    expect(dutchDay(new Date('2026-07-01T21:59:59.999Z'))).toBe('2026-07-01');
    expect(dutchDay(new Date('2026-07-01T22:00:00.000Z'))).toBe('2026-07-02');
  });

  test('around the clock changes, and when moments from different hours alternate', () => {
    // 2026-03-29: clocks go forward at 01:00 UTC; 2026-10-25: back at 01:00 UTC
    const cases: Array<[string, string]> = [
      ['2026-03-28T22:59:59Z', '2026-03-28'],
      ['2026-03-28T23:00:00Z', '2026-03-29'],
      ['2026-03-29T21:59:59Z', '2026-03-29'],
      ['2026-03-29T22:00:00Z', '2026-03-30'],
      ['2026-10-24T21:59:59Z', '2026-10-24'],
      ['2026-10-24T22:00:00Z', '2026-10-25'],
      ['2026-10-25T22:59:59Z', '2026-10-25'],
      ['2026-10-25T23:00:00Z', '2026-10-26'],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [moment, day] of round === 1 ? [...cases].reverse() : cases)
        expect(dutchDay(new Date(moment))).toBe(day);
    }
  });

  test('an invalid moment is an error, not a remembered day', () => {
    dutchDay(new Date('2026-01-15T12:00:00Z'));
    expect(() => dutchDay(new Date('not a date'))).toThrow(RangeError);
  });
});
