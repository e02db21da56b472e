// Raw RFC 822 bytes → ParsedComplaintMail. mailparser does the MIME work; before it runs, a mailsplit pass repairs
// what real Chinese mail gets wrong (mislabelled GB2312, undeclared charsets, raw GBK header bytes, boundaries that
// never occur, bodies declared base64 that are plain text), so residents' words arrive readable. Never throws:
// every input ends as {ok:true} or {ok:false, reason} (reasons in Chinese and English for the officer and the log).
import { Buffer, isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { Splitter, Joiner, Headers, type MimeNode, type SplitterChunk } from '@zone-eu/mailsplit';
import libmime from 'libmime';
import iconv from 'iconv-lite';

export interface MailAttachment {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
  contentId?: string;
}

export interface ParsedComplaintMail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  from: { address: string | null; name: string | null };
  to: string[];
  cc: string[];
  /** ISO-8601 UTC, null when missing or unparseable (never "now"). */
  date: string | null;
  /** Plain text; converted from HTML when the mail is HTML-only. */
  text: string;
  html: string | null;
  /** Root headers, lower-case keys, first value, unfolded and RFC 2047-decoded. */
  headers: Record<string, string>;
  attachments: MailAttachment[];
  /** What was repaired on the way (charsets, structure), for the audit trail. */
  charsetNotes: string[];
}

export type ParseResult = { ok: true; mail: ParsedComplaintMail } | { ok: false; reason: string };

export interface ParseOptions {
  maxBytes?: number;
  timeoutMs?: number;
}

import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './limits.ts';
export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS };
/** Deeper MIME nesting than this is an attack or a loop, not a resident's mail. */
export const MAX_MIME_DEPTH = 32;
/** Passed to mailparser: more parts than this make it fail, and we report why. */
export const MAX_MIME_PARTS = 500;
/** HTML longer than this is not run through html-to-text (slow on pathological markup); tags are stripped instead. */
const MAX_HTML_TO_TEXT = 100_000;

/** Labels that in practice mean GBK or GB18030 bytes; GB18030 is the superset that decodes all of them. */
const GB_LABELS = new Set([
  'gb2312',
  'gb231280',
  'gbk',
  'xgbk',
  'euccn',
  'xeuccn',
  'cp936',
  'ms936',
  'windows936',
  'csgb2312',
  'csiso58gb231280',
  'isoir58',
  'chinese',
  'gb18030',
]);
/** Labels whose bodies mailparser passes through as UTF-8 without decoding. */
const UTF8_LIKE_LABELS = new Set(['utf8', 'usascii', 'ascii', 'ansix341968', 'us', '7bit', '8bit']);

const labelKey = (label: string): string => label.toLowerCase().replace(/[^a-z0-9]/g, '');
const isGbLabel = (label: string): boolean => GB_LABELS.has(labelKey(label));
const has8bit = (buf: Buffer): boolean => buf.some((b) => b >= 0x80);

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}

export async function parseMail(raw: Buffer, opts: ParseOptions = {}): Promise<ParseResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (raw.length === 0) return { ok: false, reason: '空邮件 empty input (0 bytes)' };
  if (raw.length > maxBytes) {
    return { ok: false, reason: `邮件过大 too large (${formatMb(raw.length)} MB > ${formatMb(maxBytes)} MB)` };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ParseResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `解析超时 parse timed out (> ${timeoutMs / 1000} s)` }),
      timeoutMs,
    );
  });
  // The losing parse keeps running until its input is consumed (bounded by maxBytes); its errors are caught.
  const work = parseUnbounded(raw).catch(
    (err: unknown): ParseResult => ({ ok: false, reason: `邮件无法解析 unparseable mail: ${errorMessage(err)}` }),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function parseUnbounded(raw: Buffer): Promise<ParseResult> {
  const notes: string[] = [];
  const input = ensureHeaderBlock(raw, notes);
  let repaired: Buffer;
  let rootHeaderLines: HeaderLine[] | null = null;
  try {
    const result = await repairMime(input, notes);
    repaired = result.bytes;
    rootHeaderLines = result.rootHeaderLines;
  } catch (err) {
    if (err instanceof MimeLimitError) return { ok: false, reason: err.message };
    notes.push(`结构修复失败，按原样解析 repair pass failed, parsed as is: ${errorMessage(err)}`);
    repaired = input;
  }
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(repaired, {
      skipTextToHtml: true,
      skipImageLinks: true,
      keepCidLinks: true,
      maxHtmlLengthToParse: MAX_HTML_TO_TEXT,
      maxChildNodes: MAX_MIME_PARTS,
      checksumAlgo: false,
    });
  } catch (err) {
    return { ok: false, reason: `邮件无法解析 unparseable mail: ${errorMessage(err)}` };
  }
  return finish(parsed, rootHeaderLines ?? parsed.headerLines, notes);
}

