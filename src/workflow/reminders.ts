// The reminder ladder (clocks of 000 附件 二, 三(一), 三(二), 正文 四(四)). Pure: the
// open cases, the officers, "now" and the working-day calendar come in; which rungs are due and who is told go out
// (messages/reminders.ts words them). The scheduler runs this every 10 minutes and writes the messages to the outbox, whose
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
// Plus: unaccepted — a case still 'assigned' one working day after its assignment (same time of day), once; a
// danger case URGENT_ACCEPT_HOURS after it.
// Recipients: the transfer deadline goes to the county's housing office (the triage queue, 000 附件 二); every other
// deadline to the officers of the case's unit in the case's county. A new case's first notice is sent by intake.
// Quiet hours: every message of a non-danger case is held until the quiet hours end (outbox not_before); danger
// cases (危及房屋使用和人身安全, 000 附件 二 立即) go at once, on any day.
// Keys: `remind:<caseId>:<deadline>:<step>:<dueIso>:<officerId>`, the step of an overdue reminder carrying its day
// (`overdue@2026-10-09`); a moved deadline (extension, plan, reopening) has a new dueIso and starts a new ladder.
import type { Case, Deadlines, Role, UnitCode } from '../domain.ts';
import { daysBetween, lastDayOf, shanghaiDay, type Day } from '../time.ts';
import type { Calendar } from './calendar.ts';
import { due } from './complaint.ts';
import { ACTION_UNIT, type CompanyActionType } from './companies.ts';

export const ESCALATION = {
  /** Working days overdue before the city level is told. */
  cityAfterWorkdays: 3,
} as const;

/** A danger case not yet accepted is chased after this many hours, on any day (000 附件 二: 立即…紧急处置). */
export const URGENT_ACCEPT_HOURS = 2;

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
export function remindersDue(c: Case, now: Date, cal: Calendar): ReminderDue[] {
  const today = shanghaiDay(now);
  const out: ReminderDue[] = [];
  for (const item of due(c, now, HORIZON_DAYS)) {
    const subject = item.deadline;
    const owners = subject === 'transfer' ? 'office' : 'unit';
    for (const r of ladder(item.dueAt, item.state === 'overdue', now, cal, c.urgent)) {
      out.push({ subject, step: r.step, dueAt: item.dueAt, day: r.day, workdaysLate: r.workdaysLate, audience: r.escalation ?? owners });
    }
  }
  // 接收: one working day after the assignment, at the same time of day; a danger case within hours (立即处置).
  if (c.status === 'assigned' && c.assignedAt) {
    const assigned = new Date(c.assignedAt);
    const assignedDay = shanghaiDay(assigned);
    const trigger = c.urgent
      ? new Date(assigned.getTime() + URGENT_ACCEPT_HOURS * 60 * 60 * 1000)
      : new Date(assigned.getTime() + daysBetween(assignedDay, cal.addWorkdays(assignedDay, 1)) * DAY_MS);
    if (now.getTime() >= trigger.getTime()) {
      out.push({ subject: 'accept', step: 'unaccepted', dueAt: trigger.toISOString(), day: today, workdaysLate: 0, audience: 'unit' });
    }
  }
  return out;
}

export function reminderRecipients(c: Case, audience: ReminderDue['audience'], officers: readonly ReminderOfficer[], cityCounty: string): ReminderOfficer[] {
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

/** A company action with a period, as the reminders see it (000 附件 三(三)). */
export interface OpenCompanyAction {
  id: number;
  type: CompanyActionType;
  companyName: string;
  /** The company's county; the city's code when it has none. */
  county: string;
  reason: string;
  dueAt: string;
}

/** Who is told about a rung of a company action's ladder: the unit that carries the step out, then its leaders. */
export function companyActionRecipients(a: OpenCompanyAction, r: Rung, officers: readonly ReminderOfficer[], cityCounty: string): ReminderOfficer[] {
  const reachable = officers.filter((o) => o.active && o.chatId !== null);
  if (r.escalation === 'city') return reachable.filter((o) => (o.role === 'supervisor' || o.role === 'admin') && o.county === cityCounty);
  if (r.escalation === 'leader') return reachable.filter((o) => o.role === 'admin' && o.county === a.county);
  return reachable.filter((o) => o.role === 'officer' && o.unit === ACTION_UNIT[a.type] && o.county === a.county);
}
