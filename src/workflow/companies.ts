// Company thresholds and the monthly red/black list (000 附件 一(三), 三(三), 三(四), 五). Pure: complaint facts,
// company facts, "now" and the calendar come in as arguments.
//
// Counting: every threshold counts DISTINCT complainants ("同一人举报不重复计入" / "同一投诉举报人不重复计算"), keyed by
// `complainantKey`. Complaints whose complainant cannot be identified (key null: anonymous, no phone/email/name)
// are left out of the distinct counts — we cannot tell whether they repeat a known person — and are reported
// separately in `companyCounts` so a reviewer sees them.
//
// Windows: "半年内" = received on or after the same day number six calendar months before today (Asia/Shanghai,
// clamped to month end as in 民法典 art. 202), up to now; "一年内" likewise with twelve months. "Substantiated"
// (投诉问题属实) is the caller's flag; we recommend counting 属实 and 部分属实.
//
// Trigger times: an action's period counts from the moment its condition became true — the receipt of the
// complaint that brought the distinct count over the threshold, or `flaggedAt` for facts without a date in the
// complaint list (refusal, satisfaction, credit, black list). Without `flaggedAt` the trigger is `now`, so the
// adapter should persist the first action of each type instead of recomputing its due date on every tick.
import { isClosedByUnit, type CompanyActionType, type CompanyFactInput, type Case, type UnitCode } from '../domain.ts';
export { isCompanyActionType, type CompanyActionType } from '../domain.ts';
import { due } from './complaint.ts';
import type { Calendar } from './calendar.ts';
import { periodLastDay } from './rules.ts';
import { addDays, addMonthsClamped, daysBetween, endOfDayShanghai, isValidDay, parseDay, shanghaiDay, type Day } from '../time.ts';

export const THRESHOLDS = {
  keySupervisionComplainants: 10, // 000 附件 一(三): 超10次 → 单独建立台账，实施重点督办
  surveySubstantiated: 10, // 000 附件 三(三): 半年内属实且超过10次
  surveyWindowMonths: 6,
  surveyDays: 10, // 10日内完成服务质量和客户满意度调查
  regradeSatisfaction: 60, // 客户满意度不足60%
  regradeDays: 5, // 5日内重新核定小区物业服务等级
  feeDays: 5, // 发改部门要在5日内督促执行对应的收费标准
  refundDays: 90, // 市场监管部门于90日内督促退还并处罚
  exitSubstantiated: 20, // 000 附件 三(四): 一年内属实且超过20次
  exitWindowMonths: 12,
  exitSatisfaction: 50, // 客户满意度不足50%
} as const;

/** Red/black list criteria (000 附件 五); see `redBlackList`. */
export const LIST_CRITERIA = {
  redMinClosed: 3, // enough cases closed in the month to judge 处置及时
  redMaxCloseDays: 7, // each closed within the general 7-day clock (000 附件 三(一))
  redMinSatisfaction: 80, // when a satisfaction figure is known
  blackSatisfaction: 60,
  // 长期在"黑榜" (000 附件 三(三)) is not defined in the seeds: three consecutive monthly lists — a quarter — is our
  // reading, and the latest of them must be recent (see `longOnBlackList`).
  longBlackMonths: 3,
} as const;

export interface ComplaintFact {
  companyId: string;
  complainantKey: string | null;
  receivedAt: Date | string; // instant (ISO or Date)
  substantiated: boolean;
  closedAt?: Date | string | null; // for the red/black list
  overdue?: boolean; // any deadline of the case missed (for the black list: 久拖不决)
}

/**
 * What a company's thresholds count of one case: 属实 counts 属实 and 部分属实 (the complaint was founded, at least in
 * part); "overdue" is an open case past a live deadline (久拖不决, for the black list).
 */
export function complaintFact(c: Case, companyId: string, complainantKey: string | null, asOf: Date): ComplaintFact {
  const closed = isClosedByUnit(c.status);
  return {
    companyId,
    complainantKey,
    receivedAt: c.receivedAt,
    substantiated: c.finding === 'substantiated' || c.finding === 'partly',
    closedAt: closed ? c.resolvedAt : null,
    overdue: !closed && due(c, asOf, 0).some((d) => d.state === 'overdue'),
  };
}

