// A loopback stand-in for the Telegram Bot API (https://core.telegram.org/bots/api) for integration tests and
// benchmarks. telegraf talks to it unmodified through `apiRoot`; the test side plays the officers (sendText,
// pressButton, sendPhotoFromUser, block, …) and inspects what the bot did (sent, calls, messages, waitFor).
//
// Covered: the methods the bot calls (src/bot, the outbox worker, `wuye doctor`) and those telegraf calls for it,
// with the documented shapes, error texts and HTTP status = error_code:
//   getUpdates — long polling with offset (confirms), limit, timeout, allowed_updates; a newer poller ends the older
//     one with 409, as when two instances run; getMe; deleteWebhook; setMyCommands; sendMessage; sendPhoto and
//     sendDocument (multipart upload or a known file_id); editMessageText; editMessageReplyMarkup;
//     answerCallbackQuery; getFile and the file download URL.
//   setWebhook / deleteWebhook / getWebhookInfo — webhook delivery: each update POSTed as JSON (one at a time, in
//     order) with X-Telegram-Bot-Api-Secret-Token, confirmed by a 2xx answer, retried after a failure (last error in
//     getWebhookInfo); a method in the answer's body is carried out as Telegram does a webhook reply; getUpdates
//     answers 409 while a webhook is set. The body goes out in two writes cut inside a multi-byte character, as TCP
//     may cut it. Delivery is plain HTTP to the URL's host and port: it stands in for Telegram plus the reverse proxy
//     that terminates TLS in front of `bot.webhook.listen`; the port rule (443, 80, 88, 8443) is not enforced, so a
//     test can listen on a free port.
//   The errors the bot must survive: 400 message is not modified, message to edit not found, chat not found, message
//   text is empty, message is too long, BUTTON_DATA_INVALID, query is too old; 403 bot was blocked by the user;
//   429 with parameters.retry_after (rateLimit, failNext); 401 for a wrong token.
//
// Deliberately not covered: any other method answers 404 Not Found, as Telegram does for an unknown one. No
// custom webhook certificates, ip_address or max_connections (one delivery in flight). No formatting: the bot sends plain text, so
// parse_mode / entities / caption_entities are refused with a 400 naming this stand-in — storing the raw markup as
// if it had been rendered would let a test pass on text no user would see. Other optional parameters (replies, link
// previews, …) are recorded but have no effect. No image resizing (a photo's thumbnail holds the original bytes) and
// no automatic url/mention entities in the bot's texts.

import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import libmime from 'libmime';
import type { Update } from 'telegraf/types';

// ───────────────────────────── Telegram object shapes (loose on purpose: tests read them) ─────────────────────────────

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  first_name?: string;
  last_name?: string;
  username?: string;
  title?: string;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
}

export interface InlineKeyboardButton {
  text: string;
  callback_data?: string;
  [other: string]: unknown;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size: number;
}

export interface DocumentInfo {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size: number;
}

/** A Message object as the server holds it (its current state, after edits). */
export interface BotMessage {
  message_id: number;
  date: number;
  chat: TgChat;
  from?: TgUser;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  photo?: PhotoSize[];
  document?: DocumentInfo;
  reply_markup?: InlineKeyboardMarkup;
  edit_date?: number;
}

export type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

/** One method call as the bot made it. `params` are normalised: numbers, booleans and JSON fields decoded. */
export interface RecordedCall {
  seq: number;
  method: string;
  params: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  status: number;
  response: ApiResponse;
  /** Carried out from the body of the bot's answer to a webhook delivery, not called over HTTP. */
  viaWebhookReply?: boolean;
}

/** A multipart file part, as it appears in RecordedCall.params (the bytes are kept by the peer). */
export interface UploadedPart {
  filename: string;
  contentType: string;
  size: number;
}

export interface InjectedError {
  code: number;
  description: string;
  retryAfter?: number;
}

export interface BotApiOptions {
  token?: string;
  /** First wait before a failed webhook delivery is tried again (doubling up to 2 s); Telegram's own is longer. */
  webhookRetryMs?: number;
}

/** getWebhookInfo's WebhookInfo (the fields this peer keeps). */
export interface WebhookInfo {
  url: string;
  has_custom_certificate: boolean;
  pending_update_count: number;
  last_error_date?: number;
  last_error_message?: string;
  allowed_updates?: string[];
}

