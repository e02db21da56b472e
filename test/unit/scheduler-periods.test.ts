// The scheduler's time arithmetic: the latest fire of a cron expression at or before an instant (checked against
// node-cron's own forward search, a different code path from ours), and the period keys of job_run.
import cron from 'node-cron';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { previousFire, CronExpressionError } from '../../src/cron.ts';
import { jobSpecs, latestPeriod } from '../../src/cases/jobs.ts';
import { isoWeekKey, periodOf } from '../../src/workflow/periods.ts';
import { formatShanghai } from '../../src/time.ts';

const sh = (wall: string) => new Date(`${wall}+08:00`);
const fmt = (d: Date | null) => (d ? formatShanghai(d) : null);

/**
 * The truth from node-cron itself: its forward search (getNextRuns, a walker over the parsed fields) stepped from
 * `maxMinutes` before `at` up to `at`, with the clock it reads set by hand. Independent of our backward search, and
 * a few thousand steps instead of a scan of every minute (the scan took seconds).
 */
function scanBack(expr: string, at: Date, maxMinutes: number): Date | null {
  const task = cron.createTask(expr, () => undefined, { timezone: 'Asia/Shanghai' });
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    // Start one second early so that a fire exactly at the window's start is found too.
    let now = new Date(at.getTime() - maxMinutes * 60_000 - 1000);
    let last: Date | null = null;
    for (;;) {
      vi.setSystemTime(now);
      const next = task.getNextRuns(1)[0];
      if (!next || next.getTime() > at.getTime()) return last;
      last = next;
      now = next;
    }
  } finally {
    vi.useRealTimers();
    void task.destroy();
  }
}

describe('previousFire', () => {
  it('finds the Friday 12:00 digest fire, including the fire instant itself', () => {
    expect(fmt(previousFire('0 12 * * 5', sh('2026-11-27T12:00:00')))).toBe('2026-11-27T12:00:00+08:00');
    expect(fmt(previousFire('0 12 * * 5', sh('2026-11-27T11:59:59')))).toBe('2026-11-20T12:00:00+08:00');
    expect(fmt(previousFire('0 12 * * 5', sh('2026-11-28T09:00')))).toBe('2026-11-27T12:00:00+08:00');
  });

  it('reads the expression in Asia/Shanghai whatever the instant is written in', () => {
    // 04:00 UTC is 12:00 in Shanghai.
    expect(previousFire('0 12 * * 5', new Date('2026-11-27T04:00:30Z'))?.toISOString()).toBe('2026-11-27T04:00:00.000Z');
  });

  it('handles the monthly and ten-minute schedules of the default config', () => {
    expect(fmt(previousFire('0 9 1 * *', sh('2026-11-01T08:59')))).toBe('2026-10-01T09:00:00+08:00');
    expect(fmt(previousFire('0 9 1 * *', sh('2027-01-15T00:00')))).toBe('2027-01-01T09:00:00+08:00');
    expect(fmt(previousFire('*/10 * * * *', sh('2026-10-10T10:17:30')))).toBe('2026-10-10T10:10:00+08:00');
    expect(fmt(previousFire('*/10 * * * *', sh('2026-10-10T00:00:00')))).toBe('2026-10-10T00:00:00+08:00');
  });

  it('agrees with node-cron’s own forward search on every schedule in config and a few more', () => {
    // The oracle itself, on a case worked out by hand.
    expect(fmt(scanBack('0 12 * * 5', sh('2026-11-28T09:00'), 8 * 24 * 60))).toBe('2026-11-27T12:00:00+08:00');
    expect(scanBack('0 12 * * 5', sh('2026-11-28T09:00'), 12 * 60)).toBeNull();
    const cfg = loadConfig({ env: {} });
    const exprs = [...new Set([...jobSpecs(cfg).map((s) => s.cron), '30 6 * * 1-5', '15 8,20 * * *', '0 0 28-31 2 *'])];
    const instants = ['2026-01-01T00:00:30', '2026-10-10T10:17', '2028-02-29T12:00'].map(sh);
    for (const expr of exprs) {
      for (const at of instants) {
        // The Feb-only expression can be a year away; the others are within 32 days.
        if (expr === '0 0 28-31 2 *') continue;
        expect(fmt(previousFire(expr, at)), `${expr} @ ${fmt(at)}`).toBe(fmt(scanBack(expr, at, 32 * 24 * 60)));
      }
    }
    // Day-of-month and month together: 28 Feb (and 29 in a leap year) 00:00.
    expect(fmt(previousFire('0 0 28-31 2 *', sh('2026-10-10T10:17')))).toBe('2026-02-28T00:00:00+08:00');
    expect(fmt(previousFire('0 0 28-31 2 *', sh('2028-03-01T00:00')))).toBe('2028-02-29T00:00:00+08:00');
  });

  it('returns null when nothing fires within the window, and refuses a bad expression', () => {
    expect(previousFire('0 12 * * 5', sh('2026-12-01T09:00'), 3)).toBeNull(); // last Friday is 4 days back
    expect(fmt(previousFire('0 12 * * 5', sh('2026-12-01T09:00'), 4))).toBe('2026-11-27T12:00:00+08:00');
    expect(() => previousFire('every friday', new Date())).toThrow(CronExpressionError);
  });
});

