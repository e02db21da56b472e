// 发送本期报表 from the console's reports page (issue 18): the path of `wuye report <kind> --send` — the period the
// scheduler would send now, claimed once, mails in the outbox — with who sent it on the audit trail. Read-only roles
// and accounts without report rights get 403 and queue nothing. Both dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { addCityAdmin, webClient, webFixture, type WebFixture } from './web-fixture.ts';

describe.each(DIALECTS)('sending a report from the web console on %s', (dialect) => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-report-send');
    await addCityAdmin(f);
  });
  afterAll(async () => {
    await f?.close();
  });

  let c: ReturnType<typeof webClient>;
  beforeAll(() => {
    c = webClient(f, '10.9.0');
  });
  const login = (user: string) => c.login(user);
  const get = (cookie: string, url: string) => c.get(cookie, url);
  const send = (cookie: string, kind = 'weekly') => c.postForm(cookie, `/reports/${kind}/send`);
  const reportRows = () => f.deps.db.selectFrom('outbox').selectAll().where('idempotency_key', 'like', 'report:weekly:%').execute();

  it('refuses a read-only supervisor and a county desk with 403, and queues nothing', async () => {
    const jiwei = await login('jiwei');
    expect((await get(jiwei, '/reports/weekly')).body).not.toContain('发送本期报表');
    expect((await send(jiwei)).statusCode).toBe(403);
    const desk = await login('desk'); // a county's desk in a city deployment does not even read the reports
    expect((await send(desk)).statusCode).toBe(403);
    expect(await reportRows()).toEqual([]);
    expect(await f.deps.db.selectFrom('job_run').selectAll().where('job', '=', 'weekly').execute()).toEqual([]);
  });

  it('lets the city admin send this period once: outbox rows, the run recorded, the sender audited', async () => {
    const admin = await login('cityadmin');
    const page = await get(admin, '/reports/weekly');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('发送本期报表');
    const r = await send(admin);
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/reports/weekly?sent=1');

    const rows = await reportRows();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((x) => x.recipient)).toContain(f.deps.cfg.reports.recipients.weekly[0]!.toLowerCase());
    const period = rows[0]!.idempotency_key.split(':')[2]!;
    const run = await f.deps.db.selectFrom('job_run').selectAll().where('job', '=', 'weekly').where('period_key', '=', period).executeTakeFirstOrThrow();
    expect(run.owner).toBe('web:cityadmin');
    const ev = await f.deps.db.selectFrom('complaint_event').selectAll().where('type', '=', 'report-sent').execute();
    expect(ev.map((e) => e.actor_login)).toEqual(['cityadmin']);
    expect(JSON.parse(ev[0]!.data!)).toMatchObject({ kind: 'weekly', period, rows: rows.length });

    const after = await get(admin, '/reports/weekly?sent=1');
    expect(after.body).toContain('已写入发件队列');
    expect(after.body).toContain('本期已于');
    expect(after.body).not.toContain('发送本期报表');
  });

  it('does not send one period twice', async () => {
    const admin = await login('cityadmin');
    const before = (await reportRows()).length;
    const again = await send(admin);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('不再重复发送');
    expect((await reportRows()).length).toBe(before);
  });

  it('answers 404 for an unknown kind', async () => {
    const admin = await login('cityadmin');
    expect((await send(admin, 'nonsense')).statusCode).toBe(404);
  });
});
