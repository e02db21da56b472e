import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { glimpseHeaders, parseMail, type ParsedComplaintMail, type ParseResult } from '../../src/ingest/parse.ts';
import iconv from 'iconv-lite';
import { detectNotComplaint, findTrackingNumber, isDissatisfied } from '../../src/ingest/signals.ts';
import { extractFacts } from '../../src/ingest/extract.ts';
import { NO_CORPUS, trec06cDir } from '../support/corpus.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, '..', 'fixtures', 'mail');
const CORPUS = trec06cDir();
const OWN = ['yhqzjjwy@163.com'];

const fixture = (file: string) => readFileSync(path.join(FIXTURES, file));

async function parseOk(raw: Buffer): Promise<ParsedComplaintMail> {
  const result = await parseMail(raw);
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.mail;
}

interface FixtureCase {
  file: string;
  subject: string;
  from: { address: string | null; name: string | null };
  text: string[]; // substrings the text must contain
  attachments?: number;
  note?: RegExp; // a repair the parser must report
  signal?: string | null; // detectNotComplaint kind
}

const CASES: FixtureCase[] = [
  {
    file: 'gb2312-mislabelled.eml',
    subject: '投诉恒镕物业侵占电梯广告收益',
    from: { address: 'wangkun1979@163.com', name: '王堃' },
    text: ['我叫王堃', '运城市恒镕物业服务有限公司', '13835901234'],
    note: /GB18030/,
  },
  {
    file: 'gbk-base64.eml',
    subject: '高层楼道电动车充电',
    from: { address: 'li.xs@126.com', name: '李先生' },
    text: ['滨河苑18号楼', '安全出口都堵住了'],
  },
  {
    file: 'gb18030-qp.eml',
    subject: '高空抛物砸坏车辆（刘䶮）',
    from: { address: 'liuyan@sina.com', name: '刘䶮' },
    text: ['本人刘䶮', '锦绣家园3#楼', '15835906677'],
  },
  {
    file: 'utf8-base64.eml',
    subject: '物业费按一级收取，服务只有三级水平',
    from: { address: 'zhaomin@163.com', name: '赵敏' },
    text: ['幸福家园的业主赵敏', '0359-2012345'],
  },
  {
    file: 'utf8-qp.eml',
    subject: '电梯维保单位没有资质，电梯多次困人',
    from: { address: 'zhoujie.yc@qq.com', name: '周杰' },
    text: ['恒大城5号楼', '186 0359 1122'],
  },
  {
    file: 'html-only.eml',
    subject: '二次供水水质发黄',
    from: { address: 'sunli@163.com', name: '孙丽' },
    text: ['金色家园小区', '孩子喝了拉肚子', '13700001111'],
  },
  { file: 'subject-only.eml', subject: '阳光花园小区3号楼电梯停运两周无人维修', from: { address: 'resident.a@163.com', name: null }, text: [] },
  {
    file: 'photo-attachment.eml',
    subject: '小区垃圾一周没有清运',
    from: { address: 'mali@163.com', name: '马丽' },
    text: ['和平小区东门'],
    attachments: 1,
  },
  {
    file: 'reply-threaded.eml',
    subject: 'Re: 【受理回执】YH-2026-000001 阳光花园小区电梯停运',
    from: { address: 'zhangsan@163.com', name: '张三' },
    text: ['维保公司', '> 您的投诉已受理'],
  },
  {
    file: 'reply-dissatisfied.eml',
    subject: '回复：【办结通知】YH-2026-000002 鑫苑名居小区公共收益',
    from: { address: 'wangkun1979@163.com', name: '王堃' },
    text: ['不满意！', '-----原始邮件-----'],
  },
  {
    file: 'auto-reply.eml',
    subject: '自动回复: 【受理回执】YH-2026-000003 物业费按一级收取',
    from: { address: 'zhaomin@163.com', name: '赵敏' },
    text: ['我正在休假'],
    signal: 'auto-reply',
  },
  {
    file: 'bounce.eml',
    subject: '系统退信',
    from: { address: 'MAILER-DAEMON@163.com', name: null },
    text: ['无法投递', 'Status: 5.1.1'],
    attachments: 1, // the returned headers (text/rfc822-headers)
    signal: 'bounce',
  },
  {
    file: 'advertising.eml',
    subject: '代开各类发票，税点低，另有低息贷款',
    from: { address: 'sales8866@qq.com', name: '财务部' },
    text: ['代开增值税发票'],
  },
  {
    file: 'danger-gas-leak.eml',
    subject: '紧急！楼道燃气泄漏，煤气味很大',
    from: { address: 'chenxm@163.com', name: '陈晓明' },
    text: ['疑似燃气管道泄漏'],
  },
  { file: 'complaint-housing-heating.eml', subject: '学府苑供暖不热', from: { address: 'liujg@163.com', name: '刘建国' }, text: ['室温只有12度'] },
  {
    file: 'complaint-natural-resources.eml',
    subject: '一楼业主破墙开店、私搭彩钢房',
    from: { address: 'huang.ys@126.com', name: '黄女士' },
    text: ['彩钢房'],
  },
  { file: 'complaint-police.eml', subject: '小区保安殴打业主', from: { address: 'wu.gang@163.com', name: '吴' }, text: ['动手打人'] },
  { file: 'complaint-energy.eml', subject: '直供电小区频繁停电', from: { address: 'zhengwei@163.com', name: '郑伟' }, text: ['转供电'] },
  {
    file: 'complaint-civil-defence.eml',
    subject: '人防地下室被出租堆放易燃物',
    from: { address: 'hanmei@163.com', name: '韩梅' },
    text: ['人防地下室'],
  },
  { file: 'complaint-township.eml', subject: '业委会选举被物业阻挠', from: { address: 'feng.x@163.com', name: '冯先生' }, text: ['业主委员会'] },
  {
    file: 'complaint-community.eml',
    subject: '申请安装充电桩物业不同意',
    from: { address: 'jiangtao@163.com', name: '蒋涛' },
    text: ['充电桩'],
  },
  {
    file: 'complaint-housing-parking-income.eml',
    subject: '物业在绿地上划停车位收费',
    from: { address: 'yezhu2026@163.com', name: '业主' },
    text: ['金盾物业'],
  },
  {
    file: 'complaint-approval.eml',
    subject: '12345反映的问题一个月没有反馈',
    from: { address: 'caoying@163.com', name: '曹颖' },
    text: ['工单号20261015001'],
  },
  {
    file: 'complaint-development-reform-parking-fee.eml',
    subject: '停车费从100涨到200没有备案',
    from: { address: 'xuqiang@163.com', name: '许强' },
    text: ['天悦府小区'],
    note: /8 位|8-bit/,
  },
  {
    file: 'legacy-no-charset-gbk.eml',
    subject: '楼顶漏水三年没人修',
    from: { address: 'old.owner@263.net', name: '老业主' },
    text: ['东城家园2号楼顶层漏水'],
    note: /未声明字符集.*gb18030/,
  },
  {
    file: 'legacy-boundary-missing.eml',
    subject: '地下车库积水',
    from: { address: 'yezhu@163.com', name: null },
    text: ['润园小区地下车库积水'],
    note: /boundary never occurs/,
  },
  {
    file: 'legacy-base64-declared-plain.eml',
    subject: '电梯广告收入去向不明',
    from: { address: 'owner88@163.com', name: null },
    text: ['翠苑小区电梯里的广告收入'],
    note: /declared base64 but plain/,
  },
  {
    file: 'legacy-malformed-charset.eml',
    subject: '消防栓没有水',
    from: { address: 'he@163.com', name: null },
    text: ['嘉园小区的消防栓全部没有水'],
    note: /wrong or unknown/,
  },
  { file: 'legacy-no-headers.eml', subject: '', from: { address: null, name: null }, text: ['路灯坏了两个月', '华府小区业主'], note: /no header block/ },
];