export interface BotApiPeer {
  apiRoot: string;
  token: string;
  bot: TgUser;
  /** Every method call the bot made, in answer order (getUpdates included). */
  sent: RecordedCall[];
  /** Makes a chat known without a message from the user (otherwise "chat not found"). */
  registerChat(chatId: number, from?: Partial<TgUser>): TgChat;
  /** A user writes to the bot; the update is queued for getUpdates. */
  sendText(chatId: number, text: string, from?: Partial<TgUser>): Update;
  sendPhotoFromUser(chatId: number, caption?: string, bytes?: Buffer, from?: Partial<TgUser>): Update;
  sendDocumentFromUser(
    chatId: number,
    bytes: Buffer,
    fileName: string,
    opts?: { caption?: string; mimeType?: string; from?: Partial<TgUser> },
  ): Update;
  /** A user taps an inline button of a bot message. Throws when the message has no such button unless `force`. */
  pressButton(
    chatId: number,
    messageId: number,
    data: string,
    opts?: { from?: Partial<TgUser>; force?: boolean },
  ): Update;
  /** Raw update (update_id assigned when missing), e.g. a forged callback or a repeated update_id. */
  injectUpdate(update: object): void;
  /** Current messages of a chat (user's and bot's), oldest first. */
  messages(chatId: number): BotMessage[];
  /** Recorded calls of one method. */
  calls(method: string): RecordedCall[];
  /** Resolves with the first recorded call (already made or future) matching `pred`. */
  waitFor(pred: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Resolves once every queued update has been delivered and confirmed. */
  drained(timeoutMs?: number): Promise<void>;
  /** The next `times` calls of `method` fail with this error. */
  failNext(method: string, error: InjectedError, times?: number): void;
  /** Every `everyN`-th call (getUpdates exempt) gets 429 `retry after N`; null switches it off. */
  rateLimit(opts: { retryAfter: number; everyN?: number } | null): void;
  /** The user blocks (or unblocks) the bot: sends answer 403 and a my_chat_member update is queued. */
  block(chatId: number, blocked?: boolean): void;
  /** The webhook as getWebhookInfo reports it, with the number of updates delivered through it. */
  webhook(): WebhookInfo & { delivered: number };
  close(): Promise<void>;
}

// ───────────────────────────── Errors ─────────────────────────────

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const BLOCKED = 'Forbidden: bot was blocked by the user';
const POLL_CONFLICT = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const WEBHOOK_CONFLICT = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

// ───────────────────────────── Parameters and texts ─────────────────────────────

type Params = Record<string, unknown>;

const NUMERIC_PARAMS = new Set(['chat_id', 'message_id', 'offset', 'limit', 'timeout']);
const JSON_PARAMS = new Set(['reply_markup', 'allowed_updates', 'commands', 'entities', 'caption_entities']);
const BOOLEAN_PARAMS = new Set(['show_alert', 'drop_pending_updates']);

// Multipart and query-string params arrive as strings; JSON bodies carry them typed (Bot API "Making requests").
function normalizeParams(raw: Params): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string' && NUMERIC_PARAMS.has(key) && /^-?\d+$/.test(value.trim())) {
      params[key] = Number(value);
    } else if (typeof value === 'string' && BOOLEAN_PARAMS.has(key)) {
      params[key] = value === 'true' || value === '1';
    } else if (typeof value === 'string' && JSON_PARAMS.has(key)) {
      try {
        params[key] = JSON.parse(value);
      } catch {
        throw badRequest(key === 'reply_markup' ? "can't parse reply keyboard markup JSON object" : `can't parse ${key} JSON object`);
      }
    } else params[key] = value;
  }
  return params;
}

const optString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** Plain text only: see the header for why formatting is refused instead of ignored. */
function refuseFormatting(p: Params): void {
  for (const key of ['parse_mode', 'entities', 'caption_entities']) {
    if (p[key] !== undefined && p[key] !== '') {
      throw badRequest(`${key} is not supported by the loopback Bot API stand-in (the bot sends plain text)`);
    }
  }
}

/**
 * A text or caption as Telegram stores it: leading and trailing white space stripped, then at most `max` characters
 * (tdlib counts Unicode code points, not UTF-16 units). Returns '' for nothing left.
 */
function plainText(raw: unknown, max: number, tooLong: string): string {
  const text = (optString(raw) ?? '').replace(/^[\s\u200b\u2800]+|[\s\u200b\u2800]+$/gu, '');
  if ([...text].length > max) throw badRequest(tooLong);
  return text;
}

/** bot_command entities for what a user types (telegraf's `bot.command()` matches on them). */
function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const m of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)/g)) {
    entities.push({ type: 'bot_command', offset: (m.index ?? 0) + m[1]!.length, length: m[2]!.length });
  }
  return entities;
}

const INLINE_BUTTON_KINDS = [
  'callback_data', 'url', 'switch_inline_query', 'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat',
  'login_url', 'web_app', 'callback_game', 'pay', 'copy_text',
];

/** Validates reply_markup; returns the inline keyboard to echo in Message.reply_markup (reply keyboards are not). */
function checkReplyMarkup(markup: unknown): InlineKeyboardMarkup | undefined {
  if (markup === undefined) return undefined;
  if (typeof markup !== 'object' || markup === null) throw badRequest("can't parse reply keyboard markup JSON object");
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return undefined;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  }
  return {
    inline_keyboard: (rows as unknown[][]).map((row) =>
      row.map((button) => {
        if (typeof button !== 'object' || button === null || typeof (button as { text?: unknown }).text !== 'string') {
          throw badRequest("can't parse inline keyboard button: Text is not specified");
        }
        const b = button as InlineKeyboardButton;
        if (!INLINE_BUTTON_KINDS.some((kind) => b[kind] !== undefined)) {
          throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
        // callback_data: 1-64 bytes (Bot API InlineKeyboardButton) — bytes, so 22 Chinese characters are too many.
        if (b.callback_data !== undefined) {
          const bytes = Buffer.byteLength(String(b.callback_data), 'utf8');
          if (typeof b.callback_data !== 'string' || bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
        }
        // Telegram echoes only the fields it knows (telegraf's `hide` is dropped, for instance).
        const echoed: InlineKeyboardButton = { text: b.text };
        for (const kind of INLINE_BUTTON_KINDS) {
          if (b[kind] !== undefined) echoed[kind] = structuredClone(b[kind]);
        }
        return echoed;
      }),
    ),
  };
}

// ───────────────────────────── Files ─────────────────────────────

interface FileRecord {
  file_id: string;
  file_unique_id: string;
  bytes: Buffer;
  path: string;
  fileName?: string;
  mimeType?: string;
  width: number;
  height: number;
}

// 1×1 transparent PNG: the default picture a user sends.
const DEFAULT_PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** Width/height from the header of a PNG, JPEG, GIF or WebP; undefined for anything else. */
function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 4) === 'GIF8') {
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  if (bytes.length >= 30 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = bytes.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
    if (chunk === 'VP8L') {
      const bits = bytes.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 9 < bytes.length && bytes[i] === 0xff) {
      const marker = bytes[i + 1]!;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
      }
      i += 2 + bytes.readUInt16BE(i + 2);
    }
    return { width: 0, height: 0 };
  }
  return undefined;
}

