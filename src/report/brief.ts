// The mailed reports, as HTML mail bodies (inline CSS, tables) with a plain-text twin. Pure: data in, text out.
// - buildBrief: the weekly 工作简报 to the city bureau (004 五(五)), with the chart as <img src="cid:…">;
// - buildMonthlyPublic: the monthly public report with the red/black list (000 附件 五);
// - buildDisciplineWeekly: the weekly clue summary to the discipline commission (000 附件 一(二), 六(二));
// - buildProvinceWeekly: the week's figures for the province's Thursday dispatch (000 附件 四), also as a sheet.
// Everything that leaves the office shows complainants masked (mask.ts); case lists name cases by tracking number.
import { PROBLEM_NAMES, PROBLEM_TYPES, STATUS_NAMES, UNIT_CODES, UNIT_NAMES, type Complaint, type UnitCode } from '../domain.ts';
import { due } from '../workflow/index.ts';
import { maskComplainant, maskContactsInText } from './mask.ts';
import { formatMinute, shanghaiDate, shanghaiDay } from '../time.ts';
import {
  isClosed,
  plainRow,
  type CellStyle,
  type ChartData,
  type SheetCell,
  type SheetLayout,
  type SheetRow,
} from './types.ts';
import { escapeHtml, h1, h2, htmlDocument, muted, p, table, TABLE, TD, TD_LEFT, TH, textTable } from './html.ts';

// ---------------------------------------------------------------------------------------------------------------
// Tallies: one pass over the complaints, shared by every report.

export interface Tally {
  name: string;
  weekReceived: number;
  weekClosed: number;
  /** Since the campaign start. */
  received: number;
  closed: number;
  open: number;
  /** Open and past a live deadline at the period's end. */
  overdue: number;
}

export interface Period {
  /** ISO instants; the period is [start, end). */
  start: string;
  end: string;
}

export interface TallyContext {
  period: { start: Date; end: Date };
  /** 'YYYY-MM-DD' (Asia/Shanghai); complaints received before it are left out of the cumulative figures. */
  campaignStart: string;
  counties: { code: string; name: string }[];
  unitNames?: Partial<Record<UnitCode, string>>;
  /** Defaults to the workflow's live deadlines (workflow.due). */
  isOverdue?: (c: Complaint, now: Date) => boolean;
  /** Weeks of trend for the chart, ending with the period (default 8). */
  trendWeeks?: number;
}

export interface Tallies {
  period: Period;
  campaignStart: string;
  total: Tally;
  byUnit: Tally[];
  byCounty: Tally[];
  byProblem: Tally[];
  /** 危及房屋使用和人身安全 / 挂牌督办, since the campaign start. */
  urgent: number;
  supervised: number;
  trend: ChartData['trend'];
}