/** A body with no header block (the first line is not a header field) would lose its first paragraph as "headers". */
function ensureHeaderBlock(raw: Buffer, notes: string[]): Buffer {
  const firstLineEnd = raw.indexOf(0x0a);
  const firstLine = raw.subarray(0, firstLineEnd < 0 ? Math.min(raw.length, 1000) : firstLineEnd).toString('latin1');
  if (/^[\x21-\x39\x3b-\x7e]+:/.test(firstLine) || /^From /.test(firstLine) || /^\r?$/.test(firstLine)) return raw;
  notes.push('无邮件头，全文按正文处理 no header block: whole input treated as body');
  return Buffer.concat([Buffer.from('\r\n'), raw]);
}

class MimeLimitError extends Error {}

interface HeaderLine {
  key: string;
  line: string;
}

interface Repaired {
  bytes: Buffer;
  /** The root headers as sent (transcoded to UTF-8), before any charset or type was relabelled. */
  rootHeaderLines: HeaderLine[] | null;
}

interface Leaf {
  node: MimeNode;
  chunks: Buffer[];
}

/**
 * Split, fix each node's headers and declared charset, join. Everything is buffered: the input is already bounded
 * by maxBytes, and deciding a charset needs the whole body.
 */
async function repairMime(input: Buffer, notes: string[]): Promise<Repaired> {
  const items = await splitAll(input);
  const nodes = items.filter((it): it is MimeNode => it.type === 'node');
  const rootHeaderLines = nodes[0] ? new Headers(headerBytesAsUtf8(nodes[0].getHeaders()).bytes).getList() : null;
  for (const node of nodes) {
    if (depthOf(node) > MAX_MIME_DEPTH) {
      throw new MimeLimitError(`MIME 嵌套过深 nesting too deep (> ${MAX_MIME_DEPTH})`);
    }
  }
  if (nodes.length > MAX_MIME_PARTS) {
    throw new MimeLimitError(`MIME 部件过多 too many parts (${nodes.length} > ${MAX_MIME_PARTS})`);
  }

  // Bodies by node; a root multipart whose boundary never occurs has its text in 'data' chunks instead.
  const bodies = new Map<MimeNode, Buffer[]>();
  for (const it of items) {
    if (it.type !== 'body') continue;
    const list = bodies.get(it.node) ?? [];
    list.push(it.value);
    bodies.set(it.node, list);
  }
  const root = nodes[0];
  if (root && root.multipart && !nodes.some((n) => n.parentNode === root)) {
    const data = items.filter((it) => it.type === 'data').map((it) => (it as { value: Buffer }).value);
    const body = Buffer.concat(data);
    if (body.toString('latin1').trim().length > 0) {
      const looksHtml = /<(html|body|div|table|p|br|font)[\s>\/]/i.test(body.subarray(0, 4096).toString('latin1'));
      const type = looksHtml ? 'text/html' : 'text/plain';
      root.setContentType(type);
      root.multipart = false;
      root.contentType = type;
      bodies.set(root, data);
      notes.push(`multipart 边界从未出现，按 ${type} 处理 boundary never occurs: treated as ${type}`);
    }
  }

  const leaves: Leaf[] = nodes
    .filter((n) => !n.multipart && isTextLeaf(n))
    .map((node) => ({ node, chunks: bodies.get(node) ?? [] }));
  for (const leaf of leaves) await fixLeafCharset(leaf, notes);

  const headerNoteSeen = { value: false };
  const rebuilt: (SplitterChunk | Buffer)[] = items.map((it) =>
    it.type === 'node' ? fixHeaderBytes(it, notes, headerNoteSeen) : it,
  );
  return { bytes: await joinAll(rebuilt), rootHeaderLines };
}

async function splitAll(input: Buffer): Promise<SplitterChunk[]> {
  const items: SplitterChunk[] = [];
  const splitter = Readable.from([input]).pipe(new Splitter({ maxHeadSize: 1024 * 1024 }));
  for await (const it of splitter as AsyncIterable<SplitterChunk>) items.push(it);
  return items;
}

