// Realistic backlog mail for the benchmarks: residents' complaints in varied Chinese (the problem cores are the
// labelled rows of the classifier's dev set, wrapped in greetings, who/where, history, requests and contacts),
// as UTF-8 (nodemailer's MailComposer: base64 or quoted-printable, some with an HTML alternative) and as GBK the way
// older Chinese clients send it (GBK/GB2312 labels, base64 or 8bit bodies, encoded-word subjects and file names),
// some with photo or document attachments; plus advertising spam and auto-replies that must be ignored.
// Deterministic for a seed, so every run measures the same bytes.
import iconv from 'iconv-lite';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as b64Encode, wrap as b64Wrap } from 'nodemailer/lib/base64';
import { readFileSync } from 'node:fs';
import { DEV_SET } from './classify.ts';
import { mulberry32 } from '../test/support/random.ts';

export type MailKind = 'complaint' | 'spam' | 'auto-reply';

export interface GeneratedMail {
  raw: Buffer;
  /** The published address it was sent to (the IMAP mailbox it would be read from). */
  mailbox: string;
  kind: MailKind;
  charset: 'utf-8' | 'gbk';
  attachments: number;
  /** A marker unique to this mail, in its subject. */
  tag: string;
}

export interface GenerateOptions {
  seed?: number;
  /** Send everything to this address; otherwise spread over `mailboxes` (weighted to the city and 盐湖区). */
  mailbox?: string;
  mailboxes?: string[];
  /** Shares of spam and auto-replies (the rest are complaints). */
  spamShare?: number;
  autoReplyShare?: number;
  /** Share of complaints with attachments. */
  attachmentShare?: number;
  /** Put the tag into the subject (delivery latency uses it to find the officer's message). */
  tagSubject?: boolean;
}

/** mulberry32 (test/support/random.ts): small, fast, good enough to vary mail. */
export const prng = mulberry32;

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎';
const GIVEN = ['建国', '秀英', '丽华', '志强', '海燕', '红梅', '伟', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '霞', '桂兰', '玉珍', '晓东', '春生', '文博', '佳怡'];
export const COMPOUNDS = ['阳光花园', '锦绣华庭', '滨河苑', '幸福家园', '鑫苑名居', '盐湖春天', '凤凰城', '金辉苑', '河东新城', '学府嘉园', '世纪花园', '紫金城', '御景湾', '康馨小区', '北城嘉园', '星河湾', '运城壹号', '中央公园', '银湖湾', '广厦小区', '禹都花园', '盐化小区', '红旗新村', '和谐家园'];
export const COMPANIES = ['运城市恒泰物业服务有限公司', '山西金盾物业管理有限公司', '运城市安居物业服务有限公司', '盐湖区鑫苑物业管理有限公司', '运城市华远物业服务有限公司', '山西宏达物业服务有限公司', '运城市锦华物业管理有限公司', '永济市宜家物业服务有限公司'];
const DOMAINS = ['163.com', 'qq.com', '126.com', 'sina.com', '139.com', 'yeah.net', 'foxmail.com', 'sohu.com'];
const OPENINGS = ['尊敬的领导：', '领导您好！', '您好：', '尊敬的住建局领导：', '各位领导好，', '', '物业投诉：'];
const HISTORY = [
  '这个问题已经持续了两个多月，找物业反映了不下五次，每次都说马上处理，结果一直没人管。',
  '我们多次打物业电话，要么没人接，要么推说要等公司领导批。',
  '上个月业主群里大家都在反映，物业经理说会安排，到现在也没有任何动静。',
  '之前打过12345热线，转到社区后也没有下文。',
  '物业费我们每年按时交，可是服务越来越差，业主意见很大。',
  '小区里老人孩子多，大家都很担心出事。',
  '物业的工作人员态度很差，还说有本事你们去告。',
  '业委会也找过物业公司，对方一直拖着不解决。',
];
const REQUESTS = [
  '恳请有关部门尽快督促处理，给我们业主一个答复。',
  '希望主管部门能来现场看一看，依法依规处理。',
  '请相关部门尽快介入，谢谢！',
  '盼复，谢谢各位领导。',
  '希望能够尽快解决，还业主一个安宁的居住环境。',
];
const PHOTO_NAMES = ['现场照片.jpg', 'IMG_2041.JPG', '楼道.jpg', '微信图片_20261118.jpg', '电梯.jpg', '照片1.jpeg'];
const DOC_NAMES = ['投诉材料.docx', '业主联名信.docx', '收费明细.xlsx'];
const SPAM_EXTRA: { subject: string; text: string }[] = [
  { subject: '【限时优惠】全屋定制 特价', text: '全屋定制衣柜橱柜，厂家直销，本月下单立减两千元，免费上门量尺设计，详询 400-800-1234。' },
  { subject: '代开各类发票', text: '长期代开增值税专用发票、普通发票，点数优惠，可验证后付款。联系人：陈经理 微信 fp6688。' },
  { subject: '企业贷款 当天放款', text: '无抵押信用贷款，额度10万-300万，手续简单，当天放款，欢迎来电咨询。' },
  { subject: '2026年度财税培训邀请函', text: '为帮助企业财务人员掌握最新政策，特举办财税实务培训班，名额有限，报名从速。' },
  { subject: '您的邮箱即将停用，请立即验证', text: '系统检测到您的邮箱存在异常登录，请在24小时内点击链接完成验证，否则邮箱将被停用。' },
];

