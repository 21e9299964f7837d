/**
 * Calendar days of the deployment. A depot's day (expiry, rotation due, receipt dates, "today") is
 * the day on the wall clock where the depot is, the deployment's TIME_ZONE: in Beijing a batch
 * expiring on 12-02 is expired from 12-02 00:00 Beijing time (12-01 16:00 UTC), not from 08:00.
 * Once an instant has become a day, days are ISO "YYYY-MM-DD" strings and their arithmetic is
 * zone-free (whole days of the proleptic Gregorian calendar).
 *
 * Pure and dependency-free: the server and the browser bundle (web/) import this same module.
 */

/** The demo network's zone (Ningxia keeps Beijing time); the default of TIME_ZONE. */
export const DEFAULT_TIME_ZONE = "Asia/Shanghai";

const DAY_MS = 86_400_000;

/**
 * Per zone: one formatter (building an Intl.DateTimeFormat costs far more than formatting with it)
 * and the zone's offset from UTC per UTC day, where it holds all day. formatToParts costs several
 * microseconds, and dayOf runs once per batch on every batch list and alert evaluation; with the
 * offset known, a day is plain arithmetic. Zones are few (one per deployment, a handful in tests).
 */
interface Zone {
  formatter: Intl.DateTimeFormat;
  /** UTC day number -> offset (ms) in force for the whole of that UTC day. */
  offsetByUtcDay: Map<number, number>;
}

const zones = new Map<string, Zone>();
/** Days of offsets kept per zone: decades of receipt and expiry dates; beyond, the cache starts over. */
const MAX_CACHED_DAYS = 100_000;

function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    // en-US with the Gregorian calendar and Latin digits: parts that parse as numbers, whatever the
    // runtime's default locale. h23: midnight is hour 0, never 24.
    const formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      calendar: "gregory",
      numberingSystem: "latn",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      era: "short",
    });
    zone = { formatter, offsetByUtcDay: new Map() };
    zones.set(timeZone, zone);
  }
  return zone;
}

/**
 * Throws a RangeError naming the zone when it is not an IANA time zone the runtime knows
 * (Intl.DateTimeFormat itself throws one for an unknown zone, with a message that does not say where).
 */
export function assertTimeZone(timeZone: string): void {
  try {
    zoneOf(timeZone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)} (an IANA name, e.g. Asia/Shanghai)`);
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  /** Milliseconds since midnight on the wall clock (the instant's own milliseconds included). */
  msOfDay: number;
}

function wallClock(ms: number, timeZone: string): WallClock {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of zoneOf(timeZone).formatter.formatToParts(ms)) {
    switch (part.type) {
      case "year":
        year = Number(part.value);
        break;
      case "month":
        month = Number(part.value);
        break;
      case "day":
        day = Number(part.value);
        break;
      case "hour":
        hour = Number(part.value);
        break;
      case "minute":
        minute = Number(part.value);
        break;
      case "second":
        second = Number(part.value);
        break;
      case "era":
        bc = part.value === "BC" || part.value === "B";
        break;
    }
  }
  // Intl writes 1 BC as year 1 of the era BC; astronomical (ISO) year 0.
  if (bc) year = 1 - year;
  const millis = ((ms % 1000) + 1000) % 1000;
  return { year, month, day, msOfDay: ((hour * 60 + minute) * 60 + second) * 1000 + millis };
}

function isoOf(year: number, month: number, day: number): string {
  const y =
    year >= 0 && year <= 9999
      ? String(year).padStart(4, "0")
      : `${year < 0 ? "-" : "+"}${String(Math.abs(year)).padStart(6, "0")}`;
  return `${y}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The zone's offset at `ms`: from the per-day cache when it held all that UTC day, else exact. */
function offsetOf(ms: number, timeZone: string): number {
  const zone = zoneOf(timeZone);
  const utcDay = Math.floor(ms / DAY_MS);
  const cached = zone.offsetByUtcDay.get(utcDay);
  if (cached !== undefined) return cached;
  const first = offsetAt(utcDay * DAY_MS, timeZone);
  // A UTC day with a change of offset (daylight saving, a zone's new rule) is read exactly.
  if (first !== offsetAt((utcDay + 1) * DAY_MS - 1, timeZone)) return offsetAt(ms, timeZone);
  if (zone.offsetByUtcDay.size >= MAX_CACHED_DAYS) zone.offsetByUtcDay.clear();
  zone.offsetByUtcDay.set(utcDay, first);
  return first;
}

/** The calendar day ("YYYY-MM-DD") of the instant `ms` on the wall clock of `timeZone`. */
export function dayOf(ms: number, timeZone: string): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${ms}`);
  return dayFromNumber(Math.floor((ms + offsetOf(ms, timeZone)) / DAY_MS));
}

/** Whole days since 1970-01-01 for "YYYY-MM-DD" (anything after the date part is ignored). */
export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!match) throw new RangeError(`not an ISO date: ${JSON.stringify(date)}`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  // Date.UTC rolls 2025-02-30 over to March (and maps years 0-99 to 1900-1999); a date that does
  // not round-trip is a typo, not a date.
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  }
  return ms / DAY_MS;
}

/** The day of a day number: the inverse of dayNumber. */
export function dayFromNumber(day: number): string {
  const date = new Date(day * DAY_MS);
  return isoOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** The calendar day `days` after `date` (before, when negative). */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`days must be a whole number, got ${days}`);
  return dayFromNumber(dayNumber(date) + days);
}

/** Whole days from `from` to `to`: positive when `to` is later, 0 on the same day. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The wall clock's offset from UTC at the instant `ms` (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const clock = wallClock(ms, timeZone);
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 as they are.
  const local = new Date(0);
  local.setUTCFullYear(clock.year, clock.month - 1, clock.day);
  return local.getTime() + clock.msOfDay - ms;
}

/**
 * The first instant of the calendar day `date` in `timeZone`: its 00:00, or where a zone skips
 * midnight (a daylight-saving change at 24:00, as Chile's), the moment the day begins.
 */
export function startOfDay(date: string, timeZone: string): number {
  const midnightUtc = dayNumber(date) * DAY_MS;
  // Usually midnight is at the offset midnight UTC has, and the instant before it is the day before.
  const guess = midnightUtc - offsetOf(midnightUtc, timeZone);
  if (guess + offsetOf(guess, timeZone) === midnightUtc && dayOf(guess - 1, timeZone) < date) return guess;
  // Every offset the zone has around that day; real offsets lie within ±15 hours of UTC.
  const offsets = new Set([-15, -3, 0, 3, 15].map((h) => offsetAt(midnightUtc + h * 3_600_000, timeZone)));
  // Midnight under one of them, if the wall clock reads 00:00:00 of that day then.
  const midnights = [...offsets]
    .map((offset) => midnightUtc - offset)
    .filter((ms) => offsetAt(ms, timeZone) === midnightUtc - ms)
    .sort((a, b) => a - b);
  if (midnights[0] !== undefined) return midnights[0];
  // Midnight falls in a gap: the day starts at the change. Before the earliest candidate it is
  // still the day before, at the latest it is this day; the first instant of the day lies between.
  const candidates = [...offsets].map((offset) => midnightUtc - offset).sort((a, b) => a - b);
  let lo = candidates[0] ?? midnightUtc;
  let hi = candidates[candidates.length - 1] ?? midnightUtc;
  while (dayOf(lo, timeZone) >= date) lo -= 3_600_000;
  while (dayOf(hi, timeZone) < date) hi += 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayOf(mid, timeZone) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}
