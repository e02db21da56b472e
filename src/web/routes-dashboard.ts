// The dashboard: this week's and cumulative numbers as in the Friday brief, overdue by unit and by county with who
// to chase (the officers linked for that unit), and the weekly trend of received cases; every number links to its
// cases (the case list with the same filters).
import type { FastifyInstance } from 'fastify';
import { countiesOf, type WebUser } from '../cases/web-accounts.ts';
import type { Config } from '../config.ts';
import { CLOSED_STATUSES, OPEN_STATUSES, STATUSES, TRIAGE_STATUSES, UNIT_CODES, UNIT_NAMES } from '../domain.ts';
import { countByReceiptSpans, countCases, countCasesBy, type CaseQuery } from '../store/case-search.ts';
import type { Db } from '../store/db.ts';
import { listOfficers } from '../store/officers.ts';
import { addDays, shanghaiDay, startOfDayShanghai, weekday } from '../time.ts';
import { auditRead } from './routes-cases.ts';
import { scopeOf } from './scope.ts';
import { page, type WebDeps } from './server.ts';
import { renderTrendSvg, type TrendWeek } from './trend-chart.ts';

const TREND_WEEKS = 8;

/** The Monday of this week (Asia/Shanghai). */
function mondayOf(now: Date): string {
  const today = shanghaiDay(now);
  return addDays(today, -((weekday(today) + 6) % 7));
}

/** The exact number of the user's cases matching a filter: counted only, no page of them fetched. */
function counter(db: Db, cfg: Config, u: WebUser, nowIso: string): (q: Partial<CaseQuery>) => Promise<number> {
  const scope = scopeOf(cfg, u);
  return async (q) => (await countCases(db, { ...scope, now: nowIso, ...q })).total;
}

/** Received per week for the last TREND_WEEKS weeks in the user's scope, and of those the closed and overdue now. */
export async function weeklyTrend(db: Db, cfg: Config, u: WebUser, now: Date): Promise<TrendWeek[]> {
  const monday = mondayOf(now);
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => addDays(monday, -7 * (TREND_WEEKS - 1 - i)));
  const bounds = [...weeks, addDays(monday, 7)].map((d) => startOfDayShanghai(d).toISOString());
  const spans = await countByReceiptSpans(db, { ...scopeOf(cfg, u), now: now.toISOString() }, bounds, CLOSED_STATUSES);
  return weeks.map((week, i) => ({ week, ...spans[i]! }));
}

/** The dashboard's headline figures: each with the case-list filter its number links to. */
const FIGURES: { name: string; late?: boolean; q: (monday: string) => Partial<CaseQuery>; link: (monday: string) => Record<string, string | readonly string[]> }[] = [
  { name: '本周受理', q: (monday) => ({ receivedFrom: startOfDayShanghai(monday).toISOString() }), link: (monday) => ({ from: monday }) },
  { name: '累计受理', q: () => ({}), link: () => ({}) },
  { name: '待分转', q: () => ({ status: [...TRIAGE_STATUSES] }), link: () => ({ status: TRIAGE_STATUSES }) },
  { name: '在办', q: () => ({ status: [...OPEN_STATUSES] }), link: () => ({ status: OPEN_STATUSES }) },
  { name: '已办结', q: () => ({ status: [...CLOSED_STATUSES] }), link: () => ({ status: CLOSED_STATUSES }) },
  { name: '超期', late: true, q: () => ({ overdue: true }), link: () => ({ overdue: '1', sort: 'deadline' }) },
  { name: '紧急在办', late: true, q: () => ({ urgent: true, status: [...OPEN_STATUSES] }), link: () => ({ urgent: '1', status: OPEN_STATUSES }) },
];

// 在办 and 已办结 divide the statuses between them, so 已办结 is 累计受理 − 在办: a count of every closed case (most of
// them) read as much of the table as the total does (at 1,000,000 cases on PostgreSQL ~200 ms).
const TOTAL = FIGURES.findIndex((f) => f.name === '累计受理');
const OPEN = FIGURES.findIndex((f) => f.name === '在办');
const CLOSED = FIGURES.findIndex((f) => f.name === '已办结');
const PARTITION = OPEN_STATUSES.length + CLOSED_STATUSES.length === STATUSES.length && STATUSES.every((x) => (OPEN_STATUSES as readonly string[]).includes(x) !== (CLOSED_STATUSES as readonly string[]).includes(x));

