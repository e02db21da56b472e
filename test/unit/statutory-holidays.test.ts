// The law's statutory days (《全国年节及纪念日放假办法》 第二条, 2024 revision) for years with no State Council notice
// loaded: checked against the notices `chinese-days` ships for 2025 and 2026, and against known lunar dates after.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCalendar, holidayName } from '../../src/workflow/calendar.ts';
import { statutoryHolidays } from '../../src/workflow/statutory-holidays.ts';

const days = (y: number) => statutoryHolidays(y).map((d) => d.day);

describe('statutory holidays from the law', () => {
  it.each([2025, 2026])('every statutory day of %i is a day off in the State Council notice the library ships', (year) => {
    const list = statutoryHolidays(year);
    expect(list.length).toBe(13); // 元旦 1 + 春节 4 + 清明 1 + 劳动 2 + 端午 1 + 中秋 1 + 国庆 3
    for (const d of list) expect({ day: d.day, name: holidayName(d.day) === null ? 'not off' : 'off' }).toEqual({ day: d.day, name: 'off' });
  });

  it.each([
    [2027, ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-04-05', '2027-05-01', '2027-05-02', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-02', '2027-10-03']],
    // 2028: a leap fifth month (端午 is the first 五月初五, not the leap one); 中秋 meets 国庆 on 3 October.
    [2028, ['2028-01-01', '2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28', '2028-04-04', '2028-05-01', '2028-05-02', '2028-05-28', '2028-10-01', '2028-10-02', '2028-10-03']],
  ])('%i', (year, expected) => {
    expect(days(year)).toEqual(expected);
  });

  it('a day two holidays share is one day off with both names', () => {
    expect(statutoryHolidays(2028).find((d) => d.day === '2028-10-03')?.name).toBe('中秋节、国庆节');
  });

  it('除夕 is the day before 正月初一 whether the twelfth month has 29 or 30 days', () => {
    expect(statutoryHolidays(2027).filter((d) => d.name === '春节')[0]!.day).toBe('2027-02-05'); // 腊月廿九
    expect(statutoryHolidays(2025).filter((d) => d.name === '春节')[0]!.day).toBe('2025-01-28'); // 腊月廿九
  });

  it.each(['America/Los_Angeles', 'Pacific/Pago_Pago', 'Asia/Shanghai', 'Pacific/Kiritimati'])('gives the same days in a process whose zone is %s', (tz) => {
    // chinese-days renders its day strings in the process's zone: west of UTC they come out a day early.
    const script = "import('./src/workflow/statutory-holidays.ts').then((m) => console.log(JSON.stringify([2027, 2028].map((y) => m.statutoryHolidays(y).map((d) => d.day)))))";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([days(2027), days(2028)]);
  });

  it('refuses years the 2024 rules do not govern', () => {
    expect(() => statutoryHolidays(2024)).toThrow(RangeError);
    expect(() => statutoryHolidays(2100)).toThrow(RangeError);
  });
});

describe('a calendar year with no notice rests on the statutory days', () => {
  const cal = createCalendar();

  it('says where each year comes from', () => {
    expect([2026, 2027, 2020, 2024].map((y) => cal.sourceOf(y))).toEqual(['library', 'statutory', 'library', 'library']);
    expect(createCalendar({ off: ['2027-01-01'], work: [] }).sourceOf(2027)).toBe('config');
  });

  it('the first working day after 2027-02-04 is 2027-02-09, yet the 调休 notice is still missing', () => {
    expect(cal.addWorkdays('2027-02-04', 1)).toBe('2027-02-09');
    expect(cal.isHoliday('2027-02-08')).toBe(true);
    expect(cal.hasYear(2027)).toBe(false);
  });

  it('a notice typed into config/holidays.yaml overrides the law: its days only', () => {
    const c = createCalendar({ off: ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11'], work: ['2027-02-20'] });
    expect(c.addWorkdays('2027-02-04', 1)).toBe('2027-02-12');
    expect(c.isWorkday('2027-02-20')).toBe(true);
    // The config notice lists no 国庆: with a notice in force, the law's days are not added on top.
    expect(c.isWorkday('2027-10-01')).toBe(true);
  });
});
