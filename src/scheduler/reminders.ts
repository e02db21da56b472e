// Reminders and escalation for officers (issue 8; clocks of 000 附件 二, 三(一), 三(二), 正文 四(四)). Pure: the
// open cases, the officers, "now", the working-day calendar and the quiet-hours rule come in; Telegram messages
// with stable keys go out. The scheduler runs this every 10 minutes and writes the messages to the outbox, whose
// unique idempotency key drops whatever was already written: nothing is reminded twice.
//
// The ladder, for each live deadline of a case (workflow.due decides which are live) ending on day X:
//   pre        once, from the working day before X (cal.addWorkdays(X, -1)) until X;
//   today      once, on X;
//   overdue    once per working day after X while the deadline is missed (a danger case: every day);
//   escalate-leader  once, with the first overdue reminder: the county's admins (the unit's leadership, 000 附件
//              六(二) 由受理登记的住建部门向同级党委、政府报告);
//   escalate-city    once, when the deadline is ESCALATION.cityAfterWorkdays working days overdue: the city's
//              supervisors and admins (officers registered with the city's own county code, cfg.city.code).
// Plus: unaccepted — a case still 'assigned' one working day after its assignment (same time of day), once.
// Recipients: the transfer deadline goes to the county's housing office (the triage queue, 000 附件 二); every other
// deadline to the officers of the case's unit in the case's county. A new case's first notice is sent by intake.
// Quiet hours: every message of a non-danger case is held until the quiet hours end (outbox not_before); danger
// cases (危及房屋使用和人身安全, 000 附件 二 立即) go at once, on any day.
// Keys: `remind:<caseId>:<deadline>:<step>:<dueIso>:<officerId>`, the step of an overdue reminder carrying its day
// (`overdue@2026-10-09`); a moved deadline (extension, plan, reopening) has a new dueIso and starts a new ladder.
import { UNIT_NAMES, type Complaint, type Deadlines, type Role, type UnitCode } from '../domain.ts';
import { caseSummary, deadlineText, noticeKeyboard, type InlineKeyboard } from '../bot/render.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { due } from '../workflow/complaint.ts';
import { daysBetween, shanghaiDay, type Day } from '../time.ts';

export const ESCALATION = {
  /** Working days overdue before the city level is told. */
  cityAfterWorkdays: 3,
} as const;

/** Calendar days ahead `workflow.due` must look so that "one working day before" is seen across long holidays. */
const HORIZON_DAYS = 31;
const DAY_MS = 24 * 60 * 60 * 1000;

export type ReminderStep = 'pre' | 'today' | 'overdue' | 'unaccepted' | 'escalate-leader' | 'escalate-city';
/** What the reminder is about: a deadline of the case, or the pending 接收 of an assigned case. */
export type ReminderSubject = keyof Deadlines | 'accept';

export interface ReminderOfficer {
  id: number;
  chatId: number | null;
  unit: UnitCode;
  county: string;
  role: Role;
  active: boolean;
}

export interface ReminderContext {
  now: Date;
  cal: Calendar;
  quietHours: { start: string; end: string };
  /** outbox/effects.ts `quietHoursRelease`: when a held message may go (injected: it lives in an I/O module). */
  release: (now: Date, quiet: { start: string; end: string }) => Date;
  /** The county code of the city level (cfg.city.code). */
  cityCounty: string;
  unitNames?: Partial<Record<UnitCode, string>>;
}

export interface Reminder {
  key: string;
  caseId: number;
  tracking: string;
  subject: ReminderSubject;
  step: ReminderStep;
  /** The deadline (or the 接收 trigger) this reminder is about, ISO. */
  dueAt: string;
  /** Shanghai day the reminder belongs to. */
  day: Day;
  officerId: number;
  chatId: number;
  notBefore: string;
  urgent: boolean;
  text: string;
  keyboard?: InlineKeyboard;
}

