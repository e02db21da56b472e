// A loopback Telegram Bot API server for integration tests and benchmarks.
//
// It answers like https://core.telegram.org/bots/api (shapes, error texts, HTTP status = error_code) so that telegraf
// talks to it unmodified through `new Telegraf(token, { telegram: { apiRoot: peer.apiRoot } })`. The test side plays
// the human users (sendText, pressButton, …) and inspects what the bot did (sent, messages, waitFor).
//
// Deliberate simplifications, all documented where they happen: one long-poll consumer at a time (a second one
// terminates the first with 409 like Telegram), webhook delivery only to loopback URLs and one update at a time,
// no image resizing (thumbnails share the original bytes), 'Markdown'/'MarkdownV2'/'HTML' parsed to the usual
// entities with Telegram's error texts for the common mistakes.

import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
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
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

export interface InlineKeyboardButton {
  text: string;
  callback_data?: string;
  url?: string;
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
  caption_entities?: MessageEntity[];
  photo?: PhotoSize[];
  document?: DocumentInfo;
  media_group_id?: string;
  reply_markup?: InlineKeyboardMarkup;
  reply_to_message?: BotMessage;
  edit_date?: number;
}

export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
}

export type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

/** One method call as the bot made it. `params` are normalised: numbers, booleans and JSON fields decoded. */
export interface RecordedCall {
  seq: number;
  method: string;
  params: Record<string, unknown>;
  /** Milliseconds (the peer's clock) when the request arrived. */
  at: number;
  status: number;
  response: ApiResponse;
  /** True when the bot answered a webhook POST with this call in the HTTP response body. */
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
  /** Perform the call (state changes, message stored) and then answer with the error: a lost response. */
  afterApply?: boolean;
  /** Destroy the socket instead of answering (telegraf sees a FetchError). */
  dropConnection?: boolean;
}

export interface BotApiOptions {
  token?: string;
  botUsername?: string;
  botName?: string;
  /** Clock in milliseconds; message dates and RecordedCall.at come from it. */
  now?: () => number;
  firstUpdateId?: number;
  /** Delay before a failed webhook delivery is tried again. */
  webhookRetryMs?: number;
}

export interface BotApiPeer {
  apiRoot: string;
  token: string;
  port: number;
  bot: TgUser;
  /** Every method call the bot made, in answer order (getUpdates included). */
  sent: RecordedCall[];
  /** Makes a chat known without a message from the user (otherwise "chat not found"). */
  registerChat(chatId: number, from?: Partial<TgUser>): TgChat;
  /** A user writes to the bot; the update is queued for getUpdates / the webhook. */
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
  /** Current messages of a chat (user's and bot's), oldest first, deleted ones left out. */
  messages(chatId: number): BotMessage[];
  /** Recorded calls of one method. */
  calls(method: string): RecordedCall[];
  /** Resolves with the first recorded call (already made or future) matching `pred`. */
  waitFor(pred: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Resolves once every queued update has been delivered and confirmed. */
  drained(timeoutMs?: number): Promise<void>;
  pendingUpdates(): number;
  /** The next `times` calls of `method` fail with this error. */
  failNext(method: string, error: InjectedError, times?: number): void;
  /** Every `everyN`-th call (getUpdates exempt) gets 429 `retry after N`; null switches it off. */
  rateLimit(opts: { retryAfter: number; everyN?: number } | null): void;
  /** The user blocks (or unblocks) the bot: sends answer 403 and a my_chat_member update is queued. */
  block(chatId: number, blocked?: boolean): void;
  uploadedFile(fileId: string): Buffer | undefined;
  webhook(): { url: string; secretToken?: string } | undefined;
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

// ───────────────────────────── Text formatting (parse_mode) ─────────────────────────────

interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const byteOffset = (src: string, index: number): number => Buffer.byteLength(src.slice(0, index), 'utf8');
const cantParse = (what: string): ApiError => badRequest(`can't parse entities: ${what}`);

const HTML_TAGS: Record<string, string> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', span: 'spoiler', 'tg-spoiler': 'spoiler',
  a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote', 'tg-emoji': 'custom_emoji',
};
const HTML_NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/** Decodes the entities Telegram knows (`&lt; &gt; &amp; &quot;` and numeric); anything else stays literal. */
function decodeHtmlEntity(src: string, i: number): { char: string; next: number } {
  const m = /^&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});/.exec(src.slice(i, i + 12));
  if (m?.[1] !== undefined) {
    const body = m[1];
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (code > 0 && code <= 0x10ffff) return { char: String.fromCodePoint(code), next: i + m[0].length };
    } else {
      const named = HTML_NAMED[body.toLowerCase()];
      if (named !== undefined) return { char: named, next: i + m[0].length };
    }
  }
  return { char: '&', next: i + 1 };
}

interface OpenTag {
  tag: string;
  offset: number;
  attrs: Record<string, string>;
  language?: string;
}

