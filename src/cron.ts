// "When did this schedule last fire?" on top of node-cron. node-cron parses the expression (`cron.parse`) and says
// whether an instant matches it (`task.match`, with its own day-of-month/day-of-week rules and time zone), but it
// only looks forward (`getNextRun`). Catching up a missed period needs the latest fire at or before `at`, so this
// module walks back over the parsed fields and lets node-cron's matcher decide each day: no cron parsing here.
//
// Wall time → instant uses Asia/Shanghai's fixed +08:00 (no daylight saving since 1991; config pins the zone), so
// every candidate instant is exact; node-cron's matcher, told the same zone, confirms the day.
import cron, { type ScheduledTask } from 'node-cron';
import { SHANGHAI_OFFSET_MS } from './time.ts';

export const TIMEZONE = 'Asia/Shanghai';
const DAY_MS = 24 * 60 * 60 * 1000;

// Never-started tasks used only for `match`; one per expression (a handful, from config).
const matchers = new Map<string, ScheduledTask>();

function matcher(expr: string): ScheduledTask {
  let task = matchers.get(expr);
  if (!task) {
    task = cron.createTask(expr, () => undefined, { timezone: TIMEZONE, name: `match ${expr}` });
    matchers.set(expr, task);
  }
  return task;
}

export class CronExpressionError extends Error {
  constructor(readonly expression: string) {
    super(`定时表达式无效 invalid cron expression "${expression}"`);
    this.name = 'CronExpressionError';
  }
}

export function assertCron(expr: string): void {
  if (!cron.validate(expr)) throw new CronExpressionError(expr);
}

/** Does `at` (to the second) match the expression in Asia/Shanghai? node-cron's own answer. */
export function cronMatches(expr: string, at: Date): boolean {
  assertCron(expr);
  return matcher(expr).match(at);
}

const desc = (xs: number[]) => [...new Set(xs)].sort((a, b) => b - a);

/**
 * The latest instant ≤ `at` (second precision) at which `expr` fires in Asia/Shanghai, or null when there is none
 * within `maxDays` days back. A day either matches the day/month fields or not; when it does, its latest
 * hour:minute:second from the fields (not after `at`) is the answer, so one `match` call decides each day.
 */
export function previousFire(expr: string, at: Date, maxDays = 400): Date | null {
  assertCron(expr);
  const fields = cron.parse(expr);
  const hours = desc(fields.hour);
  const minutes = desc(fields.minute);
  const seconds = desc(fields.second);
  const m = matcher(expr);
  const limit = Math.floor(at.getTime() / 1000) * 1000; // fires are on whole seconds
  const localMidnight = Math.floor((limit + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
  for (let d = 0; d <= maxDays; d++) {
    const dayStart = localMidnight - d * DAY_MS;
    const candidate = latestOfDay(dayStart, hours, minutes, seconds, limit);
    if (candidate === null) continue;
    if (m.match(new Date(candidate))) return new Date(candidate);
  }
  return null;
}

function latestOfDay(dayStart: number, hours: number[], minutes: number[], seconds: number[], limit: number): number | null {
  for (const h of hours) {
    const hourStart = dayStart + h * 3600_000;
    if (hourStart > limit) continue;
    for (const min of minutes) {
      const minuteStart = hourStart + min * 60_000;
      if (minuteStart > limit) continue;
      for (const s of seconds) {
        const t = minuteStart + s * 1000;
        if (t <= limit) return t;
      }
    }
  }
  return null;
}
