// The bot in webhook mode (`bot.webhook`) against the loopback Bot API, which POSTs updates to the bot's receiver as
// Telegram does (through the TLS proxy a deployment puts in front): setWebhook with the secret token, updates
// delivered and answered, a Chinese text cut between two TCP writes, forged and oversized requests refused, an
// unreachable Bot API at start, and a restart that receives what came while the service was down. SQLite only: the
// transport does not depend on the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { createBot, type OfficerBot } from '../../src/bot/index.ts';
import { TEXT } from '../../src/messages/index.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { createInvite } from '../../src/store/officers.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { startBotApi, type BotApiPeer, type BotMessage } from '../support/bot-api.ts';
import { freePort } from '../support/ports.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { freshDatabaseUrl } from '../support/stores.ts';
import { until } from '../support/wait.ts';

const PATH = '/wuye/telegram';

describe('the bot over a webhook', () => {
  let api: BotApiPeer;
  let cfg: Config;
  let store: Store;
  let cleanup: () => Promise<void>;
  let port: number;
  let url: string;
  const bots: OfficerBot[] = [];

  const newBot = (): OfficerBot => {
    const { log } = memoryLogger(process.env.WUYE_TEST_LOG ?? 'warn');
    const bot = createBot({ cfg, db: store.db, log, clock: { now: () => new Date() }, cal: loadCalendar(cfg), token: api.token, wakeOutbox: () => undefined });
    bots.push(bot);
    return bot;
  };
  const botTexts = (chat: number): BotMessage[] => api.messages(chat).filter((m) => m.from?.is_bot);
  /** The user writes; resolves with the bot's first message after it. */
  const say = async (chat: number, text: string, reply?: RegExp): Promise<BotMessage> => {
    const after = (api.sendText(chat, text) as unknown as { message: { message_id: number } }).message.message_id;
    return until(() => botTexts(chat).find((m) => m.message_id > after && (!reply || reply.test(m.text ?? ''))), `a reply to "${text.slice(0, 20)}"`, 20_000);
  };
  const post = (body: string | Buffer, headers: Record<string, string> = {}, path = PATH, method = 'POST') =>
    fetch(`http://127.0.0.1:${port}${path}`, { method, body: method === 'POST' ? body : undefined, headers: { 'content-type': 'application/json', ...headers } });

  beforeAll(async () => {
    api = await startBotApi({ webhookRetryMs: 50 });
    const db = await freshDatabaseUrl('sqlite', 'webhook');
    cleanup = db.cleanup;
    port = await freePort();
    url = `https://127.0.0.1:${port}${PATH}`;
    cfg = testConfig({ db: db.url, apiRoot: api.apiRoot });
    cfg.bot.webhook = { url, listen: `127.0.0.1:${port}` };
    store = await openStore(db.url);
    await syncReferenceData(store.db, cfg);
  });
  afterAll(async () => {
    for (const b of bots) await b.stop();
    await api?.close();
    await store?.close();
    await cleanup?.();
  });

  it('sets the webhook with a secret token and answers the updates Telegram POSTs, never polling', async () => {
    const bot = newBot();
    await bot.start();
    const set = api.calls('setWebhook');
    expect(set).toHaveLength(1);
    expect(set[0]!.params).toMatchObject({ url, allowed_updates: ['message', 'callback_query', 'my_chat_member'] });
    expect(String(set[0]!.params.secret_token)).toMatch(/^[0-9a-f]{64}$/);
    expect(api.webhook().url).toBe(url);

    expect((await say(4001, '你好')).text).toBe(TEXT.unlinked);
    expect(api.calls('getUpdates')).toEqual([]);
    // As Telegram: no polling while a webhook is set (a second instance in polling mode would be told so).
    const poll = await fetch(`${api.apiRoot}/bot${api.token}/getUpdates`, { method: 'POST' });
    expect(poll.status).toBe(409);
    expect(((await poll.json()) as { description: string }).description).toMatch(/webhook is active/);
    // Every answer is a real call (webhookReply off): a failure would be seen, not lost in the webhook's answer.
    expect(api.sent.filter((c) => c.viaWebhookReply)).toEqual([]);
    expect(api.webhook()).toMatchObject({ pending_update_count: 0 });
    expect(api.webhook().delivered).toBeGreaterThanOrEqual(1);
  });

  it('a long Chinese text cut between two TCP writes arrives whole: the case is registered with it exactly', async () => {
    const chat = 4002;
    const inv = await createInvite(store.db, { unit: 'housing', county: 'yanhu', role: 'officer', name: '测试4002' }, new Date(), cfg.bot.inviteTtlHours);
    expect((await say(chat, `/start ${inv.code}`)).text).toContain('绑定成功');
    await say(chat, '/new');
    const prompt = botTexts(chat).at(-1)!;
    api.pressButton(chat, prompt.message_id, 'ns:phone');
    await until(() => botTexts(chat).find((m) => m.message_id > prompt.message_id && /姓名/.test(m.text ?? '')), 'the name prompt');
    await say(chat, '钱女士');
    await say(chat, '13912345678');
    await say(chat, '滨河苑');
    // Long enough for several TCP segments; the peer also cuts its first write inside a character on purpose.
    const content = `${'小区三号楼电梯停运半个月，物业公司一直推说等配件，老人上下楼非常困难。'.repeat(40)}请尽快督促维修。`;
    const done = await say(chat, content, /已登记/);
    const tracking = /YH-\d{4}-\d{6}/.exec(done.text!)![0];
    const row = await store.db.selectFrom('complaint').select(['body', 'compound']).where('tracking', '=', tracking).executeTakeFirstOrThrow();
    expect(row.body).toBe(content);
    expect(row.compound).toBe('滨河苑');
  });

  it('refuses requests that are not Telegram’s: no secret, a wrong one, another path, not POST, too large', async () => {
    const chat = 4003;
    api.registerChat(chat); // a real chat, so that the bot's answer to the genuine update can reach it
    const update = JSON.stringify({ update_id: 990_000_001, message: { message_id: 1, date: 1, chat: { id: chat, type: 'private' }, from: { id: chat, is_bot: false, first_name: '伪造' }, text: '/help' } });
    const secret = String(api.calls('setWebhook')[0]!.params.secret_token);
    expect((await post(update)).status).toBe(403);
    expect((await post(update, { 'x-telegram-bot-api-secret-token': 'a'.repeat(64) })).status).toBe(403);
    expect((await post(update, { 'x-telegram-bot-api-secret-token': secret }, '/other')).status).toBe(403);
    expect((await post(update, { 'x-telegram-bot-api-secret-token': secret }, PATH, 'GET')).status).toBe(405);
    const huge = await post(Buffer.alloc(2 * 1024 * 1024, 0x20), { 'x-telegram-bot-api-secret-token': secret }).catch((e: Error) => e);
    if (!(huge instanceof Error)) expect(huge.status).toBe(413); // or the connection is cut while sending: refused either way
    expect((await post('{"update_id":', { 'x-telegram-bot-api-secret-token': secret })).status).toBe(400);
    // With the secret the same update is handled: what was refused above was refused for its credentials.
    expect((await post(update, { 'x-telegram-bot-api-secret-token': secret })).status).toBe(200);
    await until(() => botTexts(chat).length > 0, 'the reply to the genuine update');
    expect(botTexts(chat).map((m) => m.text)).toEqual([TEXT.unlinked]);
  });

  it('a restart receives what came while the service was down; the webhook stays set', async () => {
    await bots.at(-1)!.stop();
    const chat = 4004;
    api.sendText(chat, '在吗');
    await until(() => api.webhook().last_error_message, 'a failed delivery while down');
    expect(api.webhook().pending_update_count).toBe(1);
    expect(botTexts(chat)).toEqual([]);
    const bot = newBot();
    await bot.start();
    await until(() => botTexts(chat).length > 0, 'the update kept while down');
    expect(botTexts(chat).map((m) => m.text)).toEqual([TEXT.unlinked]);
    expect(api.calls('deleteWebhook')).toEqual([]);
  });

  it('with the Bot API unreachable at start the receiver keeps listening and only setWebhook is tried again', async () => {
    await bots.at(-1)!.stop();
    const before = api.calls('setWebhook').length;
    api.failNext('setWebhook', { code: 502, description: 'Bad Gateway' }, 2);
    const bot = newBot();
    // Two failures, then the retries (1 s, 2 s) set it: the process is still here and the port was bound once.
    expect(await bot.connect()).toBe('retrying');
    await until(() => api.calls('setWebhook').length >= before + 3, 'setWebhook tried a third time', 30_000);
    expect(api.calls('setWebhook').slice(before).map((c) => c.status)).toEqual([502, 502, 200]);
    expect((await say(4005, '你好')).text).toBe(TEXT.unlinked);
  });
});
