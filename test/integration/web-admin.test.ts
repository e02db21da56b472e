// The admins' pages over HTTP on both dialects: 账号 (open an account with a one-time password, reset, disable,
// enable, TOTP off — each within the admin's reach and on the audit trail), 设置 (read-only, no secret shown), and
// every user's own 修改密码.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableTotp } from '../../src/cases/web-accounts.ts';
import { addAccount } from '../../src/cases/web-accounts.ts';
import { userByLogin } from '../../src/store/users.ts';
import { DIALECTS } from '../support/stores.ts';
import { addCityAdmin, PASSWORD, webClient, webFixture, type WebFixture } from './web-fixture.ts';

describe.each(DIALECTS)('web console: accounts and settings on %s', (dialect) => {
  let f: WebFixture;
  let web: ReturnType<typeof webClient>;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-admin');
    await addCityAdmin(f);
    const r = await addAccount(f.deps.db, f.clock, f.deps.cfg, { login: 'yhadmin', role: 'admin', county: 'yanhu', name: '盐管' }, PASSWORD);
    if (!r.ok) throw new Error(r.message);
    web = webClient(f, '10.7.0');
  });
  afterAll(async () => {
    await f?.close();
  });

  const tryLogin = (login: string, password: string) =>
    f.app.inject({ method: 'POST', url: '/login', payload: { login, password }, remoteAddress: `10.7.1.${Math.floor(Math.random() * 250) + 1}` });
  const passwordOn = (html: string) => /<code class="link">([^<]+)<\/code>/.exec(html)?.[1] ?? '';
  const trail = async (type: string) =>
    (await f.deps.db.selectFrom('complaint_event').select(['actor_login', 'data']).where('type', '=', type).execute()).map((e) => ({
      by: e.actor_login,
      data: JSON.parse(String(e.data ?? '{}')) as Record<string, unknown>,
    }));

  it('opens an account with a password shown once, which logs in; the trail says who opened it, without the password', async () => {
    const admin = await web.login('yhadmin');
    const r = await web.postForm(admin, '/users', { login: 'zhou.fire', role: 'officer', county: 'yanhu', unit: 'fire', name: '周消' });
    expect(r.statusCode, r.body).toBe(200);
    const password = passwordOn(r.body);
    expect(password).toMatch(/^[A-Za-z2-9]{14}$/);
    expect(r.body).toContain('只显示这一次');
    expect((await tryLogin('zhou.fire', password)).statusCode).toBe(303);
    const created = await trail('account-created');
    expect(created).toContainEqual({ by: 'yhadmin', data: { login: 'zhou.fire', role: 'officer', county: 'yanhu', unit: 'fire', name: '周消' } });
    expect(JSON.stringify(created)).not.toContain(password);
    // The list shows it; a second account of the same login is refused with the reason.
    expect((await web.get(admin, '/users')).body).toContain('data-login="zhou.fire"');
    const again = await web.postForm(admin, '/users', { login: 'zhou.fire', role: 'officer', county: 'yanhu', unit: 'fire' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('登录名已存在');
    const noUnit = await web.postForm(admin, '/users', { login: 'nounit', role: 'officer', county: 'yanhu' });
    expect(noUnit.body).toContain('承办人须指定单位');
    const reserved = await web.postForm(admin, '/users', { login: 'bot-7', role: 'desk', county: 'yanhu' });
    expect(reserved.body).toContain('登录名不能以 bot- 开头');
  });

  it('keeps a county’s admin to its county’s accounts; the city’s admin reaches every one', async () => {
    const county = await web.login('yhadmin');
    const list = (await web.get(county, '/users')).body;
    expect(list).toContain('data-login="desk"');
    expect(list).not.toContain('data-login="yongji"');
    expect(list).not.toContain('data-login="jiwei"'); // a city-level account
    const other = await web.postForm(county, '/users', { login: 'yj2', role: 'desk', county: 'yongji' });
    expect(other.statusCode).toBe(400);
    expect(other.body).toContain('无权在该县区开设账号');
    const notYours = await web.postForm(county, '/users/yongji/disable');
    const missing = await web.postForm(county, '/users/nobody/disable');
    expect(notYours.body).toContain('无此账号或无权管理');
    expect(missing.body.replace('nobody', 'yongji')).toBe(notYours.body);
    expect((await userByLogin(f.deps.db, 'yongji'))!.active).toBe(true);
    const city = await web.login('cityadmin');
    const all = (await web.get(city, '/users')).body;
    for (const login of ['desk', 'yongji', 'jiwei', 'yhadmin']) expect(all).toContain(`data-login="${login}"`);
  });

  it('resets a password (the old one fails, sessions end), disables and enables an account, and turns TOTP off', async () => {
    const admin = await web.login('yhadmin');
    const leader = await web.login('leader');
    expect((await web.get(leader, '/cases')).statusCode).toBe(200);
    const reset = await web.postForm(admin, '/users/leader/reset');
    const fresh = passwordOn(reset.body);
    expect(fresh).toMatch(/^[A-Za-z2-9]{14}$/);
    expect((await web.get(leader, '/cases')).statusCode).toBe(303); // the old session ended
    expect((await tryLogin('leader', PASSWORD)).statusCode).toBe(401);
    expect((await tryLogin('leader', fresh)).statusCode).toBe(303);

    const disabled = await web.postForm(admin, '/users/leader/disable');
    expect(disabled.statusCode).toBe(303);
    expect((await tryLogin('leader', fresh)).statusCode).toBe(401);
    expect((await web.get(admin, '/users')).body).toMatch(/data-login="leader"[\s\S]*?已停用/);
    expect((await web.postForm(admin, '/users/leader/enable')).statusCode).toBe(303);
    expect((await tryLogin('leader', fresh)).statusCode).toBe(303);
    expect((await web.postForm(admin, '/users/yhadmin/disable')).body).toContain('不能停用自己的账号');

    expect((await enableTotp(f.deps.db, f.clock, 'desk')).ok).toBe(true);
    expect((await userByLogin(f.deps.db, 'desk'))!.totp).toBe(true);
    expect((await web.postForm(admin, '/users/desk/totp-off')).statusCode).toBe(303);
    expect((await userByLogin(f.deps.db, 'desk'))!.totp).toBe(false);
    const types = (await f.deps.db.selectFrom('complaint_event').select('type').where('actor_login', '=', 'yhadmin').execute()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['account-reset', 'account-disabled', 'account-enabled', 'account-totp-off']));
  });

  it('lets only admins manage accounts and see the settings', async () => {
    const desk = await web.login('desk');
    expect((await web.get(desk, '/users')).statusCode).toBe(403);
    expect((await web.get(desk, '/settings')).statusCode).toBe(403);
    expect((await web.postForm(desk, '/users', { login: 'x1', role: 'desk', county: 'yanhu' })).statusCode).toBe(403);
    expect((await web.get(desk, '/cases')).body).not.toContain('href="/users"');
    const supervisor = await web.login('jiwei');
    expect((await web.get(supervisor, '/users')).statusCode).toBe(403);
    expect((await web.postForm(supervisor, '/users/desk/reset')).statusCode).toBe(403);
    expect((await userByLogin(f.deps.db, 'x1'))).toBeUndefined();
  });

  it('shows the settings read-only, with the county’s mailboxes and whether each secret is set, never its value', async () => {
    process.env.WUYE_TEST_SETTINGS_SECRET = 'hunter2-secret-value';
    const admin = await web.login('cityadmin');
    const html = (await web.get(admin, '/settings')).body;
    expect(html).toContain('县区与受理邮箱');
    for (const m of f.deps.cfg.mailboxes) expect(html).toContain(m.address);
    for (const c of f.deps.cfg.counties) expect(html).toContain(c.name);
    expect(html).toContain(f.deps.cfg.schedule.weekly);
    expect(html).toContain('<th>纪检监察周报</th>');
    expect(html).not.toContain('<th>discipline</th>');
    expect(html).toContain(`${f.deps.cfg.bot.tokenEnv}（`);
    expect(html).not.toContain('hunter2');
    expect(html).not.toMatch(/<form[^>]*method="post"[^>]*action="\/settings/);
    const county = (await web.get(await web.login('yhadmin'), '/settings')).body;
    expect(county).toContain('盐湖区');
    expect(county).not.toContain('永济市');
    delete process.env.WUYE_TEST_SETTINGS_SECRET;
  });

  it('lets every user change the own password, read-only roles too; all sessions end', async () => {
    const supervisor = await web.login('jiwei');
    const wrong = await web.postForm(supervisor, '/account/password', { current: 'not it at all', next: 'a new passphrase 1', repeat: 'a new passphrase 1' });
    expect([wrong.statusCode, wrong.body.includes('当前密码错误')]).toEqual([400, true]);
    const mismatch = await web.postForm(supervisor, '/account/password', { current: PASSWORD, next: 'a new passphrase 1', repeat: 'a new passphrase 2' });
    expect(mismatch.body).toContain('两次输入的新密码不一致');
    const short = await web.postForm(supervisor, '/account/password', { current: PASSWORD, next: 'short', repeat: 'short' });
    expect(short.body).toContain('密码至少 10 个字符');
    const ok = await web.postForm(supervisor, '/account/password', { current: PASSWORD, next: 'a new passphrase 1', repeat: 'a new passphrase 1' });
    expect([ok.statusCode, ok.headers.location]).toEqual([303, '/login?changed=1']);
    expect((await web.get(supervisor, '/cases')).statusCode).toBe(303);
    expect((await tryLogin('jiwei', PASSWORD)).statusCode).toBe(401);
    expect((await tryLogin('jiwei', 'a new passphrase 1')).statusCode).toBe(303);
    expect((await f.app.inject({ url: '/login?changed=1' })).body).toContain('密码已修改');
    expect((await trail('password-changed')).map((e) => e.by)).toContain('jiwei');
  });
});