async function joinAll(items: (SplitterChunk | Buffer)[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const joiner = Readable.from(items, { objectMode: true }).pipe(new Joiner());
  for await (const chunk of joiner as AsyncIterable<Buffer>) out.push(chunk);
  return Buffer.concat(out);
}

function depthOf(node: MimeNode): number {
  let depth = 0;
  for (let p = node.parentNode; p; p = p.parentNode) depth++;
  return depth;
}

function isTextLeaf(node: MimeNode): boolean {
  if (node.disposition === 'attachment') return false;
  const type = node.contentType || (node.root ? 'text/plain' : '');
  return type === 'text/plain' || type === 'text/html';
}

/** Decide a text leaf's real charset from its (transfer-decoded) bytes and relabel it where the label lies. */
async function fixLeafCharset(leaf: Leaf, notes: string[]): Promise<void> {
  const { node } = leaf;
  const rawBody = Buffer.concat(leaf.chunks);
  const where = node.root ? '正文 body' : `部件 part ${node.contentType || 'text/plain'}`;

  // Declared base64/QP over text that is plainly not encoded: decoding would turn it into garbage.
  if (node.encoding === 'base64' && /[^A-Za-z0-9+/=\s]/.test(rawBody.toString('latin1'))) {
    setTransferEncoding(node, '8bit');
    notes.push(`${where}: 声明 base64 实为明文 declared base64 but plain 8-bit text`);
  } else if (node.encoding === 'quoted-printable' && has8bit(rawBody) && !/=[0-9A-Fa-f]{2}/.test(rawBody.toString('latin1'))) {
    setTransferEncoding(node, '8bit');
    notes.push(`${where}: 声明 quoted-printable 实为明文 declared quoted-printable but plain 8-bit text`);
  }

  const bytes = await transferDecode(node, leaf.chunks);
  const declared = node.charset ? String(node.charset) : '';
  const key = labelKey(declared);
  if (!has8bit(bytes)) return; // pure ASCII reads the same under every label we would choose
  const utf8 = isUtf8(bytes);

  if (key && isGbLabel(declared)) {
    if (utf8) {
      node.setCharset('utf-8');
      notes.push(`${where}: 标为 ${declared} 实为 UTF-8 labelled ${declared} but valid UTF-8`);
    } else if (key !== 'gb18030') {
      node.setCharset('gb18030');
      notes.push(`${where}: ${declared} 按 GB18030 解码 ${declared} decoded as GB18030`);
    }
    return;
  }
  const known = key !== '' && !UTF8_LIKE_LABELS.has(key) && iconv.encodingExists(declared);
  if (known) return; // big5, iso-8859-1, …: trust the sender
  // No label, an ASCII/UTF-8 label, or garbage such as `charset="charset="`: the bytes decide.
  if (utf8 && key === 'utf8') return;
  const chosen = utf8 ? 'utf-8' : 'gb18030';
  node.setCharset(chosen);
  notes.push(
    declared
      ? `${where}: 字符集 "${declared}" 不符，按 ${chosen} 解码 charset "${declared}" wrong or unknown, decoded as ${chosen}`
      : `${where}: 未声明字符集，按 ${chosen} 解码 no charset declared, decoded as ${chosen}`,
  );
}

function setTransferEncoding(node: MimeNode, encoding: string): void {
  if (node.headers) node.headers.update('Content-Transfer-Encoding', encoding);
  node.encoding = encoding;
}

function transferDecode(node: MimeNode, chunks: Buffer[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const decoder = node.getDecoder();
    const out: Buffer[] = [];
    decoder.on('data', (b: Buffer | string) => out.push(Buffer.isBuffer(b) ? b : Buffer.from(b)));
    decoder.on('end', () => resolve(Buffer.concat(out)));
    // A broken encoding still leaves the raw bytes to judge the charset by.
    decoder.on('error', () => resolve(Buffer.concat(chunks)));
    for (const c of chunks) decoder.write(c);
    decoder.end();
  });
}

/**
 * Header blocks go to mailparser as UTF-8: raw 8-bit GBK bytes (subject, display names) are transcoded, and
 * RFC 2047 words labelled gb2312/gbk are relabelled gb18030 so characters outside GB2312 (镕, 堃) survive.
 */