interface Core {
  subject: string;
  text: string;
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function digits(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rnd() * 10));
  return s;
}

function mobile(rnd: () => number): string {
  return `${pick(rnd, ['139', '138', '135', '137', '150', '152', '158', '159', '186', '187', '188', '133', '180'])}${digits(rnd, 8)}`;
}

function senderAddress(rnd: () => number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let local = '';
  const len = 4 + Math.floor(rnd() * 6);
  for (let i = 0; i < len; i++) local += letters[Math.floor(rnd() * letters.length)];
  return `${local}${digits(rnd, 2 + Math.floor(rnd() * 4))}@${pick(rnd, DOMAINS)}`;
}

/** Photo-like bytes: a JPEG header and incompressible content of a phone photo's size after resizing. */
function photoBytes(rnd: () => number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE(Math.floor(rnd() * 0xffffffff), Math.min(i, size - 4));
  b[0] = 0xff;
  b[1] = 0xd8;
  b[2] = 0xff;
  b[3] = 0xe0;
  return b;
}

let cores: { complaints: Core[]; spam: Core[] } | null = null;
function loadCores(): { complaints: Core[]; spam: Core[] } {
  if (cores) return cores;
  const labelled = readFileSync(DEV_SET, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { subject: string; text: string; unit: string | null });
  // Rows without a unit are advertising, thanks and other mail that is not a property complaint.
  const complaints = labelled.filter((r) => r.unit !== null && r.text.length > 0);
  const spam = [...labelled.filter((r) => r.unit === null && r.text.length > 0), ...SPAM_EXTRA];
  cores = { complaints, spam };
  return cores;
}

interface Letter {
  fromName: string;
  from: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

function complaintLetter(rnd: () => number, tag: string, tagSubject: boolean): Letter {
  const core = pick(rnd, loadCores().complaints);
  const surname = SURNAMES[Math.floor(rnd() * SURNAMES.length)]!;
  const name = rnd() < 0.4 ? `${surname}${pick(rnd, ['女士', '先生'])}` : `${surname}${pick(rnd, GIVEN)}`;
  const compound = pick(rnd, COMPOUNDS);
  const building = `${1 + Math.floor(rnd() * 28)}号楼${1 + Math.floor(rnd() * 4)}单元${1 + Math.floor(rnd() * 26)}0${1 + Math.floor(rnd() * 4)}`;
  const company = pick(rnd, COMPANIES);
  const phone = rnd() < 0.85 ? mobile(rnd) : `0359-${2 + Math.floor(rnd() * 6)}${digits(rnd, 6)}`;
  const lines = [
    pick(rnd, OPENINGS),
    `我是${compound}小区${building}室的业主${name}。${rnd() < 0.6 ? `我们小区的物业是${company}。` : ''}`,
    core.text,
    ...Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(rnd, HISTORY)),
    pick(rnd, REQUESTS),
    '',
    `${name}`,
    `联系电话：${phone}`,
  ];
  const text = lines.filter((l, i) => l !== '' || i > 0).join('\n');
  const subject = `${core.subject}${tagSubject ? `（${tag}）` : ''}`;
  return { fromName: name, from: senderAddress(rnd), subject, text, html: null, headers: {}, attachments: [] };
}