export function defaultIsOverdue(c: Complaint, now: Date): boolean {
  return due(c, now, 0).some((d) => d.state === 'overdue');
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

function emptyTally(name: string): Tally {
  return { name, weekReceived: 0, weekClosed: 0, received: 0, closed: 0, open: 0, overdue: 0 };
}

/**
 * Counts of the cases received since the campaign start and up to the period's end. 本周受理: received in the
 * period; 本周办结: closed (isClosed) with resolvedAt in the period; 超期: open cases past a live deadline at the
 * period's end. Cases not yet routed are shown as 待分转 among the units, cases without a type as 未分类.
 */
export function tallyComplaints(cs: Iterable<Complaint>, ctx: TallyContext): Tallies {
  const start = ctx.period.start.getTime();
  const end = ctx.period.end.getTime();
  const isOverdue = ctx.isOverdue ?? defaultIsOverdue;
  const weeks = ctx.trendWeeks ?? 8;
  const trendStart = end - weeks * WEEK_MS;
  const trend = Array.from({ length: weeks }, (_, i) => {
    const { month, day } = shanghaiDate(new Date(trendStart + i * WEEK_MS));
    return { label: `${month}/${day}`, received: 0, closed: 0 };
  });

  const total = emptyTally('合计');
  const units = new Map<string, Tally>(UNIT_CODES.map((u) => [u, emptyTally(ctx.unitNames?.[u] ?? UNIT_NAMES[u])]));
  const counties = new Map<string, Tally>(ctx.counties.map((k) => [k.code, emptyTally(k.name)]));
  const problems = new Map<string, Tally>(PROBLEM_TYPES.map((t) => [t, emptyTally(PROBLEM_NAMES[t])]));
  const get = (m: Map<string, Tally>, key: string, name: string): Tally => {
    let t = m.get(key);
    if (!t) m.set(key, (t = emptyTally(name)));
    return t;
  };
  let urgent = 0;
  let supervised = 0;

  for (const c of cs) {
    const received = Date.parse(c.receivedAt);
    if (received >= end || shanghaiDay(c.receivedAt) < ctx.campaignStart) continue;
    const closed = isClosed(c);
    const resolved = c.resolvedAt ? Date.parse(c.resolvedAt) : NaN;
    const weekReceived = received >= start;
    const weekClosed = closed && resolved >= start && resolved < end;
    const overdue = !closed && isOverdue(c, ctx.period.end);
    const rows = [
      total,
      c.unit ? get(units, c.unit, c.unit) : get(units, '', '待分转'),
      get(counties, c.county, c.county),
      c.problem ? get(problems, c.problem, c.problem) : get(problems, '', '未分类'),
    ];
    for (const t of rows) {
      t.received += 1;
      if (closed) t.closed += 1;
      else t.open += 1;
      if (overdue) t.overdue += 1;
      if (weekReceived) t.weekReceived += 1;
      if (weekClosed) t.weekClosed += 1;
    }
    if (c.urgent) urgent += 1;
    if (c.supervised) supervised += 1;
    if (received >= trendStart) trend[Math.floor((received - trendStart) / WEEK_MS)]!.received += 1;
    if (closed && resolved >= trendStart && resolved < end) trend[Math.floor((resolved - trendStart) / WEEK_MS)]!.closed += 1;
  }
  return {
    period: { start: ctx.period.start.toISOString(), end: ctx.period.end.toISOString() },
    campaignStart: ctx.campaignStart,
    total,
    byUnit: [...units.values()],
    byCounty: [...counties.values()],
    byProblem: [...problems.values()],
    urgent,
    supervised,
    trend,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Typical cases and companies.

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

export function typicalCaseOf(c: Complaint, countyName: string, excerptChars = 80): TypicalCase {
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
 * The most telling cases of the period: 挂牌督办, then 危及安全, then 重大复杂, then substantiated and closed; cases
 * with activity in the period first. Cases with none of these marks are not typical.
 */
export function pickTypicalCases(cs: Iterable<Complaint>, period: { start: Date; end: Date }, limit = 3): Complaint[] {
  const start = period.start.getTime();
  const end = period.end.getTime();
  const scored: { c: Complaint; score: number; at: number }[] = [];
  for (const c of cs) {
    const received = Date.parse(c.receivedAt);
    if (received >= end) continue;
    const resolved = c.resolvedAt ? Date.parse(c.resolvedAt) : NaN;
    const marks = (c.supervised ? 8 : 0) + (c.urgent ? 4 : 0) + (c.complex ? 2 : 0) + (isClosed(c) && c.finding === 'substantiated' ? 1 : 0);
    if (marks === 0) continue;
    const active = received >= start || (resolved >= start && resolved < end);
    scored.push({ c, score: marks + (active ? 16 : 0), at: received });
  }
  return scored
    .sort((a, b) => b.score - a.score || b.at - a.at)
    .slice(0, limit)
    .map((s) => s.c);
}

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

/** '2024年5月20日—5月26日' for [start, end): the end instant is exclusive, so its previous day is shown. */
export function periodLabel(period: Period): string {
  const first = shanghaiDate(period.start);
  const last = shanghaiDate(new Date(Date.parse(period.end) - 1));
  const tail = first.year === last.year ? `${last.month}月${last.day}日` : `${last.year}年${last.month}月${last.day}日`;
  return `${first.year}年${first.month}月${first.day}日—${tail}`;
}

function rate(closed: number, received: number): string {
  return received === 0 ? '—' : `${((closed / received) * 100).toFixed(1)}%`;
}

function campaignLabel(campaignStart: string): string {
  const [y, m, d] = campaignStart.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

const TALLY_HEADERS = ['本周受理', '本周办结', '累计受理', '累计办结', '在办', '超期未办结'];
const tallyRow = (t: Tally): (string | number)[] => [t.name, t.weekReceived, t.weekClosed, t.received, t.closed, t.open, t.overdue];
/** Rows with anything to show; a report does not list twelve units of zeros. */
const active = (ts: Tally[]) => ts.filter((t) => t.received > 0);

// ---------------------------------------------------------------------------------------------------------------
// Weekly brief (004 五(五): 专项整治工作简报, with 工作进展情况、典型案例).

export interface BriefData extends Tallies {
  city: string;
  reportingUnit: string;
  keyCompanies: KeyCompany[];
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
}

export function briefDataFromComplaints(cs: Iterable<Complaint>, ctx: BriefContext): BriefData {
  const all = [...cs];
  const tallies = tallyComplaints(all, ctx);
  const countyName = new Map(ctx.counties.map((k) => [k.code, k.name]));
  const since = all.filter((c) => shanghaiDay(c.receivedAt) >= ctx.campaignStart);
  return {
    ...tallies,
    city: ctx.city,
    reportingUnit: ctx.reportingUnit,
    keyCompanies: ctx.keyCompanies ?? [],
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

export interface MailBody {
  subject: string;
  html: string;
  text: string;
}

export function buildBrief(b: BriefData): MailBody {
  const when = periodLabel(b.period);
  const title = `${b.city}物业投诉举报受理工作简报`;
  const subject = `【工作简报】${b.city}物业投诉举报受理情况（${when}）`;
  const t = b.total;
  const overview =
    `本周（${when}）新受理物业投诉举报${t.weekReceived}件，办结${t.weekClosed}件。` +
    `专项行动开展以来（${campaignLabel(b.campaignStart)}起），累计受理${t.received}件，办结${t.closed}件，办结率${rate(t.closed, t.received)}；` +
    `在办${t.open}件，其中超期未办结${t.overdue}件；危及房屋使用和人身安全的紧急线索${b.urgent}件，挂牌督办${b.supervised}件。`;
  const units = active(b.byUnit).map(tallyRow);
  const counties = active(b.byCounty).map(tallyRow);
  const problems = active(b.byProblem).map((x) => [x.name, x.weekReceived, x.received, x.closed, rate(x.closed, x.received)]);
  const problemHeaders = ['问题类型', '本周受理', '累计受理', '累计办结', '办结率'];
  const companyHeaders = ['物业服务企业', '投诉举报人数', '投诉件数', '属实件数'];
  const companies = b.keyCompanies.map((k) => [k.name, k.complainants, k.complaints ?? '—', k.substantiated ?? '—']);
  const asOf = `数据截至${formatMinute(b.asOf ?? b.period.end)}。本简报由物业投诉举报受理台生成，投诉人信息已脱敏。`;

  const html = htmlDocument(
    title,
    [
      h1(title),
      `<p style="text-align:center;margin:0 0 12px 0;color:#555">${escapeHtml(b.reportingUnit)}　${escapeHtml(when)}</p>`,
      h2('一、总体情况'),
      p(overview),
      b.chartCid ? `<p style="margin:8px 0"><img src="cid:${escapeHtml(b.chartCid)}" alt="受理情况图" width="900" style="max-width:100%;height:auto"></p>` : '',
      h2('二、各承办单位办理情况'),
      units.length ? table(['承办单位', ...TALLY_HEADERS], units) : p('暂无。'),
      h2('三、问题类型分布'),
      problems.length ? table(problemHeaders, problems) : p('暂无。'),
      h2('四、各县（市、区）情况'),
      counties.length ? table(['县（市、区）', ...TALLY_HEADERS], counties) : p('暂无。'),
      h2('五、重点督办物业服务企业'),
      p('投诉举报超过10次（同一人举报不重复计入）的物业服务企业单独建立台账，实施重点督办。'),
      companies.length ? table(companyHeaders, companies) : p('暂无。'),
      h2('六、典型案例'),
      b.typicalCases.length ? b.typicalCases.map(caseHtml).join('') : p('本周暂无。'),
      muted(asOf),
    ].join(''),
  );

  const text = [
    title,
    `${b.reportingUnit}　${when}`,
    '',
    '一、总体情况',
    overview,
    '',
    '二、各承办单位办理情况',
    units.length ? textTable(['承办单位', ...TALLY_HEADERS], units) : '暂无。',
    '',
    '三、问题类型分布',
    problems.length ? textTable(problemHeaders, problems) : '暂无。',
    '',
    '四、各县（市、区）情况',
    counties.length ? textTable(['县（市、区）', ...TALLY_HEADERS], counties) : '暂无。',
    '',
    '五、重点督办物业服务企业',
    companies.length ? textTable(companyHeaders, companies) : '暂无。',
    '',
    '六、典型案例',
    b.typicalCases.length ? b.typicalCases.map(caseText).join('\n\n') : '本周暂无。',
    '',
    asOf,
  ].join('\n');
  return { subject, html, text };
}

function caseLines(c: TypicalCase): [string, string][] {
  const place = [c.county, c.compound, c.company].filter(Boolean).join(' · ');
  const lines: [string, string][] = [
    ['编号', c.tracking],
    ['地点与企业', place || '—'],
    ['问题类型', c.problem],
    ['投诉人', c.complainant],
    ['反映内容', c.summary],
    ['办理状态', c.status],
  ];
  if (c.result) lines.push(['办理结果', c.result]);
  return lines;
}

function caseHtml(c: TypicalCase, i: number): string {
  const rows = caseLines(c)
    .map(([k, v]) => `<tr><th style="${TH};width:96px">${escapeHtml(k)}</th><td style="${TD_LEFT}">${escapeHtml(v)}</td></tr>`)
    .join('');
  return `<p style="margin:8px 0 0 0;font-weight:bold">案例${i + 1}</p><table style="${TABLE};width:100%">${rows}</table>`;
}

function caseText(c: TypicalCase, i: number): string {
  return [`案例${i + 1}`, ...caseLines(c).map(([k, v]) => `${k}：${v}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Monthly public report and red/black list (000 附件 五). Public: no complainant appears but masked.

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

export function buildMonthlyPublic(d: MonthlyPublicData): MailBody {
  const [y, m] = d.month.split('-').map(Number);
  const label = `${y}年${m}月`;
  const title = `${d.city}${label}物业投诉举报处理情况通报`;
  const intro =
    `${label}，全市共受理物业服务投诉举报${d.received}件，办结${d.closed}件，办结率${rate(d.closed, d.received)}，` +
    `超期未办结${d.overdue}件。`;
  const countyRows = d.byCounty.filter((x) => x.received > 0).map((x) => [x.name, x.received, x.closed, rate(x.closed, x.received)]);
  const problemRows = d.byProblem.filter((x) => x.received > 0).map((x) => [x.name, x.received, x.closed]);
  const listRows = (l: ListedCompany[]) => l.map((e, i) => [i + 1, e.name ?? '（未登记名称）', e.rules.map((r) => r.reason).join('；')]);
  const red = listRows(d.red);
  const black = listRows(d.black);
  const listHeaders = ['序号', '物业服务企业', '列入理由'];
  const closing = '红黑榜每月动态调整并向社会公布。对处置及时、整改质量高、投诉率低的物业企业给予通报表扬；对整改态度敷衍、措施不力、久拖不决的物业企业公开通报批评。';

  const html = htmlDocument(
    title,
    [
      h1(title),
      `<p style="text-align:center;margin:0 0 12px 0;color:#555">${escapeHtml(d.reportingUnit)}</p>`,
      h2('一、总体情况'),
      p(intro),
      countyRows.length ? table(['县（市、区）', '受理', '办结', '办结率'], countyRows) : '',
      problemRows.length ? table(['问题类型', '受理', '办结'], problemRows) : '',
      h2('二、红榜（通报表扬）'),
      red.length ? table(listHeaders, red, [1, 2]) : p('本月暂无。'),
      h2('三、黑榜（通报批评）'),
      black.length ? table(listHeaders, black, [1, 2]) : p('本月暂无。'),
      h2('四、典型案例'),
      d.typicalCases.length ? d.typicalCases.map(caseHtml).join('') : p('本月暂无。'),
      p(closing),
    ].join(''),
  );
  const text = [
    title,
    d.reportingUnit,
    '',
    '一、总体情况',
    intro,
    countyRows.length ? textTable(['县（市、区）', '受理', '办结', '办结率'], countyRows) : '',
    '',
    '二、红榜（通报表扬）',
    red.length ? textTable(listHeaders, red) : '本月暂无。',
    '',
    '三、黑榜（通报批评）',
    black.length ? textTable(listHeaders, black) : '本月暂无。',
    '',
    '四、典型案例',
    d.typicalCases.length ? d.typicalCases.map(caseText).join('\n\n') : '本月暂无。',
    '',
    closing,
  ].join('\n');
  return { subject: title, html, text };
}

// ---------------------------------------------------------------------------------------------------------------
// Weekly clue summary to the discipline commission (000 附件 一(二): 汇总统计、分析研判…难点、堵点及办结情况;
// 六(二): 该办不办、久拖不办、逾期未办理反馈、推诿扯皮).

export interface OverdueCase {
  tracking: string;
  county: string;
  unit: string;
  problem: string;
  receivedAt: string;
  /** The missed deadline (ISO). */
  dueAt: string;
  status: string;
}

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

/** The open cases past a live deadline at `now`, oldest deadline first. */
export function overdueCasesOf(
  cs: Iterable<Complaint>,
  now: Date,
  names: { counties: { code: string; name: string }[]; unitNames?: Partial<Record<UnitCode, string>> },
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
      status: STATUS_NAMES[c.status],
    });
  }
  return out.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
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
  const companyHeaders = ['物业服务企业', '投诉举报人数', '投诉件数', '属实件数'];
  const companies = d.keyCompanies.map((k) => [k.name, k.complainants, k.complaints ?? '—', k.substantiated ?? '—']);

  const html = htmlDocument(
    title,
    [
      h1(title),
      `<p style="text-align:center;margin:0 0 12px 0;color:#555">${escapeHtml(d.reportingUnit)}　${escapeHtml(when)}</p>`,
      h2('一、线索受理和办结情况'),
      p(overview),
      units.length ? table(['承办单位', ...TALLY_HEADERS], units) : '',
      h2('二、超期未办结线索（该办不办、久拖不办）'),
      overdueRows.length ? table(overdueHeaders, overdueRows, []) : p('无。'),
      h2('三、重点督办企业'),
      companies.length ? table(companyHeaders, companies) : p('暂无。'),
      h2('四、难点、堵点'),
      d.difficulties.length ? `<ol style="margin:4px 0">${d.difficulties.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ol>` : p('无。'),
      muted('系统端口已向纪检监察机关开放，可实时查看业务办理情况（000 附件 六(一)）。'),
    ].join(''),
  );
  const text = [
    title,
    `${d.reportingUnit}　${when}`,
    '',
    '一、线索受理和办结情况',
    overview,
    units.length ? textTable(['承办单位', ...TALLY_HEADERS], units) : '',
    '',
    '二、超期未办结线索（该办不办、久拖不办）',
    overdueRows.length ? textTable(overdueHeaders, overdueRows) : '无。',
    '',
    '三、重点督办企业',
    companies.length ? textTable(companyHeaders, companies) : '暂无。',
    '',
    '四、难点、堵点',
    d.difficulties.length ? d.difficulties.map((x, i) => `${i + 1}. ${x}`).join('\n') : '无。',
  ].join('\n');
  return { subject: `【周报】${title}（${when}）`, html, text };
}

// ---------------------------------------------------------------------------------------------------------------
// Province weekly (000 附件 四: 各市及所辖县（市、区）本周物业投诉相关线索办理情况), HTML and a sheet.

export interface ProvinceWeeklyData {
  city: string;
  reportingUnit: string;
  period: Period;
  campaignStart: string;
  byCounty: Tally[];
  total: Tally;
  /** 存在问题 / 下一步工作: the office's own words. */
  notes: string[];
}

const PROVINCE_HEADERS = ['县（市、区）', ...TALLY_HEADERS, '办结率'];

export function provinceWeeklyLayout(d: ProvinceWeeklyData): SheetLayout {
  const span = PROVINCE_HEADERS.length;
  return {
    sheetName: '本周办理情况',
    columnWidths: [16, 10, 10, 10, 10, 8, 10, 10],
    head: [
      { cells: [{ value: `${d.city}物业投诉举报线索办理情况（${periodLabel(d.period)}）`, style: 'title', colSpan: span }], height: 36 },
      { cells: [{ value: `填报单位：${d.reportingUnit}`, style: 'label', colSpan: span }], height: 20 },
      plainRow(PROVINCE_HEADERS, PROVINCE_HEADERS.map((): CellStyle => 'header'), 30),
    ],
    headerRows: { first: 3, last: 3 },
    frozenColumns: 1,
    foot: [{ cells: [{ value: `说明：累计数自${campaignLabel(d.campaignStart)}起计；超期未办结为统计截止时已超过办理时限的在办线索。`, style: 'note', colSpan: span }], height: 30 }],
    orientation: 'portrait',
  };
}

export function provinceWeeklyRows(d: ProvinceWeeklyData): SheetRow[] {
  const numbers: CellStyle[] = ['center', 'number', 'number', 'number', 'number', 'number', 'number', 'center'];
  const totals: CellStyle[] = ['total', 'totalNumber', 'totalNumber', 'totalNumber', 'totalNumber', 'totalNumber', 'totalNumber', 'total'];
  const row = (t: Tally, styles: CellStyle[]) => plainRow([...tallyRow(t), rate(t.closed, t.received)], styles, 20);
  return [...d.byCounty.map((t) => row(t, numbers)), row({ ...d.total, name: '合计' }, totals)];
}

export function buildProvinceWeekly(d: ProvinceWeeklyData): MailBody {
  const when = periodLabel(d.period);
  const title = `${d.city}物业投诉举报线索办理情况（${when}）`;
  const layout = provinceWeeklyLayout(d);
  const rows = provinceWeeklyRows(d);
  const html = htmlDocument(
    title,
    [
      layoutToHtml(layout, rows),
      d.notes.length ? h2('存在问题和下一步工作') + `<ol style="margin:4px 0">${d.notes.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ol>` : '',
    ].join(''),
  );
  const text = [
    title,
    `填报单位：${d.reportingUnit}`,
    '',
    textTable(PROVINCE_HEADERS, rows.map((r) => r.cells.map((c) => c.value ?? ''))),
    ...(d.notes.length ? ['', '存在问题和下一步工作', ...d.notes.map((x, i) => `${i + 1}. ${x}`)] : []),
  ].join('\n');
  return { subject: `【周报】${title}`, html, text };
}

// ---------------------------------------------------------------------------------------------------------------
// A SheetLayout as an HTML table (the same description the XLSX writer reads).

const HTML_CELL: Record<CellStyle, string> = {
  title: 'padding:8px;text-align:center;font-size:18px;font-weight:bold',
  label: 'padding:4px 0;text-align:left',
  header: TH,
  text: TD_LEFT,
  center: TD,
  number: TD,
  total: `${TD};font-weight:bold`,
  totalNumber: `${TD};font-weight:bold`,
  note: 'padding:6px 0;text-align:left;font-size:12px;color:#555',
};

export function layoutToHtml(layout: SheetLayout, body: SheetRow[]): string {
  const cell = (c: SheetCell) => {
    const tag = c.style === 'header' ? 'th' : 'td';
    const span = `${c.colSpan && c.colSpan > 1 ? ` colspan="${c.colSpan}"` : ''}${c.rowSpan && c.rowSpan > 1 ? ` rowspan="${c.rowSpan}"` : ''}`;
    const value = c.value === null ? '' : escapeHtml(c.value).replace(/\n/g, '<br>');
    return `<${tag}${span} style="${HTML_CELL[c.style]}">${value}</${tag}>`;
  };
  const rows = [...layout.head, ...body, ...layout.foot].map((r) => `<tr>${r.cells.map(cell).join('')}</tr>`).join('');
  return `<table style="${TABLE}">${rows}</table>`;
}
