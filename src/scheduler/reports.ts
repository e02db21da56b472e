// Assembles the mailed reports of one period from the store, with the pure builders of src/report (layout,
// tallies, masking) and their XLSX/PNG writers. Reads only; writing the outbox rows is jobs.ts's business, writing
// files the CLI's. Each report is a list of mails (body + attachments as bytes) addressed to a recipient list of
// config (`reports.recipients.<audience>`).
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Selectable } from 'kysely';
import type { Config } from '../config.ts';
import { UNIT_NAMES, type Complaint, type UnitCode } from '../domain.ts';
import {
  briefDataFromComplaints,
  buildBrief,
  buildDisciplineWeekly,
  buildMonthlyPublic,
  buildOverdueRollup,
  buildProvinceWeekly,
  chartDataFromBrief,
  isClosed,
  ledgerRowsFromComplaints,
  overdueCasesOf,
  pickTypicalCases,
  renderChartPng,
  summaryRowsFromComplaints,
  tallyComplaints,
  typicalCaseOf,
  writeLedgerXlsx,
  writeProvinceWeeklyXlsx,
  writeSummaryXlsx,
  type KeyCompany,
  type MailBody,
  type ProvinceWeeklyData,
} from '../report/index.ts';
import { latestFigures } from '../report/figures.ts';
import { blackListHistory } from '../store/companies.ts';
import { rowToComplaint } from '../store/complaints.ts';
import { figureEntries } from '../store/figures.ts';
import type { Conn } from '../store/db.ts';
import type { ComplaintTable } from '../store/schema.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { companyCounts, longOnBlackList, redBlackList, THRESHOLDS, type CompanyInput, type ComplaintFact, type ListEntry } from '../workflow/companies.ts';
import { due } from '../workflow/complaint.ts';
import { shanghaiDay, startOfDayShanghai } from '../time.ts';
import type { ReportPeriod } from './periods.ts';

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
/** 填报人 of annex 2: the form is filled by the system for the reporting unit. */
export const LEDGER_FILLER = '物业投诉举报受理台（系统生成）';

// ---------------------------------------------------------------------------------------------------------------
// Reading the store.

type Row = Selectable<ComplaintTable>;

async function* complaintRows(db: Conn, opts: { since?: string; until: string; withCompany?: boolean }, pageSize = 2000): AsyncGenerator<Row> {
  let after = 0;
  for (;;) {
    let q = db.selectFrom('complaint').selectAll().where('id', '>', after).where('received_at', '<', opts.until);
    if (opts.since) q = q.where('received_at', '>=', opts.since);
    if (opts.withCompany) q = q.where('company_id', 'is not', null);
    const rows = await q.orderBy('id').limit(pageSize).execute();
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** Every case received since the campaign start (004 附件2 说明1: 填专项行动开展以来的相关情况) and before `until`. */
export async function campaignComplaints(db: Conn, cfg: Config, until: Date): Promise<Complaint[]> {
  const out: Complaint[] = [];
  const since = startOfDayShanghai(cfg.reports.campaignStart).toISOString();
  for await (const r of complaintRows(db, { since, until: until.toISOString() })) out.push(rowToComplaint(r));
  return out;
}

/** 受理人 of the ledger: the officer who last accepted the case (接收), by name. */
export async function acceptedBy(db: Conn): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('complaint_event as e')
    .leftJoin('officer as o', 'o.id', 'e.actor_officer_id')
    .select(['e.complaint_id', 'e.actor_name', 'o.name as officer_name'])
    .where('e.type', '=', 'accepted')
    .orderBy('e.id')
    .execute();
  const out = new Map<number, string>();
  for (const r of rows) {
    const name = r.officer_name ?? r.actor_name;
    if (r.complaint_id != null && name) out.set(r.complaint_id, name);
  }
  return out;
}

/** Cases sent back by a unit as not theirs in [start, end) (推诿扯皮 is judged from these, 000 附件 六(二)). */
export async function returnedCount(db: Conn, period: { start: Date; end: Date }): Promise<number> {
  const r = await db
    .selectFrom('complaint_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('type', '=', 'returned')
    .where('at', '>=', period.start.toISOString())
    .where('at', '<', period.end.toISOString())
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Returns per unit in a period, from the `returned` audit events (their data names the unit that sent it back). */
export async function returnedByUnit(db: Conn, period: { start: Date; end: Date }): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('complaint_event')
    .select('data')
    .where('type', '=', 'returned')
    .where('at', '>=', period.start.toISOString())
    .where('at', '<', period.end.toISOString())
    .execute();
  const out = new Map<string, number>();
  for (const r of rows) {
    const unit = (r.data ? (JSON.parse(r.data) as { unit?: string }).unit : undefined) ?? 'unknown';
    out.set(unit, (out.get(unit) ?? 0) + 1);
  }
  return out;
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
  const companies = await db.selectFrom('company').selectAll().orderBy('id').execute();
  const lists = await blackListHistory(db, shanghaiDay(asOf).slice(0, 7));
  const facts = new Map<string, ComplaintFact[]>();
  for await (const r of complaintRows(db, { until: asOf.toISOString(), withCompany: true })) {
    const c = rowToComplaint(r);
    const closed = isClosed(c);
    const fact: ComplaintFact = {
      companyId: String(r.company_id),
      complainantKey: r.complainant_key,
      receivedAt: c.receivedAt,
      substantiated: c.finding === 'substantiated' || c.finding === 'partly',
      closedAt: closed ? c.resolvedAt : null,
      overdue: !closed && due(c, asOf, 0).some((d) => d.state === 'overdue'),
    };
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
        longOnBlackList: longOnBlackList(lists.black.get(k.id) ?? new Set(), lists.published, asOf),
      },
      complaints: facts.get(String(k.id)) ?? [],
    },
  }));
}

