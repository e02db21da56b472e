// The monthly public report with the red/black list (000 附件 五: 红黑榜每月动态调整并向社会公布). Public: no
// complainant appears but masked (the typical cases come masked from cases.ts). Pure: data in, mail body out.
import { typicalCaseSections, type ListedCompany, type TypicalCase } from './cases.ts';
import { renderMail, tableOr, type MailBody, type Sections } from './render.ts';
import { monthLabel, rate } from './tally.ts';

export interface MonthlyPublicData {
  city: string;
  reportingUnit: string;
  /** 'YYYY-MM'. */
  month: string;
  /** Received / closed / overdue in the month, and by county and problem type. */
  received: number;
  closed: number;
  overdue: number;
  byCounty: { name: string; received: number; closed: number }[];
  byProblem: { name: string; received: number; closed: number }[];
  red: ListedCompany[];
  black: ListedCompany[];
  typicalCases: TypicalCase[];
}

const LIST_HEADERS = ['序号', '物业服务企业', '列入理由'];

function listRows(l: ListedCompany[]): (string | number)[][] {
  return l.map((e, i) => [i + 1, e.name ?? '（未登记名称）', e.rules.map((r) => r.reason).join('；')]);
}

export function buildMonthlyPublic(d: MonthlyPublicData): MailBody {
  const label = monthLabel(d.month);
  const title = `${d.city}${label}物业投诉举报处理情况通报`;
  const intro =
    `${label}，全市共受理物业服务投诉举报${d.received}件，办结${d.closed}件，办结率${rate(d.closed, d.received)}，` +
    `超期未办结${d.overdue}件。`;
  const countyRows = d.byCounty.filter((x) => x.received > 0).map((x) => [x.name, x.received, x.closed, rate(x.closed, x.received)]);
  const problemRows = d.byProblem.filter((x) => x.received > 0).map((x) => [x.name, x.received, x.closed]);

  const sections: Sections = [
    { kind: 'title', text: title, sub: d.reportingUnit },
    { kind: 'heading', text: '一、总体情况' },
    { kind: 'paragraph', text: intro },
    countyRows.length ? { kind: 'table', headers: ['县（市、区）', '受理', '办结', '办结率'], rows: countyRows } : null,
    problemRows.length ? { kind: 'table', headers: ['问题类型', '受理', '办结'], rows: problemRows } : null,
    { kind: 'heading', text: '二、红榜（通报表扬）' },
    tableOr(LIST_HEADERS, listRows(d.red), '本月暂无。', [1, 2]),
    { kind: 'heading', text: '三、黑榜（通报批评）' },
    tableOr(LIST_HEADERS, listRows(d.black), '本月暂无。', [1, 2]),
    { kind: 'heading', text: '四、典型案例' },
    ...typicalCaseSections(d.typicalCases, '本月暂无。'),
    {
      kind: 'paragraph',
      text: '红黑榜每月动态调整并向社会公布。对处置及时、整改质量高、投诉率低的物业企业给予通报表扬；对整改态度敷衍、措施不力、久拖不决的物业企业公开通报批评。',
    },
  ];
  return renderMail(title, title, sections);
}