// ───────────────────────────── Server state ─────────────────────────────

interface ChatState {
  chat: TgChat;
  user?: TgUser;
  blocked: boolean;
  nextMessageId: number;
  messages: Map<number, BotMessage>;
}

interface QueuedUpdate {
  update: { update_id: number } & Record<string, unknown>;
  delivered: boolean;
}

interface Webhook {
  url: string;
  /** Where deliveries go: the URL's host, port and path over plain HTTP (see the header). */
  target: URL;
  secret: string | undefined;
  busy: boolean;
  timer: NodeJS.Timeout | undefined;
  failures: number;
  lastError?: { date: number; message: string };
}

interface PollWaiter {
  res: ServerResponse;
  /** The client closed the connection (telegraf's bot.stop() aborts its pending getUpdates). */
  gone: boolean;
  record: (status: number, body: ApiResponse) => void;
  limit: number;
  timer: NodeJS.Timeout;
}

type Uploads = Map<string, { part: UploadedPart; bytes: Buffer }>;

// Updates a bot receives when allowed_updates is empty or never set (Bot API getUpdates).
const DEFAULT_EXCLUDED_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const MAX_UPLOAD = 50 * 1024 * 1024; // Bot API: 50 MB for files sent by bots
const MAX_DOWNLOAD = 20 * 1024 * 1024; // Bot API getFile: 20 MB

class LoopbackBotApi {
  readonly token: string;
  readonly bot: TgUser;
  readonly sent: RecordedCall[] = [];
  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, FileRecord>();
  private readonly filesByPath = new Map<string, FileRecord>();
  private readonly callbackQueries = new Map<string, { answered: boolean }>();
  private readonly failures = new Map<string, { error: InjectedError; remaining: number }[]>();
  private readonly callWaiters = new Set<{ pred: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }>();
  private readonly drainWaiters = new Set<() => void>();
  private queue: QueuedUpdate[] = [];
  private head = 0;
  private nextUpdateId = 700_000_001;
  private nextFile = 1;
  private nextCallbackId = 1;
  private seq = 0;
  private allowedUpdates: Set<string> | undefined;
  private poller: PollWaiter | undefined;
  private limiter: { retryAfter: number; everyN: number; count: number } | undefined;
  private closed = false;
  private hook: Webhook | undefined;
  private hookDescription = '';
  private hookDelivered = 0;
  private readonly hookRetryMs: number;

  constructor(opts: BotApiOptions) {
    this.token = opts.token ?? '123456789:AAH-loopback-test-token_0123456789ab';
    this.hookRetryMs = opts.webhookRetryMs ?? 100;
    const botId = Number(this.token.split(':')[0]);
    this.bot = {
      id: Number.isSafeInteger(botId) && botId > 0 ? botId : 123456789,
      is_bot: true,
      first_name: '物业投诉受理台(测试)',
      username: 'wuye_test_bot', // the name test configs give bot.username
    };
  }

  private nowSec(): number {
    return Math.floor(Date.now() / 1000);
  }

  // ── chats and users ──

  private userFor(chatId: number, from?: Partial<TgUser>): TgUser {
    const known = this.chats.get(chatId)?.user;
    const id = from?.id ?? (chatId > 0 ? chatId : Math.abs(chatId) % 1_000_000_000 || 1);
    const base: TgUser =
      known && known.id === id ? known : { id, is_bot: false, first_name: `测试用户${id}`, language_code: 'zh-hans' };
    return from === undefined ? base : { ...base, ...from, id, is_bot: false };
  }

  registerChat(chatId: number, from?: Partial<TgUser>): TgChat {
    const existing = this.chats.get(chatId);
    if (existing) return { ...existing.chat };
    const chat: TgChat =
      chatId > 0
        ? { id: chatId, type: 'private', first_name: from?.first_name ?? `测试用户${chatId}` }
        : { id: chatId, type: chatId <= -1_000_000_000_000 ? 'supergroup' : 'group', title: `测试群${-chatId}` };
    if (chatId > 0 && from?.last_name) chat.last_name = from.last_name;
    if (chatId > 0 && from?.username) chat.username = from.username;
    const state: ChatState = { chat, blocked: false, nextMessageId: 1, messages: new Map() };
    if (chatId > 0) state.user = this.userFor(chatId, from);
    this.chats.set(chatId, state);
    return { ...chat };
  }

  private chatFromUser(chatId: number, from?: Partial<TgUser>): { state: ChatState; user: TgUser } {
    if (!Number.isSafeInteger(chatId) || chatId === 0) throw new Error(`bot-api peer: bad chat id ${chatId}`);
    this.registerChat(chatId, from);
    const state = this.chats.get(chatId)!;
    if (state.blocked) throw new Error(`bot-api peer: chat ${chatId} has blocked the bot; call block(${chatId}, false) first`);
    return { state, user: this.userFor(chatId, from) };
  }

  /** The chat a bot call addresses; 403 when the user blocked the bot (sends and edits alike). */
  private chatForBot(chatId: unknown): ChatState {
    if (chatId === undefined || chatId === '') throw badRequest('chat_id is empty');
    const state = typeof chatId === 'number' ? this.chats.get(chatId) : undefined;
    if (!state) throw badRequest('chat not found');
    if (state.blocked) throw new ApiError(403, BLOCKED);
    return state;
  }

  private storeMessage(state: ChatState, body: Omit<BotMessage, 'message_id' | 'date' | 'chat'>): BotMessage {
    const message: BotMessage = { message_id: state.nextMessageId++, from: body.from, chat: state.chat, date: this.nowSec() };
    Object.assign(message, body);
    state.messages.set(message.message_id, message);
    return message;
  }

  // ── test-side controls: users act ──

