// Reminders for the company actions that carry a period (000 附件 三(三): survey 10 days, regrade 5, fee standard 5,
// refund and penalty 90): the same ladder as a case's deadlines (reminders.ts `ladder`) — the working day before, the
// day itself, then every working day overdue with the county's leadership told at once and the city after
// ESCALATION.cityAfterWorkdays. Pure; the scheduler's reminder run writes them to the outbox, whose unique key drops
// what was already written. An action stops being reminded when it is marked done (`wuye company done`).
import { deadlineText } from '../bot/render.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { ACTION_NAMES, ACTION_UNIT, type CompanyActionType } from '../workflow/companies.ts';
import { encodeCallback } from '../bot/callback.ts';
import type { InlineKeyboard } from '../bot/render.ts';
import { ladder, type ReminderOfficer, type Rung } from './reminders.ts';

export interface OpenCompanyAction {
  id: number;
  type: CompanyActionType;
  companyName: string;
  /** The company's county; the city's code when it has none. */
  county: string;
  reason: string;
  dueAt: string;
}

export interface CompanyReminder {
  key: string;
  actionId: number;
  step: Rung['step'];
  officerId: number;
  chatId: number;
  notBefore: string;
  text: string;
  keyboard: InlineKeyboard;
}

/** The ✅ 已完成 button of a company action's notices and reminders (bot/commands/company.ts). */
export function companyActionKeyboard(actionId: number): InlineKeyboard {
  return { inline_keyboard: [[{ text: '✅ 已完成', callback_data: encodeCallback({ kind: 'companyDone', actionId }) }]] };
}

export interface CompanyReminderContext {
  now: Date;
  cal: Calendar;
  /** When a message may go, given quiet hours (outbox/effects.ts `quietHoursRelease`, injected). */
  release: (now: Date) => Date;
  cityCounty: string;
}

function recipients(a: OpenCompanyAction, r: Rung, officers: readonly ReminderOfficer[], cityCounty: string): ReminderOfficer[] {
  const reachable = officers.filter((o) => o.active && o.chatId !== null);
  if (r.escalation === 'city') return reachable.filter((o) => (o.role === 'supervisor' || o.role === 'admin') && o.county === cityCounty);
  if (r.escalation === 'leader') return reachable.filter((o) => o.role === 'admin' && o.county === a.county);
  return reachable.filter((o) => o.role === 'officer' && o.unit === ACTION_UNIT[a.type] && o.county === a.county);
}

function headline(a: OpenCompanyAction, r: Rung): string {
  const what = `「${ACTION_NAMES[a.type]}」`;
  const when = deadlineText(a.dueAt);
  const late = r.workdaysLate > 0 ? `，已超期${r.workdaysLate}个工作日` : '';
  switch (r.step) {
    case 'pre':
      return `⏰ 企业督办期限提醒：${what}将于 ${when} 届满（仅剩1个工作日）。`;
    case 'today':
      return `⏰ 企业督办今日到期：${what}于今日 ${when.slice(11)} 届满。`;
    case 'overdue':
      return `⚠️ 企业督办已超期：${what}已于 ${when} 届满${late}，请立即办理，办结后登记完成。`;
    case 'escalate-leader':
      return `🔺 企业督办超期（单位负责人）：${what}已于 ${when} 届满${late}，请督促办理。`;
    case 'escalate-city':
      return `🔺🔺 企业督办超期（市级）：${what}已于 ${when} 届满${late}，已报县级负责人，请督办。`;
  }
}

/** Every reminder due at `ctx.now` for these open actions, one per recipient; the same keys on every call. */
export function companyActionReminders(actions: Iterable<OpenCompanyAction>, officers: readonly ReminderOfficer[], ctx: CompanyReminderContext): CompanyReminder[] {
  const out: CompanyReminder[] = [];
  const notBefore = ctx.release(ctx.now).toISOString();
  for (const a of actions) {
    const overdue = ctx.now.getTime() >= Date.parse(a.dueAt);
    for (const r of ladder(a.dueAt, overdue, ctx.now, ctx.cal)) {
      const step = r.step === 'overdue' ? `overdue@${r.day}` : r.step;
      const text = `${headline(a, r)}\n\n🏢 企业：${a.companyName}\n${a.reason}\n期限：${deadlineText(a.dueAt)}（编号 ${a.id}）`;
      const keyboard = companyActionKeyboard(a.id);
      for (const o of recipients(a, r, officers, ctx.cityCounty)) {
        out.push({ key: `company-remind:${a.id}:${step}:${a.dueAt}:${o.id}`, actionId: a.id, step: r.step, officerId: o.id, chatId: o.chatId as number, notBefore, text, keyboard });
      }
    }
  }
  return out;
}
