// Assembles the mailed reports of one period from the store (store/reporting.ts), with the pure layouts of
// src/report (tallies, masking) and their XLSX/PNG writers. Reads only; writing the outbox rows is jobs.ts's
// business, writing files the CLI's. Each report is a list of mails (body + attachments as bytes) addressed to a recipient list of
// config (`reports.recipients.<audience>`).
import { unitNamesOf, type Config } from '../config.ts';
import type { Actor, Case, UnitCode } from '../domain.ts';
import {
  briefDataFromComplaints,
  buildBrief,
  buildDisciplineWeekly,
  buildMonthlyPublic,
  buildOverdueRollup,
  buildProvinceWeekly,
  chartDataFromBrief,
  ledgerRowsFromComplaints,
  overdueCasesOf,
  pickTypicalCases,
  summaryRowsFromComplaints,
  tallyComplaints,
  publicTypicalCaseOf,
  type KeyCompany,
  type MailBody,
  type ProvinceWeeklyData,
} from '../report/index.ts';
import { streamToBuffer } from '../report/writers/buffer.ts';
import { renderChartPng } from '../report/writers/chart.ts';
import { writeLedgerXlsx, writeProvinceWeeklyXlsx, writeSummaryXlsx } from '../report/writers/xlsx.ts';
import { latestFigures } from '../report/figures.ts';
import { blackListHistory, listCompanies } from '../store/companies.ts';
import { addReportNote, figureEntries, reportNotes, type ReportNoteKind } from '../store/figures.ts';
import { appendEvents } from '../store/cases.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import type { Conn } from '../store/db.ts';
import { acceptedBy, companyComplaints, complaintsReceived, latestProgress, remindedByCase, returnedByUnit, transfersByCase } from '../store/reporting.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { complaintFact, keyCompanies, longOnBlackList, redBlackList, type CompanyInput, type ComplaintFact, type ListEntry } from '../workflow/companies.ts';
import { reportWeekOf, type ReportPeriod } from '../workflow/periods.ts';
import { lastDayOf, shanghaiDay, startOfDayShanghai } from '../time.ts';