// Follows tdlib's parse_html: same error texts, byte offsets in UTF-8, entity offsets in UTF-16 units.
function parseHtml(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (c === '&') {
      const { char, next } = decodeHtmlEntity(src, i);
      out += char;
      i = next;
      continue;
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }
    const begin = i;
    if (src[i + 1] === '/') {
      if (stack.length === 0) throw cantParse(`Unexpected end tag at byte offset ${byteOffset(src, begin)}`);
      let j = i + 2;
      while (j < n && !isSpace(src[j]) && src[j] !== '>') j++;
      const name = src.slice(i + 2, j).toLowerCase();
      while (j < n && isSpace(src[j])) j++;
      if (src[j] !== '>') throw cantParse(`Unclosed end tag at byte offset ${byteOffset(src, begin)}`);
      const open = stack.pop()!;
      if (name !== '' && name !== open.tag) {
        throw cantParse(
          `Unmatched end tag at byte offset ${byteOffset(src, begin)}, expected "</${open.tag}>", found "</${name}>"`,
        );
      }
      closeHtmlTag(open, out.length, stack, entities);
      i = j + 1;
      continue;
    }
    let j = i + 1;
    while (j < n && !isSpace(src[j]) && src[j] !== '>') j++;
    if (j >= n) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(src, begin)}`);
    const tag = src.slice(i + 1, j).toLowerCase();
    if (HTML_TAGS[tag] === undefined) {
      throw cantParse(`Unsupported start tag "${tag}" at byte offset ${byteOffset(src, begin)}`);
    }
    const attrs: Record<string, string> = {};
    for (;;) {
      while (j < n && isSpace(src[j])) j++;
      if (j >= n) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(src, begin)}`);
      if (src[j] === '>') break;
      const nameStart = j;
      while (j < n && !isSpace(src[j]) && src[j] !== '=' && src[j] !== '>') j++;
      const attr = src.slice(nameStart, j).toLowerCase();
      while (j < n && isSpace(src[j])) j++;
      if (src[j] !== '=') {
        attrs[attr] = ''; // valueless attribute, e.g. <blockquote expandable>
        continue;
      }
      j++;
      while (j < n && isSpace(src[j])) j++;
      let value = '';
      const quote = src[j];
      if (quote === '"' || quote === "'") {
        const end = src.indexOf(quote, j + 1);
        if (end < 0) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(src, begin)}`);
        value = src.slice(j + 1, end);
        j = end + 1;
      } else {
        const valueStart = j;
        while (j < n && !isSpace(src[j]) && src[j] !== '>') j++;
        value = src.slice(valueStart, j);
      }
      attrs[attr] = value.replace(/&(lt|gt|amp|quot);/g, (_m, e: string) => HTML_NAMED[e] ?? '');
    }
    if (tag === 'span' && attrs.class !== 'tg-spoiler') {
      throw cantParse(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, begin)}`);
    }
    stack.push({ tag, offset: out.length, attrs });
    i = j + 1;
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw cantParse(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text: out, entities: sortEntities(entities) };
}

function closeHtmlTag(open: OpenTag, end: number, stack: OpenTag[], entities: MessageEntity[]): void {
  const type = HTML_TAGS[open.tag]!;
  const parent = stack.at(-1);
  // <pre><code class="language-x"> becomes one pre entity with a language (Bot API "formatting options").
  if (open.tag === 'code' && parent?.tag === 'pre' && open.attrs.class?.startsWith('language-')) {
    parent.language = open.attrs.class.slice('language-'.length);
    return;
  }
  const length = end - open.offset;
  if (length <= 0) return;
  const entity: MessageEntity = { type, offset: open.offset, length };
  if (type === 'text_link') entity.url = open.attrs.href ?? '';
  if (type === 'pre' && open.language) entity.language = open.language;
  if (type === 'blockquote' && open.attrs.expandable !== undefined) entity.type = 'expandable_blockquote';
  if (type === 'custom_emoji') entity.custom_emoji_id = open.attrs['emoji-id'] ?? '';
  entities.push(entity);
}

const MDV2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));
const MDV2_NAMES: Record<string, string> = {
  bold: 'Bold', italic: 'Italic', underline: 'Underline', strikethrough: 'Strikethrough', spoiler: 'Spoiler',
  code: 'Code', pre: 'Pre', text_link: 'TextUrl', custom_emoji: 'CustomEmoji',
};

interface OpenMd {
  type: string;
  offset: number;
  srcIndex: number;
  language?: string;
}

