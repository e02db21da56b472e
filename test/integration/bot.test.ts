// The officer bot over real HTTP: telegraf talks (apiRoot) to the loopback Bot API, the outbox worker delivers to
// the same API and to the SMTP sink, mail comes in through the real intake. On SQLite and PostgreSQL.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import type { Actor, ClassificationSummary, Case, Role, Status, UnitCode } from '../../src/domain.ts';
import { UNIT_CODES } from '../../src/domain.ts';
import { Intake } from '../../src/ingest/intake.ts';
import type { Logger } from '../../src/log.ts';
import { createMailSender } from '../../src/outbox/mailer.ts';
import { createTelegramClient } from '../../src/outbox/telegram.ts';
import { OutboxWorker } from '../../src/outbox/worker.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { eventsOf, findById, insertCase, nextTrackingNumber, type NewCase } from '../../src/store/cases.ts';
import { openStore, type Db, type Dialect, type Store } from '../../src/store/db.ts';
import { createInvite, officerByChat, revokeInvite, setReachable, type Officer } from '../../src/store/officers.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import type { Calendar } from '../../src/workflow/calendar.ts';
import { register, type Command } from '../../src/workflow/complaint.ts';
import { addDays, endOfDayShanghai, shanghaiDay, startOfDayShanghai } from '../../src/time.ts';
import { jobSpecs, runJob, runReminders } from '../../src/cases/jobs.ts';
import { companySummaries } from '../../src/cases/company.ts';
import { applyCommand } from '../../src/cases/apply.ts';
import { ensureCompany } from '../../src/store/companies.ts';
import { createBot, type OfficerBot } from '../../src/bot/index.ts';
import { availableVerbs } from '../../src/bot/auth.ts';
import { TEXT } from '../../src/messages/index.ts';
import type { CaseVerb } from '../../src/messages/callback.ts';
import { startBotApi, type BotApiPeer, type BotMessage, type RecordedCall } from '../support/bot-api.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { DIALECTS, freshDatabaseUrl } from '../support/stores.ts';
import { shiftedClock, until } from '../support/wait.ts';

const START = '2026-03-02T02:00:00.000Z'; // Monday 10:00 in Shanghai, a working day

/** Real time, shifted to START: retries and leases still move, deadlines are those of a known week. */
function cls(unit: UnitCode | null, over: Partial<ClassificationSummary> = {}): ClassificationSummary {
  return { unit, units: unit ? [{ unit, score: 3 }] : [], problem: 'service-not-delivered', urgent: false, triage: false, score: 3, matched: ['电梯', '维修'], ...over };
}

interface Harness {
  dialect: Dialect;
  cfg: Config;
  store: Store;
  db: Db;
  api: BotApiPeer;
  sink: SmtpSink;
  bot: OfficerBot;
  worker: OutboxWorker;
  intake: Intake;
  clock: Clock;
  cal: Calendar;
  log: Logger;
  lines: string[];
  /** What the stub classifier answers for the next mail. */
  nextClassification: ClassificationSummary;
  close(): Promise<void>;
}

async function startHarness(dialect: Dialect): Promise<Harness> {
  const { url, cleanup } = await freshDatabaseUrl(dialect, 'bot');
  const [api, sink] = await Promise.all([startBotApi(), startSmtpSink()]);
  const cfg = testConfig({ db: url, apiRoot: api.apiRoot, smtpSink: { host: sink.host, port: sink.port } });
  const store = await openStore(url);
  await syncReferenceData(store.db, cfg);
  const { log, lines } = memoryLogger(process.env.WUYE_TEST_LOG ?? 'info');
  const clock = shiftedClock(START);
  const cal = loadCalendar(cfg);
  const mail = createMailSender(cfg);
  const worker = new OutboxWorker({
    db: store.db,
    log,
    clock,
    workerId: `bot-test-${dialect}`,
    mail,
    telegram: await createTelegramClient(cfg, api.token),
    onBlocked: (chatId) => setReachable(store.db, Number(chatId), false),
    pollMs: 50,
  });
  worker.start();
  const h = {} as Harness;
  const intake = new Intake({ cfg, db: store.db, log, clock, cal, classify: () => h.nextClassification, wakeOutbox: () => worker.kick() });
  // As main.ts wires it: the desk's 登记为投诉 goes through the intake.
  const promoteMail = (rawMailId: number, by: Actor) => intake.promote(rawMailId, by);
  const bot = createBot({ cfg, db: store.db, log, clock, cal, token: api.token, wakeOutbox: () => worker.kick(), promoteMail });
  await bot.start();
  Object.assign(h, {
    dialect,
    cfg,
    store,
    db: store.db,
    api,
    sink,
    bot,
    worker,
    intake,
    clock,
    cal,
    log,
    lines,
    nextClassification: cls('housing'),
    async close() {
      await bot.stop();
      await worker.stop();
      mail.close();
      await Promise.all([api.close(), sink.close()]);
      await store.close();
      await cleanup();
    },
  });
  return h;
}

// ─── Chat helpers ────────────────────────────────────────────────────────────────────────────────────────────

const buttonsOf = (m: BotMessage): string[] => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');

function botMessages(h: Harness, chat: number): BotMessage[] {
  return h.api.messages(chat).filter((m) => m.from?.id === h.api.bot.id);
}

function lastWithButton(h: Harness, chat: number, data: string): Promise<BotMessage> {
  return until(() => botMessages(h, chat).findLast((m) => buttonsOf(m).includes(data)), `a message with button ${data} in chat ${chat}`);
}

