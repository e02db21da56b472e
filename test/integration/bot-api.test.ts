// The loopback Bot API driven by a real, unmodified telegraf bot over HTTP (long polling and webhook).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Markup, Telegraf, TelegramError } from 'telegraf';
import { startBotApi, type BotApiPeer, type RecordedCall } from '../support/bot-api.ts';

// A real 2×1 PNG (IHDR says 2 wide, 1 high); Telegram refuses photos that are not pictures.
const PNG_2X1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000010806000000f478d4fa0000000d4944415478da63f8cfc0f01f0005000201a3e1e0d20000000049454e44ae426082',
  'hex',
);

let peer: BotApiPeer;
let bot: Telegraf;
let polling: Promise<void> | undefined;
let webhookServer: Server | undefined;

beforeEach(async () => {
  peer = await startBotApi({ botUsername: 'wuye_test_bot' });
  bot = new Telegraf(peer.token, { telegram: { apiRoot: peer.apiRoot } });
  polling = undefined;
});

afterEach(async () => {
  if (polling) {
    bot.stop('test over');
    await polling; // resolves once telegraf's polling loop has really ended
  }
  if (webhookServer) await new Promise((resolve) => webhookServer!.close(resolve));
  webhookServer = undefined;
  await peer.close();
});

function launch(): void {
  polling = bot.launch();
}

async function apiError(promise: Promise<unknown>): Promise<TelegramError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TelegramError);
  return err as TelegramError;
}

const resultOf = (call: RecordedCall): Record<string, unknown> => {
  if (!call.response.ok) throw new Error(`call failed: ${call.response.description}`);
  return call.response.result as Record<string, unknown>;
};

describe('identity and transport', () => {
  it('answers getMe with the bot user and rejects a wrong token with 401 Unauthorized', async () => {
    const me = await bot.telegram.getMe();
    expect(me).toMatchObject({ id: 123456789, is_bot: true, username: 'wuye_test_bot' });

    const stranger = new Telegraf('987654321:wrong-token', { telegram: { apiRoot: peer.apiRoot } });
    const err = await apiError(stranger.telegram.getMe());
    expect(err.code).toBe(401);
    expect(err.description).toBe('Unauthorized');
  });

  it('answers an unknown method with 404 Not Found and records every call', async () => {
    const err = await apiError(bot.telegram.callApi('sendTelepathy' as 'getMe', {}));
    expect(err.code).toBe(404);
    expect(err.description).toBe('Not Found');
    expect(peer.sent.map((c) => `${c.method}:${c.status}`)).toEqual(['sendTelepathy:404']);
  });
});

