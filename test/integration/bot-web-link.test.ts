// The bot's /web one-time login link (issue 18), end to end: an officer asks the bot over the loopback Bot API, and
// the link it answers with is used against the web console over HTTP (fastify.inject) on the same store. Both
// dialects: the link is spent by one conditional UPDATE … RETURNING, which both must honour.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type OfficerBot } from '../../src/bot/index.ts';
import type { CaseDeps } from '../../src/cases/deps.ts';
import { consoleUrl, webRoleOfOfficer } from '../../src/cases/web-accounts.ts';
import { fixedClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import type { Role, UnitCode } from '../../src/domain.ts';
import { BOT_COMMANDS, helpText, TEXT } from '../../src/messages/index.ts';
import { loadCalendar } from '../../src/runtime.ts';
import type { Dialect } from '../../src/store/db.ts';
import { createInvite, deactivateOfficer, officerByChat, type Officer } from '../../src/store/officers.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { buildWebServer } from '../../src/web/server.ts';
import { startBotApi, type BotApiPeer, type BotMessage } from '../support/bot-api.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { DIALECTS, openTestStore } from '../support/stores.ts';
import { until } from '../support/wait.ts';

const START = '2026-11-23T02:00:00.000Z'; // a Monday, 10:00 in Beijing
const PUBLIC_URL = 'https://wuye.example.gov.cn';

interface Harness {
  cfg: Config;
  deps: CaseDeps;
  clock: ReturnType<typeof fixedClock>;
  api: BotApiPeer;
  bot: OfficerBot;
  app: FastifyInstance;
  close(): Promise<void>;
}

async function startHarness(dialect: Dialect): Promise<Harness> {
  const store = await openTestStore(dialect, 'botweb');
  const api = await startBotApi();
  const cfg = testConfig({ db: store.url, apiRoot: api.apiRoot });
  cfg.web.publicUrl = PUBLIC_URL;
  await syncReferenceData(store.db, cfg);
  const { log } = memoryLogger('warn');
  const clock = fixedClock(START);
  const cal = loadCalendar(cfg);
  const deps: CaseDeps = { cfg, db: store.db, cal, clock, log, wakeOutbox: () => undefined };
  const bot = createBot({ cfg, db: store.db, log, clock, cal, token: api.token, wakeOutbox: () => undefined });
  await bot.start();
  const app = await buildWebServer(deps);
  await app.ready();
  return {
    cfg, deps, clock, api, bot, app,
    async close() {
      await app.close();
      await bot.stop();
      await api.close();
      await store.cleanup();
    },
  };
}

const fromBot = (h: Harness, chat: number): BotMessage[] => h.api.messages(chat).filter((m) => m.from?.id === h.api.bot.id);

async function say(h: Harness, chat: number, text: string): Promise<BotMessage> {
  const u = h.api.sendText(chat, text) as unknown as { message: { message_id: number } };
  const after = u.message.message_id;
  await h.api.drained();
  return until(() => fromBot(h, chat).find((m) => m.message_id > after), `a reply to "${text}" in chat ${chat}`);
}

async function link(h: Harness, chat: number, role: Role, unit: UnitCode, county = 'yanhu'): Promise<Officer> {
  const inv = await createInvite(h.deps.db, { unit, county, role, name: `测试${chat}` }, h.clock.now(), h.cfg.bot.inviteTtlHours);
  expect((await say(h, chat, `/start ${inv.code}`)).text).toContain('绑定成功');
  return (await officerByChat(h.deps.db, chat))!;
}

/** Asks the bot for a link; the token out of the link it sent. */
async function webLink(h: Harness, chat: number): Promise<{ reply: BotMessage; token: string }> {
  const reply = await say(h, chat, '/web');
  const m = /\/login\/link\?t=([A-Za-z0-9_-]+)/.exec(reply.text ?? '');
  expect(m, reply.text).not.toBeNull();
  return { reply, token: m![1]! };
}

async function useLink(h: Harness, token: string) {
  return h.app.inject({ method: 'POST', url: '/login/link', payload: { t: token } });
}

function sessionCookie(res: { cookies: { name: string; value: string }[] }): string {
  const c = res.cookies.find((x) => x.name === 'wuye_sid');
  expect(c).toBeDefined();
  return `wuye_sid=${c!.value}`;
}

const HOUSING = 4101;
const MARKET = 4102;
const SUPERVISOR = 4103;
const COSIGNER = 4104;
const GONE = 4105;
const LATE = 4106;

describe('the /web role mapping and address (pure)', () => {
  it('maps each bot role to its web role, or refuses in Chinese', () => {
    expect(webRoleOfOfficer({ role: 'officer', unit: 'housing' })).toEqual({ role: 'desk', unit: 'housing' });
    expect(webRoleOfOfficer({ role: 'officer', unit: 'fire' })).toEqual({ role: 'officer', unit: 'fire' });
    expect(webRoleOfOfficer({ role: 'admin', unit: 'housing' })).toEqual({ role: 'admin', unit: null });
    expect(webRoleOfOfficer({ role: 'supervisor', unit: 'housing' })).toEqual({ role: 'supervisor', unit: null });
    for (const role of ['cosigner', 'reviewer'] as const) {
      const r = webRoleOfOfficer({ role, unit: 'housing' });
      expect('refusal' in r && r.refusal).toMatch(/网页受理台暂未开放/);
    }
  });

  it('takes the link base from web.publicUrl, else from web.listen, and none when the console is off', () => {
    const cfg = testConfig({ db: 'sqlite::memory:' });
    cfg.web.listen = '127.0.0.1:8080';
    expect(consoleUrl(cfg)).toBe('http://127.0.0.1:8080');
    cfg.web.publicUrl = 'https://wuye.example.gov.cn/';
    expect(consoleUrl(cfg)).toBe('https://wuye.example.gov.cn');
    cfg.web.publicUrl = null;
    cfg.web.listen = null;
    expect(consoleUrl(cfg)).toBeNull();
  });

  it('lists /web in the help text and the command menu', () => {
    expect(helpText('officer')).toContain('/web');
    expect(BOT_COMMANDS.map((c) => c.command)).toContain('web');
  });
});

describe.each(DIALECTS)('the bot /web login link on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('gives a housing officer a link, without preview, that logs in once as the desk of the county', async () => {
    const o = await link(h, HOUSING, 'officer', 'housing');
    const { reply, token } = await webLink(h, HOUSING);
    expect(reply.text).toContain(`${PUBLIC_URL}/login/link?t=`);
    expect(reply.text).toContain('仅可使用一次');
    const sent = h.api.calls('sendMessage').find((c) => String(c.params.text).includes(token))!;
    expect(JSON.stringify(sent.params.link_preview_options)).toContain('"is_disabled":true');

    // Opening the link spends nothing: the page asks for a click (link previewers fetch URLs).
    const page = await h.app.inject({ method: 'GET', url: `/login/link?t=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="t"');

    const first = await useLink(h, token);
    expect(first.statusCode).toBe(303);
    const cookie = sessionCookie(first);
    const me = await h.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(me.headers.location).toBe('/inbox'); // the desk's start page
    const user = await h.deps.db.selectFrom('web_user').selectAll().where('officer_id', '=', o.id).executeTakeFirstOrThrow();
    expect({ login: user.login, role: user.role, county: user.county, unit: user.unit }).toEqual({ login: `bot-${o.id}`, role: 'desk', county: 'yanhu', unit: 'housing' });
    const api = await h.app.inject({ method: 'GET', url: '/api/cases', headers: { cookie } });
    expect(api.statusCode).toBe(200);

    // Once only.
    const again = await useLink(h, token);
    expect(again.statusCode).toBe(401);
    expect(again.cookies.find((c) => c.name === 'wuye_sid')).toBeUndefined();
    expect(again.body).toContain('已使用或已过期');
    // The token is kept only as its hash, and the password login cannot open the account.
    const links = await h.deps.db.selectFrom('web_login_link').selectAll().where('officer_id', '=', o.id).execute();
    expect(links.map((l) => l.token_hash)).not.toContain(token);
    expect(links.every((l) => l.used_at !== null)).toBe(true);
    const pw = await h.app.inject({ method: 'POST', url: '/login', payload: { login: `bot-${o.id}`, password: '!' } });
    expect(pw.statusCode).toBe(401);
  });

  it('audits who got a link, never the token', async () => {
    const o = (await officerByChat(h.deps.db, HOUSING))!;
    const { token } = await webLink(h, HOUSING);
    const rows = await h.deps.db.selectFrom('complaint_event').selectAll().where('type', '=', 'web-link-issued').where('actor_officer_id', '=', o.id).execute();
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.complaint_id === null && r.actor_name === `测试${HOUSING}`)).toBe(true);
    expect(rows.map((r) => r.data ?? '').join()).not.toContain(token);
    expect(JSON.parse(rows[0]!.data!)).toMatchObject({ officerId: o.id, webRole: 'desk' });
  });

  it('refuses an expired link', async () => {
    await link(h, LATE, 'officer', 'fire');
    const { token } = await webLink(h, LATE);
    h.clock.advance((h.cfg.web.loginLinkMinutes + 1) * 60_000);
    try {
      const r = await useLink(h, token);
      expect(r.statusCode).toBe(401);
      expect(r.cookies.find((c) => c.name === 'wuye_sid')).toBeUndefined();
    } finally {
      h.clock.set(START);
    }
  });

  it('gives a unit officer a session limited to the unit', async () => {
    const o = await link(h, MARKET, 'officer', 'market-regulation');
    const { token } = await webLink(h, MARKET);
    const r = await useLink(h, token);
    expect(r.statusCode).toBe(303);
    const user = await h.deps.db.selectFrom('web_user').selectAll().where('officer_id', '=', o.id).executeTakeFirstOrThrow();
    expect({ role: user.role, unit: user.unit }).toEqual({ role: 'officer', unit: 'market-regulation' });
    expect((await h.app.inject({ method: 'GET', url: '/', headers: { cookie: sessionCookie(r) } })).headers.location).toBe('/cases');
  });

  it('gives a supervisor a read-only session: pages open, a POST is 403', async () => {
    await link(h, SUPERVISOR, 'supervisor', 'housing');
    const { token } = await webLink(h, SUPERVISOR);
    const r = await useLink(h, token);
    expect(r.statusCode).toBe(303);
    const cookie = sessionCookie(r);
    const list = await h.app.inject({ method: 'GET', url: '/cases', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('只读');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(list.body)![1]!;
    const post = await h.app.inject({ method: 'POST', url: '/inbox/mail/1/promote', headers: { cookie }, payload: { _csrf: csrf } });
    expect(post.statusCode).toBe(403);
  });

  it('refuses a co-signer in Chinese and makes no link', async () => {
    const o = await link(h, COSIGNER, 'cosigner', 'housing');
    const reply = await say(h, COSIGNER, '/web');
    expect(reply.text).toContain('网页受理台暂未开放「会签人(乡镇/社区)」角色');
    expect(reply.text).not.toContain('/login/link');
    const links = await h.deps.db.selectFrom('web_login_link').selectAll().where('officer_id', '=', o.id).execute();
    expect(links).toEqual([]);
  });

  it('gives a deactivated officer nothing, and ends the web session of one deactivated after login', async () => {
    const o = await link(h, GONE, 'officer', 'fire');
    const { token } = await webLink(h, GONE);
    const spare = (await webLink(h, GONE)).token;
    const r = await useLink(h, token);
    const cookie = sessionCookie(r);
    expect((await h.app.inject({ method: 'GET', url: '/cases', headers: { cookie } })).statusCode).toBe(200);

    await deactivateOfficer(h.deps.db, o.id);
    const reply = await say(h, GONE, '/web');
    expect(reply.text).toBe(TEXT.unlinked);
    // The session ends with the officer, and a link asked for before is no longer good.
    const after = await h.app.inject({ method: 'GET', url: '/cases', headers: { cookie } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/login');
    expect((await useLink(h, spare)).statusCode).toBe(401);
  });

  it('refuses a forged or malformed token', async () => {
    expect((await useLink(h, 'A'.repeat(43))).statusCode).toBe(401);
    expect((await useLink(h, '<script>')).statusCode).toBe(401);
    const cross = await h.app.inject({ method: 'POST', url: '/login/link', headers: { origin: 'https://evil.example' }, payload: { t: 'A'.repeat(43) } });
    expect(cross.statusCode).toBe(403);
  });
});