describe('periods', () => {
  it('keys weeks by the ISO week of the fire’s Shanghai date', () => {
    expect(isoWeekKey('2026-11-27')).toBe('2026-W48');
    expect(isoWeekKey('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeekKey('2027-01-01')).toBe('2026-W53'); // a Friday in 2026's last week
    expect(isoWeekKey('2024-12-30')).toBe('2025-W01'); // a Monday in 2025's first week
    expect(isoWeekKey('2021-01-03')).toBe('2020-W53'); // a Sunday
    // 23:30 UTC on Thursday is already Friday in Shanghai.
    expect(periodOf('week', new Date('2026-11-26T23:30:00Z')).key).toBe('2026-W48');
  });

  it('a weekly period is the seven days that end at the fire', () => {
    const p = periodOf('week', sh('2026-11-27T12:00'));
    expect([fmt(p.start), fmt(p.end)]).toEqual(['2026-11-20T12:00:00+08:00', '2026-11-27T12:00:00+08:00']);
  });

  it('the monthly report on the 1st covers the month before', () => {
    const nov = periodOf('month', sh('2026-11-01T09:00'));
    expect(nov.key).toBe('2026-10');
    expect([fmt(nov.start), fmt(nov.end)]).toEqual(['2026-10-01T00:00:00+08:00', '2026-11-01T00:00:00+08:00']);
    expect(periodOf('month', sh('2027-01-01T09:00')).key).toBe('2026-12');
  });

  it('a day is keyed by its Shanghai date', () => {
    expect(periodOf('day', new Date('2026-11-26T23:30:00Z')).key).toBe('2026-11-27');
  });

  it('each configured job maps an instant to the period it would send', () => {
    const cfg = loadConfig({ env: {} });
    const spec = (name: string) => jobSpecs(cfg).find((s) => s.name === name)!;
    const at = sh('2026-11-28T09:00'); // Saturday
    expect(latestPeriod(spec('weekly'), at)?.key).toBe('2026-W48');
    expect(fmt(latestPeriod(spec('provinceData'), at)!.fire)).toBe('2026-11-26T09:00:00+08:00');
    expect(fmt(latestPeriod(spec('province'), at)!.fire)).toBe('2026-11-27T17:00:00+08:00');
    expect(latestPeriod(spec('monthly'), at)?.key).toBe('2026-10');
    expect(latestPeriod(spec('companies'), at)?.key).toBe('2026-11-28');
    expect(latestPeriod(spec('reminders'), at)).toBeNull();
  });
});