function spamLetter(rnd: () => number): Letter {
  const core = pick(rnd, loadCores().spam);
  const text = `${core.text}\n\n如不想再收到此类邮件，请回复TD退订。`;
  return { fromName: pick(rnd, ['客服中心', '财务部', '市场部', '系统管理员']), from: senderAddress(rnd), subject: core.subject, text, html: `<p>${core.text}</p><p style="color:#999">如不想再收到此类邮件，请回复TD退订。</p>`, headers: {}, attachments: [] };
}

function autoReplyLetter(rnd: () => number): Letter {
  return {
    fromName: pick(rnd, SURNAMES.split('')) + pick(rnd, GIVEN),
    from: senderAddress(rnd),
    subject: `自动回复：${pick(rnd, ['您的来信已收到', '关于物业投诉受理情况的回复', 'Re: 受理回执'])}`,
    text: '您好，我现在休假中，无法及时回复邮件，返回后会尽快处理。',
    html: null,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
    attachments: [],
  };
}

function addAttachments(rnd: () => number, letter: Letter): void {
  const photos = 1 + (rnd() < 0.3 ? 1 : 0);
  for (let i = 0; i < photos; i++) {
    const size = 40_000 + Math.floor(rnd() * 360_000);
    letter.attachments.push({ filename: pick(rnd, PHOTO_NAMES), content: photoBytes(rnd, size), contentType: 'image/jpeg' });
  }
  if (rnd() < 0.2) {
    const filename = pick(rnd, DOC_NAMES);
    letter.attachments.push({
      filename,
      content: photoBytes(rnd, 15_000 + Math.floor(rnd() * 40_000)),
      contentType: filename.endsWith('xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
  }
}

async function utf8Mail(rnd: () => number, l: Letter, to: string, date: Date, messageId: string): Promise<Buffer> {
  const html = l.html ?? (rnd() < 0.25 ? `<div style="font-family:宋体">${l.text.split('\n').map((p) => `<p>${p}</p>`).join('')}</div>` : undefined);
  const composer = new MailComposer({
    from: { name: l.fromName, address: l.from },
    to,
    subject: l.subject,
    date,
    messageId,
    textEncoding: rnd() < 0.5 ? 'base64' : 'quoted-printable',
    text: l.html && rnd() < 0.5 ? undefined : l.text,
    html,
    headers: l.headers,
    attachments: l.attachments,
  });
  return composer.compile().build();
}

/** GBK the way Foxmail and older webmail send it: hand-assembled, because the legacy shapes are the point. */
function gbkMail(rnd: () => number, l: Letter, to: string, date: Date, messageId: string): Buffer {
  const label = rnd() < 0.5 ? 'GBK' : 'gb2312';
  const word = (s: string): string => `=?${label}?B?${iconv.encode(s, 'gbk').toString('base64')}?=`;
  const body = iconv.encode(l.text.replace(/\n/g, '\r\n') + '\r\n', 'gbk');
  const eightBit = rnd() < 0.35;
  const textPart = [
    `Content-Type: text/plain; charset="${label}"`,
    `Content-Transfer-Encoding: ${eightBit ? '8bit' : 'base64'}`,
    '',
  ].join('\r\n');
  const textBody = eightBit ? body : Buffer.from(b64Wrap(b64Encode(body), 76));
  const head = [
    `From: "${word(l.fromName)}" <${l.from}>`,
    `To: ${to}`,
    `Subject: ${word(l.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    'X-Mailer: Foxmail 7.2.25.228[cn]',
    'MIME-Version: 1.0',
    ...Object.entries(l.headers).map(([k, v]) => `${k}: ${v}`),
  ];
  if (l.attachments.length === 0) {
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n${textPart}\r\n`), textBody, Buffer.from('\r\n')]);
  }
  const boundary = `----=_NextPart_${digits(rnd, 6)}_${digits(rnd, 4)}`;
  const parts: Buffer[] = [
    Buffer.from(`${head.join('\r\n')}\r\nContent-Type: multipart/mixed;\r\n\tboundary="${boundary}"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n`),
    Buffer.from(`--${boundary}\r\n${textPart}\r\n`),
    textBody,
    Buffer.from('\r\n'),
  ];
  for (const a of l.attachments) {
    const name = word(a.filename);
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${a.contentType};\r\n\tname="${name}"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n\tfilename="${name}"\r\n\r\n`,
      ),
      Buffer.from(b64Wrap(b64Encode(a.content), 76)),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

/** Published mailboxes, the city's and 盐湖区's most used (they get most mail in practice). */
function chooseMailbox(rnd: () => number, boxes: string[]): string {
  const r = rnd();
  if (boxes.length > 1 && r < 0.35) return boxes[1]!;
  if (r < 0.5) return boxes[0]!;
  return pick(rnd, boxes);
}

export async function generateMails(n: number, opts: GenerateOptions = {}): Promise<GeneratedMail[]> {
  const rnd = prng(opts.seed ?? 20261123);
  const boxes = opts.mailbox ? [opts.mailbox] : (opts.mailboxes ?? ['xf2222363@163.com', 'yhqzjjwy@163.com']);
  const spamShare = opts.spamShare ?? 0.12;
  const autoShare = opts.autoReplyShare ?? 0.03;
  const attachShare = opts.attachmentShare ?? 0.1;
  const out: GeneratedMail[] = [];
  const base = Date.UTC(2026, 10, 16, 0, 0, 0);
  for (let i = 0; i < n; i++) {
    const tag = `B${String(i + 1).padStart(5, '0')}`;
    const r = rnd();
    const kind: MailKind = r < spamShare ? 'spam' : r < spamShare + autoShare ? 'auto-reply' : 'complaint';
    const letter = kind === 'spam' ? spamLetter(rnd) : kind === 'auto-reply' ? autoReplyLetter(rnd) : complaintLetter(rnd, tag, opts.tagSubject ?? false);
    if (kind === 'complaint' && rnd() < attachShare) addAttachments(rnd, letter);
    const mailbox = chooseMailbox(rnd, boxes);
    const date = new Date(base + i * 97_000 + Math.floor(rnd() * 60_000));
    const messageId = `<${tag}.${digits(rnd, 10)}@${letter.from.split('@')[1]}>`;
    // Spam and auto-replies come from big providers' clients: UTF-8. Residents: about 35% GBK.
    const charset = kind === 'complaint' && rnd() < 0.35 ? 'gbk' : 'utf-8';
    const raw = charset === 'gbk' ? gbkMail(rnd, letter, mailbox, date, messageId) : await utf8Mail(rnd, letter, mailbox, date, messageId);
    out.push({ raw, mailbox, kind, charset, attachments: letter.attachments.length, tag });
  }
  return out;
}

/** "2000 mails (1,700 complaints, 35% GBK, 170 with attachments; 240 spam, 60 auto-replies), 56 MB" */
export function describeMails(mails: GeneratedMail[]): string {
  const count = (f: (m: GeneratedMail) => boolean) => mails.filter(f).length;
  const bytes = mails.reduce((s, m) => s + m.raw.length, 0);
  const complaints = count((m) => m.kind === 'complaint');
  return (
    `${mails.length} mails: ${complaints} complaints (${count((m) => m.charset === 'gbk')} GBK, ${count((m) => m.attachments > 0)} with attachments), ` +
    `${count((m) => m.kind === 'spam')} spam, ${count((m) => m.kind === 'auto-reply')} auto-replies; ${(bytes / 1024 / 1024).toFixed(1)} MB, median ${Math.round(medianSize(mails) / 1024)} KB`
  );
}

function medianSize(mails: GeneratedMail[]): number {
  const s = mails.map((m) => m.raw.length).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