export interface CompanyFacts {
  companyId: string;
  name?: string | null;
  refusedToFix: boolean; // 拒不整改或整改不到位
  satisfaction: number | null; // 0–100, latest survey; null = not surveyed
  creditLow: boolean; // 信用评价等级低
  longOnBlackList: boolean; // 长期在"黑榜"名单
  refusedFeeStandard?: boolean; // 拒不执行核级后物业收费标准 → 市场监管 (000 附件 三(三))
  flaggedAt?: Date | string | null; // when the dated-less facts above were recorded
}

export interface CompanyInput {
  company: CompanyFacts;
  complaints: ComplaintFact[]; // facts of other companies are ignored
}

/** Who carries out each action (000 附件 三(三)): housing, then 发改 for the fee standard, 市场监管 for refunds. */
export const ACTION_UNIT: Record<CompanyActionType, UnitCode> = {
  'key-supervision': 'housing',
  survey: 'housing',
  regrade: 'housing',
  'fee-enforcement': 'development-reform',
  'refund-penalty': 'market-regulation',
  exit: 'housing',
};

/** A type read back from the store is one of ours (rows are only written from CompanyAction). */

export const ACTION_NAMES: Record<CompanyActionType, string> = {
  'key-supervision': '重点督办',
  survey: '服务质量和满意度调查',
  regrade: '重新核定服务等级',
  'fee-enforcement': '督促执行收费标准',
  'refund-penalty': '督促退费并处罚',
  exit: '退出程序',
};

export interface CompanyAction {
  type: CompanyActionType;
  rule: string; // seed clause
  triggeredAt: Date;
  dueAt: Date | null; // null: the seed sets no period (ledger entry, exit procedure 依法依规启动)
  reason: string; // Chinese, for officers and reports
}

// ---------------------------------------------------------------------------------------------------------------
// Complainant identity

/** A company's name as the register keeps it: no spaces, one kind of brackets (（） and () name the same firm). */
export function normaliseCompanyName(name: string): string {
  return name.replace(/\s+/g, '').replace(/[（(]/g, '(').replace(/[）)]/g, ')');
}

/**
 * The identity a complainant is counted by: phone, else email, else name + compound; null when none is usable.
 * Phones keep digits only, lose +86/0086 (and a bare 86 before a mobile number) and keep a landline's area code in
 * its national 0-form, so "+86 359 1234567", "0359-1234567" and "0359 123 4567" are one person.
 */
export function complainantKey(c: { phone?: string | null; email?: string | null; name?: string | null; compound?: string | null }): string | null {
  const phone = normalisePhone(c.phone);
  if (phone) return `phone:${phone}`;
  const email = c.email?.normalize('NFKC').trim().toLowerCase();
  if (email && /^[^@\s]+@[^@\s]+$/.test(email)) return `email:${email}`;
  const name = squeeze(c.name);
  if (name) return `name:${name}|${squeeze(c.compound)}`;
  return null;
}

function squeeze(s: string | null | undefined): string {
  return (s ?? '').normalize('NFKC').replace(/\s+/g, '');
}

export function normalisePhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  let s = phone.normalize('NFKC').trim(); // full-width digits → ASCII
  const international = /^(\+|00)\s*86/.test(s);
  if (international) s = s.replace(/^(\+|00)\s*86/, '');
  let digits = s.replace(/\D/g, '');
  if (!international && /^861\d{10}$/.test(digits)) digits = digits.slice(2);
  if (international && digits && !digits.startsWith('1') && !digits.startsWith('0')) digits = `0${digits}`;
  return digits.length >= 7 ? digits : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Counting

function instant(v: Date | string): Date {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) throw new RangeError(`时间无效 invalid time ${String(v)}`);
  return d;
}

interface Crossing {
  distinct: number;
  /** Receipt of the complaint whose complainant made the distinct count exceed the threshold; null if it did not. */
  crossedAt: Date | null;
}

