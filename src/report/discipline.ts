// The weekly clue summary to the discipline commission (000 附件 一(二): 汇总统计、分析研判…难点、堵点及办结情况;
// 六(二): 该办不办、久拖不办、逾期未办理反馈、推诿扯皮). Pure: data in, mail body out.
import { formatMinute } from '../time.ts';
import { keyCompanyTable, type KeyCompany, type OverdueCase } from './cases.ts';
import { listOr, renderMail, tableOr, type MailBody, type Sections } from './render.ts';
import { active, campaignLabel, periodLabel, rate, TALLY_HEADERS, tallyRow, type Tallies } from './tally.ts';

export interface DisciplineWeeklyData extends Tallies {
  city: string;
  reportingUnit: string;
  overdueCases: OverdueCase[];
  /** Cases sent back by a unit as not theirs during the period (推诿扯皮 is judged from these). */
  returned: number;
  keyCompanies: KeyCompany[];
  /** 难点、堵点: the office's own words, one item each. */
  difficulties: string[];
}

export function buildDisciplineWeekly(d: DisciplineWeeklyData): MailBody {
  const when = periodLabel(d.period);
  const title = `${d.city}物业领域投诉举报线索办理情况周报`;
  const t = d.total;
  const overview =
    `本周（${when}）受理物业领域投诉举报线索${t.weekReceived}件，办结${t.weekClosed}件；` +
    `${campaignLabel(d.campaignStart)}以来累计受理${t.received}件，办结${t.closed}件，办结率${rate(t.closed, t.received)}，` +
    `在办${t.open}件，超期未办结${t.overdue}件；本周承办单位退回${d.returned}件。`;
  const units = active(d.byUnit).map(tallyRow);
  const overdueHeaders = ['编号', '县（市、区）', '承办单位', '问题类型', '受理时间', '应办结时间', '状态'];
  const overdueRows = d.overdueCases.map((o) => [o.tracking, o.county, o.unit, o.problem, formatMinute(o.receivedAt), formatMinute(o.dueAt), o.status]);

  const sections: Sections = [
    { kind: 'title', text: title, sub: `${d.reportingUnit}　${when}` },
    { kind: 'heading', text: '一、线索受理和办结情况' },
    { kind: 'paragraph', text: overview },
    units.length ? { kind: 'table', headers: ['承办单位', ...TALLY_HEADERS], rows: units } : null,
    { kind: 'heading', text: '二、超期未办结线索（该办不办、久拖不办）' },
    tableOr(overdueHeaders, overdueRows, '无。', []),
    { kind: 'heading', text: '三、重点督办企业' },
    keyCompanyTable(d.keyCompanies),
    { kind: 'heading', text: '四、难点、堵点' },
    listOr(d.difficulties, '无。'),
    // 000 附件 六(一): 纪检监察机关可实时监督检查 — today through a supervisor's read-only bot account, every read audited.
    { kind: 'note', text: '纪检监察机关可使用督导账号在受理台机器人中实时查阅全部案件，每次查阅均记入审计记录。' },
  ];
  return renderMail(`【周报】${title}（${when}）`, title, sections);
}