describe('long polling with telegraf', () => {
  it('delivers /start to the command handler and records the reply as sendMessage', async () => {
    const seen: string[] = [];
    bot.start(async (ctx) => {
      seen.push(ctx.message.text);
      await ctx.reply(`您好，${ctx.from.first_name}`);
    });
    launch();
    peer.sendText(1001, '/start', { first_name: '王科长' });

    const call = await peer.waitFor((c) => c.method === 'sendMessage');
    expect(seen).toEqual(['/start']);
    expect(call.params).toMatchObject({ chat_id: 1001, text: '您好，王科长' });
    const message = resultOf(call);
    // The user's /start is message 1 of the chat, the bot's reply message 2.
    expect(message).toMatchObject({ message_id: 2, text: '您好，王科长', chat: { id: 1001, type: 'private' } });
    expect(message.from).toMatchObject({ is_bot: true, username: 'wuye_test_bot' });
    expect(peer.messages(1001).map((m) => [m.message_id, m.from?.is_bot, m.text])).toEqual([
      [1, false, '/start'],
      [2, true, '您好，王科长'],
    ]);
  });

  it('runs an inline keyboard round trip: pressButton → callback handler → answerCallbackQuery + editMessageText', async () => {
    bot.command('case', (ctx) =>
      ctx.reply('YH-2026-000123 待签收', Markup.inlineKeyboard([[Markup.button.callback('签收', 'accept:123')]])),
    );
    bot.action(/^accept:(\d+)$/, async (ctx) => {
      await ctx.answerCbQuery('已签收');
      await ctx.editMessageText(`YH-2026-000${ctx.match[1]} 已签收`);
    });
    launch();
    peer.sendText(1002, '/case');
    const sent = resultOf(await peer.waitFor((c) => c.method === 'sendMessage'));
    expect(sent.reply_markup).toEqual({ inline_keyboard: [[{ text: '签收', callback_data: 'accept:123' }]] });

    const update = peer.pressButton(1002, sent.message_id as number, 'accept:123');
    const answer = await peer.waitFor((c) => c.method === 'answerCallbackQuery');
    expect(answer.params).toMatchObject({ text: '已签收' });
    expect(answer.params.callback_query_id).toBe((update as { callback_query: { id: string } }).callback_query.id);
    const edit = await peer.waitFor((c) => c.method === 'editMessageText');
    expect(edit.status).toBe(200);

    // The edit carried no reply_markup, so Telegram drops the keyboard.
    const [, botMessage] = peer.messages(1002);
    expect(botMessage).toMatchObject({ text: 'YH-2026-000123 已签收' });
    expect(botMessage?.reply_markup).toBeUndefined();
    expect(botMessage?.edit_date).toBeTypeOf('number');
    expect(() => peer.pressButton(1002, sent.message_id as number, 'accept:123')).toThrow(/no button/);
  });

  it('honours offset, limit, timeout and allowed_updates on getUpdates', async () => {
    const started = Date.now();
    const empty = await bot.telegram.callApi('getUpdates', { timeout: 1, offset: 0 });
    expect(empty).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // held for the timeout

    const ids = [peer.sendText(1, 'a'), peer.sendText(1, 'b'), peer.sendText(1, 'c')].map((u) => u.update_id);
    const first = await bot.telegram.callApi('getUpdates', { limit: 2 });
    expect(first.map((u) => u.update_id)).toEqual(ids.slice(0, 2));
    // Without a higher offset nothing is confirmed: the same updates come again.
    const again = await bot.telegram.callApi('getUpdates', { limit: 2 });
    expect(again.map((u) => u.update_id)).toEqual(ids.slice(0, 2));
    const rest = await bot.telegram.callApi('getUpdates', { offset: ids[1]! + 1 });
    expect(rest.map((u) => u.update_id)).toEqual([ids[2]]);
    expect(peer.pendingUpdates()).toBe(1);

    // A waiting long poll is answered as soon as an update arrives.
    const held = bot.telegram.callApi('getUpdates', { offset: ids[2]! + 1, timeout: 30 });
    setTimeout(() => peer.sendText(1, 'd'), 50);
    const late = await held;
    expect(late).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);

    await bot.telegram.callApi('getUpdates', { offset: late[0]!.update_id + 1, allowed_updates: ['callback_query'] });
    peer.sendText(1, 'ignored: not an allowed type');
    const filtered = await bot.telegram.callApi('getUpdates', { timeout: 0 });
    expect(filtered).toEqual([]);
  });

  it('delivers an injected repeat of an update_id once more, as after a crash before confirmation', async () => {
    const handled: number[] = [];
    bot.on('message', (ctx) => {
      handled.push(ctx.update.update_id);
    });
    launch();
    const first = peer.sendText(1003, '投诉');
    await peer.drained();
    peer.injectUpdate(first);
    await peer.drained();
    expect(handled).toEqual([first.update_id, first.update_id]);
  });

  it('keeps up with a burst of updates and drains the queue', async () => {
    bot.on('text', (ctx) => ctx.reply(`收到 ${ctx.message.text}`));
    launch();
    for (let i = 0; i < 300; i++) peer.sendText(2000 + (i % 10), `#${i}`);
    await peer.drained(30_000);
    const replies = peer.calls('sendMessage');
    expect(replies).toHaveLength(300);
    expect(new Set(replies.map((c) => c.params.text)).size).toBe(300);
    // message_id grows per chat: chat 2000 got 30 user messages and 30 replies.
    expect(peer.messages(2000).map((m) => m.message_id)).toEqual(Array.from({ length: 60 }, (_, k) => k + 1));
  });

  it('sends my_chat_member when the user blocks the bot, then answers 403', async () => {
    const statuses: string[] = [];
    bot.on('my_chat_member', (ctx) => {
      statuses.push(ctx.myChatMember.new_chat_member.status);
    });
    launch();
    peer.sendText(1004, '/start');
    peer.block(1004);
    await peer.drained();
    expect(statuses).toEqual(['kicked']);

    const err = await apiError(bot.telegram.sendMessage(1004, '您的投诉已受理'));
    expect(err.code).toBe(403);
    expect(err.description).toBe('Forbidden: bot was blocked by the user');
    expect(() => peer.sendText(1004, 'hi')).toThrow(/blocked/);

    peer.block(1004, false);
    await expect(bot.telegram.sendMessage(1004, '欢迎回来')).resolves.toMatchObject({ text: '欢迎回来' });
  });
});