  sendText(chatId: number, text: string, from?: Partial<TgUser>): Update {
    const { state, user } = this.chatFromUser(chatId, from);
    const entities = commandEntities(text);
    const message = this.storeMessage(state, { from: user, text, ...(entities.length ? { entities } : {}) });
    return this.enqueue({ message: structuredClone(message) });
  }

  sendPhotoFromUser(chatId: number, caption?: string, bytes?: Buffer, from?: Partial<TgUser>): Update {
    const { state, user } = this.chatFromUser(chatId, from);
    const photo = this.photoSizes(this.storeFile(bytes ?? DEFAULT_PHOTO, 'photos', { mimeType: 'image/jpeg' }));
    const message = this.storeMessage(state, { from: user, photo, ...(caption ? { caption } : {}) });
    return this.enqueue({ message: structuredClone(message) });
  }

  sendDocumentFromUser(
    chatId: number,
    bytes: Buffer,
    fileName: string,
    opts: { caption?: string; mimeType?: string; from?: Partial<TgUser> } = {},
  ): Update {
    const { state, user } = this.chatFromUser(chatId, opts.from);
    const document = this.documentInfo(this.storeFile(bytes, 'documents', { fileName, mimeType: opts.mimeType }));
    const message = this.storeMessage(state, { from: user, document, ...(opts.caption ? { caption: opts.caption } : {}) });
    return this.enqueue({ message: structuredClone(message) });
  }

  pressButton(chatId: number, messageId: number, data: string, opts: { from?: Partial<TgUser>; force?: boolean } = {}): Update {
    const { state, user } = this.chatFromUser(chatId, opts.from);
    const message = state.messages.get(messageId);
    if (!message) throw new Error(`bot-api peer: chat ${chatId} has no message ${messageId}`);
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    if (!opts.force && !buttons.some((b) => b.callback_data === data)) {
      throw new Error(
        `bot-api peer: message ${messageId} has no button with callback_data ${JSON.stringify(data)} ` +
          `(has ${JSON.stringify(buttons.map((b) => b.callback_data))}); pass {force: true} to forge one`,
      );
    }
    const id = String(4_000_000_000_000_000n + BigInt(this.nextCallbackId++));
    this.callbackQueries.set(id, { answered: false });
    return this.enqueue({
      callback_query: { id, from: user, message: structuredClone(message), chat_instance: `${chatId * 7 + 13}`, data },
    });
  }

  injectUpdate(update: object): void {
    const raw = structuredClone(update) as Record<string, unknown>;
    const cq = raw.callback_query as { id?: unknown } | undefined;
    if (cq && typeof cq.id === 'string' && !this.callbackQueries.has(cq.id)) {
      this.callbackQueries.set(cq.id, { answered: false });
    }
    this.enqueue(raw);
  }

  block(chatId: number, blocked = true): void {
    this.registerChat(chatId);
    const state = this.chats.get(chatId)!;
    if (state.blocked === blocked) return;
    state.blocked = blocked;
    if (state.chat.type !== 'private' || !state.user) return;
    const member = (status: string): Record<string, unknown> => ({ user: this.bot, status, ...(status === 'kicked' ? { until_date: 0 } : {}) });
    this.enqueue({
      my_chat_member: {
        chat: state.chat,
        from: state.user,
        date: this.nowSec(),
        old_chat_member: member(blocked ? 'member' : 'kicked'),
        new_chat_member: member(blocked ? 'kicked' : 'member'),
      },
    });
  }

  // ── test-side controls: inspection and fault injection ──

  messages(chatId: number): BotMessage[] {
    const state = this.chats.get(chatId);
    return state ? [...state.messages.values()].map((m) => structuredClone(m)) : [];
  }

  calls(method: string): RecordedCall[] {
    return this.sent.filter((c) => c.method === method);
  }