/** One rung of the ladder for a case, before recipients are chosen. */
export interface ReminderDue {
  subject: ReminderSubject;
  step: ReminderStep;
  dueAt: string;
  day: Day;
  /** Working days past the deadline's last day (overdue and escalations). */
  workdaysLate: number;
  audience: 'unit' | 'office' | 'leader' | 'city';
}

const SUBJECT_NAMES: Record<ReminderSubject, string> = {
  transfer: '分转期限（7个工作日，000 附件 二）',
  close: '办结期限（000 附件 三(一)）',
  plan: '解决方案期限（7日，000 附件 三(一)）',
  progress: '按月反馈进展期限（000 附件 三(一)、正文 四(四)）',
  verify: '核查期限（15个工作日，000 附件 三(二)）',
  penalty: '处罚期限（000 附件 三(二)）',
  accept: '接收',
};

/** The Shanghai day a deadline belongs to: 24:00 is the end of the day that closes, not the next one. */
function lastDayOf(dueIso: string): Day {
  return shanghaiDay(new Date(Date.parse(dueIso) - 1));
}

/** Working days in (from, to]. */
function workdaysBetween(from: Day, to: Day, cal: Calendar): number {
  let n = 0;
  for (let d = cal.addDays(from, 1); d <= to; d = cal.addDays(d, 1)) if (cal.isWorkday(d)) n++;
  return n;
}

/** A rung of the ladder of one deadline at `now`; `escalation` names who is told instead of the deadline's owners. */
export interface Rung {
  step: Exclude<ReminderStep, 'unaccepted'>;
  day: Day;
  workdaysLate: number;
  escalation?: 'leader' | 'city';
}

/**
 * The ladder of one deadline (see the top of this file) at `now`: `dueIso` its instant, `overdue` whether it is
 * missed. Overdue rungs come on working days only, unless `urgent` (a danger case cannot wait for Monday).
 */
export function ladder(dueIso: string, overdue: boolean, now: Date, cal: Calendar, urgent = false): Rung[] {
  const today = shanghaiDay(now);
  const last = lastDayOf(dueIso);
  if (overdue) {
    if (!urgent && !cal.isWorkday(today)) return [];
    const late = workdaysBetween(last, today, cal);
    const rungs: Rung[] = [
      { step: 'overdue', day: today, workdaysLate: late },
      { step: 'escalate-leader', day: today, workdaysLate: late, escalation: 'leader' },
    ];
    if (late >= ESCALATION.cityAfterWorkdays) rungs.push({ step: 'escalate-city', day: today, workdaysLate: late, escalation: 'city' });
    return rungs;
  }
  if (today === last) return [{ step: 'today', day: today, workdaysLate: 0 }];
  if (today >= cal.addWorkdays(last, -1) && today < last) return [{ step: 'pre', day: today, workdaysLate: 0 }];
  return [];
}

/** The rungs of the ladder due for one case at `now` (each also due at every later run until its key is stored). */
export function remindersDue(c: Complaint, now: Date, cal: Calendar): ReminderDue[] {
  const today = shanghaiDay(now);
  const out: ReminderDue[] = [];
  for (const item of due(c, now, HORIZON_DAYS)) {
    const subject = item.deadline;
    const owners = subject === 'transfer' ? 'office' : 'unit';
    for (const r of ladder(item.dueAt, item.state === 'overdue', now, cal, c.urgent)) {
      out.push({ subject, step: r.step, dueAt: item.dueAt, day: r.day, workdaysLate: r.workdaysLate, audience: r.escalation ?? owners });
    }
  }
  // 接收: one working day after the assignment, at the same time of day.
  if (c.status === 'assigned' && c.assignedAt) {
    const assigned = new Date(c.assignedAt);
    const assignedDay = shanghaiDay(assigned);
    const trigger = new Date(assigned.getTime() + daysBetween(assignedDay, cal.addWorkdays(assignedDay, 1)) * DAY_MS);
    if (now.getTime() >= trigger.getTime()) {
      out.push({ subject: 'accept', step: 'unaccepted', dueAt: trigger.toISOString(), day: today, workdaysLate: 0, audience: 'unit' });
    }
  }
  return out;
}

