// Deterministic mutations of raw RFC 822 mail for the hostile-input suite: the same seed gives the same
// bytes on every machine, so a mutant that breaks the intake can be rebuilt from its (base, kind, seed) label.
// Cheap mutations (truncation, flipped bytes, wrong charset labels, NUL bytes, CRLF/LF mixes, a missing blank
// line, duplicated headers, broken base64/QP) are applied by the thousand; the structural monsters (1 MB header
// lines, 10,000 MIME parts, deep nesting, 25 MB attachments, huge single-line bodies) are built by their own
// functions, a few of each.
import { Buffer } from 'node:buffer';
import { mulberry32 } from './random.ts';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, good enough for test data, and identical everywhere. */
export function seededRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  };
}

export const CHEAP_MUTATIONS = [
  'truncate',
  'flipBytes',
  'wrongCharset',
  'nulBytes',
  'crlfMix',
  'noBlankLine',
  'dupHeaders',
  'brokenBase64',
  'brokenQp',
] as const;
export type CheapMutation = (typeof CHEAP_MUTATIONS)[number];

/** The labels real Chinese mail confuses with each other. */
export const CHARSET_LABELS = ['gb2312', 'utf-8', 'big5', 'iso-8859-1'] as const;

// ---- header/body split (byte level: mutated mail is not text) ----

interface Split {
  head: Buffer;
  /** The separator as found ('\r\n\r\n', '\n\n', or empty when there is none). */
  sep: Buffer;
  body: Buffer;
}

export function splitMail(raw: Buffer): Split {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { head: raw.subarray(0, crlf), sep: raw.subarray(crlf, crlf + 4), body: raw.subarray(crlf + 4) };
  if (lf >= 0) return { head: raw.subarray(0, lf), sep: raw.subarray(lf, lf + 2), body: raw.subarray(lf + 2) };
  return { head: raw, sep: Buffer.alloc(0), body: Buffer.alloc(0) };
}

function eolOf(raw: Buffer): string {
  return raw.includes('\r\n') ? '\r\n' : '\n';
}

