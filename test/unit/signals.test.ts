import { describe, expect, it } from 'vitest';
import {
  asksForStatus,
  detectNotComplaint,
  findTrackingNumber,
  isDissatisfied,
  stripQuoted,
  type NotComplaintKind,
  type SignalMail,
} from '../../src/ingest/signals.ts';

const OWN = ['yhqzjjwy@163.com', 'Desk@Wuye.example.cn'];

function mail(over: Partial<SignalMail> & { headers?: Record<string, string> } = {}): SignalMail {
  return {
    subject: '阳光花园电梯坏了',
    text: '电梯坏了一个月，物业不修。',
    from: { address: 'resident@163.com', name: '张三' },
    headers: {},
    attachments: [],
    ...over,
  };
}

describe('detectNotComplaint', () => {
  const cases: { title: string; mail: SignalMail; kind: NotComplaintKind | null }[] = [
    { title: 'a plain complaint', mail: mail(), kind: null },
    { title: 'Auto-Submitted: auto-replied', mail: mail({ headers: { 'auto-submitted': 'auto-replied' } }), kind: 'auto-reply' },
    { title: 'Auto-Submitted: auto-generated', mail: mail({ headers: { 'auto-submitted': 'auto-generated' } }), kind: 'auto-reply' },
    { title: 'Auto-Submitted: no is a person', mail: mail({ headers: { 'auto-submitted': 'no' } }), kind: null },
    { title: 'X-Autoreply: yes', mail: mail({ headers: { 'x-autoreply': 'yes' } }), kind: 'auto-reply' },
    { title: 'X-Autorespond', mail: mail({ headers: { 'x-autorespond': 'Out of office' } }), kind: 'auto-reply' },
    { title: 'subject 自动回复', mail: mail({ subject: '自动回复: 【受理回执】YH-2026-000001' }), kind: 'auto-reply' },
    { title: 'subject 自动回复 with full-width colon', mail: mail({ subject: '自动回复：您好' }), kind: 'auto-reply' },
    { title: 'subject Automatic reply', mail: mail({ subject: 'Automatic reply: 投诉' }), kind: 'auto-reply' },
    { title: 'subject Out of Office', mail: mail({ subject: 'Out of Office: back Monday' }), kind: 'auto-reply' },
    { title: 'subject 休假中', mail: mail({ subject: '休假中' }), kind: 'auto-reply' },
    { title: 'a complaint about a manager on leave is a complaint', mail: mail({ subject: '休假期间物业无人值班' }), kind: null },
    { title: 'a complaint mentioning 自动回复 later is a complaint', mail: mail({ subject: '投诉热线只有自动回复' }), kind: null },
    {
      title: 'multipart/report delivery-status',
      mail: mail({ headers: { 'content-type': 'multipart/report; report-type=delivery-status; boundary="x"' } }),
      kind: 'bounce',
    },
    { title: 'from MAILER-DAEMON', mail: mail({ from: { address: 'MAILER-DAEMON@mx.163.com', name: null } }), kind: 'bounce' },
    { title: 'from postmaster', mail: mail({ from: { address: 'postmaster@qq.com', name: null } }), kind: 'bounce' },
    { title: 'subject 系统退信', mail: mail({ subject: '系统退信' }), kind: 'bounce' },
    { title: 'subject 退信', mail: mail({ subject: '退信：无法投递' }), kind: 'bounce' },
    { title: 'subject Undelivered Mail', mail: mail({ subject: 'Undelivered Mail Returned to Sender' }), kind: 'bounce' },
    { title: 'subject Delivery Status Notification', mail: mail({ subject: 'Delivery Status Notification (Failure)' }), kind: 'bounce' },
    { title: 'X-Failed-Recipients', mail: mail({ headers: { 'x-failed-recipients': 'a@b.cn' } }), kind: 'bounce' },
    { title: 'own address', mail: mail({ from: { address: 'desk@wuye.example.cn', name: '受理台' } }), kind: 'own-address' },
    { title: 'own address with other case', mail: mail({ from: { address: 'YHQZJJWY@163.COM', name: null } }), kind: 'own-address' },
    { title: 'X-Loop names us', mail: mail({ headers: { 'x-loop': 'yhqzjjwy@163.com' } }), kind: 'own-address' },
    { title: 'Precedence: bulk', mail: mail({ headers: { precedence: 'bulk' } }), kind: 'bulk' },
    { title: 'Precedence: list', mail: mail({ headers: { precedence: 'list' } }), kind: 'bulk' },
    { title: 'Precedence: junk', mail: mail({ headers: { precedence: 'junk' } }), kind: 'bulk' },
    { title: 'List-Id', mail: mail({ headers: { 'list-id': '<news.shop.example>' } }), kind: 'bulk' },
    { title: 'List-Unsubscribe', mail: mail({ headers: { 'list-unsubscribe': '<mailto:u@x.cn>' } }), kind: 'bulk' },
    { title: 'X-Spam-Flag: YES', mail: mail({ headers: { 'x-spam-flag': 'YES' } }), kind: 'bulk' },
    { title: 'X-Spam-Flag: NO', mail: mail({ headers: { 'x-spam-flag': 'NO' } }), kind: null },
    { title: 'empty mail', mail: mail({ subject: '', text: '  \n ' }), kind: 'empty' },
    { title: 'subject-only mail is not empty', mail: mail({ text: '' }), kind: null },
    {
      title: 'photo-only mail is not empty',
      mail: mail({
        subject: '',
        text: '',
        attachments: [{ filename: 'a.png', contentType: 'image/png', size: 3, content: Buffer.from('abc') }],
      }),
      kind: null,
    },
  ];
  it.each(cases)('$title → $kind', ({ mail: m, kind }) => {
    const result = detectNotComplaint(m, OWN);
    expect(result?.kind ?? null).toBe(kind);
    if (result) expect(result.reason).toMatch(/[\u4e00-\u9fff].*[A-Za-z]/);
  });
});

