// The dashboard's trend chart (issue 18): an ECharts SVG drawn on the server behind the session, of the weeks' numbers
// in the user's scope, with the same numbers below it linking to their cases. Both dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userByLogin } from '../../src/store/users.ts';
import { weeklyTrend } from '../../src/web/routes-dashboard.ts';
import { DIALECTS } from '../support/stores.ts';
import { PASSWORD, webFixture, type WebFixture } from './web-fixture.ts';

describe.each(DIALECTS)('the dashboard trend chart on %s', (dialect) => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-chart');
  });
  afterAll(async () => {
    await f?.close();
  });

  let client = 0;
  async function login(user: string): Promise<string> {
    const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: user, password: PASSWORD }, remoteAddress: `10.10.0.${++client}` });
    expect(r.statusCode, r.body).toBe(303);
    return `wuye_sid=${r.cookies.find((x) => x.name === 'wuye_sid')!.value}`;
  }
  const get = (cookie: string, url: string) => f.app.inject({ method: 'GET', url, headers: { cookie } });

  it('counts the weeks in the user scope: this week last, the county, the city', async () => {
    const trendOf = async (login: string) => weeklyTrend(f.deps.db, f.deps.cfg, (await userByLogin(f.deps.db, login))!, f.deps.clock.now());
    const desk = await trendOf('desk');
    expect(desk.length).toBe(8);
    expect(desk.at(-1)).toEqual({ week: '2026-11-23', received: 2, closed: 0, overdue: 0 });
    expect(desk.slice(0, -1).every((w) => w.received === 0)).toBe(true);
    expect((await trendOf('yongji')).at(-1)!.received).toBe(1);
    expect((await trendOf('jiwei')).at(-1)!.received).toBe(3);
    expect((await trendOf('market')).at(-1)!.received).toBe(1); // its unit only
  });

  it('shows the chart image instead of progress bars, and the numbers as links', async () => {
    const desk = await login('desk');
    const page = await get(desk, '/dashboard');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<img class="trend-chart" src="/dashboard/trend.svg"');
    expect(page.body).not.toContain('<progress');
    const week = [...page.body.matchAll(/<tr><td>2026-11-23 起<\/td><td><a href="([^"]+)">(\d+)<\/a>/g)][0]!;
    expect(Number(week[2])).toBe(2);
    const api = (await get(desk, week[1]!.replace(/&amp;/g, '&').replace('/cases?', '/api/cases?'))).json() as { total: number };
    expect(api.total).toBe(2);
  });

  it('serves the chart as an SVG drawn by ECharts, only with a session', async () => {
    const desk = await login('desk');
    const r = await get(desk, '/dashboard/trend.svg');
    expect(r.statusCode).toBe(200);
    expect(String(r.headers['content-type'])).toContain('image/svg+xml');
    expect(r.body.trimStart()).toMatch(/^<svg/);
    expect(r.body).toContain('受理');
    expect(r.body).toContain('11/23'); // this week's label
    expect(r.body).not.toMatch(/<script/i);
    const anon = await f.app.inject({ method: 'GET', url: '/dashboard/trend.svg' });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/login');
  });
});