export const REPORT_KINDS = ['weekly', 'provinceData', 'province', 'discipline', 'monthly'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export type Audience = keyof Config['reports']['recipients'];

export interface ReportFile {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Content-ID for an inline image (the brief's <img src="cid:chart">). */
  cid?: string;
}

export interface ReportMail extends MailBody {
  /** Stable within the report: part of the outbox key and of the file names. */
  id: string;
  /** Short Chinese title for file names, e.g. 工作简报. */
  title: string;
  audience: Audience;
  attachments: ReportFile[];
}

export interface ReportBundle {
  kind: ReportKind;
  period: ReportPeriod;
  mails: ReportMail[];
  /** One line for job_run.detail and the CLI. */
  summary: string;
  /** The monthly report's red/black list, recorded when the period is committed (its history: 长期在黑榜). */
  companyLists?: { month: string; red: ListEntry[]; black: ListEntry[] };
}

export interface ReportDeps {
  cfg: Config;
  db: Conn;
  cal: Calendar;
}

export const CHART_CID = 'chart';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// ---------------------------------------------------------------------------------------------------------------
// Reading the store.

/** Every case received since the campaign start (004 附件2 说明1: 填专项行动开展以来的相关情况) and before `until`. */
export async function campaignComplaints(db: Conn, cfg: Config, until: Date): Promise<Case[]> {
  return complaintsReceived(db, startOfDayShanghai(cfg.reports.campaignStart).toISOString(), until.toISOString());
}

/** The campaign's cases up to the period's end, tallied for the period: what the province, discipline and monthly reports start from. */
async function campaignTallies(deps: ReportDeps, period: ReportPeriod) {
  const { cfg, db } = deps;
  const all = await campaignComplaints(db, cfg, period.end);
  const names = unitNamesOf(cfg);
  const tallies = tallyComplaints(all, { period, campaignStart: cfg.reports.campaignStart, counties: counties(cfg), unitNames: names });
  return { all, names, tallies };
}

export interface CompanyView {
  id: number;
  name: string;
  county: string | null;
  keySupervision: boolean;
  input: CompanyInput;
}

/**
 * Each company with the facts its thresholds count (every complaint naming it, any time before `asOf`).
 * 属实 counts 属实 and 部分属实, as workflow/companies.ts recommends; "overdue" is an open case past a live deadline.
 */
export async function companyViews(db: Conn, asOf: Date): Promise<CompanyView[]> {
  const companies = await listCompanies(db);
  const lists = await blackListHistory(db, shanghaiDay(asOf).slice(0, 7));
  const facts = new Map<string, ComplaintFact[]>();
  for await (const r of companyComplaints(db, asOf.toISOString())) {
    const fact = complaintFact(r.complaint, String(r.companyId), r.complainantKey, asOf);
    const list = facts.get(fact.companyId);
    if (list) list.push(fact);
    else facts.set(fact.companyId, [fact]);
  }
  return companies.map((k) => ({
    id: k.id,
    name: k.name,
    county: k.county,
    keySupervision: k.key_supervision === 1,
    input: {
      company: {
        companyId: String(k.id),
        name: k.name,
        refusedToFix: k.refused_to_fix === 1,
        satisfaction: k.satisfaction,
        creditLow: k.credit_low === 1,
        refusedFeeStandard: k.refused_fee_standard === 1,
        flaggedAt: k.facts_at,
        longOnBlackList: longOnBlackList(lists.black.get(k.id) ?? new Set(), lists.published, asOf),
      },
      complaints: facts.get(String(k.id)) ?? [],
    },
  }));
}

/** Companies on the key-supervision ledger (000 附件 一(三)), most complained-about first. */
export function keyCompaniesOf(views: CompanyView[], asOf: Date): KeyCompany[] {
  return keyCompanies(
    views.map((v) => ({ input: v.input, flagged: v.keySupervision })),
    asOf,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Settings the layouts take.

/** Whose figures a report is about: the county of a county deployment, else the city with its counties. */
function reportingArea(cfg: Config): string {
  return cfg.deployment.level === 'county' ? cfg.counties[0]!.name : cfg.city.name;
}

function counties(cfg: Config) {
  return cfg.counties.map((k) => ({ code: k.code, name: k.name }));
}

const byReceipt = (a: Case, b: Case) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.id - b.id;

// ---------------------------------------------------------------------------------------------------------------
// The reports.

/** 004 五(五): the Friday brief (HTML body, chart inline) with annex 2 and annex 3, cumulative since the campaign start. */
async function weekly(deps: ReportDeps, period: ReportPeriod): Promise<ReportBundle> {
  const { cfg, db } = deps;
  const all = await campaignComplaints(db, cfg, period.end);
  const views = await companyViews(db, period.end);
  const names = unitNamesOf(cfg);
  const reminded = await remindedByCase(db);
  const brief = briefDataFromComplaints(all, {
    period,
    campaignStart: cfg.reports.campaignStart,
    counties: counties(cfg),
    unitNames: names,
    city: reportingArea(cfg),
    reportingUnit: cfg.reports.reportingUnit,
    keyCompanies: keyCompaniesOf(views, period.end),
    chartCid: CHART_CID,
    remindedOf: (c) => reminded.get(c.id) ?? [],
    practices: await reportNotes(db, 'practice', period.key),
  });
  const body = buildBrief(brief);
  const officers = await acceptedBy(db);
  const progress = await latestProgress(db);
  const transfers = await transfersByCase(db);
  // 查处 and 督导检查 as entered by the office, as of the report's day (the period ends at its Friday 12:00).
  const reportDay = lastDayOf(period.end);
  const manual = latestFigures(await figureEntries(db, reportDay), reportDay);
  const sorted = [...all].sort(byReceipt);
  const ledger = await streamToBuffer((out) =>
    writeLedgerXlsx(
      ledgerRowsFromComplaints(sorted, { unitNames: names, officerOf: (c) => officers.get(c.id) ?? '', progressOf: (c) => progress.get(c.id), transferOf: (c) => transfers.get(c.id) }),
      { unitName: cfg.reports.reportingUnit, filler: cfg.reports.filler ?? cfg.reports.reportingUnit, filledAt: period.fire },
      out,
    ),
  );
  const summary = await streamToBuffer((out) =>
    writeSummaryXlsx(summaryRowsFromComplaints(all, { counties: counties(cfg), manual }), out, { created: period.fire, creator: cfg.reports.reportingUnit }),
  );
  const chart = await renderChartPng(chartDataFromBrief(brief));
  return {
    kind: 'weekly',
    period,
    mails: [
      {
        id: 'brief',
        title: '工作简报',
        audience: 'weekly',
        ...body,
        attachments: [
          { filename: `附件2-登记办理台账-${period.key}.xlsx`, contentType: XLSX, content: ledger },
          { filename: `附件3-情况汇总表-${period.key}.xlsx`, contentType: XLSX, content: summary },
          { filename: `受理情况图-${period.key}.png`, contentType: 'image/png', content: chart, cid: CHART_CID },
        ],
      },
    ],
    summary: `累计受理${brief.total.received}件，本周受理${brief.total.weekReceived}件、办结${brief.total.weekClosed}件，台账${all.length}行`,
  };
}

/** 000 附件 四: the week's figures for the Thursday dispatch meeting, and the Friday 17:00 report. */
async function province(deps: ReportDeps, period: ReportPeriod, kind: 'province' | 'provinceData'): Promise<ReportBundle> {
  const { cfg } = deps;
  const { tallies } = await campaignTallies(deps, period);
  const data: ProvinceWeeklyData = {
    city: reportingArea(cfg),
    reportingUnit: cfg.reports.reportingUnit,
    period: tallies.period,
    campaignStart: cfg.reports.campaignStart,
    byCounty: tallies.byCounty,
    total: tallies.total,
    notes: [],
  };
  const body = buildProvinceWeekly(data);
  const sheet = await streamToBuffer((out) => writeProvinceWeeklyXlsx(data, out, { created: period.fire, creator: cfg.reports.reportingUnit }));
  const label = kind === 'provinceData' ? '省厅调度会数据' : '省厅周报';
  const subject = kind === 'provinceData' ? body.subject.replace(/^【[^】]*】/, '【周四调度会数据】') : body.subject;
  return {
    kind,
    period,
    mails: [
      {
        id: kind,
        title: label,
        audience: 'province',
        ...body,
        subject,
        attachments: [{ filename: `${label}-${period.key}.xlsx`, contentType: XLSX, content: sheet }],
      },
    ],
    summary: `本周受理${tallies.total.weekReceived}件、办结${tallies.total.weekClosed}件，超期${tallies.total.overdue}件`,
  };
}

/** 000 附件 一(二), 六(二): the weekly clue summary to the discipline commission. */
async function discipline(deps: ReportDeps, period: ReportPeriod): Promise<ReportBundle> {
  const { cfg, db } = deps;
  const { all, names, tallies } = await campaignTallies(deps, period);
  const views = await companyViews(db, period.end);
  const overdue = overdueCasesOf(all, period.end, { counties: counties(cfg), unitNames: names });
  const body = buildDisciplineWeekly({
    ...tallies,
    city: reportingArea(cfg),
    reportingUnit: cfg.reports.reportingUnit,
    overdueCases: overdue,
    returned: [...(await returnedByUnit(db, period)).values()].reduce((a, b) => a + b, 0),
    keyCompanies: keyCompaniesOf(views, period.end),
    difficulties: await reportNotes(db, 'obstacle', period.key),
  });
  return {
    kind: 'discipline',
    period,
    mails: [{ id: 'discipline', title: '纪委监委周报', audience: 'discipline', ...body, attachments: [] }],
    summary: `本周受理${tallies.total.weekReceived}件、办结${tallies.total.weekClosed}件，超期未办结${overdue.length}件`,
  };
}

/** 000 附件 五: the monthly public report with the red/black list; complainants masked by the builders. */
async function monthly(deps: ReportDeps, period: ReportPeriod): Promise<ReportBundle> {
  const { cfg, db } = deps;
  const { all, names, tallies } = await campaignTallies(deps, period);
  const views = await companyViews(db, period.end);
  const lists = redBlackList(
    views.map((v) => v.input),
    period.key,
  );
  const countyName = new Map(cfg.counties.map((k) => [k.code, k.name]));
  const inMonth = (t: { name: string; weekReceived: number; weekClosed: number }) => ({ name: t.name, received: t.weekReceived, closed: t.weekClosed });
  const body = buildMonthlyPublic({
    city: reportingArea(cfg),
    reportingUnit: cfg.reports.reportingUnit,
    month: period.key,
    received: tallies.total.weekReceived,
    closed: tallies.total.weekClosed,
    overdue: tallies.total.overdue,
    byCounty: tallies.byCounty.map(inMonth),
    byProblem: tallies.byProblem.map(inMonth),
    red: lists.red,
    black: lists.black,
    typicalCases: pickTypicalCases(all, period).map((c) => publicTypicalCaseOf(c, countyName.get(c.county) ?? c.county)),
  });
  // 000 附件 六(二): the month's overdue and neglected handling, reported up to the province.
  const rollup = buildOverdueRollup({
    city: reportingArea(cfg),
    reportingUnit: cfg.reports.reportingUnit,
    month: period.key,
    overdue: overdueCasesOf(all, period.end, { counties: counties(cfg), unitNames: names }),
    returnedByUnit: [...(await returnedByUnit(db, period)).entries()].map(([unit, count]) => ({ unit: names[unit as UnitCode] ?? unit, count })),
    asOf: period.end,
  });
  return {
    kind: 'monthly',
    period,
    mails: [
      { id: 'public', title: '月度公开通报', audience: 'monthly', ...body, attachments: [] },
      { id: 'overdue', title: '逾期未办理汇总', audience: 'province', ...rollup, attachments: [] },
    ],
    summary: `本月受理${tallies.total.weekReceived}件、办结${tallies.total.weekClosed}件；红榜${lists.red.length}家，黑榜${lists.black.length}家`,
    companyLists: { month: period.key, ...lists },
  };
}

export async function buildReport(deps: ReportDeps, kind: ReportKind, period: ReportPeriod): Promise<ReportBundle> {
  switch (kind) {
    case 'weekly':
      return weekly(deps, period);
    case 'province':
    case 'provinceData':
      return province(deps, period, kind);
    case 'discipline':
      return discipline(deps, period);
    case 'monthly':
      return monthly(deps, period);
  }
}

/** The office writes 经验做法 (the brief) or 难点、堵点 (the discipline report) into a week's reports; audited. */
export async function recordReportNote(
  deps: Pick<CaseDeps, 'db' | 'clock' | 'wakeOutbox'>,
  note: { kind: ReportNoteKind; text: string; week?: string },
  actor: Actor,
): Promise<{ ok: true; week: string; id: number } | { ok: false; message: string }> {
  const text = note.text.trim();
  if (!text) return { ok: false, message: '内容不能为空' };
  if (text.length > 2000) return { ok: false, message: '内容过长（最多 2000 字）' };
  const now = deps.clock.now();
  const week = note.week ?? reportWeekOf(shanghaiDay(now));
  if (!/^\d{4}-W\d{2}$/.test(week)) return { ok: false, message: `周次无效：${week}（例如 2026-W49）` };
  return commit(
    deps,
    async (w) => {
      const id = await addReportNote(w.tx, { kind: note.kind, week, text, by: actor.name ?? null, at: w.nowIso });
      await appendEvents(w.tx, null, [{ type: 'report-note', at: w.nowIso, actor, data: { id, kind: note.kind, week } }]);
      return { ok: true as const, week, id };
    },
    now,
  );
}
