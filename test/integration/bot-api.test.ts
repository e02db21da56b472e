// The loopback Bot API stand-in driven by a real, unmodified telegraf over HTTP: what the officer bot relies on
// (long polling, plain-text messages with inline keyboards, callbacks, edits, uploads, getFile) and the errors it
// must handle, with Telegram's texts. Formatting and unused methods are refused, so that is checked too.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Markup, Telegraf, TelegramError } from 'telegraf';
import { startBotApi, type BotApiPeer, type RecordedCall } from '../support/bot-api.ts';

// A real 2×1 PNG (IHDR says 2 wide, 1 high); Telegram refuses photos that are not pictures.
const PNG_2X1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000010806000000f478d4fa0000000d4944415478da63f8cfc0f01f0005000201a3e1e0d20000000049454e44ae426082',
  'hex',
);
// Only a PNG header saying 200×100: enough for the stand-in, which reads sizes and does not decode.
const PNG_200X100 = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000c8000000640806000000', 'hex'), Buffer.alloc(16)]);

let peer: BotApiPeer;
let bot: Telegraf;
let polling: Promise<void> | undefined;

beforeEach(async () => {
  peer = await startBotApi();
  bot = new Telegraf(peer.token, { telegram: { apiRoot: peer.apiRoot } });
  polling = undefined;
});

