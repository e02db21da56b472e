// Tallies: one pass over the complaints, shared by the weekly brief, the discipline weekly and the province weekly;
// and the few ways every report writes a period, a rate and a tally row. Pure: the period comes in as an argument.
import { PROBLEM_NAMES, PROBLEM_TYPES, UNIT_CODES, UNIT_NAMES, type Case, type UnitCode } from '../domain.ts';
import { due } from '../workflow/index.ts';
import { chineseDate, lastDayOf, parseDay, shanghaiDate, shanghaiDay, startOfDayShanghai } from '../time.ts';
import { isClosed, type ChartData } from './types.ts';

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
  isOverdue?: (c: Case, now: Date) => boolean;
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

export function defaultIsOverdue(c: Case, now: Date): boolean {
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
export function tallyComplaints(cs: Iterable<Case>, ctx: TallyContext): Tallies {
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
// How the reports write their figures.

/** '2024年5月20日—5月26日' for [start, end): the end instant belongs to the day it ends (the 24:00 rule). */
export function periodLabel(period: Period): string {
  const first = shanghaiDate(period.start);
  const last = parseDay(lastDayOf(period.end));
  const tail = first.year === last.year ? `${last.month}月${last.date}日` : `${last.year}年${last.month}月${last.date}日`;
  return `${first.year}年${first.month}月${first.day}日—${tail}`;
}

/** '2024年5月21日' for the campaign start day 'YYYY-MM-DD'. */
export function campaignLabel(campaignStart: string): string {
  return chineseDate(startOfDayShanghai(campaignStart));
}

/** '2024年6月' for 'YYYY-MM'. */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${y}年${m}月`;
}

/** 办结率 to one decimal; '—' when nothing was received. */
export function rate(closed: number, received: number): string {
  return received === 0 ? '—' : `${((closed / received) * 100).toFixed(1)}%`;
}

export const TALLY_HEADERS = ['本周受理', '本周办结', '累计受理', '累计办结', '在办', '超期未办结'];

export function tallyRow(t: Tally): (string | number)[] {
  return [t.name, t.weekReceived, t.weekClosed, t.received, t.closed, t.open, t.overdue];
}

/** Rows with anything to show; a report does not list twelve units of zeros. */
export function active(ts: Tally[]): Tally[] {
  return ts.filter((t) => t.received > 0);
}
