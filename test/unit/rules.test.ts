import { describe, expect, it } from 'vitest';
import { createCalendar } from '../../src/workflow/calendar.ts';
import { formatShanghai } from '../../src/time.ts';
import { addDays } from '../../src/time.ts';
import {
  DEADLINE_RULES,
  deadlineJson,
  dueAfterDays,
  dueAt,
  dueDay,
  IMMEDIATE,
  RULES,
  transferDueAt,
  type DeadlineRule,
} from '../../src/workflow/rules.ts';

const cal = createCalendar();
const at = (iso: string) => new Date(iso);
/** The deadline as printed: 24:00 of `lastDay` in +08:00. */
const end = (lastDay: string) => `${addDays(lastDay, 1)}T00:00:00+08:00`;

// [rule, from (Shanghai wall time), expected last day, why] — expected days worked out by hand from the 2026 schedule.
const CASES: [DeadlineRule, string, string, string][] = [
  // transfer: 7 working days (000 附件 二)
  ['transfer', '2026-09-30T10:00+08:00', '2026-10-15', '8, 9, 10 (调休), 12, 13, 14, 15 Oct'],
  ['transfer', '2025-12-31T18:00+08:00', '2026-01-12', 'year boundary: 4 Jan (Sunday, 调休), 5–9, 12 Jan'],
  ['transfer', '2026-02-12T09:00+08:00', '2026-02-28', '13, 14 (调休), 24–27, 28 (调休) Feb'],
  ['transfer', '2026-03-02T23:59+08:00', '2026-03-11', 'receipt day (Mon) not counted even at 23:59'],
  ['transfer', '2026-03-01T16:30:00Z', '2026-03-11', '16:30Z is already 2 Mar 00:30 in Shanghai'],
  // close: 7 days (000 附件 三(一)) with art. 203
  ['close', '2026-03-02T09:00+08:00', '2026-03-09', 'art. 201: counting starts 3 Mar; 7th day is Mon 9 Mar'],
  ['close', '2026-09-24T09:00+08:00', '2026-10-08', 'last day 1 Oct (National Day) → first working day after the run'],
  ['close', '2026-09-18T09:00+08:00', '2026-09-28', 'last day 25 Sep (Mid-Autumn, Fri) → Mon 28 Sep'],
  ['close', '2026-03-07T09:00+08:00', '2026-03-16', 'last day Sat 14 Mar (rest day) → Mon 16 Mar'],
  ['close', '2026-10-03T09:00+08:00', '2026-10-10', 'last day Sat 10 Oct is a make-up working day: no move'],
  ['close', '2026-09-23T09:00+08:00', '2026-09-30', 'last day Wed 30 Sep, a working day'],
  ['close', '2026-12-27T09:00+08:00', '2027-01-04', 'last day Sun 3 Jan 2027 → Mon 4 Jan (weekend logic: no 2027 data)'],
  // plan: 7 days (000 附件 三(一))
  ['plan', '2026-05-02T09:00+08:00', '2026-05-09', 'last day Sat 9 May is a make-up working day'],
  ['plan', '2026-02-10T09:00+08:00', '2026-02-24', 'last day 17 Feb inside Spring Festival → 24 Feb'],
  // complex / progress: 1 month (000 附件 三(一); 正文 四(四)), art. 202 clamping
  ['complex', '2026-01-31T09:00+08:00', '2026-02-28', 'no 31 Feb → 28 Feb, a make-up working Saturday'],
  ['complex', '2026-03-31T09:00+08:00', '2026-04-30', 'no 31 Apr → 30 Apr (Thu)'],
  ['complex', '2025-12-31T09:00+08:00', '2026-02-02', '31 Jan 2026 is Saturday → Mon 2 Feb'],
  ['complex', '2026-09-01T09:00+08:00', '2026-10-08', 'same day number: 1 Oct → after National Day'],
  ['complex', '2028-01-31T09:00+08:00', '2028-02-29', 'leap year: 29 Feb 2028 (Tue)'],
  ['progress', '2026-04-30T09:00+08:00', '2026-06-01', '30 May is Saturday → Mon 1 Jun'],
  ['progress', '2026-08-31T09:00+08:00', '2026-09-30', 'no 31 Sep → 30 Sep (Wed)'],
  // verify: 15 working days (000 附件 三(二))
  ['verify', '2026-09-30T09:00+08:00', '2026-10-27', '8–10, 12–16, 19–23, 26, 27 Oct'],
  ['verify', '2026-02-10T09:00+08:00', '2026-03-09', '11–14 Feb, 24–28 Feb, 2–6 Mar, 9 Mar'],
  // penalty: 90 days, +30 once (000 附件 三(二))
  ['penalty', '2026-09-30T09:00+08:00', '2026-12-29', '90th day Tue 29 Dec'],
  ['penalty', '2026-07-03T09:00+08:00', '2026-10-08', '90th day 1 Oct → 8 Oct'],
  ['penalty-extended', '2026-07-03T09:00+08:00', '2026-11-09', '8 Oct + 30 = Sat 7 Nov → Mon 9 Nov'],
  ['penalty-extended', '2026-09-30T09:00+08:00', '2027-01-28', '29 Dec + 30 = Thu 28 Jan 2027'],
];

