import { describe, expect, it } from 'vitest';
import { extractFacts, type ComplainantFacts, type FactSource } from '../../src/ingest/extract.ts';

type Expect = Partial<ComplainantFacts>;
interface Case {
  title: string;
  subject?: string;
  text: string;
  from?: FactSource['from'];
  expect: Expect;
}

const anon = { address: null, name: null };

// Each case states only the fields it is about; the others are checked where they matter.
const CASES: Case[] = [
  // ---- names ----
  { title: '我叫 + full name', text: '你好，我叫张三，住在阳光花园3号楼2单元501，电梯坏了半个月。', expect: { name: '张三', compound: '阳光花园', address: '3号楼2单元501' } },
  { title: '本人 + name', text: '本人李四，是金色家园小区业主，物业乱收停车费。', expect: { name: '李四', compound: '金色家园' } },
  { title: '业主 + 王女士', text: '我是阳光花园的业主王女士，楼道灯坏了没人修。', expect: { name: '王女士', compound: '阳光花园' } },
  { title: 'signature with mobile', text: '物业不清理垃圾，臭气熏天，请尽快处理。\n\n张先生 13912345678', expect: { name: '张先生', phone: '13912345678' } },
  { title: 'signature name alone', text: '小区绿化带被物业改成收费停车位。\n此致\n敬礼\n刘建国\n2026年11月20日', expect: { name: '刘建国' } },
  { title: '姓名: label', text: '投诉内容：电梯困人无人救援。\n姓名：赵敏\n联系电话：0359-2345678', expect: { name: '赵敏', phone: '03592345678' } },
  { title: '联系人 label with phone on same line', text: '2号楼供暖不热。联系人：周杰，手机139 1234 5678', expect: { name: '周杰', phone: '13912345678' } },
  { title: 'name followed by 住在', text: '我叫陈晓明住在幸福新村5栋1单元302室', expect: { name: '陈晓明', compound: '幸福新村', address: '5栋1单元302室' } },
  { title: 'double surname with title', text: '业主欧阳先生反映：地下车库漏水。', expect: { name: '欧阳先生' } },
  { title: '我是 + compound is not a name', text: '我是金色家园的业主，物业不公示公共收益。', expect: { name: null, compound: '金色家园' } },
  { title: 'closing 谢谢 is not a name', text: '物业把消防通道租给商户摆摊。\n谢谢', expect: { name: null } },
  { title: '万分感谢 is not a name', text: '希望领导重视小区电梯问题。\n万分感谢', expect: { name: null } },
  { title: 'display name fallback', text: '小区门禁坏了一个月了。', from: { address: 'wang.fang@163.com', name: '王芳' }, expect: { name: '王芳', email: 'wang.fang@163.com' } },
  { title: 'email-ish display name ignored', text: '小区门禁坏了一个月了。', from: { address: 'zhangsan88@qq.com', name: 'zhangsan88' }, expect: { name: null, email: 'zhangsan88@qq.com' } },
  { title: 'display name with @ ignored', text: '路灯不亮。', from: { address: 'a@b.cn', name: 'a@b.cn' }, expect: { name: null } },
  { title: 'QQ number display name ignored', text: '路灯不亮。', from: { address: '12345678@qq.com', name: '12345678' }, expect: { name: null } },
  { title: 'text name wins over display name', text: '我叫孙丽，电梯坏了。', from: { address: 'x@163.com', name: 'Lily' }, expect: { name: '孙丽' } },

  // ---- phones ----
  { title: 'mobile with dashes', text: '电话：139-1234-5678，请回电。', expect: { phone: '13912345678', phones: ['13912345678'] } },
  { title: 'mobile with +86', text: '联系我：+86 138 0000 1111', expect: { phone: '13800001111' } },
  { title: 'landline with area code in parentheses', text: '家里座机(0359)2012345，白天有人。', expect: { phone: '03592012345' } },
  { title: 'local 7-digit number next to 电话', text: '我的电话2012345，物业一直不接。', expect: { phone: '2012345' } },
  { title: 'company number is not the resident number', text: '物业电话0359-8881234打了十几次没人接，我的手机15903591234。', expect: { phone: '15903591234', phones: ['03598881234', '15903591234'] } },
  { title: 'only the company number: listed, not chosen', text: '物业客服电话0359-8881234一直占线。', expect: { phone: null, phones: ['03598881234'] } },
  { title: 'ID card number is not a phone', text: '身份证号140802199001011234，电话13512345678', expect: { phone: '13512345678', phones: ['13512345678'] } },
  { title: 'full-width digits', text: '手机：１３９１２３４５６７８', expect: { phone: '13912345678' } },
  { title: 'date is not a phone', text: '2026-11-20 起停水，至今未恢复。', expect: { phone: null, phones: [] } },
  { title: 'QQ number is not a phone', text: '代开发票，联系QQ：88668866', expect: { phone: null, phones: [] } },
  { title: 'two mobiles, first is own', text: '我的手机13711112222，备用18622223333。', expect: { phone: '13711112222', phones: ['13711112222', '18622223333'] } },

  // ---- compounds ----
  { title: 'XX小区', text: '盐湖区和平小区的化粪池满溢。', expect: { compound: '和平小区' } },
  { title: '花园小区 keeps 花园 name', text: '我们住在阳光花园小区，物业不作为。', expect: { compound: '阳光花园' } },
  { title: 'admin prefix removed', text: '运城市盐湖区碧桂园小区电梯停运。', expect: { compound: '碧桂园小区' } },
  { title: 'XX苑', text: '我家在学府苑8号楼，供暖不热。', expect: { compound: '学府苑', address: '8号楼' } },
  { title: 'XX府', text: '位于解放路的盛世华府小区乱收费。', expect: { compound: '盛世华府' } },
  { title: 'XX城', text: '恒大城的物业把绿地改成停车场。', expect: { compound: '恒大城' } },
  { title: '运城市 is not a compound', text: '运城市的物业收费太高了，没人管。', expect: { compound: null } },
  { title: '政府 is not a compound', text: '希望区政府督促物业整改。', expect: { compound: null } },
  { title: '花园路 is a street', text: '家住花园路12号，门口垃圾堆积。', expect: { compound: null } },
  { title: 'XX公寓', text: '凤凰公寓B座1203漏水。', expect: { compound: '凤凰公寓', address: 'B座1203' } },
  { title: 'XX广场', text: '万达广场商住楼电梯经常停。', expect: { compound: '万达广场' } },
  { title: 'XX新村', text: '我们是东风新村的住户。', expect: { compound: '东风新村' } },
  { title: 'XX家园 after 位于', text: '小区位于河东街道，叫幸福家园，物业失联。', expect: { compound: '幸福家园' } },
  { title: 'generic 该小区 / 我们小区 only', text: '我们小区的电梯坏了，该小区物业不管。', expect: { compound: null } },
  { title: '住 + compound', text: '本人刘䶮，住锦绣家园3#楼。', expect: { name: '刘䶮', compound: '锦绣家园', address: '3#楼' } },
  { title: 'a kind of compound is not a name', subject: '直供电小区频繁停电', text: '万达广场住宅区是直供电小区。', expect: { compound: '万达广场' } },
  { title: 'compound in the subject', subject: '投诉：滨河苑物业不公示公共收益', text: '如题，请查处。', expect: { compound: '滨河苑' } },

  // ---- addresses ----
  { title: '#楼 and room', text: '锦绣家园3#楼1单元602室暖气不热', expect: { address: '3#楼1单元602室', compound: '锦绣家园' } },
  { title: '幢 with Chinese numeral unit', text: '12幢三单元201', expect: { address: '12幢三单元201' } },
  { title: 'unit and room without building', text: '住2单元501室，楼上漏水。', expect: { address: '2单元501室' } },
  { title: 'dashed building-unit-room after compound', text: '碧水苑 3-2-501 业主', expect: { address: '3-2-501' } },
  { title: 'phase and building', text: '龙湖二期5号楼1单元1101', expect: { address: '二期5号楼1单元1101' } },
  { title: 'date with 号 is not an address', text: '11月3号停电到现在。', expect: { address: null } },

  // ---- companies ----
  { title: 'legal company name', text: '投诉山西鑫源物业服务有限公司不按合同提供服务。', expect: { company: '山西鑫源物业服务有限公司' } },
  { title: 'legal name with 管理 and 责任', text: '物业是运城市安居物业管理有限责任公司。', expect: { company: '运城市安居物业管理有限责任公司' } },
  { title: 'XX物业公司', text: '小区由鸿运物业公司管理，乱收费。', expect: { company: '鸿运物业公司' } },
  { title: 'short XX物业', text: '金盾物业不作为，垃圾成堆。', expect: { company: '金盾物业' } },
  { title: 'short name after 是', text: '我们小区的物业是万家物业，保安形同虚设。', expect: { company: '万家物业' } },
  { title: 'short name after district', text: '盐湖区金盾物业乱收费。', expect: { company: '金盾物业' } },
  { title: 'a phrase before 物业 is not a brand', text: '申请安装充电桩物业不同意。', expect: { company: null } },
  { title: '小区物业 is not a company name', text: '小区物业不管事，物业费照收。', expect: { company: null } },
  { title: 'compound 的物业 is not a company name', text: '阳光花园的物业把电梯广告费拿走了。', expect: { company: null, compound: '阳光花园' } },
  { title: '物业费 alone is not a company', text: '物业费涨了一倍，没有公示。', expect: { company: null } },

  // ---- quoted text ----
  {
    title: 'facts come from the new part of a reply',
    text: '还是没修好，我叫马丽。\n\n-----原始邮件-----\n发件人: 受理台\n我叫张三，电话13912345678',
    expect: { name: '马丽', phones: [] },
  },
];

