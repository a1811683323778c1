/**
 * Calendar dates in a billing entity's time zone: what "today" is for an entity, and the instant a dated piece of
 * work (an instalment's issue date) falls due there. Pure: the instant to convert is passed in, nothing reads the
 * clock. Time zones are IANA names (`Europe/London`) resolved by the platform's ICU data (Intl), so daylight saving
 * follows the published rules.
 *
 * Decision (README "Revenue"): an instalment is raised at 06:00 on its issue date in its entity's time zone. After
 * midnight, so nothing is early in the entity's own books; at 06:00, because daylight-saving changes happen between
 * midnight and 03:00 (a 00:00 that does not exist, or exists twice, cannot be the due time), and the drafts are
 * waiting when finance starts the day.
 */
import { assertIsoDate, type IsoDate } from './dates';
import { DomainError } from './errors';

/** Hour of the issue date, in the entity's time zone, at which an instalment falls due. */
export const INSTALMENT_DUE_HOUR = 6;

/** True when the platform knows `timeZone` as an IANA zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    if (!isTimeZone(timeZone)) throw new DomainError('INVALID_INPUT', `${timeZone} is not a time zone`);
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading in `timeZone` at `epochMs`, as the UTC instant with the same reading. */
function wallClock(epochMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(new Date(epochMs))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/** The calendar date in `timeZone` at the instant `epochMs`. */
export function dateInZone(epochMs: number, timeZone: string): IsoDate {
  return new Date(wallClock(epochMs, timeZone)).toISOString().slice(0, 10);
}

/**
 * The instant at which it is `hour`:00 on `date` in `timeZone`. A wall-clock time skipped by a daylight-saving
 * change resolves to the first instant after the gap; one that happens twice, to the first.
 */
export function instantInZone(date: IsoDate, hour: number, timeZone: string): number {
  assertIsoDate(date);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new RangeError(`hour ${hour} is not 0–23`);
  const wanted = Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000;
  // The zone's offset near the wanted reading, then once more at the candidate (the offset may differ there).
  let candidate = wanted - (wallClock(wanted, timeZone) - wanted);
  for (let i = 0; i < 2; i += 1) {
    const offset = wallClock(candidate, timeZone) - candidate;
    candidate = wanted - offset;
  }
  // Inside a spring-forward gap no instant reads `wanted`: take the first one after it.
  while (wallClock(candidate, timeZone) < wanted) candidate += 15 * 60_000;
  return candidate;
}

/** When an instalment issued on `issueDate` falls due in `timeZone` (epoch ms). */
export function instalmentDueAt(issueDate: IsoDate, timeZone: string): number {
  return instantInZone(issueDate, INSTALMENT_DUE_HOUR, timeZone);
}