  waitFor(pred: (call: RecordedCall) => boolean, timeoutMs = 5_000): Promise<RecordedCall> {
    const done = this.sent.find(pred);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (call: RecordedCall): void => {
          clearTimeout(timer);
          this.callWaiters.delete(waiter);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.callWaiters.delete(waiter);
        const recent = this.sent.slice(-8).map((c) => `${c.method}→${c.status}`).join(', ');
        reject(new Error(`bot-api peer: no matching call within ${timeoutMs} ms (last calls: ${recent || 'none'})`));
      }, timeoutMs);
      this.callWaiters.add(waiter);
    });
  }

  private pendingUpdates(): number {
    return this.queue.length - this.head;
  }

  drained(timeoutMs = 10_000): Promise<void> {
    if (this.pendingUpdates() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.drainWaiters.delete(done);
        reject(new Error(`bot-api peer: ${this.pendingUpdates()} updates still pending after ${timeoutMs} ms`));
      }, timeoutMs);
      this.drainWaiters.add(done);
    });
  }

  failNext(method: string, error: InjectedError, times = 1): void {
    const key = method.toLowerCase();
    const list = this.failures.get(key) ?? [];
    list.push({ error, remaining: times });
    this.failures.set(key, list);
  }

  rateLimit(opts: { retryAfter: number; everyN?: number } | null): void {
    this.limiter = opts ? { retryAfter: opts.retryAfter, everyN: Math.max(1, opts.everyN ?? 1), count: 0 } : undefined;
  }

  // ── update queue ──

  private enqueue(body: Record<string, unknown>): Update {
    const update = { update_id: typeof body.update_id === 'number' ? body.update_id : this.nextUpdateId++, ...body };
    if (update.update_id >= this.nextUpdateId) this.nextUpdateId = update.update_id + 1;
    const type = Object.keys(update).find((k) => k !== 'update_id') ?? '';
    // allowed_updates applies to updates created after it was set (Bot API getUpdates).
    const allowed = this.allowedUpdates ? this.allowedUpdates.has(type) : !DEFAULT_EXCLUDED_UPDATES.has(type);
    if (allowed && !this.closed) {
      this.queue.push({ update, delivered: false });
      this.wakePoller();
      this.deliverWebhook();
    }
    return structuredClone(update) as unknown as Update;
  }

  // An update is confirmed by a getUpdates offset above its update_id. Only delivered updates are dropped, so an
  // injected replay of an old update_id still reaches the bot once (the at-least-once case after a crash). A
  // negative offset (keep the last N) is not emulated: telegraf never sends one.
  private confirm(offset: number): void {
    if (offset > 0) {
      let end = this.head;
      while (end < this.queue.length && this.queue[end]!.delivered) end++;
      const keep = this.queue.slice(this.head, end).filter((q) => q.update.update_id >= offset);
      const start = end - keep.length;
      for (let k = 0; k < keep.length; k++) this.queue[start + k] = keep[k]!;
      this.head = start;
    }
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.pendingUpdates() === 0 && this.drainWaiters.size > 0) {
      const waiters = [...this.drainWaiters];
      this.drainWaiters.clear();
      for (const w of waiters) w();
    }
  }

  private takeUpdates(limit: number): unknown[] {
    const out: unknown[] = [];
    for (let k = this.head; k < this.queue.length && out.length < limit; k++) {
      const entry = this.queue[k]!;
      entry.delivered = true;
      out.push(entry.update);
    }
    return out;
  }

  private wakePoller(): void {
    const poller = this.poller;
    if (!poller || this.pendingUpdates() === 0) return;
    this.poller = undefined;
    clearTimeout(poller.timer);
    this.answerPoll(poller, 200, { ok: true, result: this.takeUpdates(poller.limit) });
  }

  private answerPoll(poller: PollWaiter, status: number, body: ApiResponse): void {
    poller.record(status, body);
    if (!poller.res.writableEnded && !poller.res.destroyed) send(poller.res, status, body);
  }

  private record(call: Omit<RecordedCall, 'seq'>): RecordedCall {
    const full: RecordedCall = { seq: ++this.seq, ...call };
    this.sent.push(full);
    for (const waiter of this.callWaiters) {
      if (waiter.pred(full)) waiter.resolve(full);
    }
    return full;
  }

  // ── HTTP ──

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url);
    if (fileMatch) {
      const file = fileMatch[1] === this.token ? this.filesByPath.get(safeDecode(fileMatch[2]!)) : undefined;
      if (!file) {
        send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      res.writeHead(200, { 'content-type': file.mimeType ?? 'application/octet-stream', 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    const at = Date.now();
    const match = /^\/bot([^/]+)\/([A-Za-z0-9_]*)(?:\?(.*))?$/.exec(url);
    if (!match) {
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, token, method = '', query] = match;
    let params: Params = {};
    const uploads: Uploads = new Map();
    let outcome: { status: number; body: ApiResponse } | 'held';
    try {
      const raw = await readParams(req, query, uploads);
      if (token !== this.token) throw new ApiError(401, 'Unauthorized');
      params = normalizeParams(raw);
      outcome = this.dispatch(method, params, uploads, res, at);
    } catch (err) {
      outcome = errorOutcome(err);
    }
    if (outcome === 'held') return;
    this.record({ method, params, at, status: outcome.status, response: outcome.body });
    send(res, outcome.status, outcome.body);
  }

  private dispatch(
    method: string,
    params: Params,
    uploads: Uploads,
    res: ServerResponse,
    at: number,
  ): { status: number; body: ApiResponse } | 'held' {
    const key = method.toLowerCase(); // method names are case-insensitive (Bot API "Making requests")
    const handler = this.handlers[key];
    if (!handler && key !== 'getupdates') throw new ApiError(404, 'Not Found');
    const injected = this.takeFailure(key);
    if (injected) {
      const parameters = injected.retryAfter !== undefined ? { retry_after: injected.retryAfter } : undefined;
      throw new ApiError(injected.code, injected.description, parameters);
    }
    if (!handler) return this.getUpdates(params, res, at);
    this.applyRateLimit();
    const body: ApiResponse = { ok: true, result: handler(params, uploads) };
    if (key === 'deletewebhook' || key === 'setwebhook') body.description = this.hookDescription;
    return { status: 200, body };
  }

  private takeFailure(key: string): InjectedError | undefined {
    const list = this.failures.get(key);
    const first = list?.[0];
    if (!list || !first) return undefined;
    if (--first.remaining <= 0) list.shift();
    return first.error;
  }

  private applyRateLimit(): void {
    const limiter = this.limiter;
    if (!limiter) return;
    limiter.count++;
    if (limiter.count % limiter.everyN === 0) {
      throw new ApiError(429, `Too Many Requests: retry after ${limiter.retryAfter}`, { retry_after: limiter.retryAfter });
    }
  }

  private getUpdates(params: Params, res: ServerResponse, at: number): { status: number; body: ApiResponse } | 'held' {
    if (this.hook) throw new ApiError(409, WEBHOOK_CONFLICT);
    const previous = this.poller;
    if (previous) {
      // A newer getUpdates wins, like Telegram with two bot instances. The answer waits a moment: after
      // bot.stop() the aborted request's close may still be in flight, and a client that left is no conflict.
      this.poller = undefined;
      clearTimeout(previous.timer);
      setTimeout(() => {
        if (!previous.gone) this.answerPoll(previous, 409, { ok: false, error_code: 409, description: POLL_CONFLICT });
      }, 25);
    }
    const offset = typeof params.offset === 'number' ? params.offset : 0;
    const limit = Math.min(100, Math.max(1, typeof params.limit === 'number' ? params.limit : 100));
    const timeout = Math.max(0, typeof params.timeout === 'number' ? params.timeout : 0);
    if (Array.isArray(params.allowed_updates)) {
      const list = params.allowed_updates.map(String);
      this.allowedUpdates = list.length > 0 ? new Set(list) : undefined;
    }
    this.confirm(offset);
    if (this.pendingUpdates() > 0 || timeout === 0 || this.closed || res.destroyed) {
      return { status: 200, body: { ok: true, result: this.takeUpdates(limit) } };
    }
    let recorded = false;
    const poller: PollWaiter = {
      res,
      gone: false,
      limit,
      record: (status, body) => {
        if (recorded) return;
        recorded = true;
        this.record({ method: 'getUpdates', params, at, status, response: body });
      },
      timer: setTimeout(() => {
        if (this.poller !== poller) return;
        this.poller = undefined;
        this.answerPoll(poller, 200, { ok: true, result: [] });
      }, timeout * 1000),
    };
    this.poller = poller;
    res.on('close', () => {
      // The client went away (telegraf's bot.stop() aborts the request): forget the waiter, deliver nothing.
      if (!res.writableFinished) poller.gone = true;
      if (this.poller === poller) {
        this.poller = undefined;
        clearTimeout(poller.timer);
      }
    });
    return 'held';
  }

  // ── files ──

  private storeFile(bytes: Buffer, dir: 'photos' | 'documents', meta: { fileName?: string; mimeType?: string }): FileRecord {
    const n = this.nextFile++;
    const mimeType = meta.mimeType || (meta.fileName ? libmime.detectMimeType(meta.fileName) : undefined);
    const ext = meta.fileName?.includes('.')
      ? meta.fileName.slice(meta.fileName.lastIndexOf('.') + 1)
      : dir === 'photos' ? 'jpg' : mimeType ? libmime.detectExtension(mimeType) : 'dat';
    const prefix = dir === 'photos' ? 'AgACAgUAAxkBAA' : 'BQACAgUAAxkBAA';
    const record: FileRecord = {
      file_id: `${prefix}${n.toString(36).padStart(6, '0')}_${this.token.slice(-6)}`,
      file_unique_id: `AQAD${n.toString(36).padStart(6, '0')}`,
      bytes: Buffer.from(bytes),
      path: `${dir}/file_${n}.${ext}`,
      ...(imageSize(bytes) ?? { width: 0, height: 0 }),
    };
    if (meta.fileName) record.fileName = meta.fileName;
    if (mimeType) record.mimeType = mimeType;
    this.files.set(record.file_id, record);
    this.filesByPath.set(record.path, record);
    return record;
  }

  // Telegram answers a photo with several sizes, smallest first; bots must take the last (largest). Without an image
  // library the 90-px thumbnail is a separate file holding the original bytes.
  private photoSizes(file: FileRecord): PhotoSize[] {
    const size = (f: FileRecord, width: number, height: number): PhotoSize => ({
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      width,
      height,
      file_size: f.bytes.length,
    });
    const full = size(file, file.width, file.height);
    const side = Math.max(file.width, file.height);
    if (side <= 90) return [full];
    const thumb = this.storeFile(file.bytes, 'photos', { mimeType: file.mimeType });
    return [size(thumb, Math.round((file.width * 90) / side), Math.round((file.height * 90) / side)), full];
  }

  private documentInfo(file: FileRecord): DocumentInfo {
    const doc: DocumentInfo = { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length };
    if (file.fileName) doc.file_name = file.fileName;
    if (file.mimeType) doc.mime_type = file.mimeType;
    return doc;
  }

  /** The file of sendPhoto/sendDocument: a multipart part under the field's name, or a file_id this peer issued. */
  private inputFile(value: unknown, uploads: Uploads, kind: 'photo' | 'document'): FileRecord {
    const upload = uploads.get(kind);
    if (upload) {
      if (upload.bytes.length === 0) throw badRequest('file must be non-empty');
      if (upload.bytes.length > MAX_UPLOAD) throw new ApiError(413, 'Request Entity Too Large');
      // Telegram re-encodes photos and refuses what is not a picture.
      if (kind === 'photo' && imageSize(upload.bytes) === undefined) throw badRequest('IMAGE_PROCESS_FAILED');
      if (kind === 'photo') return this.storeFile(upload.bytes, 'photos', { mimeType: 'image/jpeg' });
      // Telegram names a document's type from its file name, not from the part header (telegraf sends none).
      const fileName = upload.part.filename;
      return this.storeFile(upload.bytes, 'documents', { fileName, mimeType: libmime.detectMimeType(fileName || 'file.dat') });
    }
    if (value === undefined || value === '') throw badRequest(`there is no ${kind} in the request`);
    const existing = typeof value === 'string' ? this.files.get(value) : undefined;
    if (!existing) throw badRequest('wrong file identifier/HTTP URL specified');
    return existing;
  }

  // ── methods ──

  private send(params: Params, body: Partial<BotMessage>): BotMessage {
    const state = this.chatForBot(params.chat_id);
    const markup = checkReplyMarkup(params.reply_markup);
    const message = this.storeMessage(state, { from: this.bot, ...body, ...(markup ? { reply_markup: markup } : {}) });
    return structuredClone(message);
  }

  private caption(params: Params): { caption?: string } {
    refuseFormatting(params);
    const caption = plainText(params.caption, 1024, 'message caption is too long');
    return caption ? { caption } : {};
  }

  private editable(params: Params): BotMessage {
    const state = this.chatForBot(params.chat_id);
    const message = typeof params.message_id === 'number' ? state.messages.get(params.message_id) : undefined;
    if (!message) throw badRequest('message to edit not found');
    if (message.from?.id !== this.bot.id) throw badRequest("message can't be edited");
    return message;
  }

  /** Applies an edit; an edit without reply_markup removes the inline keyboard (Bot API editMessageText). */
  private applyEdit(message: BotMessage, text: string | undefined, markup: InlineKeyboardMarkup | undefined): BotMessage {
    const sameText = text === undefined || text === message.text;
    if (sameText && JSON.stringify(message.reply_markup ?? null) === JSON.stringify(markup ?? null)) {
      throw badRequest(NOT_MODIFIED);
    }
    if (text !== undefined) message.text = text;
    if (markup) message.reply_markup = markup;
    else delete message.reply_markup;
    message.edit_date = this.nowSec();
    return structuredClone(message);
  }

  private readonly handlers: Record<string, (params: Params, uploads: Uploads) => unknown> = {
    getme: () => ({
      ...this.bot,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),
    // telegraf calls it before long polling.
    deletewebhook: (p) => {
      this.hookDescription = this.hook ? 'Webhook was deleted' : 'Webhook is already deleted';
      this.setHook(undefined, p.drop_pending_updates === true);
      return true;
    },
    setwebhook: (p) => {
      const url = optString(p.url) ?? '';
      if (url === '') {
        this.hookDescription = this.hook ? 'Webhook was deleted' : 'Webhook is already deleted';
        this.setHook(undefined, p.drop_pending_updates === true);
        return true;
      }
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
      }
      if (target.protocol !== 'https:') throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
      const secret = optString(p.secret_token);
      if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest('bad webhook: secret token contains unallowed characters');
      if (Array.isArray(p.allowed_updates)) {
        const list = p.allowed_updates.map(String);
        this.allowedUpdates = list.length > 0 ? new Set(list) : undefined;
      }
      this.hookDescription = this.hook?.url === url ? 'Webhook is already set' : 'Webhook was set';
      this.setHook({ url, target: new URL(`http://${target.host}${target.pathname}${target.search}`), secret, busy: false, timer: undefined, failures: 0 }, p.drop_pending_updates === true);
      return true;
    },
    getwebhookinfo: () => this.webhookInfo(),
    setmycommands: (p) => {
      for (const c of (Array.isArray(p.commands) ? p.commands : []) as { command?: unknown }[]) {
        // BotCommand.command: 1-32 chars, lowercase letters, digits and underscores.
        if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
      }
      return true;
    },
    sendmessage: (p) => {
      refuseFormatting(p);
      const text = plainText(p.text, 4096, 'message is too long');
      if (text === '') throw badRequest('message text is empty');
      return this.send(p, { text });
    },
    sendphoto: (p, uploads) => {
      const caption = this.caption(p);
      return this.send(p, { photo: this.photoSizes(this.inputFile(p.photo, uploads, 'photo')), ...caption });
    },
    senddocument: (p, uploads) => {
      const caption = this.caption(p);
      return this.send(p, { document: this.documentInfo(this.inputFile(p.document, uploads, 'document')), ...caption });
    },
    editmessagetext: (p) => {
      const message = this.editable(p);
      if (message.text === undefined) throw badRequest('there is no text in the message to edit');
      refuseFormatting(p);
      const text = plainText(p.text, 4096, 'MESSAGE_TOO_LONG');
      if (text === '') throw badRequest('message text is empty');
      return this.applyEdit(message, text, checkReplyMarkup(p.reply_markup));
    },
    editmessagereplymarkup: (p) => this.applyEdit(this.editable(p), undefined, checkReplyMarkup(p.reply_markup)),
    answercallbackquery: (p) => {
      const id = optString(p.callback_query_id);
      const query = id === undefined ? undefined : this.callbackQueries.get(id);
      // A query can be answered once; a second answer is refused like an expired one.
      if (!query || query.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
      if ([...(optString(p.text) ?? '')].length > 200) throw badRequest('MESSAGE_TOO_LONG');
      query.answered = true;
      return true;
    },
    getfile: (p) => {
      const file = this.files.get(optString(p.file_id) ?? '');
      if (!file) throw badRequest('invalid file_id');
      if (file.bytes.length > MAX_DOWNLOAD) throw badRequest('file is too big');
      return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, file_path: file.path };
    },
  };

  // ── webhook ──

  webhookInfo(): WebhookInfo {
    const h = this.hook;
    const info: WebhookInfo = { url: h?.url ?? '', has_custom_certificate: false, pending_update_count: this.pendingUpdates() };
    if (h?.lastError) {
      info.last_error_date = h.lastError.date;
      info.last_error_message = h.lastError.message;
    }
    if (h && this.allowedUpdates) info.allowed_updates = [...this.allowedUpdates];
    return info;
  }

  get webhookDelivered(): number {
    return this.hookDelivered;
  }

  private setHook(hook: Webhook | undefined, dropPending: boolean): void {
    const old = this.hook;
    if (old?.timer) clearTimeout(old.timer);
    this.hook = hook;
    if (dropPending) {
      this.head = this.queue.length;
      this.compact();
    }
    // A long poll in progress ends now: the next getUpdates meets the webhook's 409.
    const poller = this.poller;
    if (hook && poller) {
      this.poller = undefined;
      clearTimeout(poller.timer);
      this.answerPoll(poller, 200, { ok: true, result: [] });
    }
    this.deliverWebhook();
  }

  /** POSTs the oldest pending update to the webhook; the next one goes when the bot has answered this one. */
  private deliverWebhook(): void {
    const hook = this.hook;
    if (!hook || hook.busy || hook.timer || this.closed || this.pendingUpdates() === 0) return;
    const entry = this.queue[this.head]!;
    entry.delivered = true;
    hook.busy = true;
    const body = Buffer.from(JSON.stringify(entry.update), 'utf8');
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': body.length };
    if (hook.secret) headers['x-telegram-bot-api-secret-token'] = hook.secret;
    let settled = false;
    const done = (error: string | undefined, answer?: Buffer): void => {
      if (settled) return;
      settled = true;
      hook.busy = false;
      if (this.hook !== hook || this.closed) return; // replaced or deleted meanwhile: the update stays queued
      if (error) {
        hook.lastError = { date: this.nowSec(), message: error };
        entry.delivered = false;
        const wait = Math.min(2000, this.hookRetryMs * 2 ** hook.failures++);
        hook.timer = setTimeout(() => {
          hook.timer = undefined;
          this.deliverWebhook();
        }, wait);
        return;
      }
      hook.failures = 0;
      this.hookDelivered++;
      if (this.queue[this.head] === entry) this.head++;
      this.compact();
      if (answer && answer.length > 0) this.webhookReply(answer);
      this.deliverWebhook();
    };
    const req = httpRequest(hook.target, { method: 'POST', headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => done(`Connection reset: ${e.message}`));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) done(undefined, Buffer.concat(chunks));
        else done(`Wrong response from the webhook: ${status} ${res.statusMessage ?? ''}`.trim());
      });
    });
    req.on('timeout', () => req.destroy(new Error('Read timeout expired')));
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'Connection refused' : e.message));
    // Two writes cut inside a character when there is one to cut (from the middle on, so that a long text is cut, not
    // just a name near the start): a receiver must join the bytes before decoding them.
    const inside = (from: number) => body.findIndex((b, i) => i > from && (b & 0xc0) === 0x80);
    const cut = inside(body.length >> 1) > 0 ? inside(body.length >> 1) : inside(0);
    if (cut > 0) {
      req.write(body.subarray(0, cut));
      setTimeout(() => req.end(body.subarray(cut)), 5);
    } else req.end(body);
  }

  /** A method in the webhook's answer is carried out like a call (Telegram reports nothing back to the bot). */
  private webhookReply(answer: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.toString('utf8'));
    } catch {
      return; // not a method call: Telegram ignores the body
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { method?: unknown }).method !== 'string') return;
    const { method, ...rest } = parsed as { method: string } & Params;
    const at = Date.now();
    const params = normalizeParams(rest);
    let outcome: { status: number; body: ApiResponse };
    try {
      if (method.toLowerCase() === 'getupdates') throw badRequest('getUpdates is not allowed in a webhook reply');
      outcome = this.dispatch(method, params, new Map(), undefined as unknown as ServerResponse, at) as { status: number; body: ApiResponse };
    } catch (err) {
      outcome = errorOutcome(err);
    }
    this.record({ method, params, at, status: outcome.status, response: outcome.body, viaWebhookReply: true });
  }

  shutdown(): void {
    this.closed = true;
    if (this.hook?.timer) clearTimeout(this.hook.timer);
    const poller = this.poller;
    if (poller) {
      this.poller = undefined;
      clearTimeout(poller.timer);
      this.answerPoll(poller, 200, { ok: true, result: [] });
    }
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function errorOutcome(err: unknown): { status: number; body: ApiResponse } {
  if (err instanceof ApiError) {
    const body: ApiResponse = { ok: false, error_code: err.code, description: err.description };
    if (err.parameters) body.parameters = err.parameters;
    return { status: err.code, body };
  }
  // A bug in this peer shows up as a 500 with the message, never as a hang.
  const description = `Internal Server Error: ${err instanceof Error ? err.message : String(err)}`;
  return { status: 500, body: { ok: false, error_code: 500, description } };
}

function send(res: ServerResponse, status: number, body: ApiResponse): void {
  const payload = JSON.stringify(body);
  // telegraf reports 5xx with the HTTP status text, so carry the description there (ASCII only).
  if (status >= 500 && !body.ok) res.statusMessage = body.description.replace(/[^\x20-\x7e]/g, '?');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

// telegraf sends JSON, or multipart/form-data when it uploads a file; the query string is kept for hand-made calls.
async function readParams(req: IncomingMessage, query: string | undefined, uploads: Uploads): Promise<Params> {
  const params: Params = query ? Object.fromEntries(new URLSearchParams(query)) : {};
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return params;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (typeof parsed === 'object' && parsed !== null) Object.assign(params, parsed);
    return params;
  }
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    const form = await new Response(body, { headers: { 'content-type': req.headers['content-type']! } }).formData();
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') {
        params[key] = value;
        continue;
      }
      const bytes = Buffer.from(await value.arrayBuffer());
      const part: UploadedPart = { filename: value.name, contentType: value.type, size: bytes.length };
      uploads.set(key, { part, bytes });
      params[key] = part;
    }
  }
  return params;
}

