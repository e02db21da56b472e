// Reminder and escalation messages for officers, in Chinese: the workflow's ladder (workflow/reminders.ts) worded,
// one Telegram message per recipient, each with a stable key (the outbox's unique key drops what was written
// before) and held until the quiet hours end unless the case is a danger case (000 附件 二 立即).
// Keys: `remind:<caseId>:<deadline>:<step>:<dueIso>:<officerId>`, the step of an overdue reminder carrying its day
// (`overdue@2026-10-09`); a moved deadline (extension, plan, reopening) has a new dueIso and starts a new ladder.
import { UNIT_NAMES, type Case, type UnitCode } from '../domain.ts';
import { deadlineForPeople, type Day } from '../time.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { quietHoursRelease, type QuietHours } from '../workflow/quiet-hours.ts';
import { reminderRecipients, remindersDue, type ReminderDue, type ReminderOfficer, type ReminderStep, type ReminderSubject } from '../workflow/reminders.ts';
import { caseSummary, clip, MAX_TEXT } from './case-texts.ts';
import { caseCb } from './callback.ts';
import { noticeKeyboard, type InlineButton, type InlineKeyboard } from './keyboards.ts';

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
  /** The reminder as one line of a digest: tracking number, what is due, the subject. */
  line: string;
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
  const when = deadlineForPeople(r.dueAt);
  const late = r.workdaysLate > 0 ? `，已超期${r.workdaysLate}个工作日` : '';
  const danger = c.urgent ? '🚨 危及房屋使用和人身安全 ' : '';
  switch (r.step) {
    case 'pre':
      return `${danger}⏰ 期限提醒：${what}将于 ${when} 届满（仅剩1个工作日），请抓紧办理。`;
    case 'today':
      return `${danger}⏰ 今日到期：${what}于今日 ${when.slice(-5)} 届满，请今日内办理。`;
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

/** One line of a digest: the case and what is due, in a few words. */
function digestLine(c: Case, r: ReminderDue, unitName: string): string {
  const what = SUBJECT_NAMES[r.subject];
  const when = deadlineForPeople(r.dueAt);
  const late = r.workdaysLate > 0 ? `已超期${r.workdaysLate}个工作日` : '已超期';
  const danger = c.urgent ? '🚨' : '';
  const item = (() => {
    switch (r.step) {
      case 'pre':
        return `${what} ${when} 届满`;
      case 'today':
        return `${what}今日 ${when.slice(-5)} 届满`;
      case 'overdue':
        return `${what}${late}`;
      case 'unaccepted':
        return '已分转，尚未接收';
      case 'escalate-leader':
      case 'escalate-city':
        return `${unitName}承办，${what}${late}，请督促`;
    }
  })();
  return `${c.tracking}${danger}　${item}　${clip(c.subject.replace(/\s+/g, ' ').trim() || '（无主题）', 24)}`;
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
          line: digestLine(c, r, unitName),
          ...(keyboard ? { keyboard } : {}),
        });
      }
    }
  }
  return out;
}

/** One message to one person in one run: every reminder due for them, or the reminder itself when it is alone. */
export interface ReminderDigest {
  key: string;
  officerId: number;
  chatId: number;
  notBefore: string;
  text: string;
  keyboard?: InlineKeyboard;
  /** The reminders it carries (their keys go to the reminder log: never sent again). */
  reminderKeys: string[];
  /** The case, when the digest is one reminder about one case. */
  caseId?: number;
}

/** Most case buttons under a digest; the rest are in /tasks. */
const DIGEST_BUTTONS = 20;

/** The outbox key of a person's digest in the run at `nowIso` (danger cases apart: they are not held). */
export function digestKey(r: Pick<Reminder, 'officerId' | 'urgent'>, nowIso: string): string {
  return `digest:${r.officerId}:${nowIso}${r.urgent ? ':u' : ''}`;
}

/**
 * The reminders of one run as one message per person (danger cases in a message of their own, sent at once; the
 * rest held until the quiet hours end): a supervisor with seven overdue cases gets one list, not seven messages.
 */
export function reminderDigests(reminders: readonly Reminder[], nowIso: string): ReminderDigest[] {
  const groups = new Map<string, Reminder[]>();
  for (const r of reminders) {
    const key = digestKey(r, nowIso);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: ReminderDigest[] = [];
  for (const [key, rs] of groups) {
    const first = rs[0]!;
    const base = { key, officerId: first.officerId, chatId: first.chatId, notBefore: first.notBefore, reminderKeys: rs.map((r) => r.key) };
    if (rs.length === 1) {
      out.push({ ...base, caseId: first.caseId, text: first.text, ...(first.keyboard ? { keyboard: first.keyboard } : {}) });
      continue;
    }
    const sorted = [...rs].sort((a, b) => Number(b.urgent) - Number(a.urgent) || a.dueAt.localeCompare(b.dueAt));
    const head = `${first.urgent ? '🚨 ' : ''}⏰ 期限提醒：您有 ${sorted.length} 项需要处理`;
    const lines = sorted.map((r, i) => `${i + 1}. ${r.line}`);
    const more = sorted.length > DIGEST_BUTTONS ? `\n（点编号查看案件；其余 ${sorted.length - DIGEST_BUTTONS} 件请发送 /tasks 查看）` : '\n（点编号查看案件）';
    const text = clip(`${head}\n\n${lines.join('\n')}`, MAX_TEXT - more.length - 1) + more;
    const seen = new Set<number>();
    const buttons: InlineButton[] = [];
    for (const r of sorted) {
      if (seen.has(r.caseId) || buttons.length >= DIGEST_BUTTONS) continue;
      seen.add(r.caseId);
      buttons.push({ text: r.tracking, callback_data: caseCb('view', r.caseId) });
    }
    const rows: InlineButton[][] = [];
    for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
    out.push({ ...base, text, keyboard: { inline_keyboard: rows } });
  }
  return out;
}