afterEach(async () => {
  if (polling) {
    bot.stop('test over');
    await polling; // resolves once telegraf's polling loop has really ended
  }
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
    expect(peer.bot).toMatchObject({ id: me.id, username: me.username });

    const stranger = new Telegraf('987654321:wrong-token', { telegram: { apiRoot: peer.apiRoot } });
    const err = await apiError(stranger.telegram.getMe());
    expect(err.code).toBe(401);
    expect(err.description).toBe('Unauthorized');
  });

  it('setWebhook wants https and a plain secret; deleteWebhook says whether there was one', async () => {
    expect(await apiError(bot.telegram.setWebhook('http://127.0.0.1:1/hook'))).toMatchObject({ code: 400, description: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook' });
    expect(await apiError(bot.telegram.setWebhook('https://127.0.0.1:1/hook', { secret_token: 'no spaces allowed' }))).toMatchObject({
      code: 400,
      description: 'Bad Request: bad webhook: secret token contains unallowed characters',
    });
    const del = () => fetch(`${peer.apiRoot}/bot${peer.token}/deleteWebhook`, { method: 'POST' }).then((r) => r.json() as Promise<{ description: string }>);
    expect((await del()).description).toBe('Webhook is already deleted');
    await expect(bot.telegram.setWebhook('https://127.0.0.1:1/hook')).resolves.toBe(true);
    expect(peer.webhook()).toMatchObject({ url: 'https://127.0.0.1:1/hook', pending_update_count: 0 });
    expect((await del()).description).toBe('Webhook was deleted');
    expect(peer.webhook().url).toBe('');
  });

  it('answers methods the bot does not use with 404 Not Found, and records every call', async () => {
    peer.registerChat(5);
    // Some real methods on purpose: the stand-in covers only what the bot calls.
    for (const method of ['sendTelepathy', 'deleteMessage', 'sendMediaGroup', 'banChatMember', 'getChat']) {
      const err = await apiError(bot.telegram.callApi(method as 'getMe', { chat_id: 5, message_id: 1 } as never));
      expect([method, err.code, err.description]).toEqual([method, 404, 'Not Found']);
    }
    // Method names are case-insensitive (Bot API "Making requests").
    await expect(bot.telegram.callApi('SendMessage' as 'sendMessage', { chat_id: 5, text: '大小写' })).resolves.toMatchObject({
      text: '大小写',
    });
    // Outside /bot<token>/<method>, and a body that is not JSON.
    expect((await fetch(`${peer.apiRoot}/v2/${peer.token}/getMe`)).status).toBe(404);
    const badJson = await fetch(`${peer.apiRoot}/bot${peer.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"chat_id": 5,',
    });
    expect([badJson.status, await badJson.json()]).toEqual([
      400,
      { ok: false, error_code: 400, description: "Bad Request: can't parse JSON object" },
    ]);
    expect(peer.sent.map((c) => `${c.method}:${c.status}`)).toEqual([
      'sendTelepathy:404',
      'deleteMessage:404',
      'sendMediaGroup:404',
      'banChatMember:404',
      'getChat:404',
      'SendMessage:200',
      'sendMessage:400',
    ]);
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
    expect(message).toMatchObject({ message_id: 2, text: '您好，王科长', chat: { id: 1001, type: 'private', first_name: '王科长' } });
    expect(message.from).toMatchObject({ is_bot: true, username: 'wuye_test_bot' });
    expect(message.date).toBeTypeOf('number');
    expect(peer.messages(1001).map((m) => [m.message_id, m.from?.is_bot, m.text])).toEqual([
      [1, false, '/start'],
      [2, true, '您好，王科长'],
    ]);
    // telegraf's launch: getMe, then deleteWebhook (answered as Telegram does when none is set).
    expect(peer.calls('deleteWebhook')[0]?.response).toEqual({ ok: true, result: true, description: 'Webhook is already deleted' });
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
    // Telegram echoes only the button fields it knows: telegraf's `hide` is gone.
    expect(sent.reply_markup).toEqual({ inline_keyboard: [[{ text: '签收', callback_data: 'accept:123' }]] });

    const update = peer.pressButton(1002, sent.message_id as number, 'accept:123');
    const queryId = (update as { callback_query: { id: string; message: { message_id: number } } }).callback_query;
    expect(queryId.message.message_id).toBe(sent.message_id);
    const answer = await peer.waitFor((c) => c.method === 'answerCallbackQuery');
    expect(answer.params).toMatchObject({ text: '已签收', callback_query_id: queryId.id });
    expect(answer.status).toBe(200);
    const edit = await peer.waitFor((c) => c.method === 'editMessageText');
    expect(edit.status).toBe(200);

    // The edit carried no reply_markup, so Telegram drops the keyboard.
    const [, botMessage] = peer.messages(1002);
    expect(botMessage).toMatchObject({ text: 'YH-2026-000123 已签收' });
    expect(botMessage?.reply_markup).toBeUndefined();
    expect(botMessage?.edit_date).toBeTypeOf('number');
    expect(() => peer.pressButton(1002, sent.message_id as number, 'accept:123')).toThrow(/no button/);

    // A query is answered once; a second answer is refused like an expired one.
    const again = await apiError(bot.telegram.answerCbQuery(queryId.id, '再次'));
    expect(again.description).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');
  });

  it('honours offset, limit, timeout and allowed_updates on getUpdates', async () => {
    const started = Date.now();
    const empty = await bot.telegram.callApi('getUpdates', { timeout: 1, offset: 0 });
    expect(empty).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // held for the timeout

    const updates = [peer.sendText(1, 'a'), peer.sendText(1, 'b'), peer.sendText(1, 'c')];
    const ids = updates.map((u) => u.update_id);
    expect(ids[1]).toBe(ids[0]! + 1);
    const first = await bot.telegram.callApi('getUpdates', { limit: 2 });
    expect(first.map((u) => u.update_id)).toEqual(ids.slice(0, 2));
    // Without a higher offset nothing is confirmed: the same updates come again.
    const again = await bot.telegram.callApi('getUpdates', { limit: 2 });
    expect(again.map((u) => u.update_id)).toEqual(ids.slice(0, 2));
    // An offset confirms only the updates below it: b was delivered but not confirmed, so it comes again.
    const fromB = await bot.telegram.callApi('getUpdates', { offset: ids[0]! + 1 });
    expect(fromB.map((u) => u.update_id)).toEqual(ids.slice(1));
    const rest = await bot.telegram.callApi('getUpdates', { offset: ids[1]! + 1 });
    expect(rest.map((u) => u.update_id)).toEqual([ids[2]]);
    // Confirmed ones are gone for good.
    const stillThere = await bot.telegram.callApi('getUpdates', { timeout: 0 });
    expect(stillThere.map((u) => u.update_id)).toEqual([ids[2]]);
    await expect(bot.telegram.callApi('getUpdates', { offset: ids[2]! + 1 })).resolves.toEqual([]);
    // A replayed old update_id (redelivery after a crash) is still delivered once, though below the offset.
    peer.injectUpdate(updates[0]!);
    const replay = await bot.telegram.callApi('getUpdates', { offset: ids[2]! + 1 });
    expect(replay.map((u) => u.update_id)).toEqual([ids[0]]);

    // A waiting long poll is answered as soon as an update arrives: held for up to 10 minutes otherwise, far beyond
    // this test's own time limit, so an answer at all shows it came on arrival.
    const held = bot.telegram.callApi('getUpdates', { offset: ids[2]! + 1, timeout: 600 });
    setTimeout(() => peer.sendText(1, 'd'), 50);
    const late = await held;
    expect(late).toHaveLength(1);
    expect((late[0] as { message: { text: string } }).message.text).toBe('d');

    await bot.telegram.callApi('getUpdates', { offset: late[0]!.update_id + 1, allowed_updates: ['callback_query'] });
    peer.sendText(1, 'ignored: not an allowed type');
    const filtered = await bot.telegram.callApi('getUpdates', { timeout: 0 });
    expect(filtered).toEqual([]);
  });

  it('ends an older long poll with 409 when another getUpdates starts, as with two bot instances', async () => {
    const older = bot.telegram.callApi('getUpdates', { timeout: 10 });
    await new Promise((r) => setTimeout(r, 200)); // let the first request reach the peer
    await expect(bot.telegram.callApi('getUpdates', { timeout: 0 })).resolves.toEqual([]);
    const err = await apiError(older);
    expect(err.code).toBe(409);
    expect(err.description).toBe('Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    expect(peer.calls('getUpdates').map((c) => c.status).sort()).toEqual([200, 409]);
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

  it('sends my_chat_member when the user blocks the bot, then answers sends and edits with 403', async () => {
    const statuses: string[] = [];
    bot.on('my_chat_member', (ctx) => {
      statuses.push(ctx.myChatMember.new_chat_member.status);
    });
    launch();
    peer.registerChat(1004);
    const card = await bot.telegram.sendMessage(1004, '案件卡片');
    peer.block(1004);
    await peer.drained();
    expect(statuses).toEqual(['kicked']);

    const err = await apiError(bot.telegram.sendMessage(1004, '您的投诉已受理'));
    expect([err.code, err.description]).toEqual([403, 'Forbidden: bot was blocked by the user']);
    const editErr = await apiError(bot.telegram.editMessageText(1004, card.message_id, undefined, '新卡片'));
    expect(editErr.code).toBe(403);
    expect(() => peer.sendText(1004, 'hi')).toThrow(/blocked/);

    peer.block(1004, false);
    await peer.drained();
    expect(statuses).toEqual(['kicked', 'member']);
    await expect(bot.telegram.sendMessage(1004, '欢迎回来')).resolves.toMatchObject({ text: '欢迎回来' });
  });
});

describe('errors like Telegram', () => {
  beforeEach(() => {
    peer.registerChat(7);
  });

  it('refuses an identical edit with 400 "message is not modified" and unknown or foreign messages', async () => {
    const keyboard = Markup.inlineKeyboard([Markup.button.callback('办结', 'close:1')]);
    const message = await bot.telegram.sendMessage(7, '待办结', keyboard);
    const err = await apiError(bot.telegram.editMessageText(7, message.message_id, undefined, '待办结', keyboard));
    expect(err.code).toBe(400);
    expect(err.description).toBe(
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    const markupErr = await apiError(bot.telegram.editMessageReplyMarkup(7, message.message_id, undefined, keyboard.reply_markup));
    expect(markupErr.description).toMatch(/^Bad Request: message is not modified/);
    // Changing only the keyboard is a modification; removing it twice is not.
    await expect(bot.telegram.editMessageReplyMarkup(7, message.message_id, undefined, undefined)).resolves.toMatchObject({
      text: '待办结',
    });
    expect(peer.messages(7).at(-1)?.reply_markup).toBeUndefined();
    const twice = await apiError(bot.telegram.editMessageReplyMarkup(7, message.message_id, undefined, undefined));
    expect(twice.description).toMatch(/^Bad Request: message is not modified/);
    // Same text, new keyboard: modified.
    await expect(bot.telegram.editMessageText(7, message.message_id, undefined, '待办结', keyboard)).resolves.toMatchObject({
      reply_markup: { inline_keyboard: [[{ text: '办结', callback_data: 'close:1' }]] },
    });

    const notFound = await apiError(bot.telegram.editMessageText(7, 999, undefined, 'x'));
    expect(notFound.description).toBe('Bad Request: message to edit not found');
    const users = peer.sendText(7, '用户的话') as unknown as { message: { message_id: number } };
    const foreign = await apiError(bot.telegram.editMessageText(7, users.message.message_id, undefined, 'x'));
    expect(foreign.description).toBe("Bad Request: message can't be edited");
  });

  it('surfaces 429 with parameters.retry_after from rateLimit and failNext, and injected 5xx', async () => {
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

    // telegraf reads a 5xx description from the HTTP status text, not the body: the peer carries it there.
    peer.failNext('editMessageText', { code: 502, description: 'Bad Gateway: upstream timed out' });
    const gateway = await apiError(bot.telegram.editMessageText(7, 1, undefined, '改'));
    expect([gateway.code, gateway.description]).toEqual([502, 'Bad Gateway: upstream timed out']);
    // Failed calls change nothing: only the accepted messages are there.
    expect(peer.messages(7).map((m) => m.text)).toEqual(['第一条', '第三条', 'y']);
  });

  it('checks reply_markup: callback_data over 64 bytes, rows that are not arrays, buttons without an action', async () => {
    const longChinese = '办'.repeat(22); // 22 characters, 66 bytes in UTF-8
    const err = await apiError(
      bot.telegram.sendMessage(7, '请选择', Markup.inlineKeyboard([Markup.button.callback('选', longChinese)])),
    );
    expect(err.code).toBe(400);
    expect(err.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    await expect(
      bot.telegram.sendMessage(7, '请选择', Markup.inlineKeyboard([Markup.button.callback('选', '办'.repeat(21))])),
    ).resolves.toBeDefined();

    const flat = await apiError(bot.telegram.sendMessage(7, '请选择', { reply_markup: { inline_keyboard: [{ text: 'a' }] } as never }));
    expect(flat.description).toBe('Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    const plain = await apiError(bot.telegram.sendMessage(7, '请选择', { reply_markup: { inline_keyboard: [[{ text: 'a' }]] } as never }));
    expect(plain.description).toBe("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  });

  it('validates text, chat and length like Telegram (length in characters, after trimming)', async () => {
    const cases: [Promise<unknown>, number, string][] = [
      [bot.telegram.sendMessage(7, ''), 400, 'Bad Request: message text is empty'],
      [bot.telegram.sendMessage(7, '   \n '), 400, 'Bad Request: message text is empty'],
      [bot.telegram.sendMessage(31337, 'hi'), 400, 'Bad Request: chat not found'],
      [bot.telegram.callApi('sendMessage', { text: 'hi' } as never), 400, 'Bad Request: chat_id is empty'],
      [
        bot.telegram.callApi('sendMessage', { chat_id: 7, text: 'hi', reply_markup: '{"inline_keyboard":' } as never),
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
      ],
      [bot.telegram.sendMessage(7, '长'.repeat(4097)), 400, 'Bad Request: message is too long'],
      [bot.telegram.sendMessage(7, '😀'.repeat(4097)), 400, 'Bad Request: message is too long'],
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
    // 4096 characters pass, even when each is two UTF-16 units (Telegram counts code points).
    await expect(bot.telegram.sendMessage(7, '长'.repeat(4096))).resolves.toBeDefined();
    await expect(bot.telegram.sendMessage(7, '😀'.repeat(4096))).resolves.toBeDefined();
    // Surrounding white space is stripped, and a 4096-character text with it still fits.
    await expect(bot.telegram.sendMessage(7, `\n  ${'长'.repeat(4096)}  \n`)).resolves.toMatchObject({ text: '长'.repeat(4096) });
    const sent = await bot.telegram.sendMessage(7, '  短 \n');
    expect(sent.text).toBe('短');
    const tooLong = await apiError(bot.telegram.editMessageText(7, sent.message_id, undefined, '长'.repeat(4097)));
    expect(tooLong.description).toBe('Bad Request: MESSAGE_TOO_LONG');

    // answerCallbackQuery text: 0-200 characters.
    const card = await bot.telegram.sendMessage(7, '卡片', Markup.inlineKeyboard([Markup.button.callback('好', 'ok')]));
    const query = (peer.pressButton(7, card.message_id, 'ok') as unknown as { callback_query: { id: string } }).callback_query.id;
    const longAnswer = await apiError(bot.telegram.answerCbQuery(query, '长'.repeat(201)));
    expect(longAnswer.description).toBe('Bad Request: MESSAGE_TOO_LONG');
    await expect(bot.telegram.answerCbQuery(query, '长'.repeat(200), { show_alert: true })).resolves.toBe(true);
    // Each tap is its own query with its own id.
    const next = (peer.pressButton(7, card.message_id, 'ok') as unknown as { callback_query: { id: string } }).callback_query.id;
    expect(next).not.toBe(query);
    await expect(bot.telegram.answerCbQuery(next)).resolves.toBe(true);
  });

  it('refuses parse_mode and entities instead of pretending to format, and records the attempt', async () => {
    const html = await apiError(bot.telegram.sendMessage(7, '<b>案件</b>', { parse_mode: 'HTML' }));
    expect(html.code).toBe(400);
    expect(html.description).toBe(
      'Bad Request: parse_mode is not supported by the loopback Bot API stand-in (the bot sends plain text)',
    );
    const entities = await apiError(bot.telegram.sendMessage(7, '案件', { entities: [{ type: 'bold', offset: 0, length: 2 }] }));
    expect(entities.description).toMatch(/^Bad Request: entities is not supported/);
    const sent = await bot.telegram.sendMessage(7, '案件');
    const edit = await apiError(bot.telegram.editMessageText(7, sent.message_id, undefined, '*案件*', { parse_mode: 'MarkdownV2' }));
    expect(edit.description).toMatch(/^Bad Request: parse_mode is not supported/);
    expect(peer.messages(7).map((m) => m.text)).toEqual(['案件']);
    expect(peer.sent.filter((c) => c.params.parse_mode !== undefined).map((c) => [c.method, c.params.parse_mode])).toEqual([
      ['sendMessage', 'HTML'],
      ['editMessageText', 'MarkdownV2'],
    ]);
  });
});

describe('files', () => {
  beforeEach(() => {
    peer.registerChat(8);
  });

  it('takes a photo upload as multipart and serves the same bytes through getFile and the file URL', async () => {
    const message = await bot.telegram.sendPhoto(8, { source: PNG_2X1 }, {
      caption: ' 现场照片 ',
      ...Markup.inlineKeyboard([Markup.button.callback('查看', 'view:1')]),
    });
    const call = peer.calls('sendPhoto')[0]!;
    expect(call.params.photo).toMatchObject({ size: PNG_2X1.length });
    expect(call.params.chat_id).toBe(8); // multipart fields arrive as strings and are decoded
    expect(call.params.reply_markup).toEqual({ inline_keyboard: [[{ text: '查看', callback_data: 'view:1', hide: false }]] });
    expect(message.caption).toBe('现场照片');
    expect(message.reply_markup).toEqual({ inline_keyboard: [[{ text: '查看', callback_data: 'view:1' }]] });
    expect(message.photo).toHaveLength(1); // no thumbnail for a picture under 90 px
    const largest = message.photo.at(-1)!;
    expect(largest).toMatchObject({ width: 2, height: 1, file_size: PNG_2X1.length });

    const file = await bot.telegram.getFile(largest.file_id);
    expect(file).toMatchObject({ file_id: largest.file_id, file_size: PNG_2X1.length });
    expect(file.file_path).toMatch(/^photos\/file_\d+\.jpg$/);
    const link = await bot.telegram.getFileLink(largest.file_id);
    expect(link.href).toBe(`${peer.apiRoot}/file/bot${peer.token}/${file.file_path}`);
    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG_2X1)).toBe(true);

    const notAPicture = await apiError(bot.telegram.sendPhoto(8, { source: Buffer.from('not an image') }));
    expect(notAPicture.description).toBe('Bad Request: IMAGE_PROCESS_FAILED');
    expect((await fetch(`${peer.apiRoot}/file/bot${peer.token}/photos/none.jpg`)).status).toBe(404);
    expect((await fetch(`${peer.apiRoot}/file/bot987654321:wrong/${file.file_path}`)).status).toBe(404);
  });

  it('sends documents, resends file_ids, and lets the bot fetch the largest size of a photo a user sent', async () => {
    const xlsx = Buffer.from('PK\u0003\u0004 pretend workbook');
    const doc = await bot.telegram.sendDocument(8, { source: xlsx, filename: '附件2-台账.xlsx' });
    expect(doc.document).toMatchObject({
      file_name: '附件2-台账.xlsx',
      mime_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      file_size: xlsx.length,
    });
    const again = await bot.telegram.sendDocument(8, doc.document.file_id);
    expect(again.document.file_id).toBe(doc.document.file_id);

    // Telegram lists a photo's sizes smallest first: the bot must take the last one.
    const fromUser = peer.sendPhotoFromUser(8, '楼道堆物', PNG_200X100);
    const sizes = (fromUser as { message: { photo: { file_id: string; width: number; height: number }[] } }).message.photo;
    expect(sizes.map((s) => [s.width, s.height])).toEqual([
      [90, 45],
      [200, 100],
    ]);
    const largest = sizes.at(-1)!;
    const link = await bot.telegram.getFileLink(largest.file_id);
    expect(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(PNG_200X100)).toBe(true);

    // `/case` shows an officer's photo again by its file_id.
    const resent = await bot.telegram.sendPhoto(8, largest.file_id, { caption: '现场.jpg' });
    expect(resent.photo.at(-1)!.file_id).toBe(largest.file_id);
    const unknown = await apiError(bot.telegram.sendPhoto(8, 'AgACAgUAAxkBAAnope'));
    expect(unknown.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
  });

  it('enforces the documented limits and checks of uploads, captions and getFile', async () => {
    const cases: [Promise<unknown>, number, string][] = [
      [bot.telegram.sendPhoto(8, ''), 400, 'Bad Request: there is no photo in the request'],
      [bot.telegram.sendDocument(8, { source: Buffer.alloc(0), filename: 'empty.txt' }), 400, 'Bad Request: file must be non-empty'],
      [
        bot.telegram.sendPhoto(8, { source: PNG_2X1 }, { caption: '说'.repeat(1025) }),
        400,
        'Bad Request: message caption is too long',
      ],
      // 50 MB for files sent by bots.
      [
        bot.telegram.sendDocument(8, { source: Buffer.alloc(50 * 1024 * 1024 + 1), filename: 'big.bin' }),
        413,
        'Request Entity Too Large',
      ],
    ];
    for (const [promise, code, description] of cases) {
      const err = await apiError(promise);
      expect([err.code, err.description]).toEqual([code, description]);
    }
    const photo = await bot.telegram.sendPhoto(8, { source: PNG_2X1 }, { caption: '说'.repeat(1024) });
    const noText = await apiError(bot.telegram.editMessageText(8, photo.message_id, undefined, '改'));
    expect(noText.description).toBe('Bad Request: there is no text in the message to edit');

    // getFile serves at most 20 MB to bots; the bot must cope with the refusal.
    const big = peer.sendDocumentFromUser(8, Buffer.alloc(20 * 1024 * 1024 + 1), 'scan.pdf') as unknown as {
      message: { document: { file_id: string; mime_type: string } };
    };
    expect(big.message.document.mime_type).toBe('application/pdf');
    const tooBig = await apiError(bot.telegram.getFile(big.message.document.file_id));
    expect(tooBig.description).toBe('Bad Request: file is too big');
    expect(peer.messages(8).map((m) => m.message_id)).toEqual([photo.message_id, photo.message_id + 1]);
  });
});

describe('bot settings', () => {
  it('accepts setMyCommands with valid names and records them; refuses invalid ones', async () => {
    const commands = [
      { command: 'start', description: '开始' },
      { command: 'tasks', description: '我的待办' },
    ];
    await expect(bot.telegram.setMyCommands(commands)).resolves.toBe(true);
    expect(peer.calls('setMyCommands')[0]?.params.commands).toEqual(commands);
    const invalid = await apiError(bot.telegram.setMyCommands([{ command: 'Bad-Command', description: 'x' }]));
    expect(invalid.description).toBe('Bad Request: BOT_COMMAND_INVALID');
  });
});
