// Reminder and escalation messages for officers, in Chinese: the workflow's ladder (workflow/reminders.ts) worded,
// one Telegram message per recipient, each with a stable key (the outbox's unique key drops what was written
// before) and held until the quiet hours end unless the case is a danger case (000 附件 二 立即).
// Keys: `remind:<caseId>:<deadline>:<step>:<dueIso>:<officerId>`, the step of an overdue reminder carrying its day
// (`overdue@2026-10-09`); a moved deadline (extension, plan, reopening) has a new dueIso and starts a new ladder.
import { UNIT_NAMES, type Case, type UnitCode } from '../domain.ts';
import { deadlineText, type Day } from '../time.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { quietHoursRelease, type QuietHours } from '../workflow/quiet-hours.ts';
import { reminderRecipients, remindersDue, type ReminderDue, type ReminderOfficer, type ReminderStep, type ReminderSubject } from '../workflow/reminders.ts';
import { caseSummary } from './case-texts.ts';
import { noticeKeyboard, type InlineKeyboard } from './keyboards.ts';

export interface ReminderContext {
  now: Date;
  cal: Calendar;
  quietHours: QuietHours;
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

const SUBJECT_NAMES: Record<ReminderSubject, string> = {
  // People read these: the period in words, no document citation (the clauses are cited in workflow/rules.ts).
  transfer: '分转期限（7个工作日）',
  close: '办结期限',
  plan: '解决方案期限（7日）',
  progress: '按月反馈进展期限',
  verify: '核查期限（15个工作日）',
  penalty: '处罚期限',
  accept: '接收',
};

function headline(c: Case, r: ReminderDue, unitName: string): string {
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

function keyboardFor(c: Case, r: ReminderDue): InlineKeyboard | undefined {
  if (r.subject === 'transfer' && r.audience === 'office') return noticeKeyboard('triage', c);
  if (r.step === 'unaccepted') return noticeKeyboard('assigned', c);
  return noticeKeyboard('progress', c); // 查看: the card, with the buttons this officer may use
}

/** Every reminder due at `ctx.now` for these cases, one per recipient. Calling it again yields the same keys. */
export function remindersFor(cases: Iterable<Case>, officers: readonly ReminderOfficer[], ctx: ReminderContext): Reminder[] {
  const out: Reminder[] = [];
  const nowIso = ctx.now.toISOString();
  const held = quietHoursRelease(ctx.now, ctx.quietHours).toISOString();
  for (const c of cases) {
    const rungs = remindersDue(c, ctx.now, ctx.cal);
    if (!rungs.length) continue;
    const unitName = c.unit ? (ctx.unitNames?.[c.unit] ?? UNIT_NAMES[c.unit]) : '住建（待分转）';
    for (const r of rungs) {
      const step = r.step === 'overdue' ? `overdue@${r.day}` : r.step;
      const text = `${headline(c, r, unitName)}\n\n${caseSummary(c)}`;
      const keyboard = keyboardFor(c, r);
      for (const o of reminderRecipients(c, r.audience, officers, ctx.cityCounty)) {
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