/** Header lines (folded continuations kept with their field), as latin1 strings so every byte survives. */
function headerFields(head: Buffer): string[] {
  const lines = head.toString('latin1').split(/\r?\n/);
  const fields: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\n${line}`;
    else fields.push(line);
  }
  return fields;
}

function joinFields(fields: string[], eol: string): Buffer {
  return Buffer.from(fields.map((f) => f.replace(/\n/g, eol)).join(eol), 'latin1');
}

function fieldName(f: string): string {
  return (/^([^:\s]+):/.exec(f)?.[1] ?? '').toLowerCase();
}

/** Replaces (or adds) one header field; the mail's own line ending is kept. */
export function setHeader(raw: Buffer, name: string, value: string): Buffer {
  const { head, sep, body } = splitMail(raw);
  const eol = eolOf(raw);
  const fields = headerFields(head).filter((f) => fieldName(f) !== name.toLowerCase());
  fields.push(`${name}: ${value}`);
  return Buffer.concat([joinFields(fields, eol), sep.length ? sep : Buffer.from(eol + eol), body]);
}

// ---- the cheap mutations ----

export function applyMutation(raw: Buffer, kind: CheapMutation, rng: Rng): Buffer {
  switch (kind) {
    case 'truncate':
      return Buffer.from(raw.subarray(0, rng.int(0, Math.max(0, raw.length - 1))));
    case 'flipBytes':
      return flipBytes(raw, rng);
    case 'wrongCharset':
      return wrongCharset(raw, rng);
    case 'nulBytes':
      return nulBytes(raw, rng);
    case 'crlfMix':
      return crlfMix(raw, rng);
    case 'noBlankLine':
      return noBlankLine(raw);
    case 'dupHeaders':
      return dupHeaders(raw, rng);
    case 'brokenBase64':
      return brokenBase64(raw, rng);
    case 'brokenQp':
      return brokenQp(raw, rng);
  }
}

function flipBytes(raw: Buffer, rng: Rng): Buffer {
  const out = Buffer.from(raw);
  if (out.length === 0) return out;
  const n = rng.int(1, Math.max(1, Math.min(64, Math.ceil(out.length / 100))));
  for (let i = 0; i < n; i++) {
    const at = rng.int(0, out.length - 1);
    out[at] = out[at]! ^ rng.int(1, 255);
  }
  return out;
}

function nulBytes(raw: Buffer, rng: Rng): Buffer {
  const parts: Buffer[] = [];
  const cuts = Array.from({ length: rng.int(1, 12) }, () => rng.int(0, raw.length)).sort((a, b) => a - b);
  let at = 0;
  for (const c of cuts) {
    parts.push(raw.subarray(at, c), Buffer.alloc(rng.int(1, 8), 0));
    at = c;
  }
  parts.push(raw.subarray(at));
  return Buffer.concat(parts);
}

function crlfMix(raw: Buffer, rng: Rng): Buffer {
  const lines = raw.toString('latin1').split(/\r\n|\n/);
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    out += lines[i];
    if (i < lines.length - 1) out += rng.pick(['\r\n', '\n', '\n', '\r\n', '\r', '\r\r\n']);
  }
  return Buffer.from(out, 'latin1');
}

function noBlankLine(raw: Buffer): Buffer {
  const { head, sep, body } = splitMail(raw);
  if (!sep.length) return Buffer.from(raw);
  return Buffer.concat([head, Buffer.from(sep.subarray(0, sep.length / 2)), body]);
}

function wrongCharset(raw: Buffer, rng: Rng): Buffer {
  const { head, sep, body } = splitMail(raw);
  const other = (cur: string): string => {
    const choices = CHARSET_LABELS.filter((l) => l !== cur.toLowerCase());
    return rng.pick(choices);
  };
  let text = head.toString('latin1');
  let touched = false;
  text = text.replace(/charset\s*=\s*("?)([^";\s]*)\1/gi, (_m, q: string, cur: string) => {
    touched = true;
    return `charset=${q}${other(cur)}${q}`;
  });
  text = text.replace(/=\?([^?\s]+)\?([bBqQ])\?/g, (_m, cur: string, enc: string) => {
    touched = true;
    return `=?${other(cur)}?${enc}?`;
  });
  let out: Buffer = Buffer.concat([Buffer.from(text, 'latin1'), sep, body]);
  if (!touched) out = setHeader(out, 'Content-Type', `text/plain; charset=${rng.pick(CHARSET_LABELS)}`);
  // Multipart bodies carry their own part headers: relabel those too.
  if (body.includes('charset')) {
    const relabelled = body.toString('latin1').replace(/charset\s*=\s*("?)([^";\s]*)\1/gi, (_m, q: string, cur: string) => `charset=${q}${other(cur)}${q}`);
    const s = splitMail(out);
    out = Buffer.concat([s.head, s.sep, Buffer.from(relabelled, 'latin1')]);
  }
  return out;
}

const DUP_VALUES: Record<string, string[]> = {
  from: ['"伪造" <forged@example.com>', 'mailer-daemon@example.com', '', '<<<>>>', '=?gb2312?B?zfXFrsq/?= <a@b.c>'],
  to: ['nobody@example.com', '', 'undisclosed-recipients:;'],
  subject: ['=?utf-8?B?5oqV6K+J?=', '', 'Re: Re: Re:', '=?big5?Q?=A7=EB=B6D?='],
  'content-type': ['text/html; charset=big5', 'multipart/mixed; boundary=nowhere', 'text/plain', 'application/octet-stream', 'multipart/alternative'],
  'content-transfer-encoding': ['base64', 'quoted-printable', '8bit', 'x-uuencode', 'binary'],
  'message-id': ['<dup@example.com>', '', '<>', 'no-angle-brackets'],
  date: ['Thu, 31 Feb 2026 25:61:61 +9999', '', 'yesterday'],
  'mime-version': ['1.0', '2.0', ''],
};

function dupHeaders(raw: Buffer, rng: Rng): Buffer {
  const { head, sep, body } = splitMail(raw);
  const eol = eolOf(raw);
  const fields = headerFields(head);
  const names = Object.keys(DUP_VALUES);
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(names);
    const existing = fields.find((f) => fieldName(f) === name);
    // Either a verbatim copy of the existing field or a conflicting value, before or after it.
    const line = existing && rng.chance(0.4) ? existing : `${name.replace(/(^|-)\w/g, (s) => s.toUpperCase())}: ${rng.pick(DUP_VALUES[name]!)}`;
    fields.splice(rng.int(0, fields.length), 0, line);
  }
  return Buffer.concat([joinFields(fields, eol), sep.length ? sep : Buffer.from(eol + eol), body]);
}

function brokenBase64(raw: Buffer, rng: Rng): Buffer {
  const { body } = splitMail(raw);
  let b64 = body.toString('base64');
  const ops = rng.int(1, 4);
  for (let i = 0; i < ops; i++) {
    const at = rng.int(0, b64.length);
    switch (rng.int(0, 4)) {
      case 0: // a character outside the alphabet
        b64 = b64.slice(0, at) + rng.pick(['!', '*', '.', '~', '中', '\u0000', '-', '_']) + b64.slice(at);
        break;
      case 1: // length no longer a multiple of 4
        b64 = b64.slice(0, at) + b64.slice(at + rng.int(1, 3));
        break;
      case 2: // padding in the middle
        b64 = b64.slice(0, at) + '==' + b64.slice(at);
        break;
      case 3: // cut short
        b64 = b64.slice(0, at);
        break;
      default: // a stray line break inside a quantum
        b64 = b64.slice(0, at) + '\r\n' + b64.slice(at);
    }
  }
  const wrapped = b64.replace(/(.{76})/g, '$1\r\n');
  const withCte = setHeader(raw, 'Content-Transfer-Encoding', 'base64');
  const s = splitMail(withCte);
  return Buffer.concat([s.head, s.sep, Buffer.from(wrapped, 'utf8')]);
}

function brokenQp(raw: Buffer, rng: Rng): Buffer {
  const { body } = splitMail(raw);
  // Encode every 8-bit byte as =XX, then break some of them.
  let qp = '';
  for (const b of body) qp += b >= 0x80 || b === 0x3d ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  const ops = rng.int(1, 5);
  for (let i = 0; i < ops; i++) {
    const at = rng.int(0, qp.length);
    qp = qp.slice(0, at) + rng.pick(['=ZZ', '=', '=\r\n', '=4', '=\n=\n', '=E4=B8', '= \r\n', '=3D=']) + qp.slice(at);
  }
  if (rng.chance(0.3)) qp += '=';
  const withCte = setHeader(raw, 'Content-Transfer-Encoding', 'quoted-printable');
  const s = splitMail(withCte);
  return Buffer.concat([s.head, s.sep, Buffer.from(qp, 'latin1')]);
}

// ---- the structural monsters ----

const COMPLAINT_TEXT = '我是阳光花园小区3号楼的业主，电话13912345678。小区电梯坏了一个月，物业一直不修。';

function mailHead(fields: Record<string, string>, eol = '\r\n'): string {
  const base: Record<string, string> = {
    From: '=?UTF-8?B?546L5aWz5aOr?= <wang@example.com>',
    To: 'yhqzjjwy@163.com',
    Subject: '=?UTF-8?B?55S15qKv5Z2P5LqG?=',
    Date: 'Mon, 2 Mar 2026 10:00:00 +0800',
    'MIME-Version': '1.0',
  };
  return Object.entries({ ...base, ...fields })
    .map(([k, v]) => `${k}: ${v}`)
    .join(eol);
}

/** A header line of `bytes` bytes (one field, no folding) added to `raw`. */
export function hugeHeaderLine(raw: Buffer, bytes = 1024 * 1024, rng: Rng = seededRng(1), name = 'X-Junk'): Buffer {
  const fill = rng.chance(0.5) ? 'A' : '中';
  const value = fill.repeat(Math.ceil(bytes / Buffer.byteLength(fill)));
  const { head, sep, body } = splitMail(raw);
  const eol = eolOf(raw);
  return Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value, 'utf8').subarray(0, bytes), Buffer.from(eol), head, sep.length ? sep : Buffer.from(eol + eol), body]);
}

/** multipart/mixed with `n` tiny text parts. */
export function manyParts(n = 10_000): Buffer {
  const b = 'b-many-parts';
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${i === 0 ? COMPLAINT_TEXT : `part ${i}`}\r\n`);
  return Buffer.from(`${mailHead({ 'Content-Type': `multipart/mixed; boundary="${b}"` })}\r\n\r\n${parts.join('')}--${b}--\r\n`, 'utf8');
}