// Follows tdlib's parse_markdown_v2 for the documented syntax; blockquotes ('>' at line start) run to the line end.
function parseMarkdownV2(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: OpenMd[] = [];
  const n = src.length;
  let quoteStart = -1;
  let i = 0;
  const closeQuote = (): void => {
    if (quoteStart >= 0 && out.length > quoteStart) {
      entities.push({ type: 'blockquote', offset: quoteStart, length: out.length - quoteStart });
    }
    quoteStart = -1;
  };
  while (i < n) {
    const c = src[i]!;
    const top = stack.at(-1);
    const atLineStart = i === 0 || src[i - 1] === '\n';
    if (atLineStart && top?.type !== 'pre' && top?.type !== 'code') {
      if (c === '>') {
        if (quoteStart < 0) quoteStart = out.length;
        i++;
        continue;
      }
      if (quoteStart >= 0) {
        if (out.endsWith('\n')) {
          out = out.slice(0, -1);
          closeQuote();
          out += '\n';
        } else closeQuote();
      }
    }
    if (c === '\\' && i + 1 < n) {
      const code = src.charCodeAt(i + 1);
      if (code > 0 && code <= 126) {
        out += src[i + 1];
        i += 2;
        continue;
      }
    }
    if (top?.type === 'code' || top?.type === 'pre') {
      const closing = top.type === 'pre' ? src.startsWith('```', i) : c === '`';
      if (closing) {
        stack.pop();
        const end = out.length;
        if (end > top.offset) {
          const e: MessageEntity = { type: top.type, offset: top.offset, length: end - top.offset };
          if (top.language) e.language = top.language;
          entities.push(e);
        }
        i += top.type === 'pre' ? 3 : 1;
      } else {
        out += c;
        i++;
      }
      continue;
    }
    if (!MDV2_RESERVED.has(c)) {
      out += c;
      i++;
      continue;
    }
    let type: string | undefined;
    let width = 1;
    if (c === '*') type = 'bold';
    else if (c === '_' && src[i + 1] === '_') [type, width] = ['underline', 2];
    else if (c === '_') type = 'italic';
    else if (c === '~') type = 'strikethrough';
    else if (c === '|' && src[i + 1] === '|') [type, width] = ['spoiler', 2];
    else if (c === '[') type = 'text_link';
    else if (c === '!' && src[i + 1] === '[') [type, width] = ['custom_emoji', 2];
    else if (c === '`' && src.startsWith('```', i)) [type, width] = ['pre', 3];
    else if (c === '`') type = 'code';
    if (c === ']' && (top?.type === 'text_link' || top?.type === 'custom_emoji')) {
      stack.pop();
      i++;
      let url = '';
      if (src[i] === '(') {
        i++;
        while (i < n && src[i] !== ')') {
          if (src[i] === '\\' && i + 1 < n) i++;
          url += src[i];
          i++;
        }
        if (i >= n) throw cantParse(`Can't find end of a url at byte offset ${byteOffset(src, top.srcIndex)}`);
        i++;
      }
      if (out.length > top.offset) {
        const e: MessageEntity = { type: top.type, offset: top.offset, length: out.length - top.offset };
        if (top.type === 'text_link') e.url = url;
        else e.custom_emoji_id = /id=(\d+)/.exec(url)?.[1] ?? '';
        entities.push(e);
      }
      continue;
    }
    if (type === undefined) {
      throw cantParse(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
    if (top?.type === type && type !== 'text_link' && type !== 'custom_emoji') {
      stack.pop();
      if (out.length > top.offset) entities.push({ type, offset: top.offset, length: out.length - top.offset });
      i += width;
      continue;
    }
    const open: OpenMd = { type, offset: out.length, srcIndex: i };
    i += width;
    if (type === 'pre') {
      const nl = src.indexOf('\n', i);
      const close = src.indexOf('```', i);
      if (nl >= 0 && (close < 0 || nl < close)) {
        const language = src.slice(i, nl);
        if (language !== '') open.language = language;
        i = nl + 1;
      }
      open.offset = out.length;
    }
    stack.push(open);
  }
  const unclosed = stack.at(-1);
  if (unclosed) {
    throw cantParse(
      `Can't find end of ${MDV2_NAMES[unclosed.type] ?? unclosed.type} entity at byte offset ${byteOffset(src, unclosed.srcIndex)}`,
    );
  }
  closeQuote();
  return { text: out, entities: sortEntities(entities) };
}

// Legacy 'Markdown': *bold* _italic_ `code` ```pre``` [text](url), no nesting (Bot API "Markdown style").
function parseMarkdownLegacy(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (c === '\\' && '_*`['.includes(src[i + 1] ?? '')) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (!'_*`['.includes(c)) {
      out += c;
      i++;
      continue;
    }
    const begin = i;
    const isPre = src.startsWith('```', i);
    const endMark = isPre ? '```' : c === '[' ? ']' : c;
    i += isPre ? 3 : 1;
    let language: string | undefined;
    if (isPre) {
      const nl = src.indexOf('\n', i);
      const close = src.indexOf('```', i);
      if (nl >= 0 && close >= 0 && nl < close) {
        language = src.slice(i, nl) || undefined;
        i = nl + 1;
      }
    }
    const end = src.indexOf(endMark, i);
    if (end < 0) throw cantParse(`Can't find end of the entity starting at byte offset ${byteOffset(src, begin)}`);
    const inner = src.slice(i, end);
    const offset = out.length;
    out += inner;
    i = end + endMark.length;
    const type = isPre ? 'pre' : c === '*' ? 'bold' : c === '_' ? 'italic' : c === '`' ? 'code' : 'text_link';
    const entity: MessageEntity = { type, offset, length: inner.length };
    if (language) entity.language = language;
    if (type === 'text_link') {
      if (src[i] === '(') {
        const close = src.indexOf(')', i);
        if (close < 0) throw cantParse(`Can't find end of the entity starting at byte offset ${byteOffset(src, begin)}`);
        entity.url = src.slice(i + 1, close);
        i = close + 1;
      } else entity.url = inner;
    }
    if (inner.length > 0) entities.push(entity);
  }
  return { text: out, entities: sortEntities(entities) };
}

function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

// Telegram strips leading and trailing white space from message texts and captions; entities follow the shift.
function trimFormatted({ text, entities }: FormattedText): FormattedText {
  const lead = text.length - text.replace(/^[\s\u200b\u2800]+/u, '').length;
  const trimmed = text.slice(lead).replace(/[\s\u200b\u2800]+$/u, '');
  const shifted: MessageEntity[] = [];
  for (const e of entities) {
    const start = Math.max(0, e.offset - lead);
    const end = Math.min(trimmed.length, e.offset + e.length - lead);
    if (end > start) shifted.push({ ...e, offset: start, length: end - start });
  }
  return { text: trimmed, entities: shifted };
}

function formatText(raw: string, parseMode: unknown, explicit: unknown): FormattedText {
  let formatted: FormattedText;
  const mode = typeof parseMode === 'string' ? parseMode.toLowerCase() : '';
  if (mode === '') {
    formatted = { text: raw, entities: Array.isArray(explicit) ? sortEntities([...(explicit as MessageEntity[])]) : [] };
  } else if (mode === 'html') formatted = parseHtml(raw);
  else if (mode === 'markdownv2') formatted = parseMarkdownV2(raw);
  else if (mode === 'markdown') formatted = parseMarkdownLegacy(raw);
  else throw badRequest('unsupported parse_mode');
  return trimFormatted(formatted);
}

/** bot_command entities for what a user types (telegraf's `bot.command()` matches on them). */
function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const m of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)/g)) {
    entities.push({ type: 'bot_command', offset: (m.index ?? 0) + m[1]!.length, length: m[2]!.length });
  }
  return entities;
}