/** Companies on the key-supervision ledger (000 附件 一(三)): flagged, or over the distinct-complainant threshold. */
export function keyCompaniesOf(views: CompanyView[], asOf: Date): KeyCompany[] {
  const out: KeyCompany[] = [];
  for (const v of views) {
    const counts = companyCounts(v.input, asOf);
    if (!v.keySupervision && counts.complainants <= THRESHOLDS.keySupervisionComplainants) continue;
    out.push({
      name: v.name,
      complainants: counts.complainants,
      complaints: v.input.complaints.length,
      substantiated: v.input.complaints.filter((f) => f.substantiated).length,
    });
  }
  return out.sort((a, b) => b.complainants - a.complainants || a.name.localeCompare(b.name, 'zh'));
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes.

/** Collects what a builder streams (the XLSX writers take a stream) into one Buffer for the mail. */
export async function streamToBuffer(write: (out: NodeJS.WritableStream) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await write(sink);
  if (!sink.writableEnded) sink.end();
  await finished(sink);
  return Buffer.concat(chunks);
}

function unitNames(cfg: Config): Record<UnitCode, string> {
  const out = { ...UNIT_NAMES };
  for (const u of cfg.units) out[u.code] = u.name;
  return out;
}

function counties(cfg: Config) {
  return cfg.counties.map((k) => ({ code: k.code, name: k.name }));
}

const byReceipt = (a: Complaint, b: Complaint) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.id - b.id;

// ---------------------------------------------------------------------------------------------------------------
// The reports.

/** 004 五(五): the Friday brief (HTML body, chart inline) with annex 2 and annex 3, cumulative since the campaign start. */
async function weekly(deps: ReportDeps, period: ReportPeriod): Promise<ReportBundle> {
  const { cfg, db } = deps;
  const all = await campaignComplaints(db, cfg, period.end);
  const views = await companyViews(db, period.end);
  const names = unitNames(cfg);
  const brief = briefDataFromComplaints(all, {
    period,
    campaignStart: cfg.reports.campaignStart,
    counties: counties(cfg),
    unitNames: names,
    city: cfg.city.name,
    reportingUnit: cfg.reports.reportingUnit,
    keyCompanies: keyCompaniesOf(views, period.end),
    chartCid: CHART_CID,
  });
  const body = buildBrief(brief);
  const officers = await acceptedBy(db);
  // 查处 and 督导检查 as entered by the office, as of the report's day (the period ends at its Friday 12:00).
  const reportDay = shanghaiDay(new Date(period.end.getTime() - 1));
  const manual = latestFigures(await figureEntries(db, reportDay), reportDay);
  const sorted = [...all].sort(byReceipt);
  const ledger = await streamToBuffer((out) =>
    writeLedgerXlsx(
      ledgerRowsFromComplaints(sorted, { unitNames: names, officerOf: (c) => officers.get(c.id) ?? '' }),
      { unitName: cfg.reports.reportingUnit, filler: LEDGER_FILLER, filledAt: period.fire },
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
  const { cfg, db } = deps;
  const all = await campaignComplaints(db, cfg, period.end);
  const tallies = tallyComplaints(all, { period, campaignStart: cfg.reports.campaignStart, counties: counties(cfg), unitNames: unitNames(cfg) });
  const data: ProvinceWeeklyData = {
    city: cfg.city.name,
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
  const all = await campaignComplaints(db, cfg, period.end);
  const names = unitNames(cfg);
  const tallies = tallyComplaints(all, { period, campaignStart: cfg.reports.campaignStart, counties: counties(cfg), unitNames: names });
  const views = await companyViews(db, period.end);
  const overdue = overdueCasesOf(all, period.end, { counties: counties(cfg), unitNames: names });
  const body = buildDisciplineWeekly({
    ...tallies,
    city: cfg.city.name,
    reportingUnit: cfg.reports.reportingUnit,
    overdueCases: overdue,
    returned: await returnedCount(db, period),
    keyCompanies: keyCompaniesOf(views, period.end),
    difficulties: [],
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
  const all = await campaignComplaints(db, cfg, period.end);
  const names = unitNames(cfg);
  const tallies = tallyComplaints(all, { period, campaignStart: cfg.reports.campaignStart, counties: counties(cfg), unitNames: names });
  const views = await companyViews(db, period.end);
  const lists = redBlackList(
    views.map((v) => v.input),
    period.key,
  );
  const countyName = new Map(cfg.counties.map((k) => [k.code, k.name]));
  const inMonth = (t: { name: string; weekReceived: number; weekClosed: number }) => ({ name: t.name, received: t.weekReceived, closed: t.weekClosed });
  const body = buildMonthlyPublic({
    city: cfg.city.name,
    reportingUnit: cfg.reports.reportingUnit,
    month: period.key,
    received: tallies.total.weekReceived,
    closed: tallies.total.weekClosed,
    overdue: tallies.total.overdue,
    byCounty: tallies.byCounty.map(inMonth),
    byProblem: tallies.byProblem.map(inMonth),
    red: lists.red,
    black: lists.black,
    typicalCases: pickTypicalCases(all, period).map((c) => typicalCaseOf(c, countyName.get(c.county) ?? c.county)),
  });
  // 000 附件 六(二): the month's overdue and neglected handling, reported up to the province.
  const rollup = buildOverdueRollup({
    city: cfg.city.name,
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