/** Starts the loopback Bot API on 127.0.0.1 (a free port chosen by the OS). */
export async function startBotApi(opts: BotApiOptions = {}): Promise<BotApiPeer> {
  const api = new LoopbackBotApi(opts);
  const server: Server = createServer((req, res) => {
    api.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorOutcome(err).body);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token: api.token,
    bot: { ...api.bot },
    sent: api.sent,
    registerChat: (chatId, from) => api.registerChat(chatId, from),
    sendText: (chatId, text, from) => api.sendText(chatId, text, from),
    sendPhotoFromUser: (chatId, caption, bytes, from) => api.sendPhotoFromUser(chatId, caption, bytes, from),
    sendDocumentFromUser: (chatId, bytes, fileName, o) => api.sendDocumentFromUser(chatId, bytes, fileName, o),
    pressButton: (chatId, messageId, data, o) => api.pressButton(chatId, messageId, data, o),
    injectUpdate: (update) => api.injectUpdate(update),
    messages: (chatId) => api.messages(chatId),
    calls: (method) => api.calls(method),
    waitFor: (pred, timeoutMs) => api.waitFor(pred, timeoutMs),
    drained: (timeoutMs) => api.drained(timeoutMs),
    failNext: (method, error, times) => api.failNext(method, error, times),
    rateLimit: (o) => api.rateLimit(o),
    block: (chatId, blocked) => api.block(chatId, blocked),
    webhook: () => ({ ...api.webhookInfo(), delivered: api.webhookDelivered }),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        api.shutdown();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
