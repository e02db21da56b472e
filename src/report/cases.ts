// Cases and companies as more than one report shows them: typical cases (the weekly brief, the monthly public
// report), overdue cases (the discipline weekly, the monthly roll-up), key-supervision companies (the brief, the
// discipline weekly). Everything here leaves the office: complainants are masked (mask.ts). Pure.
import { PROBLEM_NAMES, STATUS_NAMES, UNIT_NAMES, type Case, type UnitCode } from '../domain.ts';
import { due } from '../workflow/index.ts';
import { maskComplainant, maskContactsInText, maskForPublic } from './mask.ts';
import { tableOr, type Section } from './render.ts';
import { isClosed } from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Typical cases.

/** A case as a report shows it: complainant masked, contacts in the text masked. */
export interface TypicalCase {
  tracking: string;
  county: string;
  compound: string;
  company: string;
  problem: string;
  summary: string;
  complainant: string;
  status: string;
  result: string;
}

export function typicalCaseOf(c: Case, countyName: string, excerptChars = 80): TypicalCase {
  const known = [c.complainant.name];
  // Mask before cutting: a phone number cut in half would no longer be recognised as one.
  const chars = Array.from(maskContactsInText(c.body.replace(/\s+/g, ' ').trim(), known));
  const excerpt = chars.length > excerptChars ? `${chars.slice(0, excerptChars).join('')}…` : chars.join('');
  return {
    tracking: c.tracking,
    county: countyName,
    compound: c.compound ?? '',
    company: c.company ?? '',
    problem: c.problem ? PROBLEM_NAMES[c.problem] : '未分类',
    summary: [maskContactsInText(c.subject.trim(), known), excerpt].filter(Boolean).join('：'),
    complainant: maskComplainant(c.complainant),
    status: STATUS_NAMES[c.status],
    result: maskContactsInText(c.result ?? '', known),
  };
}

/**
 * A typical case as the public reads it (the monthly 通报, 000 附件 五): no word of the resident's own — their mail
 * can name neighbours, ID numbers and flats — but a summary the system writes from the case's facts, and the
 * officer's result with every contact detail, ID number and house number masked.
 */
export function publicTypicalCaseOf(c: Case, countyName: string): TypicalCase {
  const known = [c.complainant.name];
  const compound = c.compound ? maskForPublic(c.compound, known) : '某小区';
  const problem = c.problem ? PROBLEM_NAMES[c.problem] : '物业服务问题';
  return {
    tracking: c.tracking,
    county: countyName,
    compound,
    company: c.company ?? '',
    problem: c.problem ? PROBLEM_NAMES[c.problem] : '未分类',
    summary: `群众反映${countyName}${compound}物业服务企业${problem}${c.urgent ? '，涉及房屋使用和人身安全' : ''}。`,
    complainant: '（不公开）',
    status: STATUS_NAMES[c.status],
    result: maskForPublic(c.result ?? '', known),
  };
}

/**
 * The most telling cases handled in the period (004 五(五) 典型案例): among those closed in it, 挂牌督办 first, then
 * 危及安全, then 重大复杂, then verified ones; the latest closed first among equals.
 */
export function pickTypicalCases(cs: Iterable<Case>, period: { start: Date; end: Date }, limit = 3): Case[] {
  const start = period.start.getTime();
  const end = period.end.getTime();
  const scored: { c: Case; score: number; at: number }[] = [];
  for (const c of cs) {
    // Handled in the period: a case closes once, so the same case is never typical two weeks running, and an open
    // case (whose outcome nobody knows yet) is never held up as an example.
    const resolved = c.resolvedAt ? Date.parse(c.resolvedAt) : NaN;
    if (!isClosed(c) || !(resolved >= start && resolved < end)) continue;
    const marks = (c.supervised ? 8 : 0) + (c.urgent ? 4 : 0) + (c.complex ? 2 : 0) + (c.finding === 'substantiated' ? 1 : c.finding === 'partly' ? 0.5 : 0);
    scored.push({ c, score: marks, at: resolved });
  }
  return scored
    .sort((a, b) => b.score - a.score || b.at - a.at)
    .slice(0, limit)
    .map((s) => s.c);
}