describe('errors exactly like Telegram', () => {
  beforeEach(() => {
    peer.registerChat(7);
  });

  it('refuses an identical edit with 400 "message is not modified"', async () => {
    const keyboard = Markup.inlineKeyboard([Markup.button.callback('办结', 'close:1')]);
    const message = await bot.telegram.sendMessage(7, '待办结', keyboard);
    const err = await apiError(bot.telegram.editMessageText(7, message.message_id, undefined, '待办结', keyboard));
    expect(err.code).toBe(400);
    expect(err.description).toBe(
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    const markupErr = await apiError(bot.telegram.editMessageReplyMarkup(7, message.message_id, undefined, keyboard.reply_markup));
    expect(markupErr.description).toMatch(/^Bad Request: message is not modified/);
    // Changing only the keyboard is a modification.
    await expect(bot.telegram.editMessageReplyMarkup(7, message.message_id, undefined, undefined)).resolves.toMatchObject({
      text: '待办结',
    });
    const notFound = await apiError(bot.telegram.editMessageText(7, 999, undefined, 'x'));
    expect(notFound.description).toBe('Bad Request: message to edit not found');
  });

  it('surfaces 429 with parameters.retry_after from rateLimit and failNext', async () => {
    peer.rateLimit({ retryAfter: 7, everyN: 2 });
    await expect(bot.telegram.sendMessage(7, '第一条')).resolves.toBeDefined();
    const err = await apiError(bot.telegram.sendMessage(7, '第二条'));
    expect(err.code).toBe(429);
    expect(err.description).toBe('Too Many Requests: retry after 7');
    expect(err.parameters?.retry_after).toBe(7);
    peer.rateLimit(null);
    await expect(bot.telegram.sendMessage(7, '第三条')).resolves.toBeDefined();

    peer.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 3', retryAfter: 3 }, 2);
    for (let i = 0; i < 2; i++) {
      const injected = await apiError(bot.telegram.sendMessage(7, 'x'));
      expect(injected.parameters?.retry_after).toBe(3);
    }
    await expect(bot.telegram.sendMessage(7, 'y')).resolves.toBeDefined();
    expect(peer.calls('sendMessage').map((c) => c.status)).toEqual([200, 429, 200, 429, 429, 200]);
  });

  it('rejects callback_data over 64 bytes with BUTTON_DATA_INVALID (bytes, not characters)', async () => {
    const longChinese = '办'.repeat(22); // 22 characters, 66 bytes in UTF-8
    const err = await apiError(
      bot.telegram.sendMessage(7, '请选择', Markup.inlineKeyboard([Markup.button.callback('选', longChinese)])),
    );
    expect(err.code).toBe(400);
    expect(err.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    await expect(
      bot.telegram.sendMessage(7, '请选择', Markup.inlineKeyboard([Markup.button.callback('选', '办'.repeat(21))])),
    ).resolves.toBeDefined();
  });

  it('validates text, chat and length like Telegram', async () => {
    const cases: [Promise<unknown>, number, string][] = [
      [bot.telegram.sendMessage(7, ''), 400, 'Bad Request: message text is empty'],
      [bot.telegram.sendMessage(7, '   \n '), 400, 'Bad Request: message text is empty'],
      [bot.telegram.sendMessage(31337, 'hi'), 400, 'Bad Request: chat not found'],
      [bot.telegram.sendMessage(7, '长'.repeat(4097)), 400, 'Bad Request: message is too long'],
      [bot.telegram.sendChatAction(7, 'dancing' as 'typing'), 400, 'Bad Request: wrong parameter action in request'],
      [bot.telegram.deleteMessage(7, 4242), 400, 'Bad Request: message to delete not found'],
      [bot.telegram.getFile('nope'), 400, 'Bad Request: invalid file_id'],
      [
        bot.telegram.answerCbQuery('12345'),
        400,
        'Bad Request: query is too old and response timeout expired or query ID is invalid',
      ],
    ];
    for (const [promise, code, description] of cases) {
      const err = await apiError(promise);
      expect([err.code, err.description]).toEqual([code, description]);
    }
    await expect(bot.telegram.sendMessage(7, '长'.repeat(4096))).resolves.toBeDefined();
    const sent = await bot.telegram.sendMessage(7, '短');
    const tooLong = await apiError(bot.telegram.editMessageText(7, sent.message_id, undefined, '长'.repeat(4097)));
    expect(tooLong.description).toBe('Bad Request: MESSAGE_TOO_LONG');
  });

  it('parses HTML and MarkdownV2 into entities and reports formatting mistakes', async () => {
    const html = await bot.telegram.sendMessage(7, '  <b>案件</b> &lt;YH&gt; <a href="https://example.org/c?a=1&amp;b=2">详情</a>\n', {
      parse_mode: 'HTML',
    });
    expect(html.text).toBe('案件 <YH> 详情');
    expect(html.entities).toEqual([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'text_link', offset: 8, length: 2, url: 'https://example.org/c?a=1&b=2' },
    ]);
    const badTag = await apiError(bot.telegram.sendMessage(7, '面积 <br> 100㎡', { parse_mode: 'HTML' }));
    expect(badTag.description).toBe(`Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 7`);
    const unclosed = await apiError(bot.telegram.sendMessage(7, '<b>加粗', { parse_mode: 'HTML' }));
    expect(unclosed.description).toBe(`Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`);

    const md = await bot.telegram.sendMessage(7, '*编号* YH\\-2026\\-000123', { parse_mode: 'MarkdownV2' });
    expect(md.text).toBe('编号 YH-2026-000123');
    expect(md.entities).toEqual([{ type: 'bold', offset: 0, length: 2 }]);
    const reserved = await apiError(bot.telegram.sendMessage(7, '编号 YH-2026', { parse_mode: 'MarkdownV2' }));
    expect(reserved.description).toBe(
      `Bad Request: can't parse entities: Character '-' is reserved and must be escaped with the preceding '\\'`,
    );
  });
});

describe('files', () => {
  beforeEach(() => {
    peer.registerChat(8);
  });

  it('takes a photo upload as multipart and serves the same bytes through getFile and the file URL', async () => {
    const message = await bot.telegram.sendPhoto(8, { source: PNG_2X1 }, {
      caption: '<b>现场照片</b>',
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([Markup.button.callback('查看', 'view:1')]),
    });
    const call = peer.calls('sendPhoto')[0]!;
    expect(call.params.photo).toMatchObject({ size: PNG_2X1.length });
    expect(call.params.reply_markup).toEqual({ inline_keyboard: [[{ text: '查看', callback_data: 'view:1', hide: false }]] });
    expect(message.caption).toBe('现场照片');
    expect(message.caption_entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
    const largest = message.photo.at(-1)!;
    expect(largest).toMatchObject({ width: 2, height: 1, file_size: PNG_2X1.length });

    const file = await bot.telegram.getFile(largest.file_id);
    expect(file.file_path).toMatch(/^photos\/file_\d+\.jpg$/);
    const link = await bot.telegram.getFileLink(largest.file_id);
    expect(link.href.startsWith(`${peer.apiRoot}/file/bot${peer.token}/`)).toBe(true);
    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG_2X1)).toBe(true);
    expect(peer.uploadedFile(largest.file_id)?.equals(PNG_2X1)).toBe(true);

    const notAPicture = await apiError(bot.telegram.sendPhoto(8, { source: Buffer.from('not an image') }));
    expect(notAPicture.description).toBe('Bad Request: IMAGE_PROCESS_FAILED');
    const missing = await fetch(`${peer.apiRoot}/file/bot${peer.token}/photos/none.jpg`);
    expect(missing.status).toBe(404);
  });

  it('sends documents, reuses file_ids, and lets the bot fetch what a user sent', async () => {
    const xlsx = Buffer.from('PK\u0003\u0004 pretend workbook');
    const doc = await bot.telegram.sendDocument(8, { source: xlsx, filename: '附件2-台账.xlsx' });
    expect(doc.document).toMatchObject({
      file_name: '附件2-台账.xlsx',
      mime_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      file_size: xlsx.length,
    });
    const again = await bot.telegram.sendDocument(8, doc.document.file_id);
    expect(again.document.file_id).toBe(doc.document.file_id);

    const fromUser = peer.sendPhotoFromUser(8, '楼道堆物', PNG_2X1);
    const photo = (fromUser as { message: { photo: { file_id: string }[] } }).message.photo.at(-1)!;
    const link = await bot.telegram.getFileLink(photo.file_id);
    expect(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(PNG_2X1)).toBe(true);

    const album = await bot.telegram.sendMediaGroup(8, [
      { type: 'photo', media: { source: PNG_2X1 }, caption: '一' },
      { type: 'photo', media: photo.file_id },
    ]);
    expect(album).toHaveLength(2);
    expect(album[0]!.media_group_id).toBeDefined();
    expect(album[0]!.media_group_id).toBe(album[1]!.media_group_id);
    expect(album.map((m) => m.message_id)).toEqual([album[0]!.message_id, album[0]!.message_id + 1]);
    expect((album[1] as { photo: { file_id: string }[] }).photo.at(-1)!.file_id).toBe(photo.file_id);
  });
});

