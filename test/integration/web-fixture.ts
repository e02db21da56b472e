// A web console over a real store with real cases and accounts, for the web tests (HTTP and browser).
import type { FastifyInstance } from 'fastify';
import type { CaseDeps } from '../../src/cases/deps.ts';
import { registerCase } from '../../src/cases/register.ts';
import { addAccount } from '../../src/cases/web-accounts.ts';
import { fixedClock } from '../../src/clock.ts';
import type { ClassificationSummary, Case } from '../../src/domain.ts';
import { createLogger } from '../../src/log.ts';
import { loadCalendar } from '../../src/runtime.ts';
import type { Dialect } from '../../src/store/db.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { buildWebServer, type WebDeps } from '../../src/web/server.ts';
import { testConfig } from '../support/service.ts';
import { openTestStore } from '../support/stores.ts';

export const PASSWORD = 'correct horse battery';
export const START = '2026-11-23T02:00:00.000Z'; // a Monday, 10:00 in Beijing

/** Accounts: the yanhu desk, a market-regulation officer of yanhu, a city supervisor, a yanhu leader, the yongji desk. */
export const ACCOUNTS = [
  { login: 'desk', role: 'desk', county: 'yanhu', name: '王芳' },
  { login: 'market', role: 'officer', county: 'yanhu', unit: 'market-regulation', name: '李明' },
  { login: 'jiwei', role: 'supervisor', county: 'yuncheng', name: '赵纪' },
  { login: 'leader', role: 'leader', county: 'yanhu', name: '钱领' },
  { login: 'yongji', role: 'desk', county: 'yongji', name: '孙永' },
] as const;

const cls = (over: Partial<ClassificationSummary>): ClassificationSummary => ({
  unit: null, units: [], problem: null, urgent: false, triage: true, score: 0, matched: [], ...over,
});

export interface WebFixture {
  app: FastifyInstance;
  deps: CaseDeps;
  clock: ReturnType<typeof fixedClock>;
  cases: { lift: Case; triage: Case; yongji: Case };
  close(): Promise<void>;
}

export async function webFixture(dialect: Dialect, label: string, extra: (deps: CaseDeps) => Partial<WebDeps> = () => ({})): Promise<WebFixture> {
  const store = await openTestStore(dialect, label);
  const cfg = testConfig({ db: store.url });
  await syncReferenceData(store.db, cfg);
  const clock = fixedClock(START);
  const deps: CaseDeps = { cfg, db: store.db, cal: loadCalendar(cfg), clock, log: createLogger({ level: 'silent' }), wakeOutbox: () => undefined };
  for (const a of ACCOUNTS) {
    const r = await addAccount(store.db, clock, cfg, a, PASSWORD);
    if (!r.ok) throw new Error(r.message);
  }
  const register = async (over: Partial<Parameters<typeof registerCase>[1]>) => {
    const r = await registerCase(deps, {
      source: 'email', county: 'yanhu', complainant: { name: '张三', phone: '13800000001', email: 'zhang@example.com' }, compound: '阳光花园',
      address: '3号楼', company: '恒信物业服务有限公司', subject: '投诉', body: '', receivedAt: clock.now().toISOString(), classification: cls({}), ...over,
    });
    if (!r.ok) throw new Error(r.error.message);
    return r.complaint;
  };
  const lift = await register({
    subject: '电梯坏了',
    body: '小区电梯经常停运，困人两次。<script>alert("x")</script><img src=x onerror=alert(1)> 请尽快处理',
    classification: cls({ unit: 'market-regulation', units: [{ unit: 'market-regulation', score: 3 }], problem: 'service-not-delivered', triage: false, score: 3, matched: ['电梯'] }),
  });
  const triage = await register({ subject: '楼道漏水', body: '楼道天花板漏水，不知道找谁。', compound: '锦绣华庭' });
  const yongji = await register({ county: 'yongji', subject: '永济电梯', body: '永济某小区电梯坏了' });
  const app = await buildWebServer({ ...deps, ...extra(deps) });
  await app.ready();
  return {
    app, deps, clock, cases: { lift, triage, yongji },
    close: async () => {
      await app.close();
      await store.cleanup();
    },
  };
}

/**
 * A browser-less client of the fixture's console: logs in (each login from its own address, so the login rate
 * limit never trips), GETs with a session cookie, and POSTs a form with the session's CSRF token.
 */
export function webClient(f: WebFixture, subnet: string) {
  let client = 0;
  const get = (cookie: string, url: string) => f.app.inject({ method: 'GET', url, headers: { cookie } });
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return {
    get,
    csrfOf,
    async login(user: string): Promise<string> {
      const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: user, password: PASSWORD }, remoteAddress: `${subnet}.${++client}` });
      if (r.statusCode !== 303) throw new Error(`login ${user}: ${r.statusCode} ${r.body}`);
      return `wuye_sid=${r.cookies.find((x) => x.name === 'wuye_sid')!.value}`;
    },
    async postForm(cookie: string, url: string, form: Record<string, string> = {}) {
      const csrf = csrfOf((await get(cookie, '/cases')).body);
      return f.app.inject({ method: 'POST', url, headers: { cookie }, payload: { _csrf: csrf, ...form } });
    },
  };
}

/** The city's admin (every county; reports and sending), added to a fixture by the tests that need one. */
export async function addCityAdmin(f: WebFixture): Promise<void> {
  const r = await addAccount(f.deps.db, f.clock, f.deps.cfg, { login: 'cityadmin', role: 'admin', county: f.deps.cfg.city.code, name: '周管' }, PASSWORD);
  if (!r.ok) throw new Error(`cityadmin: ${JSON.stringify(r)}`);
}
