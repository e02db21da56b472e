// The scheduler's other jobs on both dialects, through the store: reminders and escalation written once as
// Telegram rows (held by quiet hours), the daily company-threshold check (key supervision recorded once, its notice
// sent once), the monthly public report with the red/black list, and the Friday discipline and province reports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import cron from 'node-cron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Case } from '../../src/domain.ts';
import { createLogger } from '../../src/log.ts';
import type { MailPayload, TelegramPayload } from '../../src/domain.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { startScheduler, type RunOutcome, type Scheduler } from '../../src/scheduler/index.ts';
import { runReminders } from '../../src/cases/jobs.ts';
import { buildReport, companyViews } from '../../src/cases/reports.ts';
import { periodOf } from '../../src/workflow/periods.ts';
import { companyActions, companyDone } from '../../src/cli/company.ts';
import { shanghaiDay } from '../../src/time.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { DEMO_CASES, extraDemoCases, seedDemo } from '../../scripts/make-samples.ts';
import { DIALECTS, openTestStore } from '../support/stores.ts';

const log = createLogger({ level: 'silent' });

async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    return { code: await fn(), out };
  } finally {
    o.mockRestore();
  }
}
const sh = (wall: string) => new Date(`${wall}+08:00`);
const ANJU = '运城市安居物业服务有限公司';

