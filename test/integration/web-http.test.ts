// The web console over HTTP (fastify.inject) on both dialects: login and sessions, the JSON API and its scope,
// CSRF on every POST, read-only roles, the lock after repeated failures, audited reads, hostile text as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import * as OTPAuth from 'otpauth';
import { disableAccount, disableTotp, enableTotp, MAX_FAILED_LOGINS, resetPassword } from '../../src/cases/web-accounts.ts';
import { eventsOf, findByTracking } from '../../src/store/cases.ts';
import { DIALECTS } from '../support/stores.ts';
import { PASSWORD, webFixture, type WebFixture } from './web-fixture.ts';

describe.each(DIALECTS)('web console over HTTP on %s', (dialect) => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-http');
  });
  afterAll(async () => {
    await f?.close();
  });

  /** Logs in; returns the session cookie. */
  let client = 0;
  async function login(user: string, password = PASSWORD): Promise<string> {
    // Each from its own address: the login rate limit is per address and has its own test.
    const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: user, password }, remoteAddress: `10.1.0.${++client}` });
    expect(r.statusCode, r.body).toBe(303);
    const c = r.cookies.find((x) => x.name === 'wuye_sid');
    expect(c).toBeDefined();
    return `wuye_sid=${c!.value}`;
  }
  const get = (cookie: string, url: string) => f.app.inject({ method: 'GET', url, headers: { cookie } });
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('sends the unauthenticated to the login page (pages) or answers 401 (API)', async () => {
    expect((await f.app.inject({ url: '/api/cases' })).statusCode).toBe(401);
    const page = await f.app.inject({ url: '/cases' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login');
    const login = await f.app.inject({ url: '/login' });
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('登录名');
    expect(String(login.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('logs in with 303 and an HttpOnly, SameSite=Lax session cookie; a wrong password gets 401', async () => {
    const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'desk', password: PASSWORD }, remoteAddress: '10.2.0.1' });
    expect(r.statusCode).toBe(303);
    const c = r.cookies.find((x) => x.name === 'wuye_sid')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Lax');
    const bad = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'desk', password: 'wrong password!' }, remoteAddress: '10.2.0.1' });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('登录名、密码或动态口令错误');
    expect(bad.cookies.find((x) => x.name === 'wuye_sid')).toBeUndefined();
    const unknown = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'nobody', password: PASSWORD }, remoteAddress: '10.2.0.1' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(bad.body.replace('value="desk"', 'value="nobody"'));
  });

  it('lists the county’s cases in the API, finds 电梯, and never another county’s case', async () => {
    const desk = await login('desk');
    const all = (await get(desk, '/api/cases')).json() as { total: number; items: { tracking: string }[] };
    expect(all.total).toBe(2);
    expect(all.items.map((i) => i.tracking).sort()).toEqual([f.cases.lift.tracking, f.cases.triage.tracking].sort());
    const lift = (await get(desk, `/api/cases?q=${encodeURIComponent('电梯')}`)).json() as { total: number; items: { tracking: string; subject: string }[] };
    expect(lift.items.map((i) => i.tracking)).toEqual([f.cases.lift.tracking]);
    expect(lift.items[0]!.subject).toBe('电梯坏了');
    const otherCounty = (await get(desk, '/api/cases?county=yongji')).json() as { total: number };
    expect(otherCounty.total).toBe(0);
    const triage = (await get(desk, '/api/cases?status=triage')).json() as { items: { tracking: string }[] };
    expect(triage.items.map((i) => i.tracking)).toEqual([f.cases.triage.tracking]);
  });

  it('filters the list by company, chosen from the companies of the user’s counties, and keeps the choice', async () => {
    const desk = await login('desk');
    const company = (await f.deps.db.selectFrom('company').select(['id', 'name']).where('name', '=', '恒信物业服务有限公司').executeTakeFirstOrThrow());
    const other = await f.deps.db
      .insertInto('company')
      .values({ name: '永济别家物业有限公司', county: 'yongji', key_supervision: 0, refused_to_fix: 0, credit_low: 0, created_at: '2026-11-23T02:00:00.000Z' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const page = (await get(desk, `/cases?companyId=${company.id}`)).body;
    expect(page).toContain(`<option value="${company.id}" selected>恒信物业服务有限公司</option>`);
    expect(page).not.toContain('永济别家物业有限公司');
    const listed = (await get(desk, `/api/cases?companyId=${company.id}`)).json() as { total: number };
    expect(listed.total).toBe(2);
    expect(((await get(desk, `/api/cases?companyId=${other.id}`)).json() as { total: number }).total).toBe(0);
  });

  it('gives one case in the shape of wuye case show --json', async () => {
    const desk = await login('desk');
    const r = await get(desk, `/api/cases/${f.cases.lift.tracking}`);
    expect(r.statusCode).toBe(200);
    const c = await findByTracking(f.deps.db, f.cases.lift.tracking);
    expect(r.json()).toEqual(JSON.parse(JSON.stringify({ case: c, events: await eventsOf(f.deps.db, c!.id) })));
  });

  it('answers “not yours” exactly as “not found”', async () => {
    const desk = await login('desk');
    const notYours = await get(desk, `/api/cases/${f.cases.yongji.tracking}`);
    const missing = await get(desk, '/api/cases/YH-2026-999999');
    expect(notYours.statusCode).toBe(404);
    expect(notYours.body).toBe(missing.body);
    const page1 = await get(desk, `/cases/${f.cases.yongji.tracking}`);
    const page2 = await get(desk, '/cases/YH-2026-999999');
    expect(page1.statusCode).toBe(404);
    expect(page1.body).toBe(page2.body);
    // A unit officer reads only the unit’s cases: the triage case is not theirs.
    const market = await login('market');
    expect((await get(market, `/api/cases/${f.cases.triage.tracking}`)).body).toBe(missing.body);
    expect(((await get(market, '/api/cases')).json() as { total: number }).total).toBe(1);
  });

  it('shows complaint text with HTML as text', async () => {
    const desk = await login('desk');
    const r = await get(desk, `/cases/${f.cases.lift.tracking}`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(r.body).not.toContain('<script>alert');
    expect(r.body).not.toContain('<img src=x');
  });

  it('refuses a POST without the session’s CSRF token, and applies it with the token, the login on the audit row', async () => {
    const market = await login('market');
    const page = await get(market, `/cases/${f.cases.lift.tracking}`);
    expect(page.body).toContain('data-command="accept"');
    const forged = await f.app.inject({ method: 'POST', url: `/cases/${f.cases.lift.tracking}/act`, headers: { cookie: market }, payload: { command: 'accept' } });
    expect(forged.statusCode).toBe(403);
    const wrong = await f.app.inject({ method: 'POST', url: `/cases/${f.cases.lift.tracking}/act`, headers: { cookie: market }, payload: { command: 'accept', _csrf: 'x' } });
    expect(wrong.statusCode).toBe(403);
    expect((await findByTracking(f.deps.db, f.cases.lift.tracking))!.status).toBe('assigned');
    const ok = await f.app.inject({ method: 'POST', url: `/cases/${f.cases.lift.tracking}/act`, headers: { cookie: market }, payload: { command: 'accept', _csrf: csrfOf(page.body) } });
    expect(ok.statusCode).toBe(303);
    const c = await findByTracking(f.deps.db, f.cases.lift.tracking);
    expect(c!.status).toBe('accepted');
    const accepted = (await eventsOf(f.deps.db, c!.id)).find((e) => e.type === 'accepted')!;
    expect(accepted.actor).toMatchObject({ login: 'market', name: '李明', role: 'officer' });
  });

  it('shows the workflow’s Chinese refusal when an action is no longer allowed', async () => {
    const market = await login('market');
    const page = await get(market, `/cases/${f.cases.lift.tracking}`);
    const again = await f.app.inject({ method: 'POST', url: `/cases/${f.cases.lift.tracking}/act`, headers: { cookie: market }, payload: { command: 'accept', _csrf: csrfOf(page.body) } });
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatch(/class="error" role="alert">[^<]*[\u4e00-\u9fff]/);
  });

  it('offers the desk routing on a triage case, and the routing reaches the unit', async () => {
    const desk = await login('desk');
    const page = await get(desk, `/cases/${f.cases.triage.tracking}`);
    expect(page.body).toContain('data-command="assign"');
    expect(page.body).not.toContain('data-command="accept"');
    const r = await f.app.inject({
      method: 'POST', url: `/cases/${f.cases.triage.tracking}/act`, headers: { cookie: desk },
      payload: { command: 'assign', unit: 'housing', _csrf: csrfOf(page.body) },
    });
    expect(r.statusCode).toBe(303);
    const c = await findByTracking(f.deps.db, f.cases.triage.tracking);
    expect(c).toMatchObject({ status: 'assigned', unit: 'housing' });
  });

  it('lets a supervisor read without forms, audits each read as viewed with the login, and refuses any POST with 403', async () => {
    const jiwei = await login('jiwei');
    const page = await get(jiwei, `/cases/${f.cases.yongji.tracking}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('data-command=');
    expect(page.body).toContain('只读账号');
    const c = await findByTracking(f.deps.db, f.cases.yongji.tracking);
    const viewed = (await eventsOf(f.deps.db, c!.id)).filter((e) => e.type === 'viewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]!.actor).toMatchObject({ login: 'jiwei', role: 'supervisor' });
    const forged = await f.app.inject({ method: 'POST', url: `/cases/${f.cases.yongji.tracking}/act`, headers: { cookie: jiwei }, payload: { command: 'assign', unit: 'housing', _csrf: csrfOf(page.body) } });
    expect(forged.statusCode).toBe(403);
    expect((await findByTracking(f.deps.db, f.cases.yongji.tracking))!.status).toBe('triage');
    // A county leader reads only the county; the audit page shows the supervisor’s read too.
    const leader = await login('leader');
    expect((await get(leader, `/cases/${f.cases.yongji.tracking}`)).statusCode).toBe(404);
    const audit = await get(leader, '/audit');
    expect(audit.statusCode).toBe(200);
    const trail = await get(jiwei, '/audit');
    expect(trail.body).toContain('jiwei');
    expect(trail.body).toContain(f.cases.yongji.tracking);
    // The desk does not see the audit page.
    expect((await get(await login('desk'), '/audit')).statusCode).toBe(403);
  });

  it('locks an account after repeated failures, even for the right password, until a reset; disable ends sessions', async () => {
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'yongji', password: `wrong ${i} password` }, remoteAddress: `10.0.0.${i + 1}` });
      expect(r.statusCode).toBe(401);
    }
    const locked = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'yongji', password: PASSWORD }, remoteAddress: '10.0.1.1' });
    expect(locked.statusCode).toBe(423);
    expect(locked.body).toContain('已锁定');
    expect((await resetPassword(f.deps.db, f.clock, 'yongji', 'a new long password')).ok).toBe(true);
    const fresh = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'yongji', password: 'a new long password' }, remoteAddress: '10.0.1.2' });
    expect(fresh.statusCode).toBe(303);
    const cookie = `wuye_sid=${fresh.cookies.find((x) => x.name === 'wuye_sid')!.value}`;
    expect((await get(cookie, '/api/cases')).statusCode).toBe(200);
    await disableAccount(f.deps.db, f.clock, 'yongji');
    expect((await get(cookie, '/api/cases')).statusCode).toBe(401);
  });

  it('rate-limits login attempts from one address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'nobody', password: 'x' }, remoteAddress: '10.9.9.9' });
      codes.push(r.statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });

  it('lists companies and records a survey result through the company use case, audited with the login', async () => {
    const desk = await login('desk');
    const list = await get(desk, '/companies');
    expect(list.statusCode).toBe(200);
    const id = /href="\/companies\/(\d+)">恒信物业服务有限公司</.exec(list.body)?.[1];
    expect(id).toBeDefined();
    const page = await get(desk, `/companies/${id}`);
    expect(page.body).toContain('data-fact="survey"');
    const bad = await f.app.inject({ method: 'POST', url: `/companies/${id}/facts`, headers: { cookie: desk }, payload: { fact: 'survey', satisfaction: '120', surveyedOn: '2026-11-20', _csrf: csrfOf(page.body) } });
    expect(bad.statusCode).toBe(303);
    expect(decodeURIComponent(String(bad.headers.location))).toContain('满意度应为 0–100 之间的百分数');
    const ok = await f.app.inject({ method: 'POST', url: `/companies/${id}/facts`, headers: { cookie: desk }, payload: { fact: 'survey', satisfaction: '55', surveyedOn: '2026-11-20', publicised: 'yes', evidence: '调查表', _csrf: csrfOf(page.body) } });
    expect(ok.statusCode).toBe(303);
    const after = await get(desk, `/companies/${id}`);
    expect(after.body).toContain('满意度 55%（2026-11-20 调查，已在小区公示）');
    const audit = await f.deps.db.selectFrom('complaint_event').selectAll().where('type', '=', 'company-fact').execute();
    expect(audit.map((e) => e.actor_login)).toEqual(['desk']);
    // A supervisor reads the page without the forms, and may not post.
    const jiwei = await login('jiwei');
    const ro = await get(jiwei, `/companies/${id}`);
    expect(ro.statusCode).toBe(200);
    expect(ro.body).not.toContain('data-fact=');
    const forged = await f.app.inject({ method: 'POST', url: `/companies/${id}/facts`, headers: { cookie: jiwei }, payload: { fact: 'refused-to-fix', on: 'yes', _csrf: csrfOf(ro.body) } });
    expect(forged.statusCode).toBe(403);
  });

  it('shows the dashboard’s numbers, each linking to the cases it counts', async () => {
    const desk = await login('desk');
    const r = await get(desk, '/dashboard');
    expect(r.statusCode).toBe(200);
    const links = [...r.body.matchAll(/<a class="figure[^"]*" href="([^"]+)"><b>(\d+)<\/b><span>([^<]+)<\/span>/g)].map((m) => ({ href: m[1]!.replace(/&amp;/g, '&'), n: Number(m[2]), name: m[3]! }));
    expect(links.map((l) => l.name)).toEqual(['本周受理', '累计受理', '待分转', '在办', '已办结', '超期', '紧急在办']);
    expect(links.find((l) => l.name === '累计受理')!.n).toBe(2);
    for (const l of links) {
      const api = (await get(desk, l.href.replace('/cases?', '/api/cases?'))).json() as { total: number };
      expect(api.total, l.name).toBe(l.n);
    }
    // Every other number too (overdue by unit and by county, the weekly trend): counted as its link lists.
    const numbers = [...r.body.matchAll(/<a (?:class="[^"]*" )?href="(\/cases\?[^"]*)">(\d+)<\/a>/g)].map((m) => ({ href: m[1]!.replace(/&amp;/g, '&'), n: Number(m[2]) }));
    expect(numbers.length).toBeGreaterThanOrEqual(3 * 8);
    for (const x of numbers) {
      const api = (await get(desk, x.href.replace('/cases?', '/api/cases?'))).json() as { total: number };
      expect(api.total, x.href).toBe(x.n);
    }
  });

  it('invites an officer with a one-time bot link and its QR code, audited, and shows units nobody is linked for', async () => {
    const desk = await login('desk');
    const page = await get(desk, '/officers');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('class="none"');
    const r = await f.app.inject({ method: 'POST', url: '/officers/invite', headers: { cookie: desk }, payload: { unit: 'fire', county: 'yanhu', role: 'officer', name: '周消防', _csrf: csrfOf(page.body) } });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/https:\/\/t\.me\/wuye_test_bot\?start=[A-Za-z0-9_-]{16}/);
    expect(r.body).toContain('src="data:image/png;base64,');
    const invites = await f.deps.db.selectFrom('officer_invite').selectAll().execute();
    expect(invites.map((i) => [i.unit, i.county, i.role, i.name])).toEqual([['fire', 'yanhu', 'officer', '周消防']]);
    const audit = await f.deps.db.selectFrom('complaint_event').selectAll().where('type', '=', 'officer-invited').execute();
    expect(audit.map((e) => e.actor_login)).toEqual(['desk']);
    expect(audit[0]!.data).not.toContain(invites[0]!.code);
    // The desk invites only in its county and not admins; a supervisor not at all.
    const other = await f.app.inject({ method: 'POST', url: '/officers/invite', headers: { cookie: desk }, payload: { unit: 'fire', county: 'yongji', role: 'officer', _csrf: csrfOf(page.body) } });
    expect(other.statusCode).toBe(400);
    const admin = await f.app.inject({ method: 'POST', url: '/officers/invite', headers: { cookie: desk }, payload: { unit: 'fire', county: 'yanhu', role: 'admin', _csrf: csrfOf(page.body) } });
    expect(admin.statusCode).toBe(400);
    const jiwei = await login('jiwei');
    const ro = await get(jiwei, '/officers');
    expect(ro.body).not.toContain('data-action="invite"');
    expect((await f.app.inject({ method: 'POST', url: '/officers/invite', headers: { cookie: jiwei }, payload: { unit: 'fire', county: 'yanhu', role: 'officer', _csrf: csrfOf(ro.body) } })).statusCode).toBe(403);
  });

  it('builds this period’s weekly report for download, lists the sending history, and keeps unit officers out', async () => {
    const level = f.deps.cfg.deployment.level;
    const desk = await login(level === 'county' ? 'desk' : 'jiwei');
    const list = await get(desk, '/reports');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/reports/weekly"');
    const weekly = await get(desk, '/reports/weekly');
    expect(weekly.statusCode).toBe(200);
    const files = [...weekly.body.matchAll(/href="(\/reports\/weekly\/\d+\/\d+)">([^<]+)</g)].map((m) => ({ href: m[1]!, name: m[2]! }));
    const xlsx = files.find((x) => x.name.endsWith('.xlsx'));
    expect(xlsx).toBeDefined();
    const file = await get(desk, xlsx!.href);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('spreadsheetml');
    expect(file.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await get(await login('market'), '/reports')).statusCode).toBe(403);
    // In a city deployment the reports carry every county: a county’s desk does not read them.
    if (level === 'city') expect((await get(await login('desk'), '/reports/weekly')).statusCode).toBe(403);
  });

  it('asks a TOTP account for its code: none or a wrong one is refused like a wrong password, a code is accepted once', async () => {
    const on = await enableTotp(f.deps.db, f.clock, 'leader');
    expect(on.ok).toBe(true);
    const secret = new URL((on as { uri: string }).uri).searchParams.get('secret')!;
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
    const post = (payload: Record<string, string>, n: number) => f.app.inject({ method: 'POST', url: '/login', payload: { login: 'leader', password: PASSWORD, ...payload }, remoteAddress: `10.3.0.${n}` });
    const none = await post({}, 1);
    expect(none.statusCode).toBe(401);
    const wrongPassword = await f.app.inject({ method: 'POST', url: '/login', payload: { login: 'leader', password: 'not the password' }, remoteAddress: '10.3.0.2' });
    expect(none.body).toBe(wrongPassword.body);
    const code = totp.generate({ timestamp: f.clock.now().getTime() });
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect((await post({ totp: wrong }, 3)).statusCode).toBe(401);
    expect((await post({ totp: code }, 4)).statusCode).toBe(303);
    expect((await post({ totp: code }, 5)).statusCode).toBe(401); // the same code twice: refused
    f.clock.advance(30_000);
    expect((await post({ totp: totp.generate({ timestamp: f.clock.now().getTime() }) }, 6)).statusCode).toBe(303);
    expect((await disableTotp(f.deps.db, f.clock, 'leader')).ok).toBe(true);
    expect((await post({}, 7)).statusCode).toBe(303);
  });

  it('exports what is filtered as XLSX, in scope', async () => {
    const desk = await login('desk');
    const list = await get(desk, `/cases?q=${encodeURIComponent('电梯')}`);
    const href = /href="(\/cases\.xlsx\?[^"]*)"/.exec(list.body)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`/cases.xlsx?q=${encodeURIComponent('电梯')}`);
    const r = await get(desk, href!);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const values = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(values).toContain(f.cases.lift.tracking);
    expect(values).not.toContain(f.cases.triage.tracking);
    expect(values).not.toContain(f.cases.yongji.tracking); // another county’s 电梯 case: never exported here
  });

  it('logs out: the session is gone', async () => {
    const desk = await login('desk');
    const page = await get(desk, '/cases');
    const out = await f.app.inject({ method: 'POST', url: '/logout', headers: { cookie: desk }, payload: { _csrf: csrfOf(page.body) } });
    expect(out.statusCode).toBe(303);
    expect((await get(desk, '/api/cases')).statusCode).toBe(401);
  });
});
