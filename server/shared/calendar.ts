/** Dates are calendar days in the Netherlands (the monitor's fieldwork runs on Dutch days). */
const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

let cachedHour = NaN;
let cachedDay = '';

/**
 * YYYY-MM-DD of the given moment in Europe/Amsterdam. Amsterdam is a whole number of hours off UTC (+1 or +2), so its
 * day changes only on a UTC hour: the day is formatted once per hour (formatting was 2% of a completion's time).
 */
export function dutchDay(moment: Date): string {
  const hour = Math.floor(moment.getTime() / 3_600_000);
  if (hour !== cachedHour) {
    cachedDay = dayFormat.format(moment);
    cachedHour = hour;
  }
  return cachedDay;
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function isValidDay(day: unknown): day is string {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const d = new Date(`${day}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const LONG_DAY: Record<'nl' | 'en', Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }),
};
const MOMENT: Record<'nl' | 'en', Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl-NL', {
    timeZone: 'Europe/Amsterdam',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }),
  en: new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }),
};

/** A calendar day (YYYY-MM-DD) as people read it: "1 februari 2027", "1 February 2027". Anything else is returned as is. */
export function readableDay(day: string | null | undefined, locale: 'nl' | 'en'): string {
  if (!day) return '';
  return isValidDay(day) ? LONG_DAY[locale].format(new Date(`${day}T12:00:00Z`)) : day;
}

/** A moment (an ISO time in UTC) in Amsterdam's time: "6 december 2026 om 15:35", "6 December 2026 at 15:35". */
export function readableMoment(iso: string | null | undefined, locale: 'nl' | 'en'): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : MOMENT[locale].format(new Date(t));
}

const OFFSET_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** Amsterdam's wall-clock time of a moment, as YYYY-MM-DDTHH:MM. */
function amsterdamWallClock(moment: Date): string {
  const p = Object.fromEntries(OFFSET_PARTS.formatToParts(moment).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The moment a day and time on Amsterdam's clocks (YYYY-MM-DD, HH:MM) stand for, or undefined when the input is not
 * a real day and time or names a time the clocks skip (the spring change: 02:00–02:59 does not exist). In the autumn
 * hour that comes twice, the first (summer time) is meant.
 */
export function amsterdamMoment(day: string, time: string): Date | undefined {
  if (!isValidDay(day) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return undefined;
  const wanted = `${day}T${time}`;
  // Amsterdam is UTC+1 or UTC+2: try summer time first, then winter time
  for (const offsetHours of [2, 1]) {
    const candidate = new Date(Date.parse(`${wanted}:00Z`) - offsetHours * 3_600_000);
    if (amsterdamWallClock(candidate) === wanted) return candidate;
  }
  return undefined;
}

/** The first moment of a day in Amsterdam (a wave opens then). */
export function startOfAmsterdamDay(day: string): Date {
  const moment = amsterdamMoment(day, '00:00');
  if (!moment) throw new Error(`not a day: ${day}`);
  return moment;
}
