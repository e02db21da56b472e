import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type chineseDaysType from 'chinese-days';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCalendar,
  HolidayFileError,
  holidayName,
  libraryYears,
  parseHolidayOverrides,
  uncoveredYears,
} from '../../src/workflow/calendar.ts';
import { addDays, addMonthsClamped, endOfDayShanghai, formatShanghai, parseInstant, shanghaiDay, weekday } from '../../src/time.ts';

// The State Council's 2026 schedule (国办发明电〔2025〕7号), written out so that a wrong library update fails here.
const HOLIDAYS_2026: [string, string][] = [
  ...['2026-01-01', '2026-01-02', '2026-01-03'].map((d): [string, string] => [d, '元旦']),
  ...['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d): [string, string] => [`2026-02-${d}`, '春节']),
  ...['2026-04-04', '2026-04-05', '2026-04-06'].map((d): [string, string] => [d, '清明']),
  ...['01', '02', '03', '04', '05'].map((d): [string, string] => [`2026-05-${d}`, '劳动节']),
  ...['2026-06-19', '2026-06-20', '2026-06-21'].map((d): [string, string] => [d, '端午']),
  ...['2026-09-25', '2026-09-26', '2026-09-27'].map((d): [string, string] => [d, '中秋']),
  ...['01', '02', '03', '04', '05', '06', '07'].map((d): [string, string] => [`2026-10-${d}`, '国庆节']),
];
// 调休: weekends that are working days.
const MAKE_UP_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

const cal = createCalendar();

function everyDay(year: number): string[] {
  const out: string[] = [];
  for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) out.push(d);
  return out;
}

describe('2026 schedule as the library encodes it', () => {
  it.each(HOLIDAYS_2026)('%s is a statutory holiday (%s), not a working day', (day, name) => {
    expect(cal.isHoliday(day)).toBe(true);
    expect(cal.isWorkday(day)).toBe(false);
    expect(holidayName(day)).toBe(name);
  });

  it.each(MAKE_UP_2026)('%s is a weekend made a working day (调休)', (day) => {
    expect([0, 6]).toContain(weekday(day));
    expect(cal.isWorkday(day)).toBe(true);
    expect(cal.isHoliday(day)).toBe(false);
  });

  it('every other day of 2026 follows Monday–Friday, and no holiday is missing or extra', () => {
    const holidays = new Set(HOLIDAYS_2026.map(([d]) => d));
    const makeUp = new Set(MAKE_UP_2026);
    const days = everyDay(2026);
    expect(days).toHaveLength(365);
    for (const d of days) {
      const expected = makeUp.has(d) ? true : holidays.has(d) ? false : weekday(d) >= 1 && weekday(d) <= 5;
      expect({ d, work: cal.isWorkday(d) }).toEqual({ d, work: expected });
      expect({ d, holiday: cal.isHoliday(d) }).toEqual({ d, holiday: holidays.has(d) });
    }
    expect(days.filter((d) => cal.isWorkday(d))).toHaveLength(248); // 261 weekdays − 19 weekday holidays + 6 make-up days
  });

  it('National Day: 1–7 Oct off, 10 Oct (Saturday) worked, 11 Oct (Sunday) off', () => {
    expect(cal.isWorkday('2026-09-30')).toBe(true);
    expect(cal.isWorkday('2026-10-08')).toBe(true);
    expect(cal.isWorkday('2026-10-10')).toBe(true);
    expect(cal.isWorkday('2026-10-11')).toBe(false);
  });
});

describe('the library JSON and the library functions agree', () => {
  let lib: typeof chineseDaysType;
  const savedTz = process.env.TZ;
  beforeAll(async () => {
    // chinese-days builds its tables in the local zone at load time; in Shanghai (its home zone) they are right.
    process.env.TZ = 'Asia/Shanghai';
    lib = (await import('chinese-days')).default;
  });
  afterAll(() => {
    process.env.TZ = savedTz;
  });

  it.each([2024, 2025, 2026])('every day of %i', (year) => {
    for (const d of everyDay(year)) {
      const [y, m, dd] = d.split('-').map(Number) as [number, number, number];
      const local = new Date(y, m - 1, dd);
      expect({ d, work: cal.isWorkday(d) }).toEqual({ d, work: lib.isWorkday(local) });
    }
  });
});

