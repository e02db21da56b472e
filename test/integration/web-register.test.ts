// 登记 on the web console (issue 18): the desk registers a phone/visit/letter/12345/信访/省厅 case as the bot's /new
// does — the same registerCase, the login on the audit row — with the form's checks in Chinese. Both dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, findByTracking } from '../../src/store/cases.ts';
import { DIALECTS } from '../support/stores.ts';
import { addCityAdmin, webClient, webFixture, type WebFixture } from './web-fixture.ts';

describe.each(DIALECTS)('registering a case on the web console on %s', (dialect) => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-register');
    await addCityAdmin(f);
  });
  afterAll(async () => {
    await f?.close();
  });

  let c: ReturnType<typeof webClient>;
  beforeAll(() => {
    c = webClient(f, '10.7.0');
  });
  const login = (user: string) => c.login(user);
  const get = (cookie: string, url: string) => c.get(cookie, url);
  const post = (cookie: string, form: Record<string, string>) => c.postForm(cookie, '/cases/new', form);
  const caseCount = async () => Number((await f.deps.db.selectFrom('complaint').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  const PETITION = {
    source: 'petition', county: 'yanhu', transfer: '运城市信访局 运信转〔2026〕15号', name: '刘女士', phone: '139 1234 5678', email: '',
    compound: '桃园小区', address: '5号楼2单元', company: '', content: '小区电梯停运一个月，物业不维修。\n多次反映无果。',
  };

  it('shows the desk the form, with 登记 in the menu', async () => {
    const desk = await login('desk');
    const r = await get(desk, '/cases/new');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('登记案件');
    expect(r.body).toContain('信访部门转办');
    expect(r.body).toContain('name="transfer"');
    expect((await get(desk, '/cases')).body).toContain('href="/cases/new"');
  });

  it('registers a 信访 transfer with its reference number and shows the new case page', async () => {
    const desk = await login('desk');
    const before = await caseCount();
    const r = await post(desk, PETITION);
    expect(r.statusCode, r.body).toBe(303);
    const tracking = decodeURIComponent(String(r.headers.location).replace('/cases/', ''));
    const c = (await findByTracking(f.deps.db, tracking))!;
    expect(c).toMatchObject({ source: 'petition', county: 'yanhu', compound: '桃园小区', subject: '小区电梯停运一个月，物业不维修。' });
    expect(await caseCount()).toBe(before + 1);
    const registered = (await eventsOf(f.deps.db, c.id)).find((e) => e.type === 'registered')!;
    expect(registered.actor.login).toBe('desk');
    expect(registered.data).toMatchObject({ source: 'petition', transfer: PETITION.transfer });
    const page = await get(desk, String(r.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(tracking);
    expect(page.body).toContain('桃园小区');
  });

  it('registers a phone call with an e-mail address and queues the acknowledgement', async () => {
    const desk = await login('desk');
    const r = await post(desk, { ...PETITION, source: 'phone', transfer: '', email: 'liu@example.com', content: '楼道灯坏了半年没人修' });
    expect(r.statusCode, r.body).toBe(303);
    const c = (await findByTracking(f.deps.db, decodeURIComponent(String(r.headers.location).replace('/cases/', ''))))!;
    expect(c.source).toBe('phone');
    const mails = await f.deps.db.selectFrom('outbox').selectAll().where('complaint_id', '=', c.id).where('kind', '=', 'email').execute();
    expect(mails.length).toBeGreaterThan(0);
  });

  it('says in Chinese what is wrong and registers nothing', async () => {
    const desk = await login('desk');
    const before = await caseCount();
    const r = await post(desk, { ...PETITION, transfer: '', phone: 'abc', content: '', email: 'not-an-address' });
    expect(r.statusCode).toBe(400);
    for (const m of ['转办件须填写转办单位和文号', '电话号码格式不正确', '请填写投诉内容', '电子邮箱格式不正确']) expect(r.body).toContain(m);
    // What was typed stays in the form.
    expect(r.body).toContain('桃园小区');
    const long = await post(desk, { ...PETITION, content: '长'.repeat(5001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('内容过长（最多 5000 字）');
    expect(await caseCount()).toBe(before);
  });

  it('keeps the desk to its own county; the city admin chooses any', async () => {
    const desk = await login('desk');
    const before = await caseCount();
    const r = await post(desk, { ...PETITION, county: 'yongji' });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('请选择县区');
    expect(await caseCount()).toBe(before);
    const admin = await login('cityadmin');
    const ok = await post(admin, { ...PETITION, source: 'province', county: 'yongji', transfer: '山西省住建厅 晋建转〔2026〕3号' });
    expect(ok.statusCode, ok.body).toBe(303);
    const c = (await findByTracking(f.deps.db, decodeURIComponent(String(ok.headers.location).replace('/cases/', ''))))!;
    expect({ county: c.county, source: c.source }).toEqual({ county: 'yongji', source: 'province' });
  });

  it('lets a unit officer register as in the bot: its own unit’s case opens, another unit’s is said to have gone there', async () => {
    const market = await login('market');
    expect((await get(market, '/cases')).body).toContain('href="/cases/new"');
    const before = await caseCount();
    const own = await post(market, { ...PETITION, transfer: '', source: 'visit', content: '物业乱收费，收费标准没有公示，价格欺诈' });
    expect(own.statusCode, own.body).toBe(303);
    const mine = (await findByTracking(f.deps.db, decodeURIComponent(String(own.headers.location).replace('/cases/', ''))))!;
    expect(mine.unit).toBe('market-regulation');
    expect((await eventsOf(f.deps.db, mine.id)).find((e) => e.type === 'registered')!.actor.login).toBe('market');
    const other = await post(market, { ...PETITION, transfer: '', source: 'phone', content: '楼道里堆满杂物，消防通道被堵死' });
    expect(other.statusCode, other.body).toBe(303);
    const where = new URL(String(other.headers.location), 'http://x');
    expect(where.pathname).toBe('/cases/new');
    const tracking = where.searchParams.get('done')!;
    const theirs = (await findByTracking(f.deps.db, tracking))!;
    expect(theirs.unit).not.toBe('market-regulation');
    const page = (await get(market, String(other.headers.location))).body;
    expect(page).toContain(`已登记，受理编号 ${tracking}`);
    expect((await get(market, `/cases/${tracking}`)).statusCode).toBe(404);
    expect(await caseCount()).toBe(before + 2);
  });

  it('refuses a read-only supervisor (403), and shows no 登记', async () => {
    const jiwei = await login('jiwei');
    expect((await post(jiwei, PETITION)).statusCode).toBe(403);
    expect((await get(jiwei, '/cases')).body).not.toContain('href="/cases/new"');
  });
});