describe('parseMail on the fixtures', () => {
  it('covers every fixture on disk', () => {
    const onDisk = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort();
    expect(CASES.map((c) => c.file).sort()).toEqual(onDisk);
  });

  it.each(CASES)('$file', async (c) => {
    const mail = await parseOk(fixture(c.file));
    expect(mail.subject).toBe(c.subject);
    expect(mail.from).toEqual(c.from);
    for (const part of c.text) expect(mail.text).toContain(part);
    if (c.text.length === 0) expect(mail.text).toBe('');
    expect(mail.text).not.toMatch(/\ufffd/);
    expect(mail.attachments).toHaveLength(c.attachments ?? 0);
    if (c.note) expect(mail.charsetNotes.join('\n')).toMatch(c.note);
    expect(detectNotComplaint(mail, OWN)?.kind ?? null).toBe(c.signal ?? null);
  });

  it('keeps ids, recipients and the date', async () => {
    const mail = await parseOk(fixture('utf8-base64.eml'));
    expect(mail.messageId).toBe('<fixture-4@mail.example.cn>');
    expect(mail.to).toEqual(['yhqzjjwy@163.com']);
    expect(mail.cc).toEqual([]);
    expect(mail.date).toBe('2026-11-20T01:04:00.000Z');
    expect(mail.headers['content-transfer-encoding']).toBe('base64');
    expect(mail.charsetNotes).toEqual([]);
  });

  it('threads a reply by In-Reply-To, References and the tracking number', async () => {
    const mail = await parseOk(fixture('reply-threaded.eml'));
    expect(mail.inReplyTo).toBe('<ack.YH-2026-000001@wuye-desk>');
    expect(mail.references).toEqual(['<ack.YH-2026-000001@wuye-desk>']);
    expect(findTrackingNumber(mail.subject)).toBe('YH-2026-000001');
    // The quoted acknowledgement mentions 不满意; the resident's new words do not.
    expect(isDissatisfied(mail.text)).toBe(false);
  });

  it('sees dissatisfaction in the dissatisfied reply', async () => {
    const mail = await parseOk(fixture('reply-dissatisfied.eml'));
    expect(mail.references).toEqual(['<ack.YH-2026-000002@wuye-desk>', '<close.YH-2026-000002@wuye-desk>']);
    expect(findTrackingNumber(mail.subject)).toBe('YH-2026-000002');
    expect(isDissatisfied(mail.text)).toBe(true);
  });

  it('hands over the photo as a PNG with its Chinese filename', async () => {
    const mail = await parseOk(fixture('photo-attachment.eml'));
    const [photo] = mail.attachments;
    expect(photo?.filename).toBe('垃圾堆.png');
    expect(photo?.contentType).toBe('image/png');
    expect(photo?.content.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(photo?.size).toBe(photo?.content.length);
  });

  it('converts HTML-only mail to text and keeps the HTML', async () => {
    const mail = await parseOk(fixture('html-only.eml'));
    expect(mail.html).toContain('<b>金色家园小区</b>');
    expect(mail.text).not.toMatch(/<\/?[a-z]+>/);
  });

  it('reports the headers as sent, not as relabelled for decoding', async () => {
    const mail = await parseOk(fixture('legacy-boundary-missing.eml'));
    expect(mail.headers['content-type']).toBe('multipart/alternative; boundary="----=_NextPart_000_0001_01C4D7BF.0F38C2C0"');
    expect(mail.headers['subject']).toBe('地下车库积水');
    const legacy = await parseOk(fixture('legacy-no-charset-gbk.eml'));
    expect(legacy.headers['from']).toBe('老业主 <old.owner@263.net>');
  });

  it('reads auto-reply and bounce markers into headers', async () => {
    const auto = await parseOk(fixture('auto-reply.eml'));
    expect(auto.headers['auto-submitted']).toBe('auto-replied');
    const bounce = await parseOk(fixture('bounce.eml'));
    expect(bounce.headers['content-type']).toMatch(/^multipart\/report;.*report-type=delivery-status/);
  });

  it('extracts the complainant from a parsed legacy GB2312 mail', async () => {
    const mail = await parseOk(fixture('gb2312-mislabelled.eml'));
    expect(extractFacts(mail)).toMatchObject({
      name: '王堃',
      phone: '13835901234',
      email: 'wangkun1979@163.com',
      compound: '鑫苑名居小区',
      address: '7号楼1单元302室',
      company: '运城市恒镕物业服务有限公司',
    });
  });
});

describe('parseMail limits and hostile input', () => {
  const small = () => fixture('utf8-qp.eml');

  it('refuses a 26 MB mail by its size, before parsing it', async () => {
    const head = Buffer.from('From: a@b.cn\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n');
    const big = Buffer.concat([head, Buffer.alloc(26 * 1024 * 1024 - head.length, 0x61)]);
    // The size reason can only come from the check before parsing: a parsed mail would come out ok.
    expect(await parseMail(big)).toEqual({ ok: false, reason: '邮件过大 too large (26 MB > 25 MB)' });
  });

  it('honours a smaller maxBytes', async () => {
    const result = await parseMail(small(), { maxBytes: 100 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^邮件过大 too large \(0\.\d MB > 0\.0 MB\)$/);
  });

  it('gives up after timeoutMs with a reason', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `第${i}行：小区电梯又坏了，物业不修。`).join('\r\n');
    const raw = Buffer.from(`From: a@b.cn\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${lines}`);
    const result = await parseMail(raw, { timeoutMs: 1 });
    expect(result).toEqual({ ok: false, reason: '解析超时 parse timed out (> 0.001 s)' });
  });

  it('parses a 5 MB photo mail within the default time limit', async () => {
    const photo = Buffer.alloc(5 * 1024 * 1024, 7);
    const b64 = photo.toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = Buffer.from(
      'From: a@b.cn\r\nSubject: photo\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n' +
        '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n' +
        `--b1\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="a.jpg"\r\n\r\n${b64}\r\n--b1--\r\n`,
    );
    const mail = await parseOk(raw);
    expect(mail.text).toBe('见附件');
    expect(mail.attachments[0]?.size).toBe(photo.length);
    expect(mail.attachments[0]?.content.equals(photo)).toBe(true);
  });

  it('refuses empty input, all-NUL input and binary garbage with reasons', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xff;
    const garbage = Buffer.from(Array.from({ length: 4096 }, random));
    for (const raw of [Buffer.alloc(0), Buffer.alloc(1000), garbage]) {
      const result = await parseMail(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/[\u4e00-\u9fff].* [a-z]/);
    }
  });

  it('keeps the readable text of a NUL-padded body, and still drops a random one', async () => {
    const words = '我是幸福小区5号楼业主，电梯坏了一个月，物业一直不修。';
    const padded = Buffer.concat([
      Buffer.from('From: a@b.cn\r\nSubject: 电梯坏了\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      Buffer.from(words),
      Buffer.alloc(4000, 0),
      Buffer.from('\r\n'),
    ]);
    const kept = await parseMail(padded);
    expect(kept.ok && kept.mail.text).toBe(words);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xff;
    const noisy = Buffer.concat([Buffer.from('From: a@b.cn\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'), Buffer.from(Array.from({ length: 4000 }, random))]);
    const dropped = await parseMail(noisy);
    expect(dropped.ok && dropped.mail.text).toBe('');
  });

  it('refuses absurd MIME nesting', async () => {
    let body = 'deep';
    for (let i = 0; i < 40; i++) {
      body = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n${body}\r\n--n${i}--\r\n`;
    }
    const result = await parseMail(Buffer.from(`From: a@b.cn\r\nSubject: deep\r\n${body}`));
    expect(result).toEqual({ ok: false, reason: 'MIME 嵌套过深 nesting too deep (> 32)' });
  });

  it('strips NUL bytes from text that has them', async () => {
    const raw = Buffer.from('From: a@b.cn\r\nSubject: nul\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n电梯\u0000坏了\r\n');
    const mail = await parseOk(raw);
    expect(mail.text).toBe('电梯坏了');
    expect(mail.charsetNotes.join()).toMatch(/control characters removed/);
  });

  it('never throws on truncated, NUL-injected or byte-flipped variants', async () => {
    const sources = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => fixture(f));
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let outcomes = 0;
    for (const src of sources) {
      const variants: Buffer[] = [];
      for (const cut of [1, 10, Math.floor(src.length / 3), Math.floor(src.length / 2), src.length - 1]) {
        variants.push(src.subarray(0, cut));
      }
      const withNul = Buffer.from(src);
      for (let i = 0; i < 8; i++) withNul[random(withNul.length)] = 0;
      variants.push(withNul);
      const flipped = Buffer.from(src);
      for (let i = 0; i < 12; i++) flipped[random(flipped.length)]! ^= 1 << random(8);
      variants.push(flipped);
      for (const v of variants) {
        const result: ParseResult = await parseMail(v);
        if (result.ok) expect(typeof result.mail.text).toBe('string');
        else expect(result.reason.length).toBeGreaterThan(0);
        outcomes++;
      }
    }
    expect(outcomes).toBe(sources.length * 7);
  });
});

describe.skipIf(!CORPUS)(`parseMail on the real Chinese corpus (trec06c-dev)${CORPUS ? '' : ` — ${NO_CORPUS}`}`, () => {
  it('gives every one of the 300 messages an outcome, and ≥ 95 % read as Chinese text', async () => {
    const files = ['normal', 'spam'].flatMap((dir) =>
      readdirSync(path.join(CORPUS!, dir))
        .filter((f) => f.endsWith('.eml'))
        .map((f) => path.join(CORPUS!, dir, f)),
    );
    expect(files).toHaveLength(300);
    let readable = 0;
    let outcomes = 0;
    for (const file of files) {
      const result = await parseMail(readFileSync(file));
      outcomes++;
      if (!result.ok) {
        expect(result.reason.length).toBeGreaterThan(0);
        continue;
      }
      // Downstream pure steps must cope with whatever real mail brings.
      expect(() => extractFacts(result.mail)).not.toThrow();
      expect(() => detectNotComplaint(result.mail, OWN)).not.toThrow();
      expect(typeof isDissatisfied(result.mail.text)).toBe('boolean');
      const text = result.mail.text;
      const cjk = text.match(/[\u4e00-\u9fff]/g)?.length ?? 0;
      const replacement = text.match(/\ufffd/g)?.length ?? 0;
      if (cjk > 0 && replacement <= cjk * 0.01) readable++;
    }
    expect(outcomes).toBe(300);
    expect(readable / files.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe('glimpseHeaders: the header block of a mail that could not be parsed', () => {
  const gb = (s: string) => iconv.encode(s, 'gbk');
  it.each<[string, Buffer, Record<string, string>]>([
    ['UTF-8 encoded words', Buffer.from('Subject: =?UTF-8?B?5qW86YGT54Gv5Z2P5LqG?=\r\nFrom: a@b.cn\r\n\r\nbody'), { subject: '楼道灯坏了', from: 'a@b.cn' }],
    ['raw GBK bytes', Buffer.concat([Buffer.from('Subject: '), gb('电梯停运'), Buffer.from('\r\nTo: x@163.com\r\n\r\n')]), { subject: '电梯停运', to: 'x@163.com' }],
    ['gb2312 encoded words, LF line ends, folded', Buffer.from(`Subject: =?gb2312?B?${gb('物业').toString('base64')}?=\n =?gb2312?B?${gb('乱收费').toString('base64')}?=\nFrom: c@d.cn\n\nbody`), { subject: '物业乱收费', from: 'c@d.cn' }],
    ['the body is not read as headers', Buffer.from('From: e@f.cn\r\n\r\nSubject: not a header\r\n'), { from: 'e@f.cn' }],
  ])('%s', (_name, raw, expected) => {
    const h = glimpseHeaders(raw);
    expect(h).toMatchObject(expected);
    if (!('subject' in expected)) expect(h.subject).toBeUndefined();
  });

  it.each<[string, Buffer]>([
    ['empty', Buffer.alloc(0)],
    ['no header block', Buffer.from('just some words, no colon line')],
    ['binary noise', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ])('%s: no subject, no throw', (_name, raw) => {
    expect(glimpseHeaders(raw).subject).toBeUndefined();
  });

  it('reads no further than 64 KB into a huge header', () => {
    const raw = Buffer.concat([Buffer.from('Subject: 漏水\r\nX-Pad: '), Buffer.alloc(10 * 1024 * 1024, 0x61), Buffer.from('\r\nFrom: late@x.cn\r\n\r\n')]);
    const h = glimpseHeaders(raw);
    expect(h.subject).toBe('漏水');
    expect(h.from).toBeUndefined();
  });
});
