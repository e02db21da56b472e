// The dashboard: this week's and cumulative numbers as in the Friday brief, overdue by unit and by county with who
// to chase (the officers linked for that unit), and the weekly trend of received cases; every number links to its
// cases (the case list with the same filters).
import type { FastifyInstance } from 'fastify';
import { countiesOf, type WebUser } from '../cases/web-accounts.ts';
import { CLOSED_STATUSES, OPEN_STATUSES, TRIAGE_STATUSES, UNIT_CODES, UNIT_NAMES } from '../domain.ts';
import { searchCases, type CaseQuery } from '../store/case-search.ts';
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

/** Received per week for the last TREND_WEEKS weeks in the user's scope, and of those the closed and overdue now. */
export async function weeklyTrend(deps: WebDeps, u: WebUser): Promise<TrendWeek[]> {
  const now = deps.clock.now();
  const scope = scopeOf(deps.cfg, u);
  const count = async (q: Partial<CaseQuery>) => (await searchCases(deps.db, { ...scope, now: now.toISOString(), pageSize: 1, ...q })).total;
  const monday = mondayOf(now);
  const weeks: TrendWeek[] = [];
  for (let i = TREND_WEEKS - 1; i >= 0; i--) {
    const week = addDays(monday, -7 * i);
    const range = { receivedFrom: startOfDayShanghai(week).toISOString(), receivedTo: startOfDayShanghai(addDays(week, 7)).toISOString() };
    weeks.push({ week, received: await count(range), closed: await count({ ...range, status: [...CLOSED_STATUSES] }), overdue: await count({ ...range, overdue: true }) });
  }
  return weeks;
}

export function registerDashboardRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/dashboard', async (req, reply) => {
    const u = req.user!;
    const now = deps.clock.now();
    const nowIso = now.toISOString();
    const scope = scopeOf(deps.cfg, u);
    const count = async (q: Partial<CaseQuery>) => (await searchCases(deps.db, { ...scope, now: nowIso, pageSize: 1, ...q })).total;
    const link = (params: Record<string, string | readonly string[]>) =>
      `/cases?${new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : v.map((x) => [k, x] as [string, string])))).toString()}`;
    const monday = mondayOf(now);

    const figures = [
      { name: '本周受理', n: await count({ receivedFrom: startOfDayShanghai(monday).toISOString() }), href: link({ from: monday }) },
      { name: '累计受理', n: await count({}), href: link({}) },
      { name: '待分转', n: await count({ status: [...TRIAGE_STATUSES] }), href: link({ status: TRIAGE_STATUSES }) },
      { name: '在办', n: await count({ status: [...OPEN_STATUSES] }), href: link({ status: OPEN_STATUSES }) },
      { name: '已办结', n: await count({ status: [...CLOSED_STATUSES] }), href: link({ status: CLOSED_STATUSES }) },
      { name: '超期', n: await count({ overdue: true }), href: link({ overdue: '1', sort: 'deadline' }), late: true },
      { name: '紧急在办', n: await count({ urgent: true, status: [...OPEN_STATUSES] }), href: link({ urgent: '1', status: OPEN_STATUSES }), late: true },
    ];

    const counties = countiesOf(deps.cfg, u);
    const officers = (await listOfficers(deps.db, { activeOnly: true })).filter((o) => o.chatId !== null && o.role === 'officer');
    const byUnit = [];
    for (const unit of UNIT_CODES) {
      const n = await count({ overdue: true, unit });
      if (!n) continue;
      const chase = officers.filter((o) => o.unit === unit && (!counties || counties.includes(o.county))).map((o) => o.name ?? `#${o.id}`);
      byUnit.push({ name: UNIT_NAMES[unit], n, href: link({ overdue: '1', unit, sort: 'deadline' }), chase: chase.join('、') || '（无人接收）', unowned: !chase.length });
    }
    const byCounty = [];
    for (const c of deps.cfg.counties.filter((x) => !counties || counties.includes(x.code))) {
      const n = await count({ overdue: true, county: c.code });
      if (n) byCounty.push({ name: c.name, n, href: link({ overdue: '1', county: c.code, sort: 'deadline' }) });
    }
    // The chart is an image (GET /dashboard/trend.svg); the same numbers stay below it as links to their cases.
    const trend = (await weeklyTrend(deps, u)).map((w) => {
      const range = { from: w.week, to: addDays(w.week, 6) };
      return { ...w, href: link(range), closedHref: link({ ...range, status: CLOSED_STATUSES }), overdueHref: link({ ...range, overdue: '1', sort: 'deadline' }) };
    });
    await auditRead(deps, u, null, 'dashboard');
    return reply.view('dashboard', page(req, { title: '统计', nav: 'dashboard', figures, byUnit, byCounty, trend }));
  });

  // Behind the session like every page; not audited on its own: it shows the numbers of the dashboard it is part of,
  // whose opening is audited.
  app.get('/dashboard/trend.svg', async (req, reply) => {
    const svg = renderTrendSvg(await weeklyTrend(deps, req.user!));
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'private, no-store').send(svg);
  });
}
