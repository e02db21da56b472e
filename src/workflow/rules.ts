// Every clock of the seed rulebook (000 文水县 附件 物业服务企业投诉举报处理流程), computed on the working-day calendar
// and with the Civil Code's rules on periods (民法典 第二百零一条至第二百零三条). Pure: "from" and the calendar come
// in as arguments.
//
// How a period is counted (arts. 201–203):
// - art. 201: the day of the event (receipt, transfer, …) is not counted; counting starts the next day.
// - art. 202: a month period ends on the same day number in the due month; without one, on that month's last day.
// - art. 203: a period ends at 24:00 of its last day. When the last day of a calendar-day or month period is a
//   法定休假日, the period ends on the day after it. We read "法定休假日" as any non-working day of the calendar —
//   the statutory holiday run and the weekly rest days (公休日), as adjusted by 调休 — and "the day after" as the first
//   working day after that run (as the former 《民通意见》 198 put it: 有变通的，以实际休假日的次日为期间的最后一日).
//   So a 7-day period ending on 1 Oct ends on the first working day after National Day, while one ending on a
//   make-up working Saturday (10 Oct 2026) stays there.
// - Working-day periods count working days only, so their last day is always a working day.
import type { Calendar } from './calendar.ts';
import { addMonthsClamped, endOfDayShanghai, formatShanghai, lastDayOf, parseInstant, shanghaiDay, type Day } from '../time.ts';

export const DEADLINE_RULES = ['transfer', 'close', 'complex', 'plan', 'progress', 'verify', 'penalty', 'penalty-extended'] as const;
export type DeadlineRule = (typeof DEADLINE_RULES)[number];

export type Period = { unit: 'workdays' | 'days' | 'months'; amount: number };

export interface RuleSpec {
  period: Period;
  /** Seed clause the rule implements. */
  clause: string;
  /** What officers read. */
  name: string;
}

export const RULES: Record<DeadlineRule, RuleSpec> = {
  // 其他一般线索7个工作日内……进行分转
  transfer: { period: { unit: 'workdays', amount: 7 }, clause: '000 附件 二', name: '分转(7个工作日)' },
  // 一般性问题原则上7日内办结并反馈给投诉人
  close: { period: { unit: 'days', amount: 7 }, clause: '000 附件 三(一)', name: '办结反馈(7日)' },
  // 重大问题包括一些复杂问题要在1个月内落实解决
  complex: { period: { unit: 'months', amount: 1 }, clause: '000 附件 三(一)', name: '复杂问题解决(1个月)' },
  // 确实解决不了的，承办部门7日内拿出解决的时间节点和方案
  plan: { period: { unit: 'days', amount: 7 }, clause: '000 附件 三(一)', name: '解决方案(7日)' },
  // 按月向投诉人、转办的住建部门反馈进展情况; 挂牌督办: 按月反馈进展情况，直至销号清零
  progress: { period: { unit: 'months', amount: 1 }, clause: '000 附件 三(一); 正文 四(四)', name: '按月反馈进展(1个月)' },
  // 自发现线索或者收到材料之日起十五个工作日内予以核查
  verify: { period: { unit: 'workdays', amount: 15 }, clause: '000 附件 三(二)', name: '核查(15个工作日)' },
  // 90日内完成处罚
  penalty: { period: { unit: 'days', amount: 90 }, clause: '000 附件 三(二)', name: '完成处罚(90日)' },
  // 经……负责人批准，可以延长三十日
  'penalty-extended': { period: { unit: 'days', amount: 90 }, clause: '000 附件 三(二)', name: '完成处罚(延长30日)' },
};

/** The extension of the penalty period, added to the end of the 90-day period (000 附件 三(二) 可以延长三十日). */
export const PENALTY_EXTENSION_DAYS = 30;

/**
 * Danger cases (危及房屋使用和人身安全) are notified 立即 — immediately — and reported to the party committee and
 * government at the same time (000 附件 二). There is no period to count: their transfer is due at the moment of
 * registration, so `transferDueAt(from, true, cal)` returns `from` itself and every reminder treats it as due now.
 */