describe('bot settings and chat methods', () => {
  it('stores commands per scope, answers getChat, sendChatAction and deleteMessage', async () => {
    peer.sendText(9, '你好', { first_name: '李', last_name: '四', username: 'lisi' });
    await bot.telegram.setMyCommands([{ command: 'start', description: '开始' }, { command: 'mine', description: '我的案件' }]);
    await bot.telegram.setMyCommands([{ command: 'admin', description: '管理' }], { scope: { type: 'chat', chat_id: 9 } });
    expect((await bot.telegram.getMyCommands()).map((c) => c.command)).toEqual(['start', 'mine']);
    expect((await bot.telegram.getMyCommands({ scope: { type: 'chat', chat_id: 9 } })).map((c) => c.command)).toEqual(['admin']);
    const invalid = await apiError(bot.telegram.setMyCommands([{ command: 'Bad-Command', description: 'x' }]));
    expect(invalid.description).toBe('Bad Request: BOT_COMMAND_INVALID');

    await expect(bot.telegram.getChat(9)).resolves.toMatchObject({ id: 9, type: 'private', first_name: '李', username: 'lisi' });
    await expect(bot.telegram.sendChatAction(9, 'typing')).resolves.toBe(true);
    const m = await bot.telegram.sendMessage(9, '临时');
    await expect(bot.telegram.deleteMessage(9, m.message_id)).resolves.toBe(true);
    expect(peer.messages(9).map((x) => x.text)).toEqual(['你好']);
  });
});