/** `levels` nested multipart/mixed containers around one text part. */
export function deepNesting(levels = 200): Buffer {
  let inner = `Content-Type: text/plain; charset=utf-8\r\n\r\n${COMPLAINT_TEXT}\r\n`;
  for (let i = levels - 1; i >= 1; i--) {
    const b = `lvl${i}`;
    inner = `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\n${inner}--${b}--\r\n`;
  }
  const b = 'lvl0';
  return Buffer.from(`${mailHead({ 'Content-Type': `multipart/mixed; boundary="${b}"` })}\r\n\r\n--${b}\r\n${inner}--${b}--\r\n`, 'utf8');
}

/**
 * A complaint with one base64 attachment, padded so the whole raw mail is `totalBytes` long (give or take a
 * line): above `maxMessageBytes` it must be refused unparsed, just under it must be parsed.
 */
export function withAttachment(totalBytes: number, seed = 7): Buffer {
  const b = 'b-attach';
  const head = `${mailHead({ 'Content-Type': `multipart/mixed; boundary="${b}"`, 'Message-ID': `<attach-${totalBytes}-${seed}@example.com>` })}\r\n\r\n`;
  const text = `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${COMPLAINT_TEXT}\r\n`;
  const attHead = `--${b}\r\nContent-Type: image/jpeg; name="photo.jpg"\r\nContent-Disposition: attachment; filename="photo.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n`;
  const tail = `\r\n--${b}--\r\n`;
  const fixed = Buffer.byteLength(head + text + attHead + tail);
  // base64 lines of 76 chars + CRLF = 78 bytes for 57 input bytes.
  const lines = Math.floor(Math.max(0, totalBytes - fixed) / 78);
  const rng = seededRng(seed);
  const chunk = Buffer.alloc(57);
  for (let i = 0; i < 57; i++) chunk[i] = rng.int(0, 255);
  const mail = Buffer.from(head + text + attHead + `${chunk.toString('base64')}\r\n`.repeat(lines) + tail, 'latin1');
  // The last few bytes go into the epilogue after the closing boundary, which MIME ignores: the size is exact.
  return Buffer.concat([mail, Buffer.alloc(Math.max(0, totalBytes - mail.length), 0x2e)]);
}