describe('working-day arithmetic', () => {
  it.each<[string, number, string, string]>([
    // [from, n, expected, why]
    ['2026-09-30', 7, '2026-10-15', 'CLI contract: 8, 9, 10 (调休), 12, 13, 14, 15 Oct'],
    ['2026-09-30', 1, '2026-10-08', 'the day itself is not counted; National Day skipped'],
    ['2026-10-09', 1, '2026-10-10', 'make-up Saturday counts'],
    ['2025-12-31', 1, '2026-01-04', 'year boundary: 1–3 Jan off, Sunday 4 Jan worked'],
    ['2025-12-31', 2, '2026-01-05', 'year boundary'],
    ['2026-02-13', 1, '2026-02-14', 'Saturday before Spring Festival worked'],
    ['2026-02-14', 1, '2026-02-24', 'Spring Festival 15–23 Feb'],
    ['2026-02-24', 4, '2026-02-28', 'Saturday 28 Feb worked'],
    ['2026-04-30', 1, '2026-05-06', 'Labour Day 1–5 May'],
    ['2026-05-08', 1, '2026-05-09', 'Saturday 9 May worked'],
    ['2026-09-18', 1, '2026-09-20', 'Sunday 20 Sep worked'],
    ['2026-09-24', 1, '2026-09-28', 'Mid-Autumn 25–27 Sep'],
    ['2026-10-15', 0, '2026-10-15', 'n = 0 is the day itself'],
    ['2026-10-08', -1, '2026-09-30', 'backwards over National Day'],
    ['2026-12-31', 1, '2027-01-04', 'no 2027 notice yet: 1 January is statutory (元旦), then the weekend'],
    ['2027-02-04', 1, '2027-02-09', 'no 2027 notice yet: 除夕 and 正月初一–初三 (5–8 Feb) are statutory'],
  ])('%s + %i working days = %s (%s)', (from, n, expected) => {
    expect(cal.addWorkdays(from, n)).toBe(expected);
  });

  it('calendar days cross months and years', () => {
    expect(cal.addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(cal.addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(cal.addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('rejects impossible days and fractional counts', () => {
    expect(() => cal.isWorkday('2026-02-30')).toThrow(RangeError);
    expect(() => cal.addWorkdays('2026/10/01', 1)).toThrow(RangeError);
    expect(() => cal.addWorkdays('2026-10-01', 1.5)).toThrow(RangeError);
  });

  it('answers do not depend on the process time zone', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      const c = createCalendar();
      expect(c.isWorkday('2026-10-10')).toBe(true);
      expect(c.isWorkday('2026-10-01')).toBe(false);
      expect(c.addWorkdays('2026-09-30', 7)).toBe('2026-10-15');
      expect(shanghaiDay(new Date('2026-09-30T16:00:00Z'))).toBe('2026-10-01');
    } finally {
      process.env.TZ = saved;
    }
  });

  // A ceiling that catches a pathological regression (a walk from some epoch per lookup), far above what any busy
  // machine needs (~30 ms idle); the calendar's speed itself is not a test's business.
  it('many lookups finish (memoised)', () => {
    const c = createCalendar();
    const t0 = performance.now();
    let day = '2026-01-01';
    for (let i = 0; i < 20_000; i++) {
      c.addWorkdays(day, 15);
      day = addDays('2026-01-01', i % 365);
    }
    expect(performance.now() - t0).toBeLessThan(60_000);
  });
});

describe('year coverage', () => {
  it('2026 is covered, 2027 is not (the library lacks it)', () => {
    expect(cal.hasYear(2026)).toBe(true);
    expect(cal.hasYear(2025)).toBe(true);
    expect(cal.hasYear(2027)).toBe(false);
    expect(libraryYears()).toContain(2026);
    expect(libraryYears()).not.toContain(2027);
    expect(uncoveredYears(cal, '2026-11-23', '2027-02-01')).toEqual([2027]);
    expect(uncoveredYears(cal, '2026-01-01', '2026-12-31')).toEqual([]);
  });

  it('an override for 2027 makes it covered', () => {
    const c = createCalendar({ off: ['2027-01-01'], work: [] });
    expect(c.hasYear(2027)).toBe(true);
    expect(c.hasYear(2028)).toBe(false);
  });
});

describe('overrides', () => {
  it('an added off day stops being a working day and is skipped', () => {
    const c = createCalendar({ off: ['2026-03-10'], work: [] });
    expect(cal.isWorkday('2026-03-10')).toBe(true);
    expect(c.isWorkday('2026-03-10')).toBe(false);
    expect(c.isHoliday('2026-03-10')).toBe(true);
    expect(cal.addWorkdays('2026-03-09', 1)).toBe('2026-03-10');
    expect(c.addWorkdays('2026-03-09', 1)).toBe('2026-03-11');
  });

  it('an added work day (a Saturday) becomes a working day', () => {
    const c = createCalendar({ off: [], work: ['2026-03-14'] });
    expect(cal.isWorkday('2026-03-14')).toBe(false);
    expect(c.isWorkday('2026-03-14')).toBe(true);
    expect(c.addWorkdays('2026-03-13', 1)).toBe('2026-03-14');
    expect(cal.addWorkdays('2026-03-13', 1)).toBe('2026-03-16');
  });

  it('overrides win over the library, both ways', () => {
    const c = createCalendar({ off: ['2026-10-10'], work: ['2026-10-02'] });
    expect(c.isWorkday('2026-10-10')).toBe(false);
    expect(c.isWorkday('2026-10-02')).toBe(true);
    expect(c.isHoliday('2026-10-02')).toBe(false);
  });

  it('a 2027 schedule given as overrides drives 2027 deadlines', () => {
    const c = createCalendar({ off: ['2027-01-01'], work: [] });
    expect(c.addWorkdays('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('a day both off and work is refused', () => {
    expect(() => createCalendar({ off: ['2026-03-10'], work: ['2026-03-10'] })).toThrow(/2026-03-10/);
  });
});

describe('parseHolidayOverrides', () => {
  it('reads the shipped config/holidays.yaml', () => {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config/holidays.yaml');
    const o = parseHolidayOverrides(readFileSync(file, 'utf8'), file);
    expect(o.off.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
    expect(o.work.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
  });

  it('reads quoted and unquoted dates; an empty file or empty key is no override', () => {
    expect(parseHolidayOverrides("off:\n  - 2027-01-01\n  - '2027-02-06'\nwork: [2027-02-20]\n", 'h.yaml')).toEqual({
      off: ['2027-01-01', '2027-02-06'],
      work: ['2027-02-20'],
    });
    expect(parseHolidayOverrides('', 'h.yaml')).toEqual({ off: [], work: [] });
    expect(parseHolidayOverrides('off:\nwork: []\n', 'h.yaml')).toEqual({ off: [], work: [] });
  });

  it.each([
    ['off: [2027-01-01, 2027-02-30]\n', /off\[1\]/],
    ['off: [2027-1-1]\n', /off\[0\]/],
    ['work: 2027-01-01\n', /work/],
    ['holidays: []\n', /holidays.*未知字段/],
    ['off: [2027-01-01]\nwork: [2027-01-01]\n', /work\[0\]/],
    ['off: [2027-01-01\n', /YAML/],
  ])('%j is refused naming file and key', (text, key) => {
    let error: unknown;
    try {
      parseHolidayOverrides(text, '/etc/wuye/holidays.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HolidayFileError);
    expect((error as Error).message).toContain('/etc/wuye/holidays.yaml');
    expect((error as Error).message).toMatch(key);
  });
});

describe('Asia/Shanghai instants', () => {
  it.each([
    ['2026-09-30T15:59:59.999Z', '2026-09-30'],
    ['2026-09-30T16:00:00.000Z', '2026-10-01'],
    ['2026-12-31T16:00:00.000Z', '2027-01-01'],
    ['2026-01-01T00:00:00+08:00', '2026-01-01'],
  ])('%s is Shanghai day %s', (iso, day) => {
    expect(shanghaiDay(new Date(iso))).toBe(day);
  });

  it('24:00 of a day is the next day 00:00 +08:00', () => {
    expect(endOfDayShanghai('2026-10-15').toISOString()).toBe('2026-10-15T16:00:00.000Z');
    expect(formatShanghai(endOfDayShanghai('2026-10-15'))).toBe('2026-10-16T00:00:00+08:00');
    expect(formatShanghai(endOfDayShanghai('2026-12-31'))).toBe('2027-01-01T00:00:00+08:00');
    expect(formatShanghai(new Date('2026-11-23T08:01:50.123Z'))).toBe('2026-11-23T16:01:50.123+08:00');
  });

  it('formatted instants round-trip', () => {
    for (const iso of ['2026-11-23T08:01:50.000Z', '2026-02-28T23:59:59.500Z']) {
      expect(new Date(formatShanghai(new Date(iso))).toISOString()).toBe(iso);
    }
  });

  it.each([
    ['2026-09-30', '2026-09-29T16:00:00.000Z'],
    ['2026-09-30T10:00', '2026-09-30T02:00:00.000Z'],
    ['2026-09-30 10:00:00', '2026-09-30T02:00:00.000Z'],
    ['2026-09-30T10:00:00+08:00', '2026-09-30T02:00:00.000Z'],
    ['2026-09-30T02:00:00Z', '2026-09-30T02:00:00.000Z'],
  ])('parseInstant(%s)', (text, iso) => {
    expect(parseInstant(text).toISOString()).toBe(iso);
  });

  it.each(['2026-02-30', '2026-02-30T10:00', 'yesterday', '30/09/2026'])('parseInstant refuses %s', (text) => {
    expect(() => parseInstant(text)).toThrow(RangeError);
  });

  it('month arithmetic clamps to the month end', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonthsClamped('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonthsClamped('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-11-23', -12)).toBe('2025-11-23');
  });
});
