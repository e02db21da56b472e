// Masking of personal data in anything that leaves the office: briefs, public monthly reports, lists. Names keep
// the surname, phones keep enough to tell two callers apart, e-mail keeps its domain. Pure.
import type { Complainant } from '../domain.ts';

/** 王小明 → 王**; 欧阳 → 欧*; a one-character name becomes *. Empty input → ''. */
export function maskName(name: string | null | undefined): string {
  const chars = Array.from((name ?? '').trim());
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  // At most 4 stars: a long Latin name should not reveal its length.
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 4))}`;
}

const MOBILE_RE = /^(?:\+?86)?(1\d{10})$/;

/**
 * Mobile 13912341234 (with or without +86, spaces or dashes) → 139****1234; landline 0359-6388865 → 0359-***8865;
 * a bare local number 6388865 → ***8865. Anything shorter than 5 digits is fully masked.
 */
export function maskPhone(phone: string | null | undefined): string {
  const raw = asciiDigits(phone ?? '').trim();
  if (raw === '') return '';
  const digits = raw.replace(/[\s.\-()（）]/g, '');
  const mobile = MOBILE_RE.exec(digits);
  if (mobile) {
    const m = mobile[1]!;
    return `${m.slice(0, 3)}****${m.slice(7)}`;
  }
  const landline = /^(0\d{2,3})[-\s.]?(\d{7,8})$/.exec(raw.replace(/[()（）]/g, '').replace(/^(0\d{2,3})\s+/, '$1-'));
  if (landline) return `${landline[1]}-${maskTail(landline[2]!)}`;
  const onlyDigits = digits.replace(/\D/g, '');
  if (onlyDigits.length < 5) return '*'.repeat(Math.max(onlyDigits.length, 3));
  return maskTail(onlyDigits);
}

/** Keeps the last 4 digits. */
function maskTail(digits: string): string {
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** zhangsan@163.com → z***@163.com. */
export function maskEmail(email: string | null | undefined): string {
  const raw = (email ?? '').trim();
  const at = raw.lastIndexOf('@');
  if (at <= 0) return raw === '' ? '' : '***';
  return `${Array.from(raw)[0]}***${raw.slice(at)}`;
}

/** 王** 139****1234 — what a public or mailed report shows of a complainant; '匿名' when nothing is known. */
export function maskComplainant(c: Complainant): string {
  const parts = [maskName(c.name), maskPhone(c.phone), c.phone ? '' : maskEmail(c.email)].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(' ') : '匿名';
}

/** Full-width digits (１３９…) as ASCII, so numbers typed on a Chinese keyboard are caught; nothing else changes. */
function asciiDigits(s: string): string {
  return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

// Separators people type inside numbers: spaces, dots, dashes; area codes in brackets.
const TEXT_MOBILE_RE = /(?<!\d)(?:\+?86[\s.-]?)?1(?:[\s.-]?\d){10}(?!\d)/g;
const TEXT_LANDLINE_RE = /(?<![\d(])\(?0\d{2,3}\)?[\s.-]?\d{7,8}(?!\d)/g;
const TEXT_EMAIL_RE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
// Resident ID numbers (居民身份证号): 17 digits and a check digit or X.
const TEXT_ID_RE = /(?<![\dA-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![\dA-Za-z])/g;
// Phone numbers written in Chinese numerals (一三九一二三四五六七八), 7 digits and more, separators allowed.
const CN_DIGIT = '[零〇一二三四五六七八九幺两]';
const TEXT_CN_PHONE_RE = new RegExp(`${CN_DIGIT}(?:[\\s.\\-]?${CN_DIGIT}){6,}`, 'g');
// Where someone lives: 3号楼 2单元 501室 (also 3栋, 5幢, 12层, 2号院): the numbers go, the words stay.
// (A date's 号 — 3月5号 — is left alone.)
const TEXT_ADDRESS_RE = /(?<![月0-9一二三四五六七八九十百零〇])[0-9一二三四五六七八九十百零〇]+(?=\s*(?:号楼|栋|幢|单元|室|层|楼|号院|号))/g;

/**
 * Text for the public (the monthly 通报, typical cases): on top of maskContactsInText, resident ID numbers, phone
 * numbers in Chinese numerals and house numbers (楼/单元/室/号) go too.
 */
export function maskForPublic(text: string, names: (string | null | undefined)[] = []): string {
  return maskContactsInText(asciiDigits(text).replace(TEXT_ID_RE, (m) => `${m.slice(0, 6)}${'*'.repeat(12)}`), names)
    .replace(TEXT_CN_PHONE_RE, (m) => '*'.repeat(Array.from(m.replace(/[\s.\-]/g, '')).length))
    .replace(TEXT_ADDRESS_RE, (m) => '*'.repeat(Math.min(Array.from(m).length, 3)));
}

/**
 * Free text (a subject, an excerpt of the mail) with phone numbers, e-mail addresses and the given names masked.
 * Names in free text cannot be found in general, so callers pass the ones they know (the complainant's).
 */
export function maskContactsInText(text: string, names: (string | null | undefined)[] = []): string {
  let out = asciiDigits(text)
    .replace(TEXT_MOBILE_RE, (m) => maskPhone(m))
    .replace(TEXT_LANDLINE_RE, (m) => maskPhone(m))
    .replace(TEXT_EMAIL_RE, (m) => maskEmail(m));
  for (const name of names) {
    const n = (name ?? '').trim();
    if (Array.from(n).length >= 2) out = out.split(n).join(maskName(n));
  }
  return out;
}