function countDistinct(facts: ComplaintFact[], threshold: number): Crossing {
  const sorted = facts
    .filter((f) => f.complainantKey)
    .map((f) => ({ key: f.complainantKey as string, at: instant(f.receivedAt) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const seen = new Set<string>();
  let crossedAt: Date | null = null;
  for (const f of sorted) {
    if (seen.has(f.key)) continue;
    seen.add(f.key);
    if (seen.size === threshold + 1) crossedAt = f.at;
  }
  return { distinct: seen.size, crossedAt };
}

/** First day of the sliding window that ends today. */
export function windowStart(now: Date, months: number): Day {
  return addMonthsClamped(shanghaiDay(now), -months);
}

function inWindow(f: ComplaintFact, now: Date, months: number | null): boolean {
  const at = instant(f.receivedAt);
  if (at.getTime() > now.getTime()) return false;
  return months === null || shanghaiDay(at) >= windowStart(now, months);
}

export interface CompanyCounts {
  complainants: number; // distinct, any time up to now
  substantiatedHalfYear: number; // distinct, 半年内
  substantiatedYear: number; // distinct, 一年内
  anonymous: number; // complaints without a usable complainant key (not in the counts above)
}

export function companyCounts(input: CompanyInput, now: Date): CompanyCounts {
  const own = input.complaints.filter((f) => f.companyId === input.company.companyId && inWindow(f, now, null));
  const subst = own.filter((f) => f.substantiated);
  return {
    complainants: countDistinct(own, Infinity).distinct,
    substantiatedHalfYear: countDistinct(subst.filter((f) => inWindow(f, now, THRESHOLDS.surveyWindowMonths)), Infinity).distinct,
    substantiatedYear: countDistinct(subst.filter((f) => inWindow(f, now, THRESHOLDS.exitWindowMonths)), Infinity).distinct,
    anonymous: own.filter((f) => !f.complainantKey).length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Thresholds

/** The actions due for one company at `now`, in the seed's order. */
export function evaluateCompany(input: CompanyInput, now: Date, cal: Calendar): CompanyAction[] {
  const { company } = input;
  const own = input.complaints.filter((f) => f.companyId === company.companyId && inWindow(f, now, null));
  const substantiated = own.filter((f) => f.substantiated);
  const flaggedAt = company.flaggedAt ? instant(company.flaggedAt) : now;
  const actions: CompanyAction[] = [];
  const after = (from: Day, days: number) => periodLastDay(from, { unit: 'days', amount: days }, cal);

  // 000 附件 一(三): 投诉举报超10次(同一人举报不重复计入) → 单独建立台账，实施重点督办
  const all = countDistinct(own, THRESHOLDS.keySupervisionComplainants);
  if (all.crossedAt) {
    actions.push({
      type: 'key-supervision',
      rule: '000 附件 一(三)',
      triggeredAt: all.crossedAt,
      dueAt: null,
      reason: `投诉举报人累计${all.distinct}人(同一人不重复计入)，超过${THRESHOLDS.keySupervisionComplainants}人，单独建立台账实施重点督办`,
    });
  }

  // 000 附件 三(三): 半年内属实且超过10次，或信用评价等级低、长期在黑榜 → 10日内完成服务质量和满意度调查并公示
  const half = countDistinct(
    substantiated.filter((f) => inWindow(f, now, THRESHOLDS.surveyWindowMonths)),
    THRESHOLDS.surveySubstantiated,
  );
  const surveyReasons: string[] = [];
  const surveyTriggers: Date[] = [];
  if (half.crossedAt) {
    surveyReasons.push(`半年内投诉属实${half.distinct}人(同一人不重复计算)，超过${THRESHOLDS.surveySubstantiated}人`);
    surveyTriggers.push(half.crossedAt);
  }
  if (company.creditLow) {
    surveyReasons.push('信用评价等级低');
    surveyTriggers.push(flaggedAt);
  }
  if (company.longOnBlackList) {
    surveyReasons.push('长期在“黑榜”名单');
    surveyTriggers.push(flaggedAt);
  }
  if (surveyTriggers.length) {
    const triggeredAt = new Date(Math.min(...surveyTriggers.map((d) => d.getTime())));
    actions.push({
      type: 'survey',
      rule: '000 附件 三(三)',
      triggeredAt,
      dueAt: endOfDayShanghai(after(shanghaiDay(triggeredAt), THRESHOLDS.surveyDays)),
      reason: `${surveyReasons.join('；')}：住建部门联合乡(镇)、社区(村)${THRESHOLDS.surveyDays}日内完成服务质量和客户满意度调查，并在小区显著位置公示`,
    });
  }

  // 000 附件 三(三): 拒不整改或满意度不足60% → 5日内重新核级并推送发改、市场监管 → 发改5日内督促执行对应收费标准
  //   → 拒不执行的移交市场监管，90日内督促退费并处罚. Step dates are not in the facts, so each step's period is
  //   chained from the previous step's last day (the latest each may lawfully be done).
  const lowSatisfaction = company.satisfaction !== null && company.satisfaction < THRESHOLDS.regradeSatisfaction;
  if (company.refusedToFix || lowSatisfaction) {
    const why = [company.refusedToFix ? '投诉问题拒不整改或整改不到位' : null, lowSatisfaction ? `客户满意度${company.satisfaction}%，不足${THRESHOLDS.regradeSatisfaction}%` : null]
      .filter(Boolean)
      .join('；');
    const regradeDay = after(shanghaiDay(flaggedAt), THRESHOLDS.regradeDays);
    const feeDay = after(regradeDay, THRESHOLDS.feeDays);
    actions.push({
      type: 'regrade',
      rule: '000 附件 三(三)',
      triggeredAt: flaggedAt,
      dueAt: endOfDayShanghai(regradeDay),
      reason: `${why}：住建部门${THRESHOLDS.regradeDays}日内重新核定小区物业服务等级，降级情况同步推送发改、市场监管部门`,
    });
    actions.push({
      type: 'fee-enforcement',
      rule: '000 附件 三(三)',
      triggeredAt: flaggedAt,
      dueAt: endOfDayShanghai(feeDay),
      reason: `重新核级后，发改部门${THRESHOLDS.feeDays}日内督促企业执行对应收费标准，并抄送住建部门`,
    });
    if (company.refusedFeeStandard) {
      actions.push({
        type: 'refund-penalty',
        rule: '000 附件 三(三)',
        triggeredAt: flaggedAt,
        dueAt: endOfDayShanghai(after(feeDay, THRESHOLDS.refundDays)),
        reason: `拒不执行核级后收费标准：移交市场监管部门${THRESHOLDS.refundDays}日内督促退还多预收的物业服务费用并实施处罚，处罚情况抄送发改、住建部门`,
      });
    }
  }

  // 000 附件 三(四): 一年内属实且超过20次，且拒不整改或满意度不足50% → 启动退出程序
  const year = countDistinct(
    substantiated.filter((f) => inWindow(f, now, THRESHOLDS.exitWindowMonths)),
    THRESHOLDS.exitSubstantiated,
  );
  const veryLow = company.satisfaction !== null && company.satisfaction < THRESHOLDS.exitSatisfaction;
  if (year.crossedAt && (company.refusedToFix || veryLow)) {
    actions.push({
      type: 'exit',
      rule: '000 附件 三(四)',
      triggeredAt: new Date(Math.max(year.crossedAt.getTime(), flaggedAt.getTime())),
      dueAt: null,
      reason: `一年内投诉属实${year.distinct}人(同一人不重复计算)，超过${THRESHOLDS.exitSubstantiated}人，且${
        company.refusedToFix ? '拒不整改' : `客户满意度${company.satisfaction}%不足${THRESHOLDS.exitSatisfaction}%`
      }：属地住建部门会同乡(镇)、社区(村)启动物业服务企业退出程序`,
    });
  }
  return actions;
}

// ---------------------------------------------------------------------------------------------------------------
// Red/black list (000 附件 五: 处置及时、整改质量高、投诉率低 → 表扬/红榜; 整改态度敷衍、措施不力、久拖不决 → 批评/黑榜)

export type ListRule =
  | 'black:key-supervision'
  | 'black:refused'
  | 'black:low-satisfaction'
  | 'black:overdue'
  | 'red:prompt-clean';

export interface ListEntry {
  companyId: string;
  name: string | null;
  rules: { rule: ListRule; clause: string; reason: string }[];
}

/**
 * The month's dynamic red/black list. `month` is `YYYY-MM` (Asia/Shanghai).
 *
 * The list is published: it must not blame a company for what is not shown to be its fault. Only verified complaints
 * (属实, 部分属实) count against a company — an unfounded complaint, or one still being checked, does not; and a
 * case the government is late with is the handling unit's delay, not the company's, unless the complaint is verified.
 *
 * Black — any of:
 * - more than 10 distinct complainants with verified complaints up to the month's end (000 附件 一(三));
 * - refused to fix (整改态度敷衍、措施不力, 三(三));
 * - satisfaction below 60 % (三(三));
 * - a verified complaint open during the month is past its deadline (久拖不决, 五).
 * Red — not black, and all of:
 * - at least 3 complaints closed in the month, each within 7 days of receipt (处置及时, 三(一));
 * - none of the complaints received or closed in the month substantiated (投诉率低、整改质量高);
 * - satisfaction, when known, at least 80 %.
 * Companies meeting neither are on no list. Each entry names the rules that put it there.
 */
export function redBlackList(companies: CompanyInput[], month: string): { red: ListEntry[]; black: ListEntry[] } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new RangeError(`月份无效 invalid month "${month}" (expected YYYY-MM)`);
  const first = `${month}-01`;
  parseDay(first);
  const last = addDays(addMonthsClamped(first, 1), -1);
  const inMonth = (v: Date | string | null | undefined) => {
    if (!v) return false;
    const d = shanghaiDay(instant(v));
    return d >= first && d <= last;
  };

  const red: ListEntry[] = [];
  const black: ListEntry[] = [];
  for (const { company, complaints } of companies) {
    const own = complaints.filter((f) => f.companyId === company.companyId && shanghaiDay(instant(f.receivedAt)) <= last);
    const verified = own.filter((f) => f.substantiated);
    const blackRules: ListEntry['rules'] = [];
    const distinct = countDistinct(verified, Infinity).distinct;
    if (distinct > THRESHOLDS.keySupervisionComplainants) {
      blackRules.push({ rule: 'black:key-supervision', clause: '000 附件 一(三)', reason: `经核实属实的投诉举报人累计${distinct}人，列入重点督办` });
    }
    if (company.refusedToFix) {
      blackRules.push({ rule: 'black:refused', clause: '000 附件 三(三)、五', reason: '投诉问题拒不整改或整改不到位' });
    }
    if (company.satisfaction !== null && company.satisfaction < LIST_CRITERIA.blackSatisfaction) {
      blackRules.push({ rule: 'black:low-satisfaction', clause: '000 附件 三(三)、五', reason: `客户满意度${company.satisfaction}%，不足${LIST_CRITERIA.blackSatisfaction}%` });
    }
    const openInMonth = verified.filter((f) => !f.closedAt || shanghaiDay(instant(f.closedAt)) >= first);
    const overdue = openInMonth.filter((f) => f.overdue).length;
    if (overdue) {
      blackRules.push({ rule: 'black:overdue', clause: '000 附件 五、六(二)', reason: `${overdue}件经核实属实的投诉逾期未整改到位(久拖不决)` });
    }
    const name = company.name ?? null;
    if (blackRules.length) {
      black.push({ companyId: company.companyId, name, rules: blackRules });
      continue;
    }

    const closed = own.filter((f) => inMonth(f.closedAt));
    const prompt = closed.every((f) => daysBetween(shanghaiDay(instant(f.receivedAt)), shanghaiDay(instant(f.closedAt as Date | string))) <= LIST_CRITERIA.redMaxCloseDays);
    const clean = !own.some((f) => f.substantiated && (inMonth(f.receivedAt) || inMonth(f.closedAt)));
    const satisfied = company.satisfaction === null || company.satisfaction >= LIST_CRITERIA.redMinSatisfaction;
    if (closed.length >= LIST_CRITERIA.redMinClosed && prompt && clean && satisfied) {
      red.push({
        companyId: company.companyId,
        name,
        rules: [
          {
            rule: 'red:prompt-clean',
            clause: '000 附件 五',
            reason: `本月办结${closed.length}件，均在${LIST_CRITERIA.redMaxCloseDays}日内办结，无属实投诉${company.satisfaction === null ? '' : `，满意度${company.satisfaction}%`}`,
          },
        ],
      });
    }
  }
  return { red, black };
}

/** The month before `month` (both `YYYY-MM`). */
export function previousMonth(month: string): string {
  return addMonthsClamped(`${month}-01`, -1).slice(0, 7);
}

/**
 * 长期在"黑榜"名单 (000 附件 三(三), a trigger of the satisfaction survey): the company was on the black list of each of
 * the last `LIST_CRITERIA.longBlackMonths` published monthly lists, those lists are for consecutive months, and the
 * latest is for last month or the month before (this month's list may not be out yet; an old streak does not count).
 * `publishedMonths`: the months whose list was published (`YYYY-MM`); `blackMonths`: those it was black in.
 */
export function longOnBlackList(blackMonths: ReadonlySet<string>, publishedMonths: Iterable<string>, now: Date): boolean {
  const current = shanghaiDay(now).slice(0, 7);
  const recent = [...new Set(publishedMonths)]
    .filter((m) => m < current)
    .sort()
    .reverse()
    .slice(0, LIST_CRITERIA.longBlackMonths);
  if (recent.length < LIST_CRITERIA.longBlackMonths) return false;
  if (recent[0]! < previousMonth(previousMonth(current))) return false;
  return recent.every((m, i) => blackMonths.has(m) && (i === 0 || m === previousMonth(recent[i - 1]!)));
}

/**
 * The key-supervision ledger (000 附件 一(三)): companies flagged, or complained about by more than
 * THRESHOLDS.keySupervisionComplainants distinct complainants; most complained-about first.
 */
export function keyCompanies(
  companies: readonly { input: CompanyInput; flagged: boolean }[],
  asOf: Date,
): { name: string; complainants: number; complaints: number; substantiated: number }[] {
  const out: { name: string; complainants: number; complaints: number; substantiated: number }[] = [];
  for (const v of companies) {
    const counts = companyCounts(v.input, asOf);
    if (!v.flagged && counts.complainants <= THRESHOLDS.keySupervisionComplainants) continue;
    out.push({
      name: v.input.company.name ?? v.input.company.companyId,
      complainants: counts.complainants,
      complaints: v.input.complaints.length,
      substantiated: v.input.complaints.filter((f) => f.substantiated).length,
    });
  }
  return out.sort((a, b) => b.complainants - a.complainants || a.name.localeCompare(b.name, 'zh'));
}

/** The complainants' satisfaction rate of a company in per cent (one decimal), or null before anyone answered. */
export function satisfactionRate(s: { satisfied: number; unsatisfied: number }): number | null {
  const n = s.satisfied + s.unsatisfied;
  return n ? Math.round((s.satisfied / n) * 1000) / 10 : null;
}

/** What is wrong with a company fact as entered, in Chinese; null when it can be recorded. */
export function companyFactProblem(f: CompanyFactInput, today: Day): string | null {
  switch (f.fact) {
    case 'survey':
      if (!Number.isFinite(f.satisfaction) || f.satisfaction < 0 || f.satisfaction > 100) return '满意度应为 0–100 之间的百分数';
      if (!isValidDay(f.surveyedOn)) return '调查日期应为 YYYY-MM-DD';
      if (f.surveyedOn > today) return '调查日期不能晚于今天';
      return null;
    case 'credit':
      return f.level.trim() ? null : '请填写信用评价等级';
    default:
      return null;
  }
}
