// Bad bot input (hostile input): huge texts, unknown commands, forged / oversized / malformed callback
// data, photos in the wrong dialogue state, updates with missing fields, edited messages and channel posts. The
// bot must answer politely (Chinese text, an alert on buttons) or ignore, never fail an update, and change nothing
// in the database. telegraf talks to the loopback Bot API over real HTTP; update types Telegram would not deliver
// (allowed_updates) are also handed to the bot directly (handleUpdate), as a proxy or a future setting might.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { createBot, type OfficerBot } from '../../src/bot/index.ts';
import { TEXT } from '../../src/messages/index.ts';
import { MAX_INPUT } from '../../src/bot/commands/actions.ts';
import type { Config } from '../../src/config.ts';
import type { ClassificationSummary } from '../../src/domain.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { findById, insertCase, nextTrackingNumber } from '../../src/store/cases.ts';
import { openStore, type Db, type Store } from '../../src/store/db.ts';
import { createInvite } from '../../src/store/officers.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { register } from '../../src/workflow/complaint.ts';
import { startBotApi, type BotApiPeer, type BotMessage, type RecordedCall } from '../support/bot-api.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { freshDatabaseUrl } from '../support/stores.ts';
import { shiftedClock, until } from '../support/wait.ts';

const START = '2026-03-02T02:00:00.000Z'; // Monday 10:00 in Shanghai, a working day
const OFFICER = 5001; // housing officer of yanhu
const STRANGER = 5002; // never linked
const CHANNEL = -1001234567890;
const HUGE = 100 * 1024;
const HAN = /[\u4e00-\u9fff]/;

/** Every table but telegram_update (the bot records each update id there by design), rows sorted, blobs by size. */
async function snapshot(db: Db): Promise<Record<string, string[]>> {
  const tables = [
    'raw_mail', 'raw_mail_body', 'mailbox_state', 'tracking_seq', 'complaint', 'complaint_event', 'unit', 'county', 'officer', 'officer_invite',
    'company', 'compound', 'company_action', 'attachment', 'outbox', 'job_run', 'bot_session',
  ] as const;
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = await db.selectFrom(t).selectAll().execute();
    out[t] = rows
      .map((r) => JSON.stringify(r, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? `<${(v as { data: unknown[] }).data.length} bytes>` : v)))
      .sort();
  }
  return out;
}