/** Taps a button (forged with `force`); resolves with the bot's answerCallbackQuery. */
async function press(h: Harness, chat: number, data: string, opts: { force?: boolean; messageId?: number } = {}): Promise<RecordedCall> {
  const messageId = opts.messageId ?? (await lastWithButton(h, chat, data)).message_id;
  const update = h.api.pressButton(chat, messageId, data, { force: opts.force }) as unknown as { callback_query: { id: string } };
  const id = update.callback_query.id;
  const answer = await h.api.waitFor((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === id, 10_000);
  // Confirmed by the bot's next getUpdates, which telegraf sends only after the handler finished.
  await h.api.drained();
  return answer;
}

/** The user writes; resolves (once the bot is done with it) with the bot's first new message after it. */
async function say(h: Harness, chat: number, text: string, reply?: RegExp): Promise<BotMessage> {
  const u = h.api.sendText(chat, text) as unknown as { message: { message_id: number } };
  const after = u.message.message_id;
  await h.api.drained();
  // `reply`: the answer to look for when a pushed notice may reach the same chat first (the outbox runs meanwhile).
  return until(() => botMessages(h, chat).find((m) => m.message_id > after && (!reply || reply.test(m.text ?? ''))), `a reply to "${text}" in chat ${chat}`);
}

async function link(h: Harness, chat: number, role: Role, unit: UnitCode, county: string): Promise<Officer> {
  const inv = await createInvite(h.db, { unit, county, role, name: `测试${chat}` }, h.clock.now(), h.cfg.bot.inviteTtlHours);
  const reply = await say(h, chat, `/start ${inv.code}`);
  expect(reply.text).toContain('绑定成功');
  return (await officerByChat(h.db, chat))!;
}

async function mailIn(h: Harness, classification: ClassificationSummary, subject: string, attachment?: { filename: string; content: Buffer }): Promise<Case & { version: number }> {
  h.nextClassification = classification;
  const raw = await new MailComposer({
    from: '王女士 <wang@example.com>',
    to: 'yhqzjjwy@163.com',
    subject,
    text: `我是阳光花园3号楼的业主，电话13912345678。${subject}，物业一直不管。`,
    messageId: `<${Math.random().toString(36).slice(2)}@example.com>`,
    attachments: attachment ? [attachment] : [],
  })
    .compile()
    .build();
  const r = await h.intake.ingest(raw, { source: 'smtp', mailbox: 'yhqzjjwy@163.com' });
  expect(r.outcome).toBe('registered');
  return (await findById(h.db, r.complaintId!))!;
}

async function caseState(h: Harness, id: number, status: Status): Promise<Case & { version: number }> {
  return until(async () => {
    const c = await findById(h.db, id);
    return c?.status === status ? c : undefined;
  }, `case ${id} to become ${status}`);
}

/** The day's letter time, reached without waiting for it: the case's held letters become due and the worker runs. */
async function releaseLetters(h: Harness, caseId: number): Promise<void> {
  await h.db.updateTable('outbox').set({ not_before: h.clock.now().toISOString() }).where('complaint_id', '=', caseId).where('idempotency_key', 'like', 'letter:%').where('sent_at', 'is', null).execute();
  h.worker.kick();
}

const count = async (h: Harness, table: 'complaint_event' | 'outbox' | 'bot_session' | 'attachment' | 'officer') =>
  Number((await h.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

// Chats: one per officer.
const HOUSING = 1001;
const COSIGNER = 1002;
const REVIEWER_HOUSING = 1003;
const FIRE = 1004;
const POLICE = 1005;
const REVIEWER_FIRE = 1006;
const SUPERVISOR = 1007;

describe.each(DIALECTS)('officer bot on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
    await link(h, HOUSING, 'officer', 'housing', 'yanhu');
    await link(h, COSIGNER, 'cosigner', 'township', 'yanhu');
    await link(h, REVIEWER_HOUSING, 'reviewer', 'housing', 'yuncheng');
    await link(h, FIRE, 'officer', 'fire', 'yanhu');
    await link(h, POLICE, 'officer', 'police', 'yanhu');
    await link(h, REVIEWER_FIRE, 'reviewer', 'fire', 'yuncheng');
    await link(h, SUPERVISOR, 'supervisor', 'housing', 'yuncheng');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sets the command menu', () => {
    const call = h.api.calls('setMyCommands')[0];
    expect(call?.status).toBe(200);
    expect((call!.params.commands as { command: string }[]).map((c) => c.command)).toEqual(['tasks', 'case', 'new', 'stats', 'mail', 'web', 'cancel', 'help']);
  });

  it('mail → task → accept → progress with photo → close → co-sign → review → written off, result mailed', async () => {
    const c0 = await mailIn(h, cls('housing'), '电梯坏了一个月没人修', { filename: '电梯照片.txt', content: Buffer.from('现场说明') });
    expect(c0.status).toBe('assigned');

    // The task arrives through the outbox: summary, 分类依据, 接收 / 退回 / 查看原文.
    const notice = await lastWithButton(h, HOUSING, `acc:${c0.id}`);
    expect(notice.text).toContain('新任务');
    expect(notice.text).toContain(c0.tracking);
    expect(notice.text).toContain('分类依据：电梯、维修');
    expect(buttonsOf(notice)).toEqual([`acc:${c0.id}`, `ret:${c0.id}`, `raw:${c0.id}`, `v:${c0.id}`]);

    // 查看原文: the whole mail and its attachment, on request.
    await press(h, HOUSING, `raw:${c0.id}`);
    await until(() => botMessages(h, HOUSING).find((m) => m.text?.startsWith(`📄 原文 ${c0.tracking}`)), 'the original text');
    const doc = await h.api.waitFor((c) => c.method === 'sendDocument' && c.params.chat_id === HOUSING);
    expect(doc.status).toBe(200);
    expect((doc.params.document as { filename: string }).filename).toBe('电梯照片.txt');

    // 接收: the notice becomes the card with the next buttons.
    const ack = await press(h, HOUSING, `acc:${c0.id}`);
    expect(ack.params.text).toBe('已接收');
    await caseState(h, c0.id, 'accepted');
    const card = h.api.messages(HOUSING).find((m) => m.message_id === notice.message_id)!;
    expect(card.text).toContain('✅ 已接收');
    expect(card.text).toContain('状态：已接收');
    expect(buttonsOf(card)).toEqual([`ret:${c0.id}`, `prg:${c0.id}`, `cpx:${c0.id}`, `ext:${c0.id}`, `res:${c0.id}`, `mv:${c0.id}`, `ltr:${c0.id}`, `pno:${c0.id}`, `sv:${c0.id}`, `cmp:${c0.id}`, `co:${c0.id}`, `raw:${c0.id}`, `rf:${c0.id}`]);

    // 进展: text, a photo, 提交.
    await press(h, HOUSING, `prg:${c0.id}`, { messageId: card.message_id });
    expect((await say(h, HOUSING, '已约谈物业，电梯配件已订购')).text).toContain('已记录文字说明');
    const photo = Buffer.from('fake-jpeg-bytes-of-the-broken-lift');
    h.api.sendPhotoFromUser(HOUSING, undefined, photo);
    await until(() => botMessages(h, HOUSING).find((m) => m.text?.startsWith('已收到照片 1 张')), 'the photo receipt');
    await press(h, HOUSING, `dp:${c0.id}`);
    const inProgress = await caseState(h, c0.id, 'in_progress');
    const att = await h.db.selectFrom('attachment').selectAll().where('complaint_id', '=', c0.id).where('raw_mail_id', 'is', null).execute();
    expect(att).toHaveLength(1);
    expect(Buffer.from(att[0]!.content!).equals(photo)).toBe(true);
    const progressEvent = await h.db.selectFrom('complaint_event').selectAll().where('id', '=', att[0]!.event_id!).executeTakeFirstOrThrow();
    expect(progressEvent.type).toBe('progress');
    expect(JSON.parse(progressEvent.data!).text).toBe('已约谈物业，电梯配件已订购');
    expect(h.api.messages(HOUSING).find((m) => m.message_id === card.message_id)!.text).toContain('状态：办理中');
    expect(await h.db.selectFrom('bot_session').selectAll().where('chat_id', '=', HOUSING).execute()).toHaveLength(0);

    // 办结: finding, result text, 提交 → the complainant gets the result within the deadline.
    await press(h, HOUSING, `res:${c0.id}`, { messageId: card.message_id });
    await press(h, HOUSING, `fnd:${c0.id}:s`);
    await say(h, HOUSING, '电梯已修复并通过检验');
    await press(h, HOUSING, `dr:${c0.id}`);
    const resolved = await caseState(h, c0.id, 'resolved');
    expect(resolved.finding).toBe('substantiated');
    expect(resolved.result).toBe('电梯已修复并通过检验');
    expect(resolved.version).toBe(inProgress.version + 1);

    // 会签 by the township of the county (housing-handled case, 000 附件 三(一)): the notice says what is agreed to.
    const cosignNotice = await lastWithButton(h, COSIGNER, `cs:${c0.id}`);
    expect(cosignNotice.text).toContain('待会签');
    expect(cosignNotice.text).toContain('核查结论：属实');
    expect(cosignNotice.text).toContain('办理结果：电梯已修复并通过检验');
    expect(cosignNotice.text).toContain('会签即确认');
    await press(h, COSIGNER, `cs:${c0.id}`);
    await press(h, COSIGNER, `csy:${c0.id}`);
    await caseState(h, c0.id, 'cosigned');
    expect(h.api.messages(COSIGNER).find((m) => m.message_id === cosignNotice.message_id)!.text).toContain('状态：已会签待审核');

    // 审核通过, then 销号, by city-level housing: the reviewer sees the result and the co-sign opinion.
    const reviewNotice = await lastWithButton(h, REVIEWER_HOUSING, `rv:${c0.id}`);
    expect(reviewNotice.text).toContain('办理结果：电梯已修复并通过检验');
    expect(reviewNotice.text).toMatch(/会签意见：同意办结（乡镇\(街道\) 测试1002）/);
    // The result has not been mailed yet: it goes once, when final (销号); the day's steps wait in the outbox.
    const early = await h.db.selectFrom('outbox').select(['payload', 'not_before', 'sent_at']).where('complaint_id', '=', c0.id).where('kind', '=', 'email').execute();
    const subjects = early.map((r) => (JSON.parse(r.payload) as { subject: string }).subject);
    expect(subjects.filter((x) => x.startsWith('【办理结果】'))).toEqual([]);
    const held = early.find((r) => (JSON.parse(r.payload) as { subject: string }).subject.startsWith('【办理进展】'));
    expect(held?.sent_at).toBeNull();
    expect(Date.parse(held!.not_before)).toBeGreaterThan(h.clock.now().getTime());
    await press(h, REVIEWER_HOUSING, `rv:${c0.id}`);
    await caseState(h, c0.id, 'reviewed');
    await press(h, REVIEWER_HOUSING, `wo:${c0.id}`);
    const done = await caseState(h, c0.id, 'written_off');
    expect(done.writtenOffAt).not.toBeNull();
    const result = await h.sink.waitFor((m) => /【办理结果】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    expect(result.parsed?.text).toContain('核查结论：属实');
    expect(result.parsed?.text).toContain('电梯已修复并通过检验');
    // The day's steps went with it (one mail, not two): accepted, the officer's own words, reported closed.
    expect(result.parsed?.text).toContain('此前的办理情况');
    expect(result.parsed?.text).toContain('已接收并开始办理');
    expect(result.parsed?.text).toContain('“已约谈物业，电梯配件已订购”（现场照片 1 张已存档）');
    expect(result.parsed?.text).toContain('满意请回复“满意”');
    expect(result.parsed?.inReplyTo).toBeTruthy();
    expect(await h.db.selectFrom('outbox').select('id').where('complaint_id', '=', c0.id).where('idempotency_key', 'like', 'letter:%').execute()).toEqual([]);
    const sent = h.sink.messages.filter((m) => m.to.includes('wang@example.com') && (m.parsed?.subject ?? '').includes(c0.tracking));
    expect(sent.map((m) => (m.parsed?.subject ?? '').slice(0, 6))).toEqual(['【受理回执】', '【办理结果】']);

    const types = (await h.db.selectFrom('complaint_event').select('type').where('complaint_id', '=', c0.id).orderBy('id').execute()).map((e) => e.type);
    expect(types).toEqual(['registered', 'assigned', 'accepted', 'progress', 'resolved', 'cosigned', 'reviewed', 'written-off']);

    // The resident answers the final letter: 满意 is recorded on the case and counts for the company's rate.
    const answer = await new MailComposer({
      from: '王女士 <wang@example.com>',
      to: 'yhqzjjwy@163.com',
      subject: `Re: ${result.parsed?.subject ?? ''}`,
      text: '满意，谢谢你们！',
      inReplyTo: `<ack.${c0.tracking}@wuye-desk>`,
    })
      .compile()
      .build();
    expect((await h.intake.ingest(answer, { source: 'smtp', mailbox: 'yhqzjjwy@163.com' })).outcome).toBe('reply');
    const rated = await h.db.selectFrom('complaint_event').select(['type', 'data']).where('complaint_id', '=', c0.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(rated.type).toBe('rated');
    expect(JSON.parse(rated.data!)).toMatchObject({ satisfied: true });
    expect((await findById(h.db, c0.id))!.status).toBe('written_off');
    const companyId = await ensureCompany(h.db, '阳光物业', 'yanhu', h.clock.now().toISOString());
    await h.db.updateTable('complaint').set({ company_id: companyId }).where('id', '=', c0.id).execute();
    const summary = (await companySummaries({ db: h.db, clock: h.clock })).find((x) => x.id === companyId);
    expect(summary).toMatchObject({ cases: 1, satisfied: 1, unsatisfied: 0, satisfactionRate: 100 });
  });

  it('认定复杂问题 asks a reason, says the new dates and waits for 确认; the day\'s one letter tells the resident why', async () => {
    const c0 = await mailIn(h, cls('fire'), '高层楼道堆满杂物和电动车');
    await press(h, FIRE, `acc:${c0.id}`);
    await caseState(h, c0.id, 'accepted');
    await press(h, FIRE, `cpx:${c0.id}`, { force: true });
    const prompt = await until(() => botMessages(h, FIRE).findLast((m) => m.text?.includes('认定为复杂问题后')), 'the complex prompt');
    expect(prompt.text).toMatch(/办结期限延至 4月2日（周四）24:00/);
    expect(prompt.text).toContain('请输入认定理由');
    const confirm = await say(h, FIRE, '需协调消防、住建和业委会共同清理', /确认认定为复杂问题吗/);
    expect(buttonsOf(confirm)).toContain(`cf:${c0.id}`);
    expect((await findById(h.db, c0.id))!.complex).toBe(false); // nothing happens before 确认
    await press(h, FIRE, `cf:${c0.id}`, { messageId: confirm.message_id });
    const marked = await until(async () => ((await findById(h.db, c0.id))?.complex ? findById(h.db, c0.id) : undefined), 'the case marked complex');
    expect(marked!.deadlines.plan).toBeDefined();
    const ev = await h.db.selectFrom('complaint_event').select('data').where('complaint_id', '=', c0.id).where('type', '=', 'marked-complex').executeTakeFirstOrThrow();
    expect(JSON.parse(ev.data!).reason).toBe('需协调消防、住建和业委会共同清理');

    // The resident's letter of the day: held until its time, then one mail with every step of the day.
    await releaseLetters(h, c0.id);
    const letter = await h.sink.waitFor((m) => /【办理进展】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    expect(letter.parsed?.text).toContain('盐湖区消防救援大队已接收并开始办理');
    expect(letter.parsed?.text).toContain('认定您反映的问题为复杂问题，原因：需协调消防、住建和业委会共同清理');
    expect(letter.parsed?.text).toMatch(/原则上于 4月2日（周四）24:00 前解决/);
    expect(letter.parsed?.from?.text).toContain('yhqzjjwy@163.com');
    expect(letter.parsed?.inReplyTo).toBeTruthy();
  });

  it('an officer writes to the resident from the bot: typed, shown back, sent on 确认 through the outbox', async () => {
    const c0 = await mailIn(h, cls('police'), '有人从楼上往下扔东西');
    const notice = await lastWithButton(h, POLICE, `acc:${c0.id}`);
    await press(h, POLICE, `ltr:${c0.id}`, { force: true, messageId: notice.message_id });
    await until(() => botMessages(h, POLICE).findLast((m) => m.text?.includes('请输入致投诉人的内容')), 'the letter prompt');
    const confirm = await say(h, POLICE, '您好，我们已调取监控，今晚会有民警上门走访。', /确认发送吗/);
    expect(confirm.text).toContain('┃ 您好，我们已调取监控');
    await press(h, POLICE, `cf:${c0.id}`, { messageId: confirm.message_id });
    const mail = await h.sink.waitFor((m) => /【来函】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    expect(mail.to).toContain('wang@example.com');
    expect(mail.parsed?.text).toContain('盐湖区公安局答复如下');
    expect(mail.parsed?.text).toContain('您好，我们已调取监控，今晚会有民警上门走访。');
    const ev = await h.db.selectFrom('complaint_event').select(['actor_name', 'data']).where('complaint_id', '=', c0.id).where('type', '=', 'wrote-resident').executeTakeFirstOrThrow();
    expect(ev.actor_name).toBe(`测试${POLICE}`);
    // Another unit cannot write on this case: no button, and a forged one is refused.
    const forged = await press(h, FIRE, `ltr:${c0.id}`, { force: true, messageId: botMessages(h, FIRE).at(-1)!.message_id });
    expect(forged.params.show_alert).toBe(true);
  });

  it('a danger case reaches the unit and the township at once; the acknowledgement names exactly who was told; unaccepted, it is chased within hours', async () => {
    const TOWNSHIP = 1009;
    await link(h, TOWNSHIP, 'officer', 'township', 'yanhu');
    const c0 = await mailIn(h, cls('housing', { urgent: true }), '外墙瓷砖大面积脱落砸到楼下');
    const unitNotice = await until(() => botMessages(h, HOUSING).find((m) => m.text?.includes(c0.tracking) && m.text.startsWith('🚨')), 'the unit notice');
    expect(buttonsOf(unitNotice)).toContain(`acc:${c0.id}`);
    const townNotice = await until(() => botMessages(h, TOWNSHIP).find((m) => m.text?.includes(c0.tracking)), 'the township notice');
    expect(townNotice.text).toContain('🚨 紧急');
    expect(buttonsOf(townNotice)).toEqual([`v:${c0.id}`, `raw:${c0.id}`]); // told, not the worker of the case
    const ack = await h.sink.waitFor((m) => /【受理回执】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    // Housing and the township have linked officers; the community and the county's leaders have none here.
    expect(ack.parsed?.text).toContain('已立即通知盐湖区住房和城乡建设局、属地乡镇人民政府（街道办事处）紧急处置');
    expect(ack.parsed?.text).not.toContain('社区居民委员会');
    // Two hours later nobody has accepted it: the unit is chased, at once (not held for quiet hours).
    const later = new Date(Date.parse(c0.assignedAt!) + 2 * 3600_000 + 60_000);
    await runReminders({ cfg: h.cfg, db: h.db, cal: h.cal, log: h.log, clock: h.clock, owner: 'bot-test', wakeOutbox: () => undefined }, later);
    const chase = await h.db.selectFrom('reminder_log').select('key').where('key', 'like', `remind:${c0.id}:accept:unaccepted:%`).execute();
    expect(chase).toHaveLength(1);
  });

  it('a case whose unit has nobody linked in the county is flagged to the desk at once', async () => {
    const c0 = await mailIn(h, cls('energy'), '小区直供电经常停电');
    const flag = await until(() => botMessages(h, HOUSING).find((m) => m.text?.startsWith('⚠️ 承办单位无人接收') && m.text.includes(c0.tracking)), 'the desk flag');
    expect(flag.text).toContain('能源在本县区没有已绑定机器人的工作人员');
  });

  it('reminders: one digest message per person per run, listing the cases', async () => {
    const cases = [await mailIn(h, cls('police'), '小区门口夜里有人打架'), await mailIn(h, cls('police'), '楼上养狗整夜狂吠'), await mailIn(h, cls('police'), '保安与业主发生冲突')];
    const past = new Date(h.clock.now().getTime() - 3600_000).toISOString();
    await h.db.updateTable('complaint').set({ due_close: past }).where('id', 'in', cases.map((c) => c.id)).execute();
    const before = botMessages(h, POLICE).length;
    const at = h.clock.now();
    await runReminders({ cfg: h.cfg, db: h.db, cal: h.cal, log: h.log, clock: h.clock, owner: 'bot-test', wakeOutbox: () => undefined }, at);
    h.worker.kick();
    const digest = await until(() => botMessages(h, POLICE).slice(before).find((m) => m.text?.includes('期限提醒：您有')), 'the digest');
    for (const c of cases) {
      expect(digest.text).toContain(c.tracking);
      expect(buttonsOf(digest)).toContain(`v:${c.id}`);
    }
    // Three overdue cases, one row: the reminder log holds the three keys, all sent in it.
    const rows = await h.db.selectFrom('outbox').select('idempotency_key').where('recipient', '=', String(POLICE)).where('idempotency_key', 'like', `digest:%:${at.toISOString()}%`).execute();
    expect(rows).toHaveLength(1);
    const logged = await h.db.selectFrom('reminder_log').select('key').where('sent_in', '=', rows[0]!.idempotency_key).execute();
    expect(new Set(logged.map((r) => Number(r.key.split(':')[1])))).toEqual(new Set(cases.map((c) => c.id)));
    // The next run sends none of them again.
    await runReminders({ cfg: h.cfg, db: h.db, cal: h.cal, log: h.log, clock: h.clock, owner: 'bot-test', wakeOutbox: () => undefined }, new Date(at.getTime() + 600_000));
    expect(await h.db.selectFrom('reminder_log').select('key').where('key', 'like', `remind:${cases[0]!.id}:%`).execute()).toHaveLength(1);
  });

  it('主办/协办: the desk names a co-handling unit in the bot; it gets its task, sees the case and reports its part to the lead', async () => {
    const MARKET = 1010;
    await link(h, MARKET, 'officer', 'market-regulation', 'yanhu');
    const c0 = await mailIn(h, cls('housing'), '外墙脱落，电梯也经常故障');
    h.api.sendText(HOUSING, `/case ${c0.tracking}`);
    const card = await lastWithButton(h, HOUSING, `co:${c0.id}`);
    await press(h, HOUSING, `co:${c0.id}`, { messageId: card.message_id });
    const choice = await until(() => botMessages(h, HOUSING).findLast((m) => m.text?.includes('请点选协办单位')), 'the co-unit choice');
    const mrIndex = UNIT_CODES.indexOf('market-regulation');
    await press(h, HOUSING, `co:${c0.id}:${mrIndex}`, { messageId: choice.message_id });
    const updated = await until(async () => ((await findById(h.db, c0.id))?.coUnits.length ? findById(h.db, c0.id) : undefined), 'the co-unit saved');
    expect(updated!.coUnits).toEqual(['market-regulation']);
    expect(h.api.messages(HOUSING).find((m) => m.message_id === choice.message_id)!.reply_markup?.inline_keyboard.flat().some((b) => b.text === '✓ 市场监管')).toBe(true);

    const task = await lastWithButton(h, MARKET, `ctb:${c0.id}`);
    expect(task.text).toContain('🤝 协办任务');
    expect(task.text).toContain('主办单位：住建');
    const list = await say(h, MARKET, '/tasks');
    expect(list.text).toContain(c0.tracking);
    await press(h, MARKET, `ctb:${c0.id}`);
    await until(() => botMessages(h, MARKET).findLast((m) => m.text?.includes('协办单位）职责范围内的办理情况')), 'the contribute prompt');
    await say(h, MARKET, '已责令电梯维保单位停梯检修，检验合格前不得运行', /已报送主办单位/);
    const report = await until(() => botMessages(h, HOUSING).find((m) => m.text?.startsWith('🤝 协办单位报送情况') && m.text.includes(c0.tracking)), 'the lead told');
    expect(report.text).toContain('市场监管报送：已责令电梯维保单位停梯检修');
    // The co-handling unit cannot close the case.
    const refused = await press(h, MARKET, `res:${c0.id}`, { force: true, messageId: task.message_id });
    expect(refused.params.show_alert).toBe(true);
  });

  it('立案查处 → 处罚决定: both clocks on the case; the decision reaches the resident and the housing office', async () => {
    const c0 = await mailIn(h, cls('fire'), '物业把消防栓关了，消防通道上停满了车');
    await press(h, FIRE, `acc:${c0.id}`);
    const card = await caseState(h, c0.id, 'accepted');
    const shown = await lastWithButton(h, FIRE, `pno:${c0.id}`);
    await press(h, FIRE, `pno:${c0.id}`, { messageId: shown.message_id });
    const opened = await until(async () => ((await findById(h.db, card.id))?.deadlines.penalty ? findById(h.db, card.id) : undefined), 'the penalty clocks');
    expect(opened!.deadlines.verify).toBeDefined();
    const decide = await lastWithButton(h, FIRE, `pnd:${c0.id}`);
    await press(h, FIRE, `pnd:${c0.id}`, { messageId: decide.message_id });
    await say(h, FIRE, '对物业公司罚款一万元，责令三日内恢复消防设施', /处罚决定已登记/);
    const decided = await findById(h.db, c0.id);
    expect(decided!.deadlines.penalty).toBeUndefined();
    const told = await until(() => botMessages(h, HOUSING).find((m) => m.text?.startsWith('⚖️ 已作出处罚决定') && m.text.includes(c0.tracking)), 'housing told');
    expect(told.text).toContain('处罚决定：对物业公司罚款一万元');
    await releaseLetters(h, c0.id);
    const letter = await h.sink.waitFor((m) => /【办理进展】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    expect(letter.parsed?.text).toContain('已对您反映的问题立案查处');
    expect(letter.parsed?.text).toContain('已依法作出处罚决定：“对物业公司罚款一万元，责令三日内恢复消防设施”');
  });

  it('延长处罚期限: only the unit head gets the button; 30 days are added once and the resident and housing are told', async () => {
    const FIRE_HEAD = 1041;
    const inv = await createInvite(h.db, { unit: 'fire', county: 'yanhu', role: 'officer', name: '消防负责人', unitHead: true }, h.clock.now(), h.cfg.bot.inviteTtlHours);
    expect((await say(h, FIRE_HEAD, `/start ${inv.code}`)).text).toContain('绑定成功');
    const c0 = await mailIn(h, cls('fire'), '物业把消防通道锁死了');
    await press(h, FIRE, `acc:${c0.id}`);
    await caseState(h, c0.id, 'accepted');
    await press(h, FIRE, `pno:${c0.id}`, { messageId: (await lastWithButton(h, FIRE, `pno:${c0.id}`)).message_id });
    const opened = await until(async () => ((await findById(h.db, c0.id))?.deadlines.penalty ? findById(h.db, c0.id) : undefined), 'the penalty clocks');
    // The officer who opened it has no extension button, and a forged press is refused.
    h.api.sendText(FIRE, `/case ${c0.tracking}`);
    const officerCard = await lastWithButton(h, FIRE, `pnd:${c0.id}`);
    expect(officerCard.reply_markup!.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === `pnx:${c0.id}`)).toBe(false);
    const refused = await press(h, FIRE, `pnx:${c0.id}`, { force: true, messageId: officerCard.message_id });
    expect(refused.params.show_alert).toBe(true);
    // The head opens the case and extends.
    h.api.sendText(FIRE_HEAD, `/case ${c0.tracking}`);
    const headCard = await lastWithButton(h, FIRE_HEAD, `pnx:${c0.id}`);
    await press(h, FIRE_HEAD, `pnx:${c0.id}`, { messageId: headCard.message_id });
    await until(() => botMessages(h, FIRE_HEAD).findLast((m) => m.text?.includes('延长理由')), 'the reason prompt');
    await say(h, FIRE_HEAD, '需委托消防检测机构鉴定', /处罚期限已延长30日/);
    const extended = await findById(h.db, c0.id);
    expect(extended!.penaltyExtended).toBe(true);
    expect(Date.parse(extended!.deadlines.penalty!) - Date.parse(opened!.deadlines.penalty!)).toBeGreaterThanOrEqual(30 * 86_400_000);
    const events = await eventsOf(h.db, c0.id);
    expect(events.find((e) => e.type === 'penalty-extended')).toMatchObject({ actor: { name: '消防负责人' }, data: { reason: '需委托消防检测机构鉴定' } });
    await until(() => botMessages(h, HOUSING).find((m) => m.text?.startsWith('⚖️ 处罚期限已延长30日') && m.text.includes(c0.tracking)), 'housing told');
    // Once only: the button is gone.
    h.api.sendText(FIRE_HEAD, `/case ${c0.tracking}`);
    const again = await lastWithButton(h, FIRE_HEAD, `pnd:${c0.id}`);
    expect(again.reply_markup!.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === `pnx:${c0.id}`)).toBe(false);
    await releaseLetters(h, c0.id);
    const letter = await h.sink.waitFor((m) => /【办理进展】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    expect(letter.parsed?.text).toMatch(/负责人批准，处理决定期限依法延长三十日，至 .*原因：需委托消防检测机构鉴定/);
  });

  it('the resident writes again: the notice and the case card show the new words and files, not the old complaint', async () => {
    const c0 = await mailIn(h, cls('fire'), '楼道里有人私拉电线给电动车充电');
    const again = await new MailComposer({
      from: '王女士 <wang@example.com>',
      to: 'yhqzjjwy@163.com',
      subject: `Re: 【受理回执】${c0.tracking}`,
      text: '补充：今天又有三辆车在楼道充电，附照片。',
      inReplyTo: `<ack.${c0.tracking}@wuye-desk>`,
      attachments: [{ filename: '楼道.jpg', content: Buffer.from('jpeg-bytes') }],
    })
      .compile()
      .build();
    expect((await h.intake.ingest(again, { source: 'smtp', mailbox: 'yhqzjjwy@163.com' })).outcome).toBe('reply');
    const notice = await until(() => botMessages(h, FIRE).find((m) => m.text?.startsWith('💬') && m.text.includes(c0.tracking)), 'the 补充 notice');
    expect(notice.text).toContain('今天又有三辆车在楼道充电');
    expect(notice.text).toContain('附件 1 个');
    h.api.sendText(FIRE, `/case ${c0.tracking}`);
    const card = await until(() => botMessages(h, FIRE).findLast((m) => m.text?.includes('投诉人最新来信') && m.text.includes(c0.tracking)), 'the card');
    expect(card.text).toContain('┃ 补充：今天又有三辆车在楼道充电，附照片。');
    expect(card.text).toContain('（附件 1 个，点「查看原文」查看）');
  });

  it('every step that changes what the resident was told reaches them, in one letter for the day, through the real outbox', async () => {
    const c0 = await mailIn(h, cls('fire'), '高层楼道电动车充电，物业不管');
    const deps = { cfg: h.cfg, db: h.db, cal: h.cal, clock: h.clock, log: h.log, wakeOutbox: () => h.worker.kick() };
    const fire = (await officerByChat(h.db, FIRE))!;
    const police = (await officerByChat(h.db, POLICE))!;
    const housing = (await officerByChat(h.db, HOUSING))!;
    const reviewer = (await officerByChat(h.db, REVIEWER_FIRE))!;
    const as = (o: Officer) => ({ kind: 'officer' as const, officerId: o.id, role: o.role, unit: o.unit, county: o.county, ...(o.cityLevel ? { cityLevel: true } : {}), name: o.name ?? undefined });
    const step = async (o: Officer, cmd: Command) => expect((await applyCommand(deps, as(o), c0.id, cmd)).ok, cmd.type).toBe(true);
    const until14 = shanghaiDay(new Date(h.clock.now().getTime() + 20 * 86_400_000));
    await step(fire, { type: 'return', reason: '非高层建筑，不属于消防职责' });
    await step(housing, { type: 'assign', unit: 'fire' });
    await step(fire, { type: 'accept' });
    await step(fire, { type: 'progress', text: '已现场查看，约谈物业' });
    await step(fire, { type: 'requestExtension', until: until14, reason: '需等待物业召开业主大会' });
    await step(reviewer, { type: 'decideExtension', approve: true });
    await step(housing, { type: 'reclassify', unit: 'police', problem: null, reason: '涉及私拉电线盗电，属公安职责' });
    await step(police, { type: 'accept' });
    await step(police, { type: 'resolve', finding: 'substantiated', result: '已清理' });
    await releaseLetters(h, c0.id);
    const letter = await h.sink.waitFor((m) => /【办理进展】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    const text = letter.parsed?.text ?? '';
    for (const want of [
      '盐湖区消防救援大队认为该问题不属于其职责（非高层建筑，不属于消防职责），我们正在重新确定承办单位',
      '已转交盐湖区消防救援大队办理',
      '盐湖区消防救援大队已接收并开始办理',
      '报告办理进展：“已现场查看，约谈物业”',
      '经审核同意，办结期限延长至',
      '原因：需等待物业召开业主大会',
      '经核实，改由盐湖区公安局办理（原承办单位：盐湖区消防救援大队；原因：涉及私拉电线盗电，属公安职责）',
      '盐湖区公安局已接收并开始办理',
      '盐湖区公安局已报告办结',
    ]) {
      expect(text).toContain(want);
    }
    // One letter for all of it.
    const letters = h.sink.messages.filter((m) => (m.parsed?.subject ?? '').includes(c0.tracking) && /【办理进展】/.test(m.parsed?.subject ?? ''));
    expect(letters).toHaveLength(1);
  });

  it('挂牌督办 by the desk: the unit is told to report monthly with content, and the monthly clock runs', async () => {
    const c0 = await mailIn(h, cls('fire'), '消防通道常年被占用');
    h.api.sendText(HOUSING, `/case ${c0.tracking}`);
    const card = await lastWithButton(h, HOUSING, `sv:${c0.id}`);
    await press(h, HOUSING, `sv:${c0.id}`, { messageId: card.message_id });
    const supervised = await until(async () => ((await findById(h.db, c0.id))?.supervised ? findById(h.db, c0.id) : undefined), 'the case supervised');
    expect(supervised!.deadlines.progress).toBeDefined();
    const told = await until(() => botMessages(h, FIRE).find((m) => m.text?.startsWith('📌 挂牌督办') && m.text.includes(c0.tracking)), 'the unit told');
    expect(told.text).toContain('请每月报送办理进展');
    // The unit cannot put its own case under supervision.
    const refused = await press(h, FIRE, `sv:${c0.id}`, { force: true, messageId: told.message_id });
    expect(refused.params.show_alert).toBe(true);
  });

  it('the unit corrects the company of a case; the company’s counts follow', async () => {
    const c0 = await mailIn(h, cls('fire'), '小区消防设施损坏无人修');
    const notice = await lastWithButton(h, FIRE, `acc:${c0.id}`);
    await press(h, FIRE, `cmp:${c0.id}`, { force: true, messageId: notice.message_id });
    await until(() => botMessages(h, FIRE).findLast((m) => m.text?.includes('请输入正确的物业服务企业名称')), 'the company prompt');
    await say(h, FIRE, '运城市 金盾物业服务有限公司', /已更正物业企业/);
    const row = await h.db.selectFrom('complaint').select(['company', 'company_id']).where('id', '=', c0.id).executeTakeFirstOrThrow();
    expect(row.company).toBe('运城市 金盾物业服务有限公司');
    const company = await h.db.selectFrom('company').select(['id', 'name']).where('id', '=', row.company_id!).executeTakeFirstOrThrow();
    expect(company.name).toBe('运城市金盾物业服务有限公司'); // one register name, without the space
    const ev = await h.db.selectFrom('complaint_event').select('data').where('complaint_id', '=', c0.id).where('type', '=', 'company-set').executeTakeFirstOrThrow();
    expect(JSON.parse(ev.data!)).toMatchObject({ company: { old: null, new: '运城市 金盾物业服务有限公司' } });
  });

  it('misroute: the unit returns it with a reason, the housing office reassigns it', async () => {
    const c0 = await mailIn(h, cls('fire'), '楼道里电动车充电');
    await lastWithButton(h, FIRE, `ret:${c0.id}`);
    await press(h, FIRE, `ret:${c0.id}`);
    const reply = await say(h, FIRE, '非高层建筑，不属于消防救援部门职责');
    expect(reply.text).toContain('已退回');
    const triage = await caseState(h, c0.id, 'triage');
    expect(triage.unit).toBeNull();

    // The housing office is told, with the 分转 button; it picks the police.
    const notice = await lastWithButton(h, HOUSING, `asg:${c0.id}`);
    expect(notice.text).toContain('承办单位退回');
    // The desk sees who sent it back and why, not only that it came back.
    expect(notice.text).toContain(`退回单位：消防（消防 测试${FIRE}）`);
    expect(notice.text).toContain('退回理由：非高层建筑，不属于消防救援部门职责');
    await press(h, HOUSING, `asg:${c0.id}`, { messageId: notice.message_id });
    const police = `asg:${c0.id}:${UNIT_CODES.indexOf('police')}`;
    await press(h, HOUSING, police);
    const assigned = await caseState(h, c0.id, 'assigned');
    expect(assigned.unit).toBe('police');
    const task = await lastWithButton(h, POLICE, `acc:${c0.id}`);
    expect(task.text).toContain('新任务');
    const ret = await h.db.selectFrom('complaint_event').selectAll().where('complaint_id', '=', c0.id).where('type', '=', 'returned').executeTakeFirstOrThrow();
    expect(JSON.parse(ret.data!).reason).toBe('非高层建筑，不属于消防救援部门职责');
  });

  it('改派: the desk moves an assigned case to another unit with a reason; the old unit, the new one and the resident hear of it', async () => {
    const c0 = await mailIn(h, cls('fire'), '小区门口的治安岗亭无人值守，夜里有人翻墙');
    await press(h, FIRE, `acc:${c0.id}`);
    await caseState(h, c0.id, 'accepted');
    // Only the housing office is offered 改派; the unit working the case is not.
    h.api.sendText(FIRE, `/case ${c0.tracking}`);
    const fireCard = await lastWithButton(h, FIRE, `ret:${c0.id}`);
    expect(fireCard.reply_markup!.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === `mv:${c0.id}`)).toBe(false);
    h.api.sendText(HOUSING, `/case ${c0.tracking}`);
    const card = await lastWithButton(h, HOUSING, `mv:${c0.id}`);
    await press(h, HOUSING, `mv:${c0.id}`, { messageId: card.message_id });
    const choice = await until(() => botMessages(h, HOUSING).findLast((m) => m.text?.includes('请选择新的承办单位')), 'the unit choice');
    // The case's own unit is not offered.
    expect(choice.reply_markup!.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === `mv:${c0.id}:${UNIT_CODES.indexOf('fire')}`)).toBe(false);
    await press(h, HOUSING, `mv:${c0.id}:${UNIT_CODES.indexOf('police')}`, { messageId: choice.message_id });
    await until(() => botMessages(h, HOUSING).findLast((m) => m.text?.includes('改派至')), 'the reason prompt');
    await say(h, HOUSING, '属治安问题，由公安机关处理', /已改派/);
    const moved = await caseState(h, c0.id, 'assigned');
    expect(moved.unit).toBe('police');
    expect(moved.problem).toBe(c0.problem);
    await lastWithButton(h, POLICE, `acc:${c0.id}`);
    await until(() => botMessages(h, FIRE).find((m) => m.text?.startsWith('➡️ 案件已改派其他单位') && m.text.includes(c0.tracking)), 'the old unit told');
    const ev = await h.db.selectFrom('complaint_event').selectAll().where('complaint_id', '=', c0.id).where('type', '=', 'reclassified').executeTakeFirstOrThrow();
    expect(JSON.parse(ev.data!)).toMatchObject({ unit: { old: 'fire', new: 'police' }, reason: '属治安问题，由公安机关处理' });
    await releaseLetters(h, c0.id);
    const letter = await h.sink.waitFor((m) => /【办理进展】/.test(m.parsed?.subject ?? '') && (m.parsed?.subject ?? '').includes(c0.tracking), 10_000);
    expect(letter.parsed?.text).toContain('属治安问题，由公安机关处理');
  });

  it('extension: request with reason and date → the reviewer approves → new close deadline', async () => {
    const c0 = await mailIn(h, cls('fire'), '消防通道被堵');
    await press(h, FIRE, `acc:${c0.id}`);
    const accepted = await caseState(h, c0.id, 'accepted');
    expect(accepted.deadlines.close).toBe('2026-03-09T16:00:00.000Z'); // 7 days from assignment, 24:00

    await press(h, FIRE, `ext:${c0.id}`);
    expect((await say(h, FIRE, '需协调业委会和物业共同清理')).text).toContain('申请延期至的日期');
    expect((await say(h, FIRE, '明天')).text).toContain('日期格式不正确');
    expect((await say(h, FIRE, '2026-03-05')).text).toContain('须晚于现办结期限'); // refused by the workflow, dialogue kept
    await say(h, FIRE, '2026年3月20日');
    const requested = await until(async () => {
      const c = await findById(h.db, c0.id);
      return c?.extension ? c : undefined;
    }, 'the extension request');
    expect(requested.extension).toMatchObject({ until: '2026-03-20T16:00:00.000Z', reason: '需协调业委会和物业共同清理' });

    const notice = await lastWithButton(h, REVIEWER_FIRE, `exy:${c0.id}`);
    expect(notice.text).toContain('延期申请待审批');
    expect(notice.text).toContain('3月20日（周五）24:00');
    await press(h, REVIEWER_FIRE, `exy:${c0.id}`);
    const approved = await until(async () => {
      const c = await findById(h.db, c0.id);
      return c?.extended ? c : undefined;
    }, 'the approval');
    expect(approved.deadlines.close).toBe('2026-03-20T16:00:00.000Z');
    expect(approved.extension).toBeNull();
    const told = await until(() => botMessages(h, FIRE).find((m) => m.text?.startsWith('✅ 延期已批准') && m.text.includes(c0.tracking)), 'the unit told');
    expect(told.text).toContain('办结期限：3月20日（周五）24:00');
    // Only one extension per case: the button is gone and a forged one is refused.
    expect(buttonsOf(told)).not.toContain(`ext:${c0.id}`);
    const again = await press(h, FIRE, `ext:${c0.id}`, { force: true, messageId: told.message_id });
    expect(again.params.show_alert).toBe(true);
    expect(again.params.text).toContain('已延期一次');
  });

  it('/tasks lists the unit’s open cases overdue first; /stats counts them; /case opens one', async () => {
    const list = await say(h, FIRE, '/tasks');
    expect(list.text).toContain('我的任务');
    const open = await h.db.selectFrom('complaint').select(['id', 'tracking']).where('unit', '=', 'fire').where('county', '=', 'yanhu').where('status', 'in', ['assigned', 'accepted', 'in_progress']).execute();
    for (const c of open) expect(list.text).toContain(c.tracking);
    expect(buttonsOf(list).sort()).toEqual(open.map((c) => `v:${c.id}`).sort());
    const stats = await say(h, FIRE, '/stats');
    expect(stats.text).toContain(`在办：${open.length} 件`);
    const one = await say(h, FIRE, `/case ${open[0]!.tracking.toLowerCase()}`);
    expect(one.text).toContain(open[0]!.tracking);
    expect((await say(h, POLICE, `/case ${open[0]!.tracking}`)).text).toBe(TEXT.notFound);
  });

  it('supervisors read everything, change nothing, and every read is audited', async () => {
    const c0 = await mailIn(h, cls('police'), '保安不巡逻');
    const reads = async () => h.db.selectFrom('complaint_event').selectAll().where('type', '=', 'read').where('actor_role', '=', 'supervisor').orderBy('id').execute();
    const before = (await reads()).length;
    const card = await say(h, SUPERVISOR, `/case ${c0.tracking}`);
    expect(buttonsOf(card)).toEqual([`raw:${c0.id}`, `rf:${c0.id}`]);
    await press(h, SUPERVISOR, `raw:${c0.id}`);
    await say(h, SUPERVISOR, '/tasks');
    const after = await reads();
    expect(after.length).toBe(before + 3);
    expect(after.slice(-3).map((e) => [e.complaint_id, JSON.parse(e.data!).what])).toEqual([
      [c0.id, 'case'],
      [c0.id, 'raw'],
      [null, 'tasks'],
    ]);
    const refused = await press(h, SUPERVISOR, `acc:${c0.id}`, { force: true, messageId: card.message_id });
    expect(refused.params.show_alert).toBe(true);
    expect(refused.params.text).toContain('督导只能查阅');
    expect((await findById(h.db, c0.id))!.status).toBe('assigned');
  });

  it('/new registers a phone case through the dialogue, classified and persisted like mail', async () => {
    await say(h, HOUSING, '/new');
    await press(h, HOUSING, 'ns:phone');
    expect((await say(h, HOUSING, '赵先生')).text).toContain('联系电话');
    expect((await say(h, HOUSING, 'abc')).text).toContain('格式不正确');
    await say(h, HOUSING, '139 1234 5678');
    await say(h, HOUSING, '幸福里小区');
    // The new case's own notice can reach the same chat before the confirmation: wait for the confirmation.
    const done = await say(h, HOUSING, '小区电梯经常困人，物业不维修，楼道垃圾也没人清理', /已登记/);
    expect(done.text).toMatch(/✅ 已登记，编号 YH-2026-\d{6}/);
    const tracking = /YH-2026-\d{6}/.exec(done.text!)![0];
    const row = await h.db.selectFrom('complaint').selectAll().where('tracking', '=', tracking).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'phone', county: 'yanhu', complainant_name: '赵先生', complainant_phone: '13912345678', compound: '幸福里小区' });
    expect(['assigned', 'triage']).toContain(row.status);
    const reg = await h.db.selectFrom('complaint_event').selectAll().where('complaint_id', '=', row.id).where('type', '=', 'registered').executeTakeFirstOrThrow();
    expect(reg.actor_kind).toBe('officer');
    expect(await h.db.selectFrom('bot_session').selectAll().where('chat_id', '=', HOUSING).execute()).toHaveLength(0);
  });

  it('/new registers a 省厅转办 case with the transferring body and its reference number', async () => {
    await say(h, HOUSING, '/new');
    await press(h, HOUSING, 'ns:province');
    expect((await say(h, HOUSING, '山西省住房和城乡建设厅 晋建转〔2026〕88号')).text).toContain('投诉人姓名');
    await say(h, HOUSING, '无');
    await say(h, HOUSING, '无');
    await say(h, HOUSING, '凤凰小区');
    const done = await say(h, HOUSING, '物业把小区绿地改成停车场收费', /已登记/);
    const tracking = /YH-2026-\d{6}/.exec(done.text!)![0];
    const row = await h.db.selectFrom('complaint').selectAll().where('tracking', '=', tracking).executeTakeFirstOrThrow();
    expect(row.source).toBe('province');
    const reg = await h.db.selectFrom('complaint_event').select('data').where('complaint_id', '=', row.id).where('type', '=', 'registered').executeTakeFirstOrThrow();
    expect(JSON.parse(reg.data!)).toMatchObject({ source: 'province', transfer: '山西省住房和城乡建设厅 晋建转〔2026〕88号' });
  });

  it('ignores a repeated update_id', async () => {
    const update = h.api.sendText(FIRE, '/help') as unknown as { update_id: number; message: { message_id: number } };
    await until(() => botMessages(h, FIRE).find((m) => m.message_id > update.message.message_id), 'the help text');
    await h.api.drained();
    const helps = () => h.api.calls('sendMessage').filter((c) => c.params.chat_id === FIRE && String(c.params.text).startsWith('物业投诉举报受理台 · 使用说明')).length;
    expect(helps()).toBe(1);
    h.api.injectUpdate(update);
    await h.api.drained();
    await say(h, FIRE, '/stats'); // a later update is handled, so the replay was seen and skipped
    expect(helps()).toBe(1);
  });

  it('an unlinked chat gets the explanation and nothing else', async () => {
    const chat = 3001;
    expect((await say(h, chat, '/tasks')).text).toBe(TEXT.unlinked);
    expect((await say(h, chat, '你好')).text).toBe(TEXT.unlinked);
    expect((await say(h, chat, '/start')).text).toBe(TEXT.unlinked);
    const anyCase = await h.db.selectFrom('complaint').select('id').executeTakeFirstOrThrow();
    const forged = await press(h, chat, `raw:${anyCase.id}`, { force: true, messageId: botMessages(h, chat).at(-1)!.message_id });
    expect(forged.params.text).toBe(TEXT.unlinked);
    await h.api.drained();
    expect(botMessages(h, chat).map((m) => m.text)).toEqual([TEXT.unlinked, TEXT.unlinked, TEXT.unlinked]);
    const toChat = h.api.sent.filter((c) => c.params.chat_id === chat && c.method !== 'sendMessage');
    expect(toChat).toEqual([]);
  });

  it('invites are one-shot and expire; reused, expired, revoked and unknown codes are refused', async () => {
    const inv = await createInvite(h.db, { unit: 'energy', county: 'yanhu', role: 'officer' }, h.clock.now(), 72);
    expect((await say(h, 3101, `/start ${inv.code}`)).text).toContain('绑定成功');
    expect((await say(h, 3102, `/start ${inv.code}`)).text).toContain('已被使用');
    const old = await createInvite(h.db, { unit: 'energy', county: 'yanhu', role: 'officer' }, new Date(h.clock.now().getTime() - 5 * 3600_000), 1);
    expect((await say(h, 3103, `/start ${old.code}`)).text).toContain('已过期');
    const revoked = await createInvite(h.db, { unit: 'energy', county: 'yanhu', role: 'officer' }, h.clock.now(), 72);
    await revokeInvite(h.db, revoked.code, h.clock.now());
    expect((await say(h, 3104, `/start ${revoked.code}`)).text).toContain('已被作废');
    expect((await say(h, 3105, '/start AAAAAAAAAAAAAAAA')).text).toContain('无效');
    expect((await say(h, 3105, '/start <script>')).text).toContain('无效');
    for (const chat of [3102, 3103, 3104, 3105]) {
      expect(await officerByChat(h.db, chat)).toBeUndefined();
      expect((await say(h, chat, '/tasks')).text).toBe(TEXT.unlinked);
    }
    expect((await officerByChat(h.db, 3101))?.unit).toBe('energy');
  });

  it('a blocked bot marks the officer unreachable; unblocking restores it', async () => {
    h.api.block(POLICE);
    await until(async () => (await officerByChat(h.db, POLICE))?.reachable === false, 'unreachable');
    h.api.block(POLICE, false);
    await until(async () => (await officerByChat(h.db, POLICE))?.reachable === true, 'reachable again');
  });

  it('honours 429 retry_after on its own replies and takes "message is not modified" as done', async () => {
    h.api.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    const t0 = Date.now();
    const reply = await say(h, FIRE, '/help');
    expect(reply.text).toContain('使用说明');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(h.api.calls('sendMessage').some((c) => c.status === 429)).toBe(true);

    const fire = await h.db.selectFrom('complaint').select(['id', 'tracking']).where('unit', '=', 'fire').where('county', '=', 'yanhu').executeTakeFirstOrThrow();
    const card = await say(h, FIRE, `/case ${fire.tracking}`);
    await press(h, FIRE, `rf:${fire.id}`, { messageId: card.message_id });
    const edits = h.api.calls('editMessageText').filter((c) => c.params.chat_id === FIRE && c.params.message_id === card.message_id);
    expect(edits.map((c) => c.status)).toEqual([400]);
    expect(botMessages(h, FIRE).at(-1)!.message_id).toBe(card.message_id); // no second card sent instead
  });

  it('a 403 on a reply marks the officer unreachable; writing again restores them', async () => {
    h.api.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    h.api.sendText(POLICE, '/help');
    await h.api.drained();
    expect((await officerByChat(h.db, POLICE))?.reachable).toBe(false);
    expect((await say(h, POLICE, '/help')).text).toContain('使用说明');
    expect((await officerByChat(h.db, POLICE))?.reachable).toBe(true);
  });

  it('refuses forged and malformed callback data without touching anything', async () => {
    const chat = FIRE;
    const anchor = botMessages(h, chat).at(-1)!.message_id;
    const before = await Promise.all([count(h, 'complaint_event'), count(h, 'outbox'), count(h, 'bot_session')]);
    for (const [data, text] of [
      ['acc:99999999', TEXT.notFound],
      ['ret:99999999', TEXT.notFound],
      ['zzz:1', TEXT.badButton],
      ['acc:1:2', TEXT.badButton],
      ['tk:-1', TEXT.badButton],
      ['x'.repeat(64), TEXT.badButton],
      ['dp:1', TEXT.staleDialogue],
      ['fnd:1:s', TEXT.staleDialogue],
    ] as const) {
      const answer = await press(h, chat, data, { force: true, messageId: anchor });
      expect(answer.params, data).toMatchObject({ text, show_alert: true });
    }
    expect(await Promise.all([count(h, 'complaint_event'), count(h, 'outbox'), count(h, 'bot_session')])).toEqual(before);
  });

  describe('authorisation matrix: every action × role × own/other unit and county', () => {
    // Actors beside the linked ones above.
    const FIRE_YONGJI = 2001;
    const COSIGNER_YONGJI = 2002;
    const REVIEWER_POLICE = 2003;
    const officers: Record<number, Officer> = {};

    async function seed(unit: UnitCode | null, status: Status, over: Partial<NewCase> = {}): Promise<Case & { version: number }> {
      const now = h.clock.now();
      const r = register(
        {
          source: 'email',
          county: 'yanhu',
          complainant: { name: '钱女士', phone: null, email: null },
          compound: '矩阵小区',
          address: null,
          company: null,
          subject: '矩阵测试',
          body: '矩阵测试内容',
          receivedAt: now.toISOString(),
          classification: cls(unit ?? 'housing', unit ? {} : { triage: true }),
        },
        now,
        h.cal,
      );
      if (!r.ok) throw new Error(r.error.message);
      const tracking = await nextTrackingNumber(h.db, 'YH', 2026);
      const c = await insertCase(h.db, { ...r.case, unit, status, ...over }, tracking, now.toISOString());
      return (await findById(h.db, c.id))!;
    }

    beforeAll(async () => {
      await link(h, FIRE_YONGJI, 'officer', 'fire', 'yongji');
      await link(h, COSIGNER_YONGJI, 'cosigner', 'township', 'yongji');
      await link(h, REVIEWER_POLICE, 'reviewer', 'police', 'yuncheng');
      for (const chat of [HOUSING, COSIGNER, REVIEWER_HOUSING, FIRE, POLICE, REVIEWER_FIRE, SUPERVISOR, FIRE_YONGJI, COSIGNER_YONGJI, REVIEWER_POLICE]) {
        officers[chat] = (await officerByChat(h.db, chat))!;
      }
    });

    it('refuses everyone but the rightful actor, and nothing changes', async () => {
      const extension = { until: '2026-03-30T16:00:00.000Z', reason: '矩阵', requestedBy: 1 };
      const cases = {
        assigned: await seed('fire', 'assigned'),
        accepted: await seed('fire', 'accepted'),
        complex: await seed('fire', 'accepted', { complex: true }),
        housingResolved: await seed('housing', 'resolved', { finding: 'partly', result: '已处理' }),
        fireResolved: await seed('fire', 'resolved', { finding: 'partly', result: '已处理' }),
        reviewed: await seed('fire', 'reviewed'),
        extension: await seed('fire', 'accepted', { extension }),
        triage: await seed(null, 'triage'),
      };
      const rows: [CaseVerb, string, keyof typeof cases, number][] = [
        ['accept', 'acc', 'assigned', FIRE],
        ['return', 'ret', 'assigned', FIRE],
        ['progress', 'prg', 'accepted', FIRE],
        ['complex', 'cpx', 'accepted', FIRE],
        ['extend', 'ext', 'accepted', FIRE],
        ['resolve', 'res', 'accepted', FIRE],
        ['plan', 'pln', 'complex', FIRE],
        ['cosign', 'cs', 'housingResolved', COSIGNER],
        ['cosign', 'csy', 'housingResolved', COSIGNER],
        ['rejectCosign', 'csn', 'housingResolved', COSIGNER],
        ['review', 'rv', 'fireResolved', REVIEWER_FIRE],
        ['rejectReview', 'rvn', 'fireResolved', REVIEWER_FIRE],
        ['writeOff', 'wo', 'reviewed', REVIEWER_FIRE],
        ['approveExtension', 'exy', 'extension', REVIEWER_FIRE],
        ['rejectExtension', 'exn', 'extension', REVIEWER_FIRE],
        ['assign', 'asg', 'triage', HOUSING],
        ['assign', `asg@${UNIT_CODES.indexOf('police')}`, 'triage', HOUSING],
      ];
      const snapshot = async () => ({
        versions: (await h.db.selectFrom('complaint').select(['id', 'version', 'status']).orderBy('id').execute()).map((r) => `${r.id}:${r.version}:${r.status}`),
        events: await count(h, 'complaint_event'),
        outbox: await count(h, 'outbox'),
        sessions: await count(h, 'bot_session'),
        attachments: await count(h, 'attachment'),
      });
      const before = await snapshot();
      let refusals = 0;
      for (const [verb, code, which, rightful] of rows) {
        const c = cases[which];
        // The case is in the state the action needs: the rightful actor would get the button.
        expect(availableVerbs(c, officers[rightful]!, h.clock.now(), h.cal), `${verb} for ${rightful}`).toContain(verb);
        const data = code.includes('@') ? `${code.split('@')[0]}:${c.id}:${code.split('@')[1]}` : `${code}:${c.id}`;
        for (const chat of Object.keys(officers).map(Number)) {
          if (chat === rightful) continue;
          const anchor = botMessages(h, chat).at(-1)!.message_id;
          const answer = await press(h, chat, data, { force: true, messageId: anchor });
          expect(answer.params.show_alert, `${data} by ${officers[chat]!.role}/${officers[chat]!.unit}/${officers[chat]!.county}`).toBe(true);
          expect(String(answer.params.text)).toMatch(/[\u4e00-\u9fff]/);
          refusals++;
        }
      }
      expect(refusals).toBe(rows.length * (Object.keys(officers).length - 1));
      expect(await snapshot()).toEqual(before);
    });
  });

  it('✅ 已完成 on a company action reminder: only the unit that carries it out (or the county admin) records it, once', async () => {
    const now = h.clock.now();
    const nowIso = now.toISOString();
    const company = await h.db.insertInto('company').values({ name: '盐湖区测试物业服务有限公司', county: 'yanhu', key_supervision: 0, satisfaction: null, refused_to_fix: 0, credit_low: 0, created_at: nowIso }).returning('id').executeTakeFirstOrThrow();
    // Due at 24:00 of the next working day: today is the working day before, the reminder's first rung.
    const dueAt = endOfDayShanghai(h.cal.addWorkdays(shanghaiDay(now), 1)).toISOString();
    const action = await h.db
      .insertInto('company_action')
      .values({ company_id: company.id, type: 'survey', rule: '000 附件 三(三)', reason: '测试：10日内完成满意度调查', due_at: dueAt, created_at: nowIso, done_at: null, done_by: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await runReminders({ cfg: h.cfg, db: h.db, cal: h.cal, log: h.log, clock: h.clock, owner: 'bot-test', wakeOutbox: () => undefined }, now);
    h.worker.kick();
    const data = `cd:${action.id}`;
    const reminder = await lastWithButton(h, HOUSING, data);
    expect(reminder.text).toContain('盐湖区测试物业服务有限公司');
    expect(reminder.text).toContain('服务质量和满意度调查');
    const done = () => h.db.selectFrom('company_action').select(['done_at', 'done_by']).where('id', '=', action.id).executeTakeFirstOrThrow();

    // Another unit's officer of the county, and a city supervisor: refused, nothing recorded.
    for (const chat of [FIRE, SUPERVISOR]) {
      // Forged onto a message of their own chat: the button was never theirs.
      const refused = await press(h, chat, data, { force: true, messageId: botMessages(h, chat).at(-1)!.message_id });
      expect(refused.params).toMatchObject({ text: '该事项应由承办单位工作人员或本县区管理员登记完成。', show_alert: true });
    }
    expect(await done()).toEqual({ done_at: null, done_by: null });

    const ok = await press(h, HOUSING, data, { messageId: reminder.message_id });
    expect(ok.params.text).toBe('✅ 已登记完成，不再提醒。');
    expect(await done()).toMatchObject({ done_by: '测试1001' });
    expect((await done()).done_at).not.toBeNull();
    const again = await press(h, HOUSING, data, { force: true, messageId: reminder.message_id });
    expect(String(again.params.text)).toMatch(/^已于 .* 登记完成（测试1001）$/);
    // No more reminders for it: on the first working day after its deadline it would be overdue.
    const lateDay = h.cal.addWorkdays(shanghaiDay(new Date(Date.parse(dueAt) - 1)), 1);
    await runReminders({ cfg: h.cfg, db: h.db, cal: h.cal, log: h.log, clock: h.clock, owner: 'bot-test', wakeOutbox: () => undefined }, new Date(`${lateDay}T10:00:00+08:00`));
    const keys = await h.db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', `company-remind:${action.id}:%`).execute();
    expect(keys.map((r) => r.idempotency_key.split(':')[2])).toEqual(['pre']);
  });

  it('抄送: 发改 records its fee-standard step done in the bot; the housing office is copied, and a housing step is not copied', async () => {
    const DEVREF = 1042;
    await link(h, DEVREF, 'officer', 'development-reform', 'yanhu');
    const nowIso = h.clock.now().toISOString();
    const company = await h.db.insertInto('company').values({ name: '盐湖区抄送测试物业有限公司', county: 'yanhu', key_supervision: 0, satisfaction: null, refused_to_fix: 0, credit_low: 0, created_at: nowIso }).returning('id').executeTakeFirstOrThrow();
    const add = (type: string) =>
      h.db.insertInto('company_action').values({ company_id: company.id, type, rule: '000 附件 三(三)', reason: `测试：${type}`, due_at: '2099-01-01T00:00:00.000Z', created_at: nowIso, done_at: null, done_by: null }).returning('id').executeTakeFirstOrThrow();
    const fee = await add('fee-enforcement');
    const survey = await add('survey');
    const anchor = (await say(h, DEVREF, '/help')).message_id;
    const ok = await press(h, DEVREF, `cd:${fee.id}`, { force: true, messageId: anchor });
    expect(ok.params.text).toBe('✅ 已登记完成，不再提醒。');
    const copy = await until(() => botMessages(h, HOUSING).find((m) => m.text?.startsWith('📋 抄送：发改已完成') && m.text.includes('盐湖区抄送测试物业有限公司')), 'the copy to housing');
    expect(copy.text).toContain('「督促执行收费标准」');
    expect(copy.text).toContain(`登记人：测试${DEVREF}`);
    const before = botMessages(h, HOUSING).length;
    await press(h, HOUSING, `cd:${survey.id}`, { force: true, messageId: botMessages(h, HOUSING).at(-1)!.message_id });
    await h.api.drained();
    h.worker.kick();
    const copies = await h.db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', `company-copy:${survey.id}:%`).execute();
    expect(copies).toHaveLength(0);
    expect(botMessages(h, HOUSING).slice(before).some((m) => m.text?.startsWith('📋 抄送'))).toBe(false);
  });

  it('a county admin sees its own county’s cases only; the city’s admin sees every county', async () => {
    const COUNTY_ADMIN = 3301;
    const CITY_ADMIN = 3302;
    await link(h, COUNTY_ADMIN, 'admin', 'housing', 'yanhu');
    await link(h, CITY_ADMIN, 'admin', 'housing', 'yuncheng');
    const local = await mailIn(h, cls('housing'), '楼道堆放杂物');
    const now = h.clock.now();
    const r = register(
      { source: 'phone', county: 'yuncheng', complainant: { name: '赵先生', phone: '13800000000', email: null }, compound: '市本级小区', address: null, company: null, subject: '市本级测试', body: '市本级测试内容', receivedAt: now.toISOString(), classification: cls('housing') },
      now,
      h.cal,
    );
    if (!r.ok) throw new Error(r.error.message);
    const city = await insertCase(h.db, r.case, await nextTrackingNumber(h.db, 'YC', 2026), now.toISOString());
    expect((await say(h, COUNTY_ADMIN, `/case ${local.tracking}`)).text).toContain(local.tracking);
    // The 市本级 case carries a resident's phone number: a county admin may not even learn that it exists.
    expect((await say(h, COUNTY_ADMIN, `/case ${city.tracking}`)).text).toBe(TEXT.notFound);
    expect((await say(h, COUNTY_ADMIN, '/tasks')).text).not.toContain(city.tracking);
    expect((await say(h, CITY_ADMIN, `/case ${city.tracking}`)).text).toContain(city.tracking);
    expect((await say(h, CITY_ADMIN, `/case ${local.tracking}`)).text).toContain(local.tracking);
  });

  it('the desk’s daily note of unregistered mail: one tap opens a mail, one more registers it; others cannot', async () => {
    h.nextClassification = { unit: null, units: [], problem: null, urgent: false, triage: false, score: 0, matched: [] };
    const ignored = await h.intake.ingest(
      Buffer.from(`From: qian@example.com\r\nTo: yhqzjjwy@163.com\r\nSubject: =?UTF-8?B?${Buffer.from('楼里有人发烧').toString('base64')}?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n我们楼好几户人家都发烧了，怀疑传染病。\r\n`),
      { source: 'smtp', mailbox: 'yhqzjjwy@163.com' },
    );
    expect(ignored.outcome).toBe('ignored');
    const id = ignored.rawMailId!;
    // The next morning's run: the county's housing office is told, with one button per mail.
    const spec = jobSpecs(h.cfg).find((s) => s.name === 'unregistered')!;
    const tomorrow = new Date(startOfDayShanghai(addDays(shanghaiDay(h.clock.now()), 1)).getTime() + 9 * 3600_000);
    const run = await runJob({ cfg: h.cfg, db: h.db, cal: h.cal, log: h.log, clock: h.clock, owner: 'bot-test', wakeOutbox: () => h.worker.kick() }, spec, tomorrow);
    expect(run.status).toBe('done');
    const note = await lastWithButton(h, HOUSING, `ml:${id}`);
    expect(note.text).toContain('未登记来信');
    expect(note.text).toContain('楼里有人发烧');
    // /mail lists the same, on demand; another unit's officer is told who reviews it.
    expect((await say(h, HOUSING, '/mail')).text).toContain(`#${id}`);
    expect((await say(h, POLICE, '/mail')).text).toBe(TEXT.mayNotReviewMail);
    // Another unit's officer may not open it (nor learn it exists).
    const policeMessage = botMessages(h, POLICE).at(-1)!.message_id; // a forged button on one of their own messages
    expect((await press(h, POLICE, `ml:${id}`, { force: true, messageId: policeMessage })).params.text).toBe(TEXT.mailNotFound);
    await press(h, HOUSING, `ml:${id}`);
    const card = await lastWithButton(h, HOUSING, `mp:${id}`);
    expect(card.text).toContain('怀疑传染病');
    await press(h, HOUSING, `mp:${id}`);
    const confirmed = await until(() => botMessages(h, HOUSING).findLast((m) => /✅ 已登记，编号 YH-/.test(m.text ?? '')), 'the registration');
    const tracking = /YH-\d{4}-\d{6}/.exec(confirmed.text!)![0];
    const row = await h.db.selectFrom('raw_mail').select(['outcome', 'complaint_id']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.outcome).toBe('registered');
    expect((await findById(h.db, row.complaint_id!))!.tracking).toBe(tracking);
  });

  it('logged no errors and never the token', () => {
    expect(h.lines.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(h.lines.filter((l) => l.includes(h.api.token))).toEqual([]);
  });
});