export interface DashboardNumbers {
  monday: string;
  figures: number[]; // in FIGURES' order
  overdueByUnit: Map<string, number>;
  overdueByCounty: { county: string; n: number }[];
  trend: TrendWeek[];
}

/** Every number of the dashboard, in the user's scope (also what `npm run bench` times at a million cases). */
export async function dashboardNumbers(db: Db, cfg: Config, u: WebUser, now: Date): Promise<DashboardNumbers> {
  const nowIso = now.toISOString();
  const count = counter(db, cfg, u, nowIso);
  const monday = mondayOf(now);
  const figures: number[] = [];
  for (const [i, f] of FIGURES.entries()) figures.push(i === CLOSED && PARTITION ? -1 : await count(f.q(monday)));
  if (PARTITION) figures[CLOSED] = figures[TOTAL]! - figures[OPEN]!;
  const overdueByUnit = await countCasesBy(db, { ...scopeOf(cfg, u), now: nowIso, overdue: true }, ['unit']);
  const counties = countiesOf(cfg, u);
  const overdueByCounty = [];
  // One count a county: each is read off the (county, deadline) index alone, faster than one grouped read.
  for (const c of cfg.counties.filter((x) => !counties || counties.includes(x.code))) overdueByCounty.push({ county: c.code, n: await count({ overdue: true, county: c.code }) });
  return { monday, figures, overdueByUnit, overdueByCounty, trend: await weeklyTrend(db, cfg, u, now) };
}

export function registerDashboardRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/dashboard', async (req, reply) => {
    const u = req.user!;
    const link = (params: Record<string, string | readonly string[]>) =>
      `/cases?${new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : v.map((x) => [k, x] as [string, string])))).toString()}`;
    const numbers = await dashboardNumbers(deps.db, deps.cfg, u, deps.clock.now());
    const figures = FIGURES.map((f, i) => ({ name: f.name, n: numbers.figures[i]!, href: link(f.link(numbers.monday)), ...(f.late ? { late: true } : {}) }));

    const counties = countiesOf(deps.cfg, u);
    const officers = (await listOfficers(deps.db, { activeOnly: true })).filter((o) => o.chatId !== null && o.role === 'officer');
    const byUnit = [];
    for (const unit of UNIT_CODES) {
      const n = numbers.overdueByUnit.get(unit) ?? 0;
      if (!n) continue;
      const chase = officers.filter((o) => o.unit === unit && (!counties || counties.includes(o.county))).map((o) => o.name ?? `#${o.id}`);
      byUnit.push({ name: UNIT_NAMES[unit], n, href: link({ overdue: '1', unit, sort: 'deadline' }), chase: chase.join('、') || '（无人接收）', unowned: !chase.length });
    }
    const byCounty = numbers.overdueByCounty
      .filter((c) => c.n)
      .map((c) => ({ name: deps.cfg.counties.find((x) => x.code === c.county)!.name, n: c.n, href: link({ overdue: '1', county: c.county, sort: 'deadline' }) }));
    // The chart is an image (GET /dashboard/trend.svg); the same numbers stay below it as links to their cases.
    const trend = numbers.trend.map((w) => {
      const range = { from: w.week, to: addDays(w.week, 6) };
      return { ...w, href: link(range), closedHref: link({ ...range, status: CLOSED_STATUSES }), overdueHref: link({ ...range, overdue: '1', sort: 'deadline' }) };
    });
    await auditRead(deps, u, null, 'dashboard');
    return reply.view('dashboard', page(req, { title: '统计', nav: 'dashboard', figures, byUnit, byCounty, trend }));
  });

  // Behind the session like every page; not audited on its own: it shows the numbers of the dashboard it is part of,
  // whose opening is audited.
  app.get('/dashboard/trend.svg', async (req, reply) => {
    const svg = renderTrendSvg(await weeklyTrend(deps.db, deps.cfg, req.user!, deps.clock.now()));
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'private, no-store').send(svg);
  });
}
