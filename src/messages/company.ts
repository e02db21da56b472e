// Company supervision messages to officers, in Chinese (000 附件 一(三), 三(三), 三(四)): the notice when a company
// reaches a threshold, and the reminders on the same ladder as a case's deadlines (workflow/reminders.ts) for the
// actions that carry a period — survey 10 days, regrade 5, fee standard 5, refund and penalty 90. Pure; an action
// stops being reminded when it is marked done.
import { deadlineForPeople } from '../time.ts';
import type { Calendar } from '../workflow/calendar.ts';
import type { CompanyActionType } from '../domain.ts';
import { ACTION_NAMES, type CompanyAction } from '../workflow/companies.ts';
import { quietHoursRelease, type QuietHours } from '../workflow/quiet-hours.ts';
import { companyActionRecipients, ladder, type OpenCompanyAction, type ReminderOfficer, type Rung } from '../workflow/reminders.ts';
import { companyActionKeyboard, type InlineKeyboard } from './keyboards.ts';

/** The notice to the housing office (and the unit that carries the step out) when a company reaches a threshold. */
export function companyNotice(name: string, a: CompanyAction): string {
  const due = a.dueAt ? `\n期限：${deadlineForPeople(a.dueAt.toISOString())}` : '';
  // The clause (a.rule) stays in the record; officers read the reason in words.
  return `🏢 物业企业督办提示\n企业：${name}\n${a.reason}${due}`;
}

/** 抄送 to the housing office: another unit recorded its step of a company's procedure as done (000 附件 三(三)). */
export function companyStepCopy(company: string, type: CompanyActionType, unitName: string, by: string | null): string {
  return `📋 抄送：${unitName}已完成「${ACTION_NAMES[type]}」\n企业：${company}${by ? `\n登记人：${by}` : ''}`;
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

export interface CompanyReminderContext {
  now: Date;
  cal: Calendar;
  quietHours: QuietHours;
  cityCounty: string;
}

function headline(a: OpenCompanyAction, r: Rung): string {
  const what = `「${ACTION_NAMES[a.type]}」`;
  const when = deadlineForPeople(a.dueAt);
  const late = r.workdaysLate > 0 ? `，已超期${r.workdaysLate}个工作日` : '';
  switch (r.step) {
    case 'pre':
      return `⏰ 企业督办期限提醒：${what}将于 ${when} 届满（仅剩1个工作日）。`;
    case 'today':
      return `⏰ 企业督办今日到期：${what}于今日 ${when.slice(-5)} 届满。`;
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
  const notBefore = quietHoursRelease(ctx.now, ctx.quietHours).toISOString();
  for (const a of actions) {
    const overdue = ctx.now.getTime() >= Date.parse(a.dueAt);
    for (const r of ladder(a.dueAt, overdue, ctx.now, ctx.cal)) {
      const step = r.step === 'overdue' ? `overdue@${r.day}` : r.step;
      const text = `${headline(a, r)}\n\n🏢 企业：${a.companyName}\n${a.reason}\n期限：${deadlineForPeople(a.dueAt)}（编号 ${a.id}）`;
      const keyboard = companyActionKeyboard(a.id);
      for (const o of companyActionRecipients(a, r, officers, ctx.cityCounty)) {
        out.push({ key: `company-remind:${a.id}:${step}:${a.dueAt}:${o.id}`, actionId: a.id, step: r.step, officerId: o.id, chatId: o.chatId as number, notBefore, text, keyboard });
      }
    }
  }
  return out;
}
