// The period a job run reports on, and its key in job_run. Pure. A job's cron fire names the period:
// - weekly reports (the Friday digest, the province data and report, the discipline summary): the seven days that
//   end at the fire, keyed by the ISO week of the fire's Shanghai date (`2026-W48`);
// - the monthly report: the calendar month before the fire's month (fired on the 1st → last month), `2026-10`;
// - daily checks: the fire's Shanghai date, `2026-11-27`.
// A cron that fires more often than its period (two Fridays' worth in one ISO week) maps to one key: the second
// fire finds the period done. That is the exactly-once rule, not an accident.
import { addDays, addMonthsClamped, daysBetween, parseDay, shanghaiDay, startOfDayShanghai, weekday, type Day } from '../time.ts';

export type PeriodKind = 'week' | 'month' | 'day';

export interface ReportPeriod {
  kind: PeriodKind;
  key: string;
  /** The scheduled fire this period belongs to. */
  fire: Date;
  /** [start, end): what the report covers. */
  start: Date;
  end: Date;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** ISO-8601 week of a calendar day: `2026-W48` (weeks start Monday; week 1 holds the year's first Thursday). */
export function isoWeekKey(day: Day): string {
  const iso = weekday(day) === 0 ? 7 : weekday(day); // Monday 1 … Sunday 7
  const thursday = addDays(day, 4 - iso);
  const year = parseDay(thursday).year;
  const ordinal = daysBetween(`${year}-01-01`, thursday); // 0-based day of the year
  return `${year}-W${String(Math.floor(ordinal / 7) + 1).padStart(2, '0')}`;
}

export function monthKey(day: Day): string {
  return day.slice(0, 7);
}

export function periodOf(kind: PeriodKind, fire: Date): ReportPeriod {
  const day = shanghaiDay(fire);
  switch (kind) {
    case 'week':
      return { kind, key: isoWeekKey(day), fire, start: new Date(fire.getTime() - WEEK_MS), end: fire };
    case 'month': {
      const first = `${monthKey(day)}-01`;
      const previous = addMonthsClamped(first, -1);
      return { kind, key: monthKey(previous), fire, start: startOfDayShanghai(previous), end: startOfDayShanghai(first) };
    }
    case 'day':
      return { kind, key: day, fire, start: startOfDayShanghai(day), end: startOfDayShanghai(addDays(day, 1)) };
  }
}

/**
 * The week whose Friday reports a note written on `day` goes into: that week's (Monday to Friday — the discipline
 * report of Friday afternoon still takes it), the next week's on Saturday and Sunday.
 */
export function reportWeekOf(day: Day): string {
  const w = weekday(day); // 0 Sunday … 6 Saturday
  return isoWeekKey(w === 6 ? addDays(day, 2) : w === 0 ? addDays(day, 1) : day);
}