export const IMMEDIATE = {
  clause: '000 附件 二',
  name: '立即通知(危及房屋使用和人身安全)',
} as const;

export function isDeadlineRule(x: string): x is DeadlineRule {
  return (DEADLINE_RULES as readonly string[]).includes(x);
}

/** Art. 203: a last day that is not a working day moves to the first working day after it. */
export function firstWorkdayFrom(day: Day, cal: Calendar): Day {
  let d = day;
  while (!cal.isWorkday(d)) d = cal.addDays(d, 1);
  return d;
}

/** The last day of a period that starts counting the day after `startDay` (art. 201). */
export function periodLastDay(startDay: Day, period: Period, cal: Calendar): Day {
  if (!Number.isInteger(period.amount) || period.amount < 0) throw new RangeError(`期间无效 invalid period ${period.amount}`);
  switch (period.unit) {
    case 'workdays':
      return cal.addWorkdays(startDay, period.amount);
    case 'days':
      return firstWorkdayFrom(cal.addDays(startDay, period.amount), cal);
    case 'months':
      return firstWorkdayFrom(addMonthsClamped(startDay, period.amount), cal);
  }
}

/** The Shanghai day on which the rule's period ends (its 24:00 is the deadline). */
export function dueDay(rule: DeadlineRule, from: Date, cal: Calendar): Day {
  const spec = RULES[rule];
  if (!spec) throw new RangeError(`未知期限规则 unknown deadline rule "${String(rule)}"`);
  const last = periodLastDay(shanghaiDay(from), spec.period, cal);
  if (rule === 'penalty-extended') return firstWorkdayFrom(cal.addDays(last, PENALTY_EXTENSION_DAYS), cal);
  return last;
}

/**
 * The penalty deadline after its one extension: 30 days added to the last day of the running period (经……负责人批准，
 * 可以延长三十日, 000 附件 三(二)), moved to a working day (art. 203), at 24:00.
 */
export function extendedPenaltyDue(currentDue: string, cal: Calendar): Date {
  return endOfDayShanghai(firstWorkdayFrom(cal.addDays(lastDayOf(currentDue), PENALTY_EXTENSION_DAYS), cal));
}

/** The deadline: 24:00 (Asia/Shanghai) of the period's last day, as an instant. */
export function dueAt(rule: DeadlineRule, from: Date, cal: Calendar): Date {
  return endOfDayShanghai(dueDay(rule, from, cal));
}

/** Transfer deadline with the danger exception: urgent → due at once (000 附件 二 立即), else 7 working days. */
export function transferDueAt(from: Date, urgent: boolean, cal: Calendar): Date {
  return urgent ? new Date(from.getTime()) : dueAt('transfer', from, cal);
}

/** A period of `days` calendar days from an instant, with arts. 201–203 (for company actions: 10日内, 5日内, 90日内). */
export function dueAfterDays(from: Date, days: number, cal: Calendar): Date {
  return endOfDayShanghai(periodLastDay(shanghaiDay(from), { unit: 'days', amount: days }, cal));
}

export interface DeadlineJson {
  rule: DeadlineRule;
  from: string; // +08:00
  due: string; // +08:00; 24:00 of the last day is written as the next day's 00:00:00+08:00
}

/** What `wuye deadline --from <ISO> --rule <rule>` prints. Throws RangeError with a bilingual message on bad input. */
export function deadlineJson(rule: string, fromIso: string, cal: Calendar): DeadlineJson {
  if (!isDeadlineRule(rule)) {
    throw new RangeError(`未知期限规则 unknown rule "${rule}" (one of: ${DEADLINE_RULES.join(', ')})`);
  }
  const from = parseInstant(fromIso);
  return { rule, from: formatShanghai(from), due: formatShanghai(dueAt(rule, from, cal)) };
}