describe('hostile bot input', () => {
  let api: BotApiPeer;
  let cfg: Config;
  let store: Store;
  let db: Db;
  let bot: OfficerBot;
  let lines: string[];
  let cleanup: () => Promise<void>;
  let caseId: number;
  let before: Record<string, string[]>;
  /** Ids for updates handed to the bot directly: far from the Bot API's own sequence, so none is mistaken for a repeat. */
  let directUpdateId = 1_900_000_000;

  const botMessages = (chat: number): BotMessage[] => api.messages(chat).filter((m) => m.from?.id === api.bot.id);
  const failures = () => lines.filter((l) => /"level":(50|60)/.test(l));

  /** The user writes; resolves with the bot's messages sent after it, once the bot is done with the update. */
  async function say(chat: number, text: string): Promise<BotMessage[]> {
    const u = api.sendText(chat, text) as unknown as { message: { message_id: number } };
    return repliesAfter(chat, u.message.message_id);
  }

  async function repliesAfter(chat: number, messageId: number, expectReply = true): Promise<BotMessage[]> {
    await api.drained();
    if (expectReply) await until(() => botMessages(chat).some((m) => m.message_id > messageId), `a reply in chat ${chat}`);
    return botMessages(chat).filter((m) => m.message_id > messageId);
  }

  const anchor = (chat: number) => botMessages(chat).at(-1)!.message_id;

  /** Taps (forges) a button; resolves with the bot's answerCallbackQuery. */
  async function press(chat: number, data: string, messageId = anchor(chat)): Promise<RecordedCall> {
    const u = api.pressButton(chat, messageId, data, { force: true }) as unknown as { callback_query: { id: string } };
    const id = u.callback_query.id;
    const answer = await api.waitFor((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === id, 10_000);
    await api.drained();
    return answer;
  }

  /** Injects a raw update through the Bot API (as Telegram would deliver it) and waits until the bot took it. */
  async function inject(update: Record<string, unknown>): Promise<void> {
    api.injectUpdate(update);
    await api.drained();
  }

  /** Hands an update to the bot directly, bypassing the Bot API's allowed_updates filter. */
  async function direct(update: Record<string, unknown>): Promise<void> {
    await bot.bot.handleUpdate({ update_id: directUpdateId++, ...update } as unknown as Update);
  }

  const sentTo = (chat: number) => api.sent.filter((c) => c.params.chat_id === chat).length;
  const user = (id: number) => ({ id, is_bot: false, first_name: `测试用户${id}` });
  const privateChat = (id: number) => ({ id, type: 'private', first_name: `测试用户${id}` });

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl('sqlite', 'hostile-bot');
    cleanup = fresh.cleanup;
    api = await startBotApi();
    cfg = testConfig({ db: fresh.url, apiRoot: api.apiRoot });
    store = await openStore(fresh.url);
    db = store.db;
    await syncReferenceData(db, cfg);
    const logger = memoryLogger('debug');
    lines = logger.lines;
    const clock = shiftedClock(START);
    const cal = loadCalendar(cfg);
    const cls: ClassificationSummary = { unit: 'housing', units: [{ unit: 'housing', score: 3 }], problem: 'service-not-delivered', urgent: false, triage: false, score: 3, matched: ['电梯'] };
    bot = createBot({ cfg, db, log: logger.log, clock, cal, token: api.token, wakeOutbox: () => {}, classify: () => cls });
    await bot.start();

    const inv = await createInvite(db, { unit: 'housing', county: 'yanhu', role: 'officer', name: '住建测试' }, clock.now(), 72);
    const linked = await say(OFFICER, `/start ${inv.code}`);
    expect(linked[0]?.text).toContain('绑定成功');

    const now = clock.now();
    const r = register(
      {
        source: 'email',
        county: 'yanhu',
        complainant: { name: '钱女士', phone: '13912345678', email: null },
        compound: '阳光花园',
        address: null,
        company: null,
        subject: '电梯坏了',
        body: '电梯坏了一个月没人修',
        receivedAt: now.toISOString(),
        classification: cls,
      },
      now,
      cal,
    );
    if (!r.ok) throw new Error(r.error.message);
    const tracking = await nextTrackingNumber(db, 'YH', 2026);
    caseId = (await insertCase(db, r.case, tracking, now.toISOString())).id;
    expect((await findById(db, caseId))?.status).toBe('assigned');
    before = await snapshot(db);
  });

  afterAll(async () => {
    await bot?.stop();
    await api?.close();
    await store?.close();
    await cleanup?.();
  });

  it.each([
    ['100 KB of text', '投诉'.repeat(HUGE / 2), TEXT.unknownInput],
    ['100 KB unknown command', `/${'a'.repeat(HUGE)}`, TEXT.unknownInput],
    ['unknown command', '/delete_all_cases', TEXT.unknownInput],
    ['a command for another bot', '/tasks@some_other_bot', TEXT.unknownInput],
    ['a lone slash', '/', TEXT.unknownInput],
    ['control characters, RTL override, emoji', '\u0000\u0007\u202e😀\ufeff', TEXT.unknownInput],
    ['/case without a number', '/case', TEXT.caseUsage],
    ['/case with 100 KB', `/case YH-2026-${'9'.repeat(HUGE)}`, TEXT.caseUsage],
    ['/case with SQL', "/case YH-2026-000001' OR '1'='1", TEXT.caseUsage],
    ['/case of a case that does not exist', '/case YH-2099-999999', TEXT.notFound],
    ['/start with a 100 KB code', `/start ${'A'.repeat(HUGE)}`, '邀请链接无效'],
    ['/start with markup', '/start <b>x</b>&amp;', '邀请链接无效'],
    ['/cancel with nothing to cancel', '/cancel', TEXT.nothingToCancel],
  ])('a linked officer sends %s: a polite answer, nothing changes', async (_name, text, expected) => {
    const replies = await say(OFFICER, text);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain(expected);
    expect(failures()).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('a stranger sending 100 KB or a forged button gets the one explanation', async () => {
    expect((await say(STRANGER, 'x'.repeat(HUGE)))[0]?.text).toBe(TEXT.unlinked);
    const answer = await press(STRANGER, `acc:${caseId}`);
    expect(answer.params).toMatchObject({ text: TEXT.unlinked, show_alert: true });
    expect(failures()).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('refuses forged, oversized and malformed callback data with an alert in Chinese', async () => {
    const forged = [
      '',
      'a'.repeat(65),
      'a'.repeat(HUGE),
      `acc:${'9'.repeat(30)}`,
      'acc:0',
      'acc:-1',
      'acc:1.5',
      'acc:0x1',
      'acc: 1',
      'ACC:1',
      `acc:${caseId}:1`,
      `acc:${caseId};DROP TABLE complaint`,
      `acc:${caseId}' OR '1'='1`,
      'acc:١',
      '__proto__',
      'constructor:1',
      'toString',
      'tk:999999999',
      'tk:-1',
      'ns:admin',
      `fnd:${caseId}:x`,
      `asg:${caseId}:99`,
      `asg:${caseId}:-1`,
      'cx:1',
      '✓:1',
      '\u0000',
    ];
    for (const data of forged) {
      const answer = await press(OFFICER, data);
      expect(answer.params, JSON.stringify(data.slice(0, 40))).toMatchObject({ text: TEXT.badButton, show_alert: true });
    }
    // Well-formed but not allowed: another unit's verb, a dialogue step without a dialogue, an unknown case.
    for (const [data, text] of [
      [`wo:${caseId}`, HAN],
      [`rv:${caseId}`, HAN],
      [`dp:${caseId}`, TEXT.staleDialogue],
      [`fnd:${caseId}:s`, TEXT.staleDialogue],
      ['acc:999999999', TEXT.notFound],
    ] as const) {
      const answer = await press(OFFICER, data);
      expect(answer.params.show_alert, data).toBe(true);
      if (typeof text === 'string') expect(answer.params.text, data).toBe(text);
      else expect(String(answer.params.text), data).toMatch(text);
    }
    expect(failures()).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('answers a callback without data or without a message, and ignores updates without a chat', async () => {
    const message = botMessages(OFFICER).at(-1)!;
    const answered = (id: string) => api.waitFor((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === id, 10_000);
    // A game button (no data).
    await inject({ callback_query: { id: '777000001', from: user(OFFICER), message, chat_instance: '1', game_short_name: 'x' } });
    expect((await answered('777000001')).params).toMatchObject({ text: TEXT.badButton, show_alert: true });
    // A button on an inline message (no message, no chat).
    await inject({ callback_query: { id: '777000002', from: user(OFFICER), inline_message_id: 'AAAA', chat_instance: '1', data: `acc:${caseId}` } });
    expect((await answered('777000002')).params.show_alert).toBe(true);

    const sent = sentTo(OFFICER);
    // A message with no chat, and one with no sender: nothing to answer, nothing to break.
    await inject({ message: { message_id: 90001, date: 1, from: user(OFFICER), text: '/start AAAAAAAAAAAA' } });
    await inject({ message: { message_id: 90002, date: 1, from: user(OFFICER), text: '/tasks' } });
    await inject({ message: { message_id: 90003, date: 1, chat: privateChat(OFFICER), text: '你好' } });
    await inject({ message: { message_id: 90004, date: 1, chat: privateChat(OFFICER), from: user(OFFICER) } });
    await direct({});
    // Only the two messages that name a chat may be answered (politely).
    await until(() => sentTo(OFFICER) >= sent + 2, 'the answers to the messages with a chat');
    const texts = botMessages(OFFICER).slice(-2).map((m) => m.text);
    expect(texts).toEqual([TEXT.unknownInput, TEXT.unknownInput]);
    expect(failures()).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('ignores edited messages, channel posts, group chats and other update types', async () => {
    const sent = api.sent.length;
    const edited = { message_id: 1, date: 1, edit_date: 2, chat: privateChat(OFFICER), from: user(OFFICER) };
    // Through the Bot API: allowed_updates keeps these from the bot at all.
    await inject({ edited_message: { ...edited, text: '/new' } });
    await inject({ channel_post: { message_id: 1, date: 1, chat: { id: CHANNEL, type: 'channel', title: '频道' }, text: '/tasks' } });
    // Handed to the bot directly: it must still do nothing with them.
    await direct({ edited_message: { ...edited, text: '/new' } });
    await direct({ edited_message: { ...edited, text: 'x'.repeat(HUGE) } });
    await direct({ channel_post: { message_id: 1, date: 1, chat: { id: CHANNEL, type: 'channel', title: '频道' }, text: '/tasks' } });
    await direct({ edited_channel_post: { message_id: 1, date: 1, edit_date: 2, chat: { id: CHANNEL, type: 'channel', title: '频道' }, text: '/start x' } });
    await direct({ message: { message_id: 1, date: 1, chat: { id: -4001, type: 'group', title: '群' }, from: user(OFFICER), text: '/tasks' } });
    await direct({ message: { message_id: 2, date: 1, chat: { id: -4001, type: 'group', title: '群' }, from: user(OFFICER), text: 'x'.repeat(HUGE) } });
    await direct({ inline_query: { id: '1', from: user(OFFICER), query: 'YH-2026-000001', offset: '' } });
    await direct({ poll: { id: '1', question: '?', options: [], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false } });
    await direct({ chat_join_request: { chat: { id: -4001, type: 'group', title: '群' }, from: user(OFFICER), user_chat_id: OFFICER, date: 1 } });
    await direct({ my_chat_member: { chat: { id: -4001, type: 'group', title: '群' }, from: user(OFFICER), date: 1, old_chat_member: { user: api.bot, status: 'left' }, new_chat_member: { user: api.bot, status: 'member' } } });
    // The group join gets the "private chats only" line at most; nothing goes to the officer's private chat.
    const calls = api.sent.slice(sent).filter((c) => c.method !== 'getUpdates');
    expect(calls.filter((c) => c.params.chat_id === OFFICER || c.params.chat_id === CHANNEL)).toEqual([]);
    expect(calls.filter((c) => c.params.chat_id === -4001).map((c) => c.params.text ?? c.method)).toEqual([]);
    expect(failures()).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('photos, documents and huge texts in the wrong dialogue state: a hint, and the dialogue is kept as it was', async () => {
    // No dialogue: a photo (with a 100 KB caption) and a document.
    let u = api.sendPhotoFromUser(OFFICER, '说明'.repeat(HUGE / 2)) as unknown as { message: { message_id: number } };
    expect((await repliesAfter(OFFICER, u.message.message_id))[0]?.text).toBe(TEXT.photoWithoutDialogue);
    u = api.sendDocumentFromUser(OFFICER, Buffer.from('%PDF-1.4'), '整改报告.pdf', { mimeType: 'application/pdf' }) as unknown as { message: { message_id: number } };
    expect((await repliesAfter(OFFICER, u.message.message_id))[0]?.text).toBe(TEXT.unknownInput);
    expect(await snapshot(db)).toEqual(before);

    // A reason dialogue (退回): photos, documents, 100 KB and forged steps of other dialogues change nothing.
    const card = (await say(OFFICER, `/case ${JSON.parse(before.complaint![0]!).tracking}`))[0]!;
    await press(OFFICER, `ret:${caseId}`, card.message_id);
    const inDialogue = await snapshot(db);
    expect(inDialogue.bot_session).toHaveLength(1);
    u = api.sendPhotoFromUser(OFFICER) as unknown as { message: { message_id: number } };
    expect((await repliesAfter(OFFICER, u.message.message_id))[0]?.text).toBe(TEXT.photoWithoutDialogue);
    expect((await say(OFFICER, '理由'.repeat(HUGE / 2)))[0]?.text).toBe(TEXT.tooLong(MAX_INPUT));
    expect((await say(OFFICER, '   '))[0]?.text).toBe(TEXT.emptyText);
    for (const data of [`dp:${caseId}`, `dr:${caseId}`, `fnd:${caseId}:s`, 'ns:phone', 'tk:0:1']) {
      const answer = await press(OFFICER, data);
      expect(answer.params.show_alert, data).toBe(true);
      expect(String(answer.params.text), data).toMatch(HAN);
    }
    expect(await snapshot(db)).toEqual(inDialogue);
    expect((await findById(db, caseId))?.status).toBe('assigned');
    expect((await say(OFFICER, '/cancel'))[0]?.text).toBe(TEXT.cancelled);
    expect(await snapshot(db)).toEqual(before);

    // /new: a photo and free text before the source is chosen, then a 100 KB name.
    await say(OFFICER, '/new');
    const atSource = await snapshot(db);
    u = api.sendPhotoFromUser(OFFICER) as unknown as { message: { message_id: number } };
    expect((await repliesAfter(OFFICER, u.message.message_id))[0]?.text).toBe(TEXT.photoWithoutDialogue);
    expect((await say(OFFICER, '张三'))[0]?.text).toBe(TEXT.newSourceFirst);
    expect((await press(OFFICER, 'ns:admin')).params.text).toBe(TEXT.badButton);
    expect(await snapshot(db)).toEqual(atSource);
    const sourcePrompt = botMessages(OFFICER).findLast((m) => m.text === TEXT.newSourcePrompt)!;
    await press(OFFICER, 'ns:phone', sourcePrompt.message_id);
    const atName = await snapshot(db);
    expect((await say(OFFICER, '名'.repeat(HUGE)))[0]?.text).toContain('内容过长');
    u = api.sendPhotoFromUser(OFFICER) as unknown as { message: { message_id: number } };
    expect((await repliesAfter(OFFICER, u.message.message_id))[0]?.text).toBe(TEXT.photoWithoutDialogue);
    expect(await snapshot(db)).toEqual(atName);
    expect((await say(OFFICER, '/cancel'))[0]?.text).toBe(TEXT.cancelled);
    expect(failures()).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('a forged button on a case beyond the officer’s reach answers exactly as one on a case that does not exist', async () => {
    // A case of another county (永济): the 盐湖 housing officer may not read it, so may not learn that it exists.
    const now = new Date();
    const r = register(
      { source: 'email', county: 'yongji', complainant: { name: '李先生', phone: null, email: null }, compound: '永济花园', address: null, company: null, subject: '漏水', body: '楼顶漏水', receivedAt: now.toISOString(), classification: { unit: 'housing', units: [{ unit: 'housing', score: 3 }], problem: null, urgent: false, triage: false, score: 3, matched: ['漏水'] } },
      now,
      loadCalendar(cfg),
    );
    if (!r.ok) throw new Error(r.error.message);
    const other = (await insertCase(db, r.case, await nextTrackingNumber(db, 'YJ', 2026), now.toISOString())).id;
    for (const verb of ['acc', 'ret', 'prg', 'res']) {
      const beyond = await press(OFFICER, `${verb}:${other}`);
      const missing = await press(OFFICER, `${verb}:999999998`);
      expect(beyond.params.text, verb).toBe(TEXT.notFound);
      expect(beyond.params.text, verb).toBe(missing.params.text);
    }
    expect(await findById(db, other)).toMatchObject({ status: r.case.status, version: 0 });
  });

  it('is still alive and well after all of it', async () => {
    expect((await say(OFFICER, '/help'))[0]?.text).toContain('使用说明');
    expect(failures()).toEqual([]);
  });
});