describe('extractFacts', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
  it.each(CASES)('$title', (c) => {
    const facts = extractFacts({ subject: c.subject ?? '', text: c.text, from: c.from ?? anon });
    expect(facts).toMatchObject(c.expect);
  });
  it('returns every field, null when nothing is found', () => {
    expect(extractFacts({ subject: '', text: '', from: anon })).toEqual({
      name: null,
      phone: null,
      phones: [],
      email: null,
      compound: null,
      address: null,
      company: null,
    });
  });
  it('takes an email from the text when the From address is missing', () => {
    expect(extractFacts({ subject: '', text: '回复请发 Li.Ming@Example.com', from: anon }).email).toBe('li.ming@example.com');
  });
  // A hang ceiling: quadratic work on 2 MB takes hours, linear work well under a second even on a busy machine.
  it('finishes on a 2 MB body without punctuation', () => {
    for (const unit of ['阳光花园小区物业公司我叫张三住在城苑府', 'a', '在是的物业']) {
      const text = unit.repeat(Math.ceil(2_000_000 / unit.length));
      const started = performance.now();
      extractFacts({ subject: '', text, from: anon });
      expect(performance.now() - started).toBeLessThan(60_000);
    }
  });

  it('reads a whole realistic complaint', () => {
    const facts = extractFacts({
      subject: '投诉盐湖区阳光花园小区物业不作为',
      text:
        '尊敬的领导：\n我是阳光花园3号楼2单元501的业主王女士。小区物业公司（运城市鑫源物业服务有限公司）长期不清运垃圾，' +
        '电梯多次困人。物业客服电话0359-2088888无人接听。\n请尽快处理！\n王女士 139 1234 5678',
      from: { address: 'WangLi@163.com', name: 'wangli' },
    });
    expect(facts).toEqual({
      name: '王女士',
      phone: '13912345678',
      phones: ['03592088888', '13912345678'],
      email: 'wangli@163.com',
      compound: '阳光花园',
      address: '3号楼2单元501',
      company: '运城市鑫源物业服务有限公司',
    });
  });
});
