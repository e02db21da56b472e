// The company actions' clocks (000 附件 三(三)): who is reminded, when, and that the keys repeat (written once).
import { describe, expect, it } from 'vitest';
import { companyActionReminders } from '../../src/messages/company.ts';
import type { OpenCompanyAction, ReminderOfficer } from '../../src/workflow/reminders.ts';
import { createCalendar } from '../../src/workflow/calendar.ts';

const cal = createCalendar();
const QUIET = { start: '21:00', end: '08:00' };
const at = (s: string) => new Date(`${s}+08:00`);

const OFFICERS: ReminderOfficer[] = [
  { id: 1, chatId: 101, unit: 'housing', county: 'yanhu', role: 'officer', active: true },
  { id: 2, chatId: 102, unit: 'development-reform', county: 'yanhu', role: 'officer', active: true },
  { id: 3, chatId: 103, unit: 'housing', county: 'yanhu', role: 'admin', active: true },
  { id: 4, chatId: 104, unit: 'housing', county: 'yuncheng', role: 'supervisor', active: true },
  { id: 5, chatId: 105, unit: 'housing', county: 'yongji', role: 'officer', active: true }, // another county
  { id: 6, chatId: 106, unit: 'housing', county: 'yanhu', role: 'officer', active: false }, // deactivated
];

// Due at 24:00 on Friday 11 Dec 2026.
const DUE = '2026-12-11T16:00:00.000Z';
const action = (type: OpenCompanyAction['type'], dueAt = DUE): OpenCompanyAction => ({ id: 7, type, companyName: '某某物业', county: 'yanhu', reason: '测试', dueAt });

function run(a: OpenCompanyAction, now: Date) {
  return companyActionReminders([a], OFFICERS, { now, cal, quietHours: QUIET, cityCounty: 'yuncheng' }).map((r) => `${r.step}→${r.officerId}`);
}

describe('company action reminders', () => {
  it.each<[string, OpenCompanyAction, string, string[]]>([
    ['a week before: nothing', action('survey'), '2026-12-04T10:00', []],
    ['the working day before: the housing officer', action('survey'), '2026-12-10T10:00', ['pre→1']],
    ['the last day', action('survey'), '2026-12-11T10:00', ['today→1']],
    ['Saturday after: nothing (working days only)', action('survey'), '2026-12-12T10:00', []],
    ['Monday after: overdue, and the county leadership at once', action('survey'), '2026-12-14T10:00', ['overdue→1', 'escalate-leader→3']],
    ['three working days late: the city too', action('survey'), '2026-12-16T10:00', ['overdue→1', 'escalate-leader→3', 'escalate-city→4']],
    ['the fee standard is 发改’s to enforce', action('fee-enforcement'), '2026-12-10T10:00', ['pre→2']],
  ])('%s', (_name, a, now, want) => {
    expect(run(a, at(now))).toEqual(want);
  });

  it('keys are stable within a day and an overdue reminder comes again the next working day', () => {
    const k = (now: string) => companyActionReminders([action('survey')], OFFICERS, { now: at(now), cal, quietHours: { start: '00:00', end: '00:00' }, cityCounty: 'yuncheng' }).map((r) => r.key);
    expect(k('2026-12-14T10:00')).toEqual(k('2026-12-14T16:40'));
    expect(k('2026-12-15T10:00')[0]).toBe(`company-remind:7:overdue@2026-12-15:${DUE}:1`);
    expect(k('2026-12-15T10:00')).toContain(k('2026-12-14T10:00')[1]); // the leadership is told once per deadline
  });

  it('held in quiet hours; the text names the company, the action and the deadline', () => {
    const [r] = companyActionReminders([action('regrade')], OFFICERS, { now: at('2026-12-11T22:00'), cal, quietHours: QUIET, cityCounty: 'yuncheng' });
    expect(r!.notBefore).toBe(at('2026-12-12T08:00').toISOString());
    expect(r!.text).toContain('某某物业');
    expect(r!.text).toContain('重新核定服务等级');
    expect(r!.text).toContain('12月11日（周五）24:00');
    expect(r!.keyboard.inline_keyboard[0]![0]!.callback_data).toBe('cd:7'); // the ✅ 已完成 button
  });
});