// ───────────────────────────── Parameters ─────────────────────────────

type Params = Record<string, unknown>;

const NUMERIC_PARAMS = new Set([
  'chat_id', 'from_chat_id', 'message_id', 'reply_to_message_id', 'offset', 'limit', 'timeout', 'cache_time',
  'max_connections', 'message_thread_id', 'user_id',
]);
const JSON_PARAMS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'allowed_updates', 'commands', 'scope', 'media',
  'reply_parameters', 'link_preview_options', 'message_ids',
]);
const BOOLEAN_PARAMS = new Set([
  'disable_notification', 'protect_content', 'show_alert', 'drop_pending_updates', 'disable_web_page_preview',
  'allow_sending_without_reply', 'has_spoiler', 'disable_content_type_detection', 'show_caption_above_media',
]);

// Form and query-string params arrive as strings; JSON bodies may carry them either way (Bot API "Making requests").
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

// ───────────────────────────── Reply markup ─────────────────────────────

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
  const keyboard: InlineKeyboardButton[][] = [];
  for (const row of rows as unknown[][]) {
    const out: InlineKeyboardButton[] = [];
    for (const button of row) {
      if (typeof button !== 'object' || button === null || typeof (button as { text?: unknown }).text !== 'string') {
        throw badRequest("can't parse inline keyboard button: Text is not specified");
      }
      const b = button as InlineKeyboardButton;
      if (!INLINE_BUTTON_KINDS.some((kind) => b[kind] !== undefined)) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      // callback_data: 1-64 bytes (Bot API InlineKeyboardButton).
      if (b.callback_data !== undefined) {
        const bytes = Buffer.byteLength(String(b.callback_data), 'utf8');
        if (typeof b.callback_data !== 'string' || bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
      }
      if (b.url !== undefined && !/^(https?|tg):\/\/\S+$/i.test(String(b.url))) throw badRequest('BUTTON_URL_INVALID');
      // Telegram echoes only the fields it knows (telegraf's `hide` is dropped, for instance).
      const echoed: InlineKeyboardButton = { text: b.text };
      for (const kind of INLINE_BUTTON_KINDS) {
        if (b[kind] !== undefined) echoed[kind] = JSON.parse(JSON.stringify(b[kind])) as unknown;
      }
      out.push(echoed);
    }
    keyboard.push(out);
  }
  return { inline_keyboard: keyboard };
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

interface PollWaiter {
  res: ServerResponse;
  /** The client closed the connection (telegraf's bot.stop() aborts its pending getUpdates). */
  gone: boolean;
  record: (status: number, body: ApiResponse) => void;
  limit: number;
  timer: NodeJS.Timeout;
}

interface CallContext {
  uploads: Map<string, { part: UploadedPart; bytes: Buffer }>;
}

// Updates a bot receives when allowed_updates is empty or never set (Bot API getUpdates).
const DEFAULT_EXCLUDED_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);
const LOOPBACK_HOSTS = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
const MAX_UPLOAD = 50 * 1024 * 1024; // Bot API: 50 MB for files sent by bots
const MAX_DOWNLOAD = 20 * 1024 * 1024; // Bot API getFile: 20 MB

class LoopbackBotApi {
  readonly token: string;
  readonly bot: TgUser;
  readonly sent: RecordedCall[] = [];
  private readonly now: () => number;
  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, FileRecord>();
  private readonly filesByPath = new Map<string, FileRecord>();
  private readonly callbackQueries = new Map<string, { answered: boolean }>();
  private readonly commands = new Map<string, unknown[]>();
  private readonly failures = new Map<string, { error: InjectedError; remaining: number }[]>();
  private readonly callWaiters = new Set<{ pred: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }>();
  private readonly drainWaiters = new Set<() => void>();
  private queue: QueuedUpdate[] = [];
  private head = 0;
  private nextUpdateId: number;
  private nextFile = 1;
  private nextCallbackId = 1;
  private nextMediaGroup = 1;
  private seq = 0;
  private allowedUpdates: Set<string> | undefined;
  private poller: PollWaiter | undefined;
  private limiter: { retryAfter: number; everyN: number; count: number } | undefined;
  private hook: { url: string; secretToken?: string; lastErrorDate?: number; lastErrorMessage?: string } | undefined;
  private hookBusy = false;
  private hookTimer: NodeJS.Timeout | undefined;
  private readonly hookAbort = new AbortController();
  private closed = false;
  private readonly webhookRetryMs: number;

  constructor(opts: BotApiOptions) {
    this.token = opts.token ?? '123456789:AAH-loopback-test-token_0123456789ab';
    const botId = Number(this.token.split(':')[0]);
    this.bot = {
      id: Number.isSafeInteger(botId) && botId > 0 ? botId : 123456789,
      is_bot: true,
      first_name: opts.botName ?? '物业投诉受理台(测试)',
      username: opts.botUsername ?? 'wuye_desk_test_bot',
    };
    this.now = opts.now ?? Date.now;
    this.nextUpdateId = opts.firstUpdateId ?? 700_000_001;
    this.webhookRetryMs = opts.webhookRetryMs ?? 200;
  }

