// The weekly 工作简报 to the city bureau (004 五(五): 专项整治工作简报, with 工作进展情况、典型案例): tallies, the
// key-supervision companies and the typical cases of the week, with the chart inline as <img src="cid:…">.
// Pure: data in, mail body out; the chart itself is drawn by writers/chart.ts from chartDataFromBrief.
import type { Case } from '../domain.ts';
import { deadlineText, formatMinute, shanghaiDay } from '../time.ts';
import { keyCompanyTable, overdueCasesOf, pickTypicalCases, typicalCaseOf, typicalCaseSections, type KeyCompany, type OverdueCase, type TypicalCase } from './cases.ts';
import { listOr, renderMail, tableOr, type MailBody, type Sections } from './render.ts';
import { active, campaignLabel, periodLabel, rate, TALLY_HEADERS, tallyComplaints, tallyRow, type Tallies, type TallyContext } from './tally.ts';
import type { ChartData } from './types.ts';

export interface BriefData extends Tallies {
  city: string;
  reportingUnit: string;
  keyCompanies: KeyCompany[];
  /** Who to chase: the open cases past a deadline, the longest overdue first. */
  overdue?: OverdueCase[];
  /** 经验做法 the office wrote for the week (004 五(五)), one item each. */
  practices?: string[];
  typicalCases: TypicalCase[];
  /** Content-ID of the chart attachment; null → no image. */
  chartCid: string | null;
  /** When the data were taken (defaults to the period's end). */
  asOf?: string;
}

export interface BriefContext extends TallyContext {
  city: string;
  reportingUnit: string;
  keyCompanies?: KeyCompany[];
  typicalCaseLimit?: number;
  chartCid?: string | null;
  /** Who was reminded of each case so far (reminder log), by case id. */
  remindedOf?: (c: Case) => string[];
  practices?: string[];
}

export function briefDataFromComplaints(cs: Iterable<Case>, ctx: BriefContext): BriefData {
  const all = [...cs];
  const tallies = tallyComplaints(all, ctx);
  const countyName = new Map(ctx.counties.map((k) => [k.code, k.name]));
  const since = all.filter((c) => shanghaiDay(c.receivedAt) >= ctx.campaignStart);
  return {
    ...tallies,
    city: ctx.city,
    reportingUnit: ctx.reportingUnit,
    keyCompanies: ctx.keyCompanies ?? [],
    overdue: overdueCasesOf(since, ctx.period.end, ctx),
    practices: ctx.practices ?? [],
    typicalCases: pickTypicalCases(since, ctx.period, ctx.typicalCaseLimit ?? 3).map((c) => typicalCaseOf(c, countyName.get(c.county) ?? c.county)),
    chartCid: ctx.chartCid === undefined ? 'chart' : ctx.chartCid,
  };
}

export function chartDataFromBrief(b: Pick<BriefData, 'city' | 'period' | 'trend' | 'byUnit'>): ChartData {
  return {
    title: `${b.city}物业投诉举报受理情况（${periodLabel(b.period)}）`,
    trend: b.trend,
    byUnit: active(b.byUnit).map((u) => ({ name: u.name, received: u.received, closed: u.closed, overdue: u.overdue })),
  };
}

export function buildBrief(b: BriefData): MailBody {
  const when = periodLabel(b.period);
  const title = `${b.city}物业投诉举报受理工作简报`;
  const t = b.total;
  const overview =
    `本周（${when}）新受理物业投诉举报${t.weekReceived}件，办结${t.weekClosed}件。` +
    `专项行动开展以来（${campaignLabel(b.campaignStart)}起），累计受理${t.received}件，办结${t.closed}件，办结率${rate(t.closed, t.received)}；` +
    `在办${t.open}件，其中超期未办结${t.overdue}件；危及房屋使用和人身安全的紧急线索${b.urgent}件，挂牌督办${b.supervised}件。`;
  const problems = active(b.byProblem).map((x) => [x.name, x.weekReceived, x.received, x.closed, rate(x.closed, x.received)]);

  const sections: Sections = [
    { kind: 'title', text: title, sub: `${b.reportingUnit}　${when}` },
    { kind: 'heading', text: '一、总体情况' },
    { kind: 'paragraph', text: overview },
    ...(b.overdue?.length
      ? ([
          { kind: 'paragraph', text: `超期未办结${b.overdue.length}件，请督促以下承办单位：` },
          tableOr(
            ['编号', '县（市、区）', '承办单位', '期限', '已超期', '已提醒'],
            b.overdue.map((o) => [o.tracking, o.county, o.unit, `${o.deadline} ${deadlineText(o.dueAt)}`, `${o.daysOver}天`, o.reminded.join('、') || '—']),
            '',
          ),
        ] as Sections)
      : []),
    b.chartCid ? { kind: 'image', cid: b.chartCid, alt: '受理情况图', width: 600 } : null,
    { kind: 'heading', text: '二、各承办单位办理情况' },
    tableOr(['承办单位', ...TALLY_HEADERS], active(b.byUnit).map(tallyRow), '暂无。'),
    { kind: 'heading', text: '三、问题类型分布' },
    tableOr(['问题类型', '本周受理', '累计受理', '累计办结', '办结率'], problems, '暂无。'),
    { kind: 'heading', text: '四、各县（市、区）情况' },
    tableOr(['县（市、区）', ...TALLY_HEADERS], active(b.byCounty).map(tallyRow), '暂无。'),
    { kind: 'heading', text: '五、重点督办物业服务企业' },
    { kind: 'paragraph', text: '投诉举报超过10次（同一人举报不重复计入）的物业服务企业单独建立台账，实施重点督办。' },
    keyCompanyTable(b.keyCompanies),
    { kind: 'heading', text: '六、典型案例' },
    ...typicalCaseSections(b.typicalCases, '本周暂无。'),
    { kind: 'heading', text: '七、经验做法' },
    listOr(b.practices ?? [], '本周暂无。'),
    { kind: 'note', text: `数据截至${formatMinute(b.asOf ?? b.period.end)}。本简报由物业投诉举报受理台生成。简报正文中的投诉人信息已脱敏；附件2台账按规定格式载有投诉人及联系方式，仅供工作使用，请勿外传。` },
  ];
  return renderMail(`【工作简报】${b.city}物业投诉举报受理情况（${when}）`, title, sections);
}
