// The one Asia/Shanghai module: calendar-day arithmetic on `YYYY-MM-DD` strings, day boundaries, the 24:00 rule
// and every way a time is written for people. Pure: no clock, no I/O.
// China has kept a fixed UTC+08:00 offset without daylight saving since 1991, so a constant offset is exact for
// every date this system handles and keeps results independent of the server's TZ.

/** A calendar day, `YYYY-MM-DD`, always meant in Asia/Shanghai. */
export type Day = string;

export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`, rejecting impossible dates such as 2026-02-30. */
export function parseDay(day: string): { year: number; month: number; date: number } {
  const m = DAY_RE.exec(day);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const date = Number(m[3]);
    if (month >= 1 && month <= 12 && date >= 1 && date <= daysInMonth(year, month)) return { year, month, date };
  }
  throw new RangeError(`日期无效 invalid day "${day}" (expected YYYY-MM-DD)`);
}

export function isValidDay(day: string): boolean {
  try {
    parseDay(day);
    return true;
  } catch {
    return false;
  }
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Milliseconds of the day's UTC midnight; used only as a day counter, never as an instant. */
function dayNumber(day: Day): number {
  const { year, month, date } = parseDay(day);
  return Date.UTC(year, month - 1, date);
}

function fromDayNumber(ms: number): Day {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
  return fromDayNumber(dayNumber(day) + n * DAY_MS);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: Day, b: Day): number {
  return Math.round((dayNumber(b) - dayNumber(a)) / DAY_MS);
}

/**
 * Same day number `n` months later (or earlier for negative n), clamped to the month's last day:
 * Civil Code art. 202 "到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日" (Jan 31 + 1 month → Feb 28/29).
 */
export function addMonthsClamped(day: Day, n: number): Day {
  const { year, month, date } = parseDay(day);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  const d = Math.min(date, daysInMonth(y, m));
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: Day): number {
  return new Date(dayNumber(day)).getUTCDay();
}

export function isWeekend(day: Day): boolean {
  const w = weekday(day);
  return w === 0 || w === 6;
}

/** The Asia/Shanghai calendar day of an instant (a Date or an ISO string). */
export function shanghaiDay(instant: Date | string): Day {
  return shanghaiIso(instant).slice(0, 10);
}

/** 00:00 of the day in +08:00. */
export function startOfDayShanghai(day: Day): Date {
  return new Date(dayNumber(day) - SHANGHAI_OFFSET_MS);
}

/** 24:00 of the day in +08:00, i.e. the next day's 00:00 +08:00 — the instant a period "ends at 24:00" (art. 203). */
export function endOfDayShanghai(day: Day): Date {
  return new Date(dayNumber(day) + DAY_MS - SHANGHAI_OFFSET_MS);
}

/**
 * ISO-8601 in +08:00. Convention: 24:00 of a day is written as the next day's 00:00, e.g. the end of 2026-10-15 is
 * "2026-10-16T00:00:00+08:00" (every ISO parser reads it; "T24:00" is not universally accepted).
 * Milliseconds appear only when non-zero, so the value round-trips through `new Date()`.
 */
export function formatShanghai(instant: Date): string {
  assertInstant(instant);
  const iso = new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString(); // 2026-10-16T00:00:00.000Z
  const ms = iso.slice(19, 23);
  return `${iso.slice(0, 19)}${ms === '.000' ? '' : ms}+08:00`;
}

/**
 * Reads an instant given by a person or a CLI flag. A bare date (`2026-09-30`) means 00:00 that day in Shanghai;
 * a date-time without a zone (`2026-09-30T10:00`) is Shanghai wall time; anything with `Z` or an offset is taken as is.
 */
export function parseInstant(text: string): Date {
  const s = text.trim();
  let d: Date;
  if (DAY_RE.test(s)) d = startOfDayShanghai(s);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) d = new Date(`${s.replace(' ', 'T')}+08:00`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) d = new Date(s.replace(' ', 'T'));
  else d = new Date(NaN);
  // `new Date` rolls 2026-02-30 over to March: check the date part ourselves.
  if (Number.isNaN(d.getTime()) || !isValidDay(s.slice(0, 10))) {
    throw new RangeError(`时间无效 invalid time "${text}" (expected ISO-8601, e.g. 2026-09-30T10:00+08:00)`);
  }
  return d;
}

/** The instant moved to +08:00 wall time, as a `…Z` ISO string whose digits are Shanghai's. */
function shanghaiIso(at: Date | string): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at instanceof Date ? at.getTime() : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`时间无效 invalid instant ${String(at)}`);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString();
}

/** Minutes since midnight in Asia/Shanghai (quiet hours, schedules). */
export function shanghaiMinutes(at: Date): number {
  const s = shanghaiIso(at);
  return Number(s.slice(11, 13)) * 60 + Number(s.slice(14, 16));
}

/** The Asia/Shanghai calendar year of an instant (tracking numbers are counted per year). */
export function shanghaiYear(at: Date | string): number {
  return Number(shanghaiIso(at).slice(0, 4));
}

/** Year, month and day numbers of the Asia/Shanghai calendar date. */
export function shanghaiDate(at: Date | string): { year: number; month: number; day: number } {
  const s = shanghaiIso(at);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)), day: Number(s.slice(8, 10)) };
}

/**
 * The 24:00 rule: a deadline is stored as the instant its last day ends (the next day's 00:00 +08:00), and that
 * instant belongs to the day that ends, not the one that begins (Civil Code art. 203). The last day of a period.
 */
export function lastDayOf(deadline: Date | string): Day {
  const ms = typeof deadline === 'string' ? Date.parse(deadline) : deadline.getTime();
  return shanghaiDay(new Date(ms - 1));
}

/** 'YYYY-MM-DD HH:mm' in Asia/Shanghai: a moment written for people. */
export function formatMinute(at: Date | string): string {
  const s = shanghaiIso(at);
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}

/** A deadline written for people: the 24:00 rule shown as that day's "24:00", not the next day's 00:00; '—' when none. */
export function deadlineText(iso: string | Date | undefined | null): string {
  if (!iso) return '—';
  const ms = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  if (Number.isNaN(ms)) return '—';
  const local = formatMinute(new Date(ms));
  if (local.endsWith(' 00:00')) return `${lastDayOf(new Date(ms))} 24:00`;
  return local;
}

/** '2024年5月24日'. */
export function chineseDate(at: Date | string): string {
  const { year, month, day } = shanghaiDate(at);
  return `${year}年${month}月${day}日`;
}

/** A deadline's last day in Chinese ('2026年12月9日'), '—' when none: what letters to residents say. */
export function chineseDeadline(iso: string | null | undefined): string {
  return iso ? chineseDate(new Date(Date.parse(iso) - 1)) : '—'; // the 24:00 rule, as lastDayOf
}

function assertInstant(instant: Date): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`时间无效 invalid instant ${String(instant)}`);
  }
}

const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** '12月9日（周三）', with the year in front when it is not `thisYear`'s. */
function dayForPeople(day: Day, thisYear?: number): string {
  const { year, month, date } = parseDay(day);
  return `${thisYear !== undefined && year !== thisYear ? `${year}年` : ''}${month}月${date}日（${WEEKDAY_NAMES[weekday(day)]}）`;
}

/**
 * The one way a deadline is written for people — letters, notices, cards, reminders: '12月9日（周三）24:00' (the
 * 24:00 rule: the day that ends), with the year when it differs from `now`'s; '—' when none.
 */
export function deadlineForPeople(iso: string | Date | null | undefined, now?: Date): string {
  if (!iso) return '—';
  const ms = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  if (Number.isNaN(ms)) return '—';
  const thisYear = now ? shanghaiYear(now) : undefined;
  const local = formatMinute(new Date(ms));
  if (local.endsWith(' 00:00')) return `${dayForPeople(lastDayOf(new Date(ms)), thisYear)}24:00`;
  return `${dayForPeople(local.slice(0, 10), thisYear)}${local.slice(11)}`;
}

/** A moment written for people the same way: '12月3日（周四）10:20'. */
export function momentForPeople(at: string | Date, now?: Date): string {
  const local = formatMinute(at);
  return `${dayForPeople(local.slice(0, 10), now ? shanghaiYear(now) : undefined)}${local.slice(11)}`;
}