  private nowSec(): number {
    return Math.floor(this.now() / 1000);
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

  private chatForBot(chatId: unknown, opts: { sending: boolean }): ChatState {
    if (chatId === undefined || chatId === '') throw badRequest('chat_id is empty');
    const state = typeof chatId === 'number' ? this.chats.get(chatId) : undefined;
    if (!state) throw badRequest('chat not found');
    if (opts.sending && state.blocked) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
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

  pendingUpdates(): number {
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

  uploadedFile(fileId: string): Buffer | undefined {
    const file = this.files.get(fileId);
    return file ? Buffer.from(file.bytes) : undefined;
  }

  webhook(): { url: string; secretToken?: string } | undefined {
    return this.hook ? { url: this.hook.url, ...(this.hook.secretToken ? { secretToken: this.hook.secretToken } : {}) } : undefined;
  }

  // ── update queue ──

  private updateType(update: Record<string, unknown>): string {
    return Object.keys(update).find((k) => k !== 'update_id') ?? '';
  }

  private enqueue(body: Record<string, unknown>): Update {
    const update = { update_id: typeof body.update_id === 'number' ? body.update_id : this.nextUpdateId++, ...body };
    if (update.update_id >= this.nextUpdateId) this.nextUpdateId = update.update_id + 1;
    const type = this.updateType(update);
    // allowed_updates applies to updates created after it was set (Bot API getUpdates).
    const allowed = this.allowedUpdates ? this.allowedUpdates.has(type) : !DEFAULT_EXCLUDED_UPDATES.has(type);
    if (allowed && !this.closed) {
      this.queue.push({ update, delivered: false });
      this.wakePoller();
      this.kickWebhook();
    }
    return structuredClone(update) as unknown as Update;
  }

  // An update is confirmed by a getUpdates offset above its update_id. Only delivered updates are dropped, so an
  // injected replay of an old update_id still reaches the bot once (the at-least-once case after a crash).
  private confirm(offset: number): void {
    if (offset < 0) {
      this.head = Math.max(this.head, this.queue.length + offset);
    } else if (offset > 0) {
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
    this.respondPoll(poller, this.takeUpdates(poller.limit));
  }

  private respondPoll(poller: PollWaiter, updates: unknown[]): void {
    const body: ApiResponse = { ok: true, result: updates };
    poller.record(200, body);
    if (!poller.res.writableEnded && !poller.res.destroyed) send(poller.res, 200, body);
  }

  // ── webhook delivery (loopback targets only, one update in flight) ──

  private kickWebhook(): void {
    if (!this.hook || this.hookBusy || this.hookTimer || this.closed || this.pendingUpdates() === 0) return;
    const hook = this.hook;
    const entry = this.queue[this.head]!;
    this.hookBusy = true;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secretToken) headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
    fetch(hook.url, { method: 'POST', headers, body: JSON.stringify(entry.update), signal: AbortSignal.any([this.hookAbort.signal, AbortSignal.timeout(60_000)]) })
      .then(async (res) => {
        const text = await res.text();
        if (!res.ok) throw new Error(`Wrong response from the webhook: ${res.status} ${res.statusText}`);
        if (this.queue[this.head] === entry) {
          this.head++;
          this.compact();
        }
        this.runWebhookReply(text);
      })
      .catch((err: unknown) => {
        if (this.closed) return;
        hook.lastErrorDate = this.nowSec();
        hook.lastErrorMessage = err instanceof Error ? err.message : String(err);
        this.hookTimer = setTimeout(() => {
          this.hookTimer = undefined;
          this.kickWebhook();
        }, this.webhookRetryMs);
      })
      .finally(() => {
        this.hookBusy = false;
        this.kickWebhook();
      });
  }

  // A webhook response body may itself be a method call (Bot API "Making requests when getting updates").
  private runWebhookReply(text: string): void {
    if (!text.trim()) return;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof body !== 'object' || body === null || typeof (body as { method?: unknown }).method !== 'string') return;
    const { method, ...rest } = body as { method: string } & Params;
    const at = this.now();
    let params: Params = rest;
    let outcome: { status: number; body: ApiResponse };
    try {
      params = normalizeParams(rest);
      outcome = this.invoke(method, params, { uploads: new Map() });
    } catch (err) {
      outcome = errorOutcome(err);
    }
    this.record({ method, params, at, status: outcome.status, response: outcome.body, viaWebhookReply: true });
  }

  // ── recording ──

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
    const at = this.now();
    const match = /^\/bot([^/]+)\/([A-Za-z0-9_]*)(?:\?(.*))?$/.exec(url);
    if (!match) {
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, token, method = '', query] = match;
    let params: Params = {};
    const ctx: CallContext = { uploads: new Map() };
    let outcome: { status: number; body: ApiResponse } | 'held' | 'dropped';
    try {
      const raw = await readParams(req, query, ctx);
      if (token !== this.token) throw new ApiError(401, 'Unauthorized');
      params = normalizeParams(raw);
      outcome = this.dispatch(method, params, ctx, res, at);
    } catch (err) {
      outcome = errorOutcome(err);
    }
    if (outcome === 'held') return;
    if (outcome === 'dropped') {
      this.record({ method, params, at, status: 0, response: { ok: false, error_code: 0, description: 'connection dropped' } });
      req.socket.destroy();
      return;
    }
    this.record({ method, params, at, status: outcome.status, response: outcome.body });
    send(res, outcome.status, outcome.body);
  }

  private dispatch(
    method: string,
    params: Params,
    ctx: CallContext,
    res: ServerResponse,
    at: number,
  ): { status: number; body: ApiResponse } | 'held' | 'dropped' {
    const key = method.toLowerCase(); // method names are case-insensitive (Bot API "Making requests")
    if (!(key in this.handlers) && key !== 'getupdates') throw new ApiError(404, 'Not Found');
    const injected = this.takeFailure(key);
    if (injected) {
      if (injected.afterApply && key !== 'getupdates') this.invoke(method, params, ctx);
      if (injected.dropConnection) return 'dropped';
      throw new ApiError(
        injected.code,
        injected.description,
        injected.retryAfter !== undefined ? { retry_after: injected.retryAfter } : undefined,
      );
    }
    if (key === 'getupdates') return this.getUpdates(params, res, at);
    this.applyRateLimit();
    return this.invoke(method, params, ctx);
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

  private invoke(method: string, params: Params, ctx: CallContext): { status: number; body: ApiResponse } {
    const handler = this.handlers[method.toLowerCase()];
    if (!handler) throw new ApiError(404, 'Not Found');
    const result = handler(params, ctx);
    const body: ApiResponse = { ok: true, result };
    if (method.toLowerCase() === 'setwebhook') body.description = 'Webhook was set';
    return { status: 200, body };
  }

  private getUpdates(params: Params, res: ServerResponse, at: number): { status: number; body: ApiResponse } | 'held' {
    if (this.hook) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const previous = this.poller;
    if (previous) {
      // A newer getUpdates wins, like Telegram with two bot instances. The answer waits a moment: after
      // bot.stop() the aborted request's close may still be in flight, and a client that left is no conflict.
      this.poller = undefined;
      clearTimeout(previous.timer);
      setTimeout(() => {
        if (previous.gone) return;
        const body: ApiResponse = {
          ok: false,
          error_code: 409,
          description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        };
        previous.record(409, body);
        if (!previous.res.writableEnded && !previous.res.destroyed) send(previous.res, 409, body);
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
        this.respondPoll(poller, []);
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

  // Telegram answers a photo with several sizes, smallest first. Without an image library the 90-px thumbnail is a
  // separate file holding the original bytes; bots must take the last (largest) size.
  private photoSizes(file: FileRecord): PhotoSize[] {
    const full: PhotoSize = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: file.width,
      height: file.height,
      file_size: file.bytes.length,
    };
    const side = Math.max(file.width, file.height);
    if (side <= 90) return [full];
    const thumb = this.storeFile(file.bytes, 'photos', { mimeType: file.mimeType });
    const scale = 90 / side;
    return [
      {
        file_id: thumb.file_id,
        file_unique_id: thumb.file_unique_id,
        width: Math.round(file.width * scale),
        height: Math.round(file.height * scale),
        file_size: thumb.bytes.length,
      },
      full,
    ];
  }

  private documentInfo(file: FileRecord): DocumentInfo {
    const doc: DocumentInfo = { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length };
    if (file.fileName) doc.file_name = file.fileName;
    if (file.mimeType) doc.mime_type = file.mimeType;
    return doc;
  }

  private inputFile(value: unknown, field: string, ctx: CallContext, kind: 'photo' | 'document'): FileRecord {
    if (value === undefined || value === '') throw badRequest(`there is no ${kind} in the request`);
    let partName: string | undefined;
    if (typeof value === 'object' && ctx.uploads.has(field)) partName = field;
    if (typeof value === 'string' && value.startsWith('attach://')) partName = value.slice('attach://'.length);
    if (partName !== undefined) {
      const upload = ctx.uploads.get(partName);
      if (!upload) throw badRequest('wrong file identifier/HTTP URL specified');
      if (upload.bytes.length === 0) throw badRequest('file must be non-empty');
      if (upload.bytes.length > MAX_UPLOAD) throw new ApiError(413, 'Request Entity Too Large');
      const fileName = kind === 'document' ? upload.part.filename : undefined;
      // Telegram re-encodes photos and refuses what is not a picture.
      if (kind === 'photo' && imageSize(upload.bytes) === undefined) throw badRequest('IMAGE_PROCESS_FAILED');
      // Telegram names a document's type from its file name, not from the part header (telegraf sends none).
      const mimeType = kind === 'photo' ? 'image/jpeg' : libmime.detectMimeType(upload.part.filename || 'file.dat');
      return this.storeFile(upload.bytes, kind === 'photo' ? 'photos' : 'documents', { fileName, mimeType });
    }
    if (typeof value !== 'string') throw badRequest('wrong file identifier/HTTP URL specified');
    // No network here: a URL can never be fetched, as if the remote host failed.
    if (/^https?:\/\//i.test(value)) throw badRequest('failed to get HTTP URL content');
    const existing = this.files.get(value);
    if (!existing) throw badRequest('wrong file identifier/HTTP URL specified');
    return existing;
  }

  // ── message building shared by send methods ──

  private replyTarget(state: ChatState, params: Params): BotMessage | undefined {
    const rp = params.reply_parameters as { message_id?: unknown; allow_sending_without_reply?: unknown } | undefined;
    const id = typeof rp?.message_id === 'number' ? rp.message_id : params.reply_to_message_id;
    if (typeof id !== 'number') return undefined;
    const target = state.messages.get(id);
    if (target) {
      const { reply_to_message: _nested, ...flat } = structuredClone(target);
      return flat;
    }
    if (params.allow_sending_without_reply === true || rp?.allow_sending_without_reply === true) return undefined;
    throw badRequest('message to be replied not found');
  }

  private caption(params: Params): Partial<BotMessage> {
    const raw = optString(params.caption);
    if (raw === undefined || raw === '') return {};
    const { text, entities } = formatText(raw, params.parse_mode, params.caption_entities);
    if (text.length > 1024) throw badRequest('message caption is too long');
    if (text === '') return {};
    return { caption: text, ...(entities.length ? { caption_entities: entities } : {}) };
  }

  private sendCommon(params: Params, content: (state: ChatState) => Partial<BotMessage>): BotMessage {
    const state = this.chatForBot(params.chat_id, { sending: true });
    const markup = checkReplyMarkup(params.reply_markup);
    const reply = this.replyTarget(state, params);
    const body = content(state);
    const message = this.storeMessage(state, {
      from: this.bot,
      ...(reply ? { reply_to_message: reply } : {}),
      ...body,
      ...(markup ? { reply_markup: markup } : {}),
    });
    return structuredClone(message);
  }

  private editable(params: Params): { state: ChatState; message: BotMessage } {
    if (params.inline_message_id !== undefined) throw badRequest('MESSAGE_ID_INVALID');
    const state = this.chatForBot(params.chat_id, { sending: true });
    const message = typeof params.message_id === 'number' ? state.messages.get(params.message_id) : undefined;
    if (!message) throw badRequest('message to edit not found');
    if (message.from?.id !== this.bot.id) throw badRequest("message can't be edited");
    return { state, message };
  }

  private applyEdit(message: BotMessage, changes: Partial<BotMessage>, markup: InlineKeyboardMarkup | undefined): BotMessage {
    const same = (Object.keys(changes) as (keyof BotMessage)[]).every(
      (k) => JSON.stringify(message[k] ?? null) === JSON.stringify(changes[k] ?? null),
    );
    if (same && JSON.stringify(message.reply_markup ?? null) === JSON.stringify(markup ?? null)) {
      throw badRequest(NOT_MODIFIED);
    }
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete (message as unknown as Record<string, unknown>)[k];
      else (message as unknown as Record<string, unknown>)[k] = v;
    }
    // An edit without reply_markup removes the inline keyboard (Bot API editMessageText).
    if (markup) message.reply_markup = markup;
    else delete message.reply_markup;
    message.edit_date = this.nowSec();
    return structuredClone(message);
  }

  private messageText(params: Params, tooLong: string): { text: string; entities?: MessageEntity[] } {
    const raw = optString(params.text);
    if (raw === undefined || raw === '') throw badRequest('message text is empty');
    const { text, entities } = formatText(raw, params.parse_mode, params.entities);
    if (text === '') throw badRequest('message text is empty');
    if (text.length > 4096) throw badRequest(tooLong); // 4096 characters after entity parsing
    return { text, entities: entities.length ? entities : undefined };
  }

  // ── methods ──

  private readonly handlers: Record<string, (params: Params, ctx: CallContext) => unknown> = {
    getme: () => ({
      ...this.bot,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),
    logout: () => true,
    close: () => true,
    setwebhook: (p) => {
      const url = optString(p.url) ?? '';
      if (url === '') {
        this.hook = undefined;
        return true;
      }
      let host: string;
      try {
        const parsed = new URL(url);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
        host = parsed.hostname;
      } catch {
        throw badRequest('bad webhook: Wrong HTTP URL specified');
      }
      // Only loopback targets: this peer must never send traffic off the machine.
      if (!LOOPBACK_HOSTS.test(host)) throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
      if (p.drop_pending_updates === true) this.dropPending();
      if (Array.isArray(p.allowed_updates)) {
        const list = p.allowed_updates.map(String);
        this.allowedUpdates = list.length > 0 ? new Set(list) : undefined;
      }
      const secretToken = optString(p.secret_token);
      this.hook = { url, ...(secretToken ? { secretToken } : {}) };
      this.respondPollConflict();
      this.kickWebhook();
      return true;
    },
    deletewebhook: (p) => {
      this.hook = undefined;
      if (p.drop_pending_updates === true) this.dropPending();
      return true;
    },
    getwebhookinfo: () => ({
      url: this.hook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.pendingUpdates(),
      ...(this.hook?.lastErrorDate ? { last_error_date: this.hook.lastErrorDate, last_error_message: this.hook.lastErrorMessage } : {}),
      ...(this.hook ? { max_connections: 40 } : {}),
      ...(this.allowedUpdates ? { allowed_updates: [...this.allowedUpdates] } : {}),
    }),
    setmycommands: (p) => {
      const commands = Array.isArray(p.commands) ? p.commands : undefined;
      if (!commands) throw badRequest('parameter "commands" is required');
      for (const c of commands as { command?: unknown; description?: unknown }[]) {
        // BotCommand.command: 1-32 chars, lowercase letters, digits and underscores.
        if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
      }
      this.commands.set(commandsKey(p), structuredClone(commands));
      return true;
    },
    getmycommands: (p) => structuredClone(this.commands.get(commandsKey(p)) ?? []),
    deletemycommands: (p) => {
      this.commands.delete(commandsKey(p));
      return true;
    },
    setmydescription: () => true,
    setmyshortdescription: () => true,
    setmyname: () => true,
    setchatmenubutton: () => true,
    getchat: (p) => {
      const state = this.chatForBot(p.chat_id, { sending: false });
      return { ...state.chat, accent_color_id: 0, max_reaction_count: 11 };
    },
    sendchataction: (p) => {
      this.chatForBot(p.chat_id, { sending: true });
      if (!CHAT_ACTIONS.has(String(p.action))) throw badRequest('wrong parameter action in request');
      return true;
    },
    sendmessage: (p) => {
      const { text, entities } = this.messageText(p, 'message is too long');
      return this.sendCommon(p, () => ({ text, ...(entities ? { entities } : {}) }));
    },
    sendphoto: (p, ctx) =>
      this.sendCommon(p, () => {
        const caption = this.caption(p);
        return { photo: this.photoSizes(this.inputFile(p.photo, 'photo', ctx, 'photo')), ...caption };
      }),
    senddocument: (p, ctx) =>
      this.sendCommon(p, () => {
        const caption = this.caption(p);
        return { document: this.documentInfo(this.inputFile(p.document, 'document', ctx, 'document')), ...caption };
      }),
    sendmediagroup: (p, ctx) => {
      const state = this.chatForBot(p.chat_id, { sending: true });
      if (!Array.isArray(p.media)) throw badRequest('parameter "media" is required');
      const reply = this.replyTarget(state, p);
      const groupId = String(13_000_000_000_000_000n + BigInt(this.nextMediaGroup++));
      // Check every item before storing any message: the album is sent whole or not at all.
      const items = (p.media as Params[]).map((item) => {
        const kind = item.type === 'photo' ? 'photo' : 'document';
        const file = this.inputFile(item.media, '', ctx, kind);
        const caption = this.caption({ caption: item.caption, parse_mode: item.parse_mode, caption_entities: item.caption_entities });
        return kind === 'photo' ? { photo: this.photoSizes(file), ...caption } : { document: this.documentInfo(file), ...caption };
      });
      return items.map((body) =>
        structuredClone(
          this.storeMessage(state, { from: this.bot, media_group_id: groupId, ...(reply ? { reply_to_message: reply } : {}), ...body }),
        ),
      );
    },
    editmessagetext: (p) => {
      const { message } = this.editable(p);
      if (message.text === undefined) throw badRequest('there is no text in the message to edit');
      const { text, entities } = this.messageText(p, 'MESSAGE_TOO_LONG');
      return this.applyEdit(message, { text, entities }, checkReplyMarkup(p.reply_markup));
    },
    editmessagecaption: (p) => {
      const { message } = this.editable(p);
      if (message.photo === undefined && message.document === undefined) throw badRequest('there is no caption in the message to edit');
      const caption = this.caption(p);
      return this.applyEdit(
        message,
        { caption: caption.caption, caption_entities: caption.caption_entities },
        checkReplyMarkup(p.reply_markup),
      );
    },
    editmessagereplymarkup: (p) => {
      const { message } = this.editable(p);
      return this.applyEdit(message, {}, checkReplyMarkup(p.reply_markup));
    },
    deletemessage: (p) => {
      const state = this.chatForBot(p.chat_id, { sending: false });
      const id = p.message_id;
      if (typeof id !== 'number' || !state.messages.delete(id)) throw badRequest('message to delete not found');
      return true;
    },
    answercallbackquery: (p) => {
      const id = optString(p.callback_query_id);
      const query = id === undefined ? undefined : this.callbackQueries.get(id);
      if (!query || query.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
      const text = optString(p.text);
      if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
      query.answered = true;
      return true;
    },
    getfile: (p) => {
      const file = this.files.get(optString(p.file_id) ?? '');
      if (!file) throw badRequest('invalid file_id');
      if (file.bytes.length > MAX_DOWNLOAD) throw badRequest('file is too big');
      const result: TgFile = {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_size: file.bytes.length,
        file_path: file.path,
      };
      return result;
    },
  };

  private respondPollConflict(): void {
    const poller = this.poller;
    if (!poller) return;
    this.poller = undefined;
    clearTimeout(poller.timer);
    const body: ApiResponse = {
      ok: false,
      error_code: 409,
      description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    };
    poller.record(409, body);
    if (!poller.res.writableEnded && !poller.res.destroyed) send(poller.res, 409, body);
  }

  private dropPending(): void {
    this.queue = [];
    this.head = 0;
    this.compact();
  }

  shutdown(): void {
    this.closed = true;
    this.hookAbort.abort();
    if (this.hookTimer) clearTimeout(this.hookTimer);
    const poller = this.poller;
    if (poller) {
      this.poller = undefined;
      clearTimeout(poller.timer);
      this.respondPoll(poller, []);
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

function commandsKey(p: Params): string {
  return `${JSON.stringify(p.scope ?? { type: 'default' })}|${optString(p.language_code) ?? ''}`;
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

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Bot API accepts a query string, application/x-www-form-urlencoded, application/json or multipart/form-data.
async function readParams(req: IncomingMessage, query: string | undefined, ctx: CallContext): Promise<Params> {
  const params: Params = query ? Object.fromEntries(new URLSearchParams(query)) : {};
  const body = await readBody(req);
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
      ctx.uploads.set(key, { part, bytes });
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
    port,
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
    pendingUpdates: () => api.pendingUpdates(),
    failNext: (method, error, times) => api.failNext(method, error, times),
    rateLimit: (o) => api.rateLimit(o),
    block: (chatId, blocked) => api.block(chatId, blocked),
    uploadedFile: (fileId) => api.uploadedFile(fileId),
    webhook: () => api.webhook(),
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