describe('findTrackingNumber', () => {
  it.each([
    ['Re: 【受理回执】YH-2026-000001 阳光花园电梯', 'YH-2026-000001'],
    ['回复：YJ-2026-123456', 'YJ-2026-123456'],
    ['re: yh-2026-000123 补充材料', 'YH-2026-000123'],
    ['编号ＹＨ－２０２６－０００１２３', 'YH-2026-000123'],
    ['HJ-2026-0001234', null],
    ['Y-2026-000123', null],
    ['ABCDE-2026-000123', null],
    ['阳光花园电梯坏了', null],
    ['2026-000123', null],
  ])('%s → %s', (subject, expected) => {
    expect(findTrackingNumber(subject)).toBe(expected);
  });
});

describe('stripQuoted', () => {
  it.each([
    ['还是没修。\n> 您的投诉已受理\n> 编号 YH-2026-000001', '还是没修。'],
    ['问题依旧\n\n-----原始邮件-----\n发件人: desk@wuye\n已办结', '问题依旧'],
    ['谢谢，已经修好了\n------------------ 原始邮件 ------------------\n发件人: "受理台"', '谢谢，已经修好了'],
    ['没有解决\n在 2026年11月20日 星期五 10:00，受理台 <desk@wuye> 写道：\n> 已办结', '没有解决'],
    ['not fixed\nOn Fri, Nov 20, 2026 at 10:00 AM Desk <desk@wuye> wrote:\n> closed', 'not fixed'],
    ['未解决\n在 2026年11月20日 星期五 10:00，受理台\n<desk@wuye.example.cn> 写道：\n已办结', '未解决'],
    ['不满意\n\n发件人: 受理台 <desk@wuye>\n发送时间: 2026年11月20日 10:00\n主题: 办结通知\n已办结', '不满意'],
    ['满意\n________________________________\nFrom: Desk\nSent: Friday', '满意'],
    ['第一行\n第二行', '第一行\n第二行'],
  ])('%#', (text, expected) => {
    expect(stripQuoted(text)).toBe(expected);
  });
});

describe('isDissatisfied', () => {
  it.each([
    ['对处理结果不满意！', true],
    ['问题根本没解决', true],
    ['到现在还没有解决', true],
    ['仍未解决，要求重新处理', true],
    ['电梯还是没修', true],
    ['问题依旧存在', true],
    ['不太满意，物业只是敷衍了事', true],
    ['还是老样子，一点都没变', true],
    ['我不认可这个处理结果', true],
    ['满意', false],
    ['非常满意，谢谢', false],
    ['已经修好了，谢谢你们', false],
    ['问题已解决', false],
    ['没有不满意的地方', false],
    ['收到', false],
    ['满意。\n\n-----原始邮件-----\n如对处理结果不满意，请回复本邮件。', false],
    ['满意\n> 如不满意请回复，问题未解决可再次投诉', false],
    ['谢谢。\n在 2026年11月20日，受理台 写道：\n问题没有解决的请说明', false],
  ])('%s → %s', (text, expected) => {
    expect(isDissatisfied(text)).toBe(expected);
  });
});

describe('asksForStatus: a complainant asking where the case stands', () => {
  it.each(['请问现在进度如何？', '我想查询一下办理情况', '到哪一步了？', '怎么还没人来修？', '什么时候能处理？', '有没有人处理啊'])('yes: %s', (text) => {
    expect(asksForStatus(text)).toBe(true);
  });
  it.each(['补充：今天又漏水了。', '谢谢，已经修好了。', '> 请问现在进度如何？\n补充一张照片。'])('no: %s', (text) => {
    expect(asksForStatus(text)).toBe(false);
  });
});