describe('fault injection', () => {
  beforeEach(() => {
    peer.registerChat(10);
  });

  it('afterApply performs the call but loses the answer; dropConnection fails at the transport', async () => {
    peer.failNext('sendMessage', { code: 502, description: 'Bad Gateway', afterApply: true });
    const err = await apiError(bot.telegram.sendMessage(10, '已转办'));
    expect(err.code).toBe(502);
    expect(peer.messages(10).map((m) => m.text)).toEqual(['已转办']); // delivered although the bot saw an error

    peer.failNext('sendMessage', { code: 0, description: '', dropConnection: true });
    const dropped = await bot.telegram.sendMessage(10, 'x').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(dropped).toBeInstanceOf(Error);
    expect(dropped).not.toBeInstanceOf(TelegramError);
    await expect(bot.telegram.sendMessage(10, '恢复')).resolves.toMatchObject({ text: '恢复' });
  });
});

describe('webhook mode', () => {
  it('POSTs updates to a loopback webhook with the secret and runs methods from the webhook reply', async () => {
    bot.start((ctx) => ctx.reply('webhook 您好'));
    bot.action('ok', (ctx) => ctx.answerCbQuery('好的')); // answerCallbackQuery travels in the webhook response
    webhookServer = createServer(bot.webhookCallback('/hook', { secretToken: 's3cret' }));
    await new Promise<void>((resolve) => webhookServer!.listen(0, '127.0.0.1', resolve));
    const { port } = webhookServer.address() as AddressInfo;
    await bot.telegram.setWebhook(`http://127.0.0.1:${port}/hook`, { secret_token: 's3cret' });
    expect(peer.webhook()).toEqual({ url: `http://127.0.0.1:${port}/hook`, secretToken: 's3cret' });

    const conflict = await apiError(bot.telegram.callApi('getUpdates', {}));
    expect(conflict.code).toBe(409);

    peer.sendText(11, '/start');
    await peer.waitFor((c) => c.method === 'sendMessage');
    const sent = peer.messages(11).at(-1)!;
    expect(sent.text).toBe('webhook 您好');

    const withKeyboard = await bot.telegram.sendMessage(11, '确认?', Markup.inlineKeyboard([Markup.button.callback('好', 'ok')]));
    peer.pressButton(11, withKeyboard.message_id, 'ok');
    const answer = await peer.waitFor((c) => c.method === 'answerCallbackQuery');
    expect(answer.viaWebhookReply).toBe(true);
    expect(answer.status).toBe(200);
    await peer.drained();

    const offBox = await apiError(bot.telegram.setWebhook('https://example.org/hook'));
    expect(offBox.code).toBe(400);
    await bot.telegram.deleteWebhook();
    expect(peer.webhook()).toBeUndefined();
  });
});