/** The cases as numbered records (案例1, 案例2, …), or `empty` when there are none. */
export function typicalCaseSections(cases: TypicalCase[], empty: string): Section[] {
  if (cases.length === 0) return [{ kind: 'paragraph', text: empty }];
  return cases.map((c, i) => {
    const place = [c.county, c.compound, c.company].filter(Boolean).join(' · ');
    const fields: [string, string][] = [
      ['编号', c.tracking],
      ['地点与企业', place || '—'],
      ['问题类型', c.problem],
      ['投诉人', c.complainant],
      ['反映内容', c.summary],
      ['办理状态', c.status],
    ];
    if (c.result) fields.push(['办理结果', c.result]);
    return { kind: 'record', caption: `案例${i + 1}`, fields };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Overdue cases (000 附件 六(二): 该办不办、久拖不办、逾期未办理反馈).

export interface OverdueCase {
  tracking: string;
  county: string;
  unit: string;
  problem: string;
  receivedAt: string;
  /** The missed deadline (ISO), which one, and how many days ago its last day ended. */
  dueAt: string;
  deadline: string;
  daysOver: number;
  status: string;
  /** The people reminded of it so far (names, or their unit), when the caller knows (reminder log). */
  reminded: string[];
}

const DAY_MS = 24 * 3600_000;

/** Days since a deadline passed, counting a started day as one (at least 1 once it has passed). */
export function daysPast(dueAt: string, asOf: Date): number {
  return Math.max(1, Math.ceil((asOf.getTime() - Date.parse(dueAt)) / DAY_MS));
}

const DEADLINE_LABELS: Record<string, string> = { transfer: '分转期限', close: '办结期限', plan: '方案期限', progress: '月度进展', verify: '核查期限', penalty: '处罚期限' };

/** The open cases past a live deadline at `now`, oldest deadline first: who leaders must chase. */
export function overdueCasesOf(
  cs: Iterable<Case>,
  now: Date,
  names: { counties: { code: string; name: string }[]; unitNames?: Partial<Record<UnitCode, string>>; remindedOf?: (c: Case) => string[] },
): OverdueCase[] {
  const countyName = new Map(names.counties.map((k) => [k.code, k.name]));
  const out: OverdueCase[] = [];
  for (const c of cs) {
    if (isClosed(c)) continue;
    const missed = due(c, now, 0).find((d) => d.state === 'overdue');
    if (!missed) continue;
    out.push({
      tracking: c.tracking,
      county: countyName.get(c.county) ?? c.county,
      unit: c.unit ? (names.unitNames?.[c.unit] ?? UNIT_NAMES[c.unit]) : '待分转',
      problem: c.problem ? PROBLEM_NAMES[c.problem] : '未分类',
      receivedAt: c.receivedAt,
      dueAt: missed.dueAt,
      deadline: DEADLINE_LABELS[missed.deadline] ?? missed.deadline,
      daysOver: daysPast(missed.dueAt, now),
      status: STATUS_NAMES[c.status],
      reminded: names.remindedOf?.(c) ?? [],
    });
  }
  return out.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
}

// ---------------------------------------------------------------------------------------------------------------
// Companies.

/** A company on the key-supervision ledger (000 附件 一(三)); computed by workflow/companies.ts. */
export interface KeyCompany {
  name: string;
  /** Distinct complainants (同一人举报不重复计入). */
  complainants: number;
  complaints?: number;
  substantiated?: number;
}

/** Structurally a workflow/companies.ts ListEntry. */
export interface ListedCompany {
  name: string | null;
  companyId?: string;
  rules: { reason: string; clause?: string }[];
}

/** The key-supervision companies as a table, or 暂无。 */
export function keyCompanyTable(companies: KeyCompany[]): Section {
  const rows = companies.map((k) => [k.name, k.complainants, k.complaints ?? '—', k.substantiated ?? '—']);
  return tableOr(['物业服务企业', '投诉举报人数', '投诉件数', '属实件数'], rows, '暂无。');
}