function fixHeaderBytes(node: MimeNode, notes: string[], seen: { value: boolean }): Buffer {
  const { bytes, transcoded, relabelled } = headerBytesAsUtf8(node.getHeaders());
  if (transcoded && !seen.value) {
    notes.push('邮件头含 8 位非 UTF-8 字节，按 GB18030 解码 raw 8-bit header bytes decoded as GB18030');
    seen.value = true;
  }
  if (relabelled && !notes.includes(ENCODED_WORD_NOTE)) notes.push(ENCODED_WORD_NOTE);
  return bytes;
}

function headerBytesAsUtf8(buf: Buffer): { bytes: Buffer; transcoded: boolean; relabelled: boolean } {
  const transcoded = has8bit(buf) && !isUtf8(buf);
  let text = transcoded ? iconv.decode(buf, 'gb18030') : buf.toString('utf8');
  let relabelled = false;
  text = text.replace(/=\?([^?*\s]+)(\*[^?\s]*)?\?([bBqQ])\?/g, (word, charset: string, lang: string | undefined, enc: string) => {
    if (!isGbLabel(charset) || labelKey(charset) === 'gb18030') return word;
    relabelled = true;
    return `=?gb18030${lang ?? ''}?${enc}?`;
  });
  return { bytes: Buffer.from(text, 'utf8'), transcoded, relabelled };
}
const ENCODED_WORD_NOTE = '编码字 gb2312/gbk 按 GB18030 解码 RFC 2047 gb2312/gbk words decoded as GB18030';

// ---- from mailparser's result to ours ----

/**
 * HTML → words in linear time, for HTML too long (or too hostile) for html-to-text: script/style blocks are cut
 * with indexOf (a lazy regex over an unclosed block is quadratic), tags with a class that cannot backtrack across
 * another '<'.
 */
export function stripTags(html: string): string {
  let out = '';
  let i = 0;
  const lower = html.toLowerCase();
  for (;;) {
    const s1 = lower.indexOf('<script', i);
    const s2 = lower.indexOf('<style', i);
    const start = s1 < 0 ? s2 : s2 < 0 ? s1 : Math.min(s1, s2);
    if (start < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, start) + ' ';
    const close = lower.startsWith('<script', start) ? '</script' : '</style';
    const end = lower.indexOf(close, start);
    if (end < 0) break; // unclosed: the rest is code, not words
    const gt = lower.indexOf('>', end);
    i = gt < 0 ? html.length : gt + 1;
  }
  return out.replace(/<[^<>]*>/g, ' ').replace(/[<>]/g, ' ').replace(/[ \t]+/g, ' ');
}

function finish(m: ParsedMail, headerLines: readonly HeaderLine[], notes: string[]): ParseResult {
  const headers = rootHeaders(headerLines);
  const attachments = m.attachments.map((a, i) => toAttachment(a, i));
  const html = typeof m.html === 'string' && m.html.length > 0 ? m.html : null;
  let text = m.text ?? '';
  if (!text.trim() && html) {
    // html-to-text refused (too long) or produced nothing: keep the words at least.
    text = stripTags(html);
    if (m.textConversionError) notes.push('HTML 过长，仅去除标签 HTML too long for conversion: tags stripped');
  }
  text = text.replace(/\r\n?/g, '\n');
  const garbage = isGarbage(text);
  const cleaned = stripControls(text);
  if (cleaned.length !== text.length && !garbage) notes.push('已去除控制字符 control characters removed');
  const subject = repairMojibake(stripControls(m.subject ?? '').replace(/\s+/g, ' ').trim(), notes);
  const from = firstAddress(m.from);
  if (from.name) from.name = repairMojibake(from.name, notes);
  if (garbage) notes.push('正文为二进制乱码，已丢弃 body is binary garbage, dropped');
  const body = garbage ? '' : cleaned.trim();
  const hasHeaders = Boolean(subject || from.address || headers['date'] || headers['message-id']);
  if (!hasHeaders && !body && attachments.length === 0) {
    return {
      ok: false,
      reason: garbage ? '无法识别的二进制内容 unreadable binary content' : '无邮件头也无正文 no headers and no text',
    };
  }
  return {
    ok: true,
    mail: {
      messageId: m.messageId ?? null,
      inReplyTo: m.inReplyTo ?? null,
      references: m.references === undefined ? [] : ([] as string[]).concat(m.references),
      subject,
      from,
      to: addressList(m.to),
      cc: addressList(m.cc),
      date: isoDate(headers['date']),
      text: body,
      html,
      headers,
      attachments,
      charsetNotes: notes,
    },
  };
}