describe.each(DIALECTS)('scheduled jobs on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let cfg: Config;
  let dataDir: string;
  let seeded: Map<number, Case>;
  const clock = fixedClock(sh('2026-11-30T10:00'));
  const cal = loadCalendar(loadConfig({ env: {} }));
  let sched: Scheduler;
  let kicks = 0;

  beforeAll(async () => {
    store = await openTestStore(dialect, 'sched');
    dataDir = mkdtempSync(path.join(tmpdir(), 'wuye-sched-'));
    const base = loadConfig({ env: {} });
    cfg = {
      ...base,
      dataDir,
      db: store.url,
      reports: {
        ...base.reports,
        recipients: { ...base.reports.recipients, monthly: ['gongkai@example.com'], discipline: ['jiwei@example.com'], province: ['sheng@example.com'] },
      },
    };
    await syncReferenceData(store.db, cfg);
    seeded = await seedDemo(store.db, cfg, cal, [...DEMO_CASES, ...extraDemoCases()]);
    // Officers linked to the bot.
    const now = clock.now().toISOString();
    const officer = (chat: number, name: string, unit: string, county: string, role: string) =>
      ({ chat_id: chat, name, unit, county, role, active: 1, reachable: 1, created_at: now, linked_at: now });
    await store.db
      .insertInto('officer')
      .values([
        officer(7001, '王芳', 'housing', 'yanhu', 'officer'),
        officer(7002, '盐湖区住建局长', 'housing', 'yanhu', 'admin'),
        officer(7003, '市局督导', 'housing', 'yuncheng', 'supervisor'),
        officer(7004, '永济住建', 'housing', 'yongji', 'officer'),
      ])
      .execute();
    sched = startScheduler({ cfg, db: store.db, log, clock, cal, owner: 'sched-test', wakeOutbox: () => kicks++, timers: false });
    await sched.ready; // first start: records the installation, catches nothing up
  });

  afterAll(async () => {
    await sched?.stop();
    await store?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const rowsLike = (pattern: string) => store.db.selectFrom('outbox').selectAll().where('idempotency_key', 'like', pattern).orderBy('id').execute();
  const outcome = (rs: RunOutcome[], job: string) => rs.find((r) => r.job === job)!;
  /** The tracking number of the case a reminder key (`remind:<caseId>:…`) is about. */
  const seededTracking = (key: string) => [...seeded.values()].find((c) => c.id === Number(key.split(':')[1]))!.tracking;
  /** Reminders as the log holds them (one key each), with the digest row each went out in. */
  const remindersLike = async (pattern: string) =>
    (
      await store.db
        .selectFrom('reminder_log as l')
        .innerJoin('outbox as o', 'o.idempotency_key', 'l.sent_in')
        .select(['l.key', 'o.recipient', 'o.not_before', 'o.payload', 'o.idempotency_key as digest'])
        .where('l.key', 'like', pattern)
        .orderBy('l.key')
        .execute()
    ).map((r) => ({ idempotency_key: r.key, recipient: r.recipient, not_before: r.not_before, payload: r.payload, digest: r.digest }));

  it('writes each reminder and escalation once, holding them in quiet hours', async () => {
    // Case 2 (盐湖 housing, in progress) was due 17 Nov 24:00: by Mon 30 Nov it is 9 working days overdue.
    const c2 = seeded.get(2)!;
    const first = await remindersLike(`remind:${c2.id}:close:%`);
    const keys = first.map((r) => r.idempotency_key.replace(/:\d+$/, '').split(':').slice(3, 4)[0]);
    expect(keys.sort()).toEqual(['escalate-city', 'escalate-leader', 'overdue@2026-11-30'].sort());
    const to = (step: string) => first.filter((r) => r.idempotency_key.includes(`:${step}:`)).map((r) => r.recipient);
    expect(to('overdue@2026-11-30')).toEqual(['7001']);
    expect(to('escalate-leader')).toEqual(['7002']);
    expect(to('escalate-city')).toEqual(['7003']);
    expect(first.every((r) => r.not_before === clock.now().toISOString())).toBe(true); // 10:00: not held
    const text = (JSON.parse(first[0]!.payload) as TelegramPayload).params.text as string;
    expect(text).toContain(c2.tracking);
    expect(kicks).toBeGreaterThan(0);
    // One message per person per run: every reminder of a recipient in this run went out in the same digest row.
    const all = await remindersLike('remind:%');
    for (const chat of new Set(all.map((r) => r.recipient))) {
      const digests = new Set(all.filter((r) => r.recipient === chat && r.not_before === clock.now().toISOString()).map((r) => r.digest));
      expect(digests.size, `digests for chat ${chat}`).toBeLessThanOrEqual(2); // danger cases apart, not held
    }
    const busy = [...new Set(all.map((r) => r.digest))].find((d) => all.filter((r) => r.digest === d).length > 1);
    expect(busy, 'someone with several reminders').toBeDefined();
    const list = await store.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', busy!).executeTakeFirstOrThrow();
    const listText = (JSON.parse(list.payload) as TelegramPayload).params.text as string;
    expect(listText).toMatch(/期限提醒：您有 \d+ 项需要处理/);
    for (const r of all.filter((x) => x.digest === busy)) expect(listText).toContain(seededTracking(r.idempotency_key));

    const before = (await remindersLike('remind:%')).map((r) => r.idempotency_key);
    clock.set(sh('2026-11-30T10:10'));
    await sched.runDue();
    expect((await remindersLike('remind:%')).map((r) => r.idempotency_key)).toEqual(before); // nothing twice

    // Case 16 was assigned on Friday 27 Nov 14:00 and nobody accepted it: one working day later is Monday 14:00.
    // Seen by the 22:30 run, the reminder is held until the quiet hours end.
    clock.set(sh('2026-11-30T22:30'));
    await sched.runDue();
    const added = (await remindersLike('remind:%')).filter((r) => !before.includes(r.idempotency_key));
    expect(added.map((r) => [r.idempotency_key.split(':').slice(1, 4).join(':'), r.recipient, r.not_before])).toEqual([
      [`${seeded.get(16)!.id}:accept:unaccepted`, '7001', sh('2026-12-01T08:00').toISOString()],
    ]);

    clock.set(sh('2026-12-01T00:00'));
    await sched.runDue();
    const next = await remindersLike(`remind:${c2.id}:close:overdue@2026-12-01:%`);
    expect(next).toHaveLength(1);
    expect(next[0]!.not_before).toBe(sh('2026-12-01T08:00').toISOString()); // quiet hours until 08:00
    expect((await remindersLike(`remind:${c2.id}:close:escalate-%`)).length).toBe(2); // escalations are not repeated
  });

  it('records the key supervision of a company over 10 complainants once, and tells the county once', async () => {
    // The check fires daily at 07:00.
    clock.set(sh('2026-12-01T07:00'));
    const r = outcome(await sched.runDue(), 'companies');
    expect(r).toMatchObject({ status: 'done', period: '2026-12-01' });
    const company = await store.db.selectFrom('company').selectAll().where('name', '=', ANJU).executeTakeFirstOrThrow();
    expect(company.key_supervision).toBe(1);
    const actions = await store.db.selectFrom('company_action').selectAll().where('company_id', '=', company.id).execute();
    expect(actions.map((a) => a.type)).toEqual(['key-supervision']);
    expect(actions[0]!.due_at).toBe('9999-12-31T23:59:59.999Z');
    const notices = await rowsLike(`company:${company.id}:key-supervision:%`);
    expect(notices.map((n) => n.recipient).sort()).toEqual(['7001', '7002']);
    expect((JSON.parse(notices[0]!.payload) as TelegramPayload).params.text).toContain('单独建立台账实施重点督办');

    clock.set(sh('2026-12-02T07:00'));
    expect(outcome(await sched.runDue(), 'companies').status).toBe('done');
    expect(await store.db.selectFrom('company_action').selectAll().where('company_id', '=', company.id).execute()).toHaveLength(1);
    expect(await rowsLike(`company:${company.id}:%`)).toHaveLength(2);
  });

  it('sends the monthly public report with the red/black list, complainants masked', async () => {
    // Installed on 30 Nov 10:00, so the report of 1 Dec 09:00 (November) was caught up by the first run after it,
    // on 2 Dec 07:00 above, and marked late.
    const all = await rowsLike('report:monthly:2026-11:%');
    expect(all.map((r) => r.recipient).sort()).toEqual(['gongkai@example.com', 'sheng@example.com']);
    // 000 附件 六(二): the overdue roll-up goes to the province with the monthly run.
    const rollup = JSON.parse(all.find((r) => r.recipient === 'sheng@example.com')!.payload) as MailPayload;
    expect(rollup.subject).toBe('【逾期汇总】运城市2026年11月物业投诉举报逾期未办理情况汇总');
    const rows = all.filter((r) => r.recipient === 'gongkai@example.com');
    const mail = JSON.parse(rows[0]!.payload) as MailPayload;
    expect(mail.subject).toBe('运城市2026年11月物业投诉举报处理情况通报');
    const black = mail.html!.slice(mail.html!.indexOf('三、黑榜'), mail.html!.indexOf('四、典型案例'));
    expect(black).toContain(ANJU);
    expect(black).toContain('列入重点督办');
    // No complainant's phone in full anywhere in a public report.
    for (const d of [...DEMO_CASES, ...extraDemoCases()]) if (d.phone && /^1\d{10}$/.test(d.phone)) expect(mail.html).not.toContain(d.phone);
    const run = await store.db.selectFrom('job_run').selectAll().where('job', '=', 'monthly').executeTakeFirstOrThrow();
    expect(run).toMatchObject({ period_key: '2026-11', late: 1 });
  });

  it('keeps each published red/black list once; three black months in a row call for the survey (长期在黑榜)', async () => {
    const company = await store.db.selectFrom('company').selectAll().where('name', '=', ANJU).executeTakeFirstOrThrow();
    const listed = await store.db.selectFrom('company_list').selectAll().where('month', '=', '2026-11').execute();
    expect(listed.filter((r) => r.company_id === company.id).map((r) => [r.list, r.reasons.includes('列入重点督办')])).toEqual([['black', true]]);
    expect(new Set(listed.map((r) => r.company_id)).size).toBe(listed.length); // one entry per company and month
    const survey = () => store.db.selectFrom('company_action').selectAll().where('company_id', '=', company.id).where('type', '=', 'survey').execute();

    // Only November on record: not yet "long".
    const longNow = async () => (await companyViews(store.db, sh('2026-12-03T07:00'))).find((v) => v.id === company.id)!.input.company.longOnBlackList;
    expect(await longNow()).toBe(false);
    expect(await survey()).toHaveLength(0);

    // September and October published with the company black too (as the monthly runs of 1 Oct and 1 Nov would have).
    const at = clock.now().toISOString();
    for (const month of ['2026-09', '2026-10']) {
      await store.db.insertInto('job_run').values({ job: 'monthly', period_key: month, started_at: at, finished_at: at, late: 0, owner: 'test', detail: null }).execute();
      await store.db.insertInto('company_list').values({ month, company_id: company.id, list: 'black', reasons: '测试', recorded_at: at }).execute();
    }
    expect(await longNow()).toBe(true);
    clock.set(sh('2026-12-03T07:00')); // the daily check (before Thursday's 09:00 report, which a later test expects due)
    expect(outcome(await sched.runDue(), 'companies').status).toBe('done');
    const found = await survey();
    expect(found).toHaveLength(1);
    expect(found[0]!.reason).toContain('长期在“黑榜”名单');
    expect(found[0]!.rule).toBe('000 附件 三(三)');
    expect(await rowsLike(`company:${company.id}:survey:%`)).toHaveLength(2); // 王芳 and the county admin, once
  });

  it('reminds a company action that runs late, once a working day, and stops when it is marked done', async () => {
    const company = await store.db.selectFrom('company').selectAll().where('name', '=', ANJU).executeTakeFirstOrThrow();
    const survey = await store.db.selectFrom('company_action').selectAll().where('company_id', '=', company.id).where('type', '=', 'survey').executeTakeFirstOrThrow();
    const ctx = { cfg, db: store.db, cal, log, clock, owner: 'test', wakeOutbox: () => undefined };
    // Ten days from 3 Dec (art. 203: a last day on a rest day moves on); run at 10:00 of the next working days after.
    const lastDay = shanghaiDay(new Date(Date.parse(survey.due_at) - 1));
    const day1 = cal.addWorkdays(lastDay, 1);
    const day2 = cal.addWorkdays(lastDay, 2);
    const mine = async () => (await rowsLike(`company-remind:${survey.id}:%`)).map((r) => `${r.idempotency_key.split(':')[2]}→${r.recipient}`).sort();

    await runReminders(ctx, sh(`${day1}T10:00`));
    await runReminders(ctx, sh(`${day1}T10:10`)); // the scheduler runs every 10 minutes: nothing twice
    expect(await mine()).toEqual([`escalate-leader→7002`, `overdue@${day1}→7001`]);

    const listed = await captured(() => companyActions(cfg, { json: true }, sh(`${day1}T11:00`)));
    const open = listed.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(open.find((a) => a.id === Number(survey.id))).toMatchObject({ type: 'survey', state: 'overdue', company: ANJU });

    expect((await captured(() => companyDone(cfg, Number(survey.id), { by: '王芳' }))).code).toBe(0);
    expect((await captured(() => companyDone(cfg, Number(survey.id), { by: '王芳' }))).code).toBe(1); // done already
    await runReminders(ctx, sh(`${day2}T10:00`));
    expect(await mine()).toEqual([`escalate-leader→7002`, `overdue@${day1}→7001`]);
  });

  it('sends the discipline and province reports of the week on Friday', async () => {
    clock.set(sh('2026-12-04T17:00'));
    const rs = await sched.runDue();
    expect(outcome(rs, 'discipline')).toMatchObject({ status: 'done', period: '2026-W49', late: true }); // due 16:00
    expect(outcome(rs, 'province')).toMatchObject({ status: 'done', period: '2026-W49', late: false });
    expect(outcome(rs, 'provinceData')).toMatchObject({ status: 'done', period: '2026-W49', late: true }); // due Thursday 09:00

    const [discipline] = await rowsLike('report:discipline:2026-W49:%');
    const d = JSON.parse(discipline!.payload) as MailPayload;
    expect(d.to).toBe('jiwei@example.com');
    expect(d.html).toContain('超期未办结线索');
    expect(d.html).toContain(seeded.get(2)!.tracking); // overdue since 17 Nov

    const province = await rowsLike('report:province%:2026-W49:%');
    expect(province.map((r) => r.idempotency_key.split(':')[1]).sort()).toEqual(['province', 'provinceData']);
    const p = JSON.parse(province.find((r) => r.idempotency_key.startsWith('report:province:'))!.payload) as MailPayload;
    expect(p.attachments?.map((a) => a.filename)).toEqual(['省厅周报-2026-W49.xlsx']);
    expect(Buffer.from(p.attachments![0]!.contentBase64, 'base64').subarray(0, 2).toString()).toBe('PK');
    const data = JSON.parse(province.find((r) => r.idempotency_key.startsWith('report:provinceData:'))!.payload) as MailPayload;
    expect(data.subject.startsWith('【周四调度会数据】')).toBe(true);
  });

  it('expires old Telegram update ids and abandoned dialogues once a day', async () => {
    const old = new Date(clock.now().getTime() - 40 * 24 * 3600_000).toISOString();
    const fresh = clock.now().toISOString();
    await store.db.insertInto('telegram_update').values([{ update_id: 9_000_001, received_at: old }, { update_id: 9_000_002, received_at: fresh }]).execute();
    await store.db.insertInto('bot_session').values([{ chat_id: 9_000_001, state: '{}', updated_at: old }, { chat_id: 9_000_002, state: '{}', updated_at: fresh }]).execute();
    clock.set(new Date(clock.now().getTime() + 24 * 3600_000));
    expect(outcome(await sched.runDue(), 'housekeeping').status).toBe('done');
    expect((await store.db.selectFrom('telegram_update').select('update_id').where('update_id', '>=', 9_000_001).execute()).map((r) => Number(r.update_id))).toEqual([9_000_002]);
    expect((await store.db.selectFrom('bot_session').select('chat_id').where('chat_id', '>=', 9_000_001).execute()).map((r) => Number(r.chat_id))).toEqual([9_000_002]);
    expect(outcome(await sched.runDue(), 'housekeeping').status).toBe('already-done');
  });

  it('schedules every job with node-cron in Asia/Shanghai and removes the timers on stop', async () => {
    const live = startScheduler({ cfg, db: store.db, log, clock, cal, owner: 'timers', wakeOutbox: () => undefined });
    await live.ready;
    const mine = () => [...cron.getTasks().values()].filter((t) => t.name?.startsWith('wuye:'));
    expect(mine().map((t) => t.name).sort()).toEqual(
      ['companies', 'discipline', 'housekeeping', 'monthly', 'province', 'provinceData', 'reminders', 'unregistered', 'weekly'].map((n) => `wuye:${n}`),
    );
    const weekly = mine().find((t) => t.name === 'wuye:weekly')!;
    const next = weekly.getNextRun()!; // from the real clock: some Friday 11:30 in Shanghai (004 五(五): before 12:00)
    expect(new Date(next.getTime() + 8 * 3600_000).toISOString().slice(11, 19)).toBe('11:30:00');
    expect(new Date(next.getTime() + 8 * 3600_000).getUTCDay()).toBe(5);
    await live.stop();
    expect(mine()).toHaveLength(0);
  });

  it('a county deployment schedules no Friday 17:00 province report (the province’s own duty) and names the county in its brief', async () => {
    const yanhu = cfg.counties.find((k) => k.code === 'yanhu')!;
    const countyCfg: Config = { ...cfg, deployment: { level: 'county' }, counties: [yanhu] };
    const live = startScheduler({ cfg: countyCfg, db: store.db, log, clock, cal, owner: 'county', wakeOutbox: () => undefined, timers: true });
    await live.ready;
    const mine = () => [...cron.getTasks().values()].filter((t) => t.name?.startsWith('wuye:')).map((t) => t.name);
    expect(mine()).toContain('wuye:provinceData');
    expect(mine()).toContain('wuye:weekly');
    expect(mine()).not.toContain('wuye:province');
    expect((await live.runDue()).map((r) => r.job)).not.toContain('province');
    await live.stop();
    const brief = await buildReport({ cfg: countyCfg, db: store.db, cal }, 'weekly', periodOf('week', clock.now()));
    expect(brief.mails[0]!.subject).toMatch(/^【工作简报】盐湖区物业投诉举报受理情况/);
    const city = await buildReport({ cfg, db: store.db, cal }, 'weekly', periodOf('week', clock.now()));
    expect(city.mails[0]!.subject).toMatch(/^【工作简报】运城市物业投诉举报受理情况/);
  });
});