/** One body line of `bytes` bytes without a line break (text or HTML). */
export function hugeSingleLine(bytes: number, kind: 'text' | 'html' = 'text'): Buffer {
  const unit = kind === 'html' ? '<p>电梯坏了<b>物业不修</b></p>' : '电梯坏了物业不修';
  const body = Buffer.from(unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))), 'utf8').subarray(0, bytes);
  const head = mailHead({ 'Content-Type': `text/${kind === 'html' ? 'html' : 'plain'}; charset=utf-8`, 'Content-Transfer-Encoding': '8bit', 'Message-ID': `<line-${kind}-${bytes}@example.com>` });
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
}

/** An HTML-only mail whose markup is a long run of one pathological token (unclosed tags, bare '<'). */
export function pathologicalHtml(bytes: number, token: string): Buffer {
  const body = Buffer.from(token.repeat(Math.ceil(bytes / Buffer.byteLength(token))), 'utf8').subarray(0, bytes);
  const head = mailHead({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Transfer-Encoding': '8bit', 'Message-ID': `<html-${bytes}-${token.length}@example.com>` });
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
}

// ---- the stream of mutants ----

export interface Mutant {
  /** `base#kind[+kind…]@seed`: enough to rebuild it. */
  label: string;
  kinds: CheapMutation[];
  raw: Buffer;
}

/**
 * `count` mutants of the given bases, round-robin over the bases; about a third carry two or three mutations
 * stacked. Deterministic for a given seed.
 */
export function* mutants(bases: readonly { name: string; raw: Buffer }[], count: number, seed = 20261122): Generator<Mutant> {
  const rng = seededRng(seed);
  for (let i = 0; i < count; i++) {
    const base = bases[i % bases.length]!;
    const s = rng.int(1, 2 ** 31 - 1);
    const m = mutateWithSeed(base.raw, CHEAP_MUTATIONS[i % CHEAP_MUTATIONS.length]!, s);
    yield { label: `${base.name}#${m.kinds.join('+')}@${s}`, ...m };
  }
}

/** One mutant: `first`, and with probability 1/3 one or two more kinds stacked, all drawn from `seed`. */
export function mutateWithSeed(raw: Buffer, first: CheapMutation, seed: number): { kinds: CheapMutation[]; raw: Buffer } {
  const local = seededRng(seed);
  const kinds: CheapMutation[] = [first];
  if (local.chance(0.33)) for (let k = local.int(1, 2); k > 0; k--) kinds.push(local.pick(CHEAP_MUTATIONS));
  let out = raw;
  for (const k of kinds) out = applyMutation(out, k, local);
  return { kinds, raw: out };
}

/** Rebuilds a mutant from its label (`base#kind[+kind…]@seed`) and the base's bytes, to replay a failure. */
export function rebuildMutant(label: string, baseRaw: Buffer): Buffer {
  const m = /#([a-zA-Z0-9]+)[^@]*@(\d+)$/.exec(label);
  if (!m || !(CHEAP_MUTATIONS as readonly string[]).includes(m[1]!)) throw new Error(`not a mutant label: ${label}`);
  return mutateWithSeed(baseRaw, m[1] as CheapMutation, Number(m[2])).raw;
}
