// The monthly roll-up to the province of overdue and neglected handling (000 附件 六(二): 该办不办、久拖不办、逾期未办理
// 反馈、推诿扯皮 — reported upwards level by level, summed by the province each month for the discipline commission).
// Pure: the month's overdue cases and return counts in, a mail body out.
import { formatMinute } from '../time.ts';
import { daysPast, type OverdueCase } from './cases.ts';
import { renderMail, type MailBody, type Section } from './render.ts';
import { monthLabel } from './tally.ts';

export interface OverdueRollupData {
  city: string;
  reportingUnit: string;
  /** YYYY-MM */
  month: string;
  /** Cases open past a deadline at the end of the month. */
  overdue: OverdueCase[];
  /** Misrouted cases a unit sent back during the month (推诿 shows up here when a unit returns what is its own). */
  returnedByUnit: { unit: string; count: number }[];
  /** End of the month (exclusive): days overdue are counted to here. */
  asOf: Date;
}

export function daysOverdue(o: OverdueCase, asOf: Date): number {
  return daysPast(o.dueAt, asOf);
}

export function buildOverdueRollup(d: OverdueRollupData): MailBody {
  const label = monthLabel(d.month);
  const title = `${d.city}${label}物业投诉举报逾期未办理情况汇总`;
  const byUnit = new Map<string, { count: number; longest: number }>();
  for (const o of d.overdue) {
    const u = byUnit.get(o.unit) ?? { count: 0, longest: 0 };
    u.count++;
    u.longest = Math.max(u.longest, daysOverdue(o, d.asOf));
    byUnit.set(o.unit, u);
  }
  const unitRows = [...byUnit.entries()].sort((a, b) => b[1].count - a[1].count).map(([unit, v]) => [unit, v.count, v.longest]);
  const returned = d.returnedByUnit.filter((r) => r.count > 0);
  const caseRows = [...d.overdue]
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))
    .map((o) => [o.tracking, o.county, o.unit, o.problem, formatMinute(o.dueAt), daysOverdue(o, d.asOf), o.status]);
  const intro = d.overdue.length
    ? `截至${label}末，全市物业投诉举报线索逾期未办结${d.overdue.length}件，涉及承办单位${byUnit.size}个。`
    : `截至${label}末，全市无逾期未办结的物业投诉举报线索。`;

  const sections: Section[] = [
    { kind: 'title', text: title },
    { kind: 'paragraph', text: intro },
  ];
  if (unitRows.length) {
    sections.push({ kind: 'heading', text: '一、逾期情况（按承办单位）' }, { kind: 'table', headers: ['承办单位', '逾期件数', '最长逾期(天)'], rows: unitRows });
  }
  if (caseRows.length) {
    const headers = ['编号', '县（市、区）', '承办单位', '问题类型', '应办结时间', '逾期(天)', '状态'];
    sections.push({ kind: 'heading', text: '二、逾期线索明细' }, { kind: 'table', headers, rows: caseRows, leftColumns: [0, 3] });
  }
  if (returned.length) {
    sections.push(
      { kind: 'heading', text: '三、本月退回（分转不当或推诿）' },
      { kind: 'table', headers: ['承办单位', '退回件数'], rows: returned.map((r) => [r.unit, r.count]) },
    );
  }
  sections.push({ kind: 'note', text: `${d.reportingUnit}　依据：文水县物业服务企业投诉举报处理流程 六(二)。投诉人信息不在本表中。` });
  return renderMail(`【逾期汇总】${title}`, title, sections);
}