describe('every clock', () => {
  it.each(CASES)('%s from %s ends on %s (%s)', (rule, from, lastDay) => {
    expect(dueDay(rule, at(from), cal)).toBe(lastDay);
    const due = dueAt(rule, at(from), cal);
    expect(formatShanghai(due)).toBe(end(lastDay));
    expect(due.toISOString()).toBe(`${lastDay}T16:00:00.000Z`); // 24:00 +08:00
  });

  it('covers every rule', () => {
    expect(new Set(CASES.map(([r]) => r))).toEqual(new Set(DEADLINE_RULES));
  });

  it('every rule cites its seed clause', () => {
    for (const rule of DEADLINE_RULES) expect(RULES[rule].clause).toMatch(/^000 附件 (二|三\((一|二)\))/);
    expect(RULES.progress.clause).toContain('四(四)');
  });

  it('a period ends at 24:00: one millisecond before is inside, the due instant is the next day', () => {
    const due = dueAt('close', at('2026-03-02T09:00+08:00'), cal);
    expect(formatShanghai(new Date(due.getTime() - 1))).toBe('2026-03-09T23:59:59.999+08:00');
    expect(formatShanghai(due)).toBe('2026-03-10T00:00:00+08:00');
  });

  it('overrides move deadlines: an extra day off pushes a working-day clock', () => {
    const local = createCalendar({ off: ['2026-10-15'], work: [] });
    expect(dueDay('transfer', at('2026-09-30T10:00+08:00'), local)).toBe('2026-10-16');
    const madeUp = createCalendar({ off: [], work: ['2026-03-14'] });
    expect(dueDay('close', at('2026-03-07T09:00+08:00'), madeUp)).toBe('2026-03-14');
  });
});

describe('danger cases: immediately (000 附件 二 立即)', () => {
  it('urgent transfer is due at the moment of registration', () => {
    const now = at('2026-10-01T03:04:05Z');
    expect(transferDueAt(now, true, cal).getTime()).toBe(now.getTime());
    expect(IMMEDIATE.clause).toBe('000 附件 二');
  });

  it('a non-urgent one gets the 7-working-day clock', () => {
    expect(formatShanghai(transferDueAt(at('2026-09-30T10:00+08:00'), false, cal))).toBe('2026-10-16T00:00:00+08:00');
  });
});

describe('dueAfterDays (company actions)', () => {
  it.each([
    ['2026-09-22T10:00+08:00', 5, '2026-09-29T00:00:00+08:00'], // 27 Sep (holiday) → 28 Sep
    ['2026-11-02T10:00+08:00', 10, '2026-11-13T00:00:00+08:00'], // Thu 12 Nov
  ] as const)('%s + %i days → %s', (from, days, due) => {
    expect(formatShanghai(dueAfterDays(at(from), days, cal))).toBe(due);
  });
});

describe('deadlineJson (wuye deadline)', () => {
  it('prints rule, from and due in +08:00', () => {
    expect(deadlineJson('transfer', '2026-09-30T10:00:00+08:00', cal)).toEqual({
      rule: 'transfer',
      from: '2026-09-30T10:00:00+08:00',
      due: '2026-10-16T00:00:00+08:00',
    });
    expect(deadlineJson('close', '2026-09-24T01:00:00Z', cal)).toEqual({
      rule: 'close',
      from: '2026-09-24T09:00:00+08:00',
      due: '2026-10-09T00:00:00+08:00',
    });
  });

  it('a zone-less time is Shanghai wall time', () => {
    expect(deadlineJson('close', '2026-09-23T23:30', cal).due).toBe('2026-10-01T00:00:00+08:00');
  });

  it.each([
    ['soon', '2026-09-30T10:00:00+08:00', /unknown rule/],
    ['close', 'not a date', /invalid time/],
    ['close', '2026-02-30T10:00', /invalid time/],
  ])('refuses rule %s from %s', (rule, from, message) => {
    expect(() => deadlineJson(rule, from, cal)).toThrow(message);
  });
});