/** Binary decoded as text shows as control characters and U+FFFD; real prose has next to none. */
function isGarbage(text: string): boolean {
  // NUL padding (a client that pads a fixed-size buffer) is no sign of binary content: judge what is left.
  const unpadded = text.replace(/\x00+/g, '');
  if (unpadded.length < 16) return false;
  const bad = unpadded.match(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/g)?.length ?? 0;
  return bad / unpadded.length > 0.05;
}

/**
 * GBK bytes once read as Latin-1 and re-encoded as UTF-8 (seen in forwarded mail: "2005ÄêÕÐÊÕ") read back as
 * GB18030 when that yields Chinese and nothing undecodable.
 */
function repairMojibake(s: string, notes: string[]): string {
  const latin = s.match(/[\u00a1-\u00ff]/g)?.length ?? 0;
  const visible = s.replace(/[\s\x00-\x40\x5b-\x60\x7b-\x7f]/g, '').length;
  // A European name ("Müller") has a few such letters; mojibake is mostly them.
  if (latin < 4 || latin < visible * 0.5 || /[^\u0000-\u00ff]/.test(s)) return s;
  const bytes = Buffer.from(s, 'latin1');
  if (isUtf8(bytes)) return s;
  const fixed = iconv.decode(bytes, 'gb18030');
  if (fixed.includes('\ufffd') || !/\p{Script=Han}/u.test(fixed)) return s;
  notes.push('乱码(Latin-1 误读的 GBK)已修复 mojibake (GBK read as Latin-1) repaired');
  return fixed;
}

function stripControls(s: string): string {
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}

function rootHeaders(headerLines: readonly HeaderLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, line } of headerLines) {
    if (Object.hasOwn(out, key)) continue;
    const rawValue = Buffer.from(line, 'latin1').toString('utf8');
    const colon = rawValue.indexOf(':');
    const unfolded = (colon < 0 ? '' : rawValue.slice(colon + 1)).replace(/\r?\n[ \t]*/g, ' ').trim();
    let value = unfolded;
    try {
      value = libmime.decodeWords(unfolded);
    } catch {
      // keep the undecoded value: better than nothing
    }
    out[key] = stripControls(value);
  }
  return out;
}

/** How much of an unreadable mail glimpseHeaders looks at for its header block. */
const GLIMPSE_BYTES = 64 * 1024;

/**
 * The root headers of a mail that could not be parsed (too large, timed out, broken), read from its header block
 * alone the way parseMail reads them (raw GBK bytes, gb2312 encoded words): the desk then sees the subject, sender
 * and recipients of the mail it has to handle by hand, and the county it was sent to. Lower-case keys, first
 * value. Never throws; {} when there is nothing readable.
 */
export function glimpseHeaders(raw: Buffer): Record<string, string> {
  try {
    const head = raw.subarray(0, GLIMPSE_BYTES);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf < 0 ? lf : lf < 0 ? crlf : Math.min(crlf, lf);
    const block = end < 0 ? head : head.subarray(0, end + 1);
    return rootHeaders(new Headers(headerBytesAsUtf8(block).bytes).getList());
  } catch {
    return {};
  }
}

function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const t = new Date(value.replace(/\s*\([^)]*\)\s*$/, '')).getTime();
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

function flatten(list: EmailAddress[]): EmailAddress[] {
  return list.flatMap((a) => (a.group ? flatten(a.group) : [a]));
}

function addressList(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  return ([] as AddressObject[])
    .concat(value)
    .flatMap((o) => flatten(o.value))
    .map((a) => a.address?.trim() ?? '')
    .filter((a) => a.length > 0);
}

function firstAddress(value: AddressObject | undefined): { address: string | null; name: string | null } {
  const first = value ? flatten(value.value)[0] : undefined;
  const address = first?.address?.trim() || null;
  const name = stripControls(first?.name ?? '').trim() || null;
  return { address, name };
}

function toAttachment(a: ParsedMail['attachments'][number], index: number): MailAttachment {
  const contentType = a.contentType || 'application/octet-stream';
  let filename = a.filename?.trim();
  if (!filename) {
    const ext = libmime.detectExtension(contentType);
    filename = `attachment-${index + 1}${ext ? `.${ext}` : ''}`;
  }
  const out: MailAttachment = { filename, contentType, size: a.content.length, content: a.content };
  const cid = a.cid ?? a.contentId?.replace(/^<|>$/g, '');
  if (cid) out.contentId = cid;
  return out;
}