function recipients(c: Complaint, audience: ReminderDue['audience'], officers: readonly ReminderOfficer[], cityCounty: string): ReminderOfficer[] {
  const reachable = officers.filter((o) => o.active && o.chatId !== null);
  switch (audience) {
    case 'office':
      return reachable.filter((o) => o.role === 'officer' && o.unit === 'housing' && o.county === c.county);
    case 'unit':
      return reachable.filter((o) => o.role === 'officer' && o.unit === (c.unit ?? 'housing') && o.county === c.county);
    case 'leader':
      return reachable.filter((o) => o.role === 'admin' && o.county === c.county);
    case 'city':
      return reachable.filter((o) => (o.role === 'supervisor' || o.role === 'admin') && o.county === cityCounty);
  }
}

function headline(c: Complaint, r: ReminderDue, unitName: string): string {
  const what = SUBJECT_NAMES[r.subject];
  const when = deadlineText(r.dueAt);
  const late = r.workdaysLate > 0 ? `，已超期${r.workdaysLate}个工作日` : '';
  const danger = c.urgent ? '🚨 危及房屋使用和人身安全 ' : '';
  switch (r.step) {
    case 'pre':
      return `${danger}⏰ 期限提醒：${what}将于 ${when} 届满（仅剩1个工作日），请抓紧办理。`;
    case 'today':
      return `${danger}⏰ 今日到期：${what}于今日 ${when.slice(11)} 届满，请今日内办理。`;
    case 'overdue':
      return `${danger}⚠️ 已超期：${what}已于 ${when} 届满${late}，请立即办理并反馈。`;
    case 'unaccepted':
      return `${danger}📥 待接收：本案分转已超过1个工作日仍未接收，请及时接收；如不属本单位职责，请退回。`;
    case 'escalate-leader':
      return `${danger}🔺 超期督办（单位负责人）：${unitName}承办的案件${what}已于 ${when} 届满${late}，请督促办理。`;
    case 'escalate-city':
      return `${danger}🔺🔺 超期督办（市级）：${unitName}承办的案件${what}已于 ${when} 届满${late}，已报县级负责人，请督办。`;
  }
}

function keyboardFor(c: Complaint, r: ReminderDue): InlineKeyboard | undefined {
  if (r.subject === 'transfer' && r.audience === 'office') return noticeKeyboard('triage', c);
  if (r.step === 'unaccepted') return noticeKeyboard('assigned', c);
  return noticeKeyboard('progress', c); // 查看: the card, with the buttons this officer may use
}

/** Every reminder due at `ctx.now` for these cases, one per recipient. Calling it again yields the same keys. */
export function remindersFor(cases: Iterable<Complaint>, officers: readonly ReminderOfficer[], ctx: ReminderContext): Reminder[] {
  const out: Reminder[] = [];
  const nowIso = ctx.now.toISOString();
  const held = ctx.release(ctx.now, ctx.quietHours).toISOString();
  for (const c of cases) {
    const rungs = remindersDue(c, ctx.now, ctx.cal);
    if (!rungs.length) continue;
    const unitName = c.unit ? (ctx.unitNames?.[c.unit] ?? UNIT_NAMES[c.unit]) : '住建（待分转）';
    for (const r of rungs) {
      const step = r.step === 'overdue' ? `overdue@${r.day}` : r.step;
      const text = `${headline(c, r, unitName)}\n\n${caseSummary(c)}`;
      const keyboard = keyboardFor(c, r);
      for (const o of recipients(c, r.audience, officers, ctx.cityCounty)) {
        out.push({
          key: `remind:${c.id}:${r.subject}:${step}:${r.dueAt}:${o.id}`,
          caseId: c.id,
          tracking: c.tracking,
          subject: r.subject,
          step: r.step,
          dueAt: r.dueAt,
          day: r.day,
          officerId: o.id,
          chatId: o.chatId as number,
          notBefore: c.urgent ? nowIso : held,
          urgent: c.urgent,
          text,
          ...(keyboard ? { keyboard } : {}),
        });
      }
    }
  }
  return out;
}
