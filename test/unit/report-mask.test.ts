import { describe, expect, it } from 'vitest';
import { maskComplainant, maskContactsInText, maskEmail, maskForPublic, maskName, maskPhone } from '../../src/report/mask.ts';

describe('maskName', () => {
  it.each([
    ['王小明', '王**'],
    ['王明', '王*'],
    ['欧阳娜娜', '欧***'],
    ['王', '*'],
    ['  李四  ', '李*'],
    ['Alexander Hamilton', 'A****'],
    ['', ''],
    [null, ''],
  ])('%s → %s', (input, expected) => {
    expect(maskName(input)).toBe(expected);
  });
});

describe('maskPhone', () => {
  it.each([
    ['13912341234', '139****1234'],
    ['139 1234 1234', '139****1234'],
    ['139-1234-1234', '139****1234'],
    ['+8613912341234', '139****1234'],
    ['0359-6388865', '0359-***8865'],
    ['0359 2222363', '0359-***2363'],
    ['6388865', '***8865'],
    ['123', '***'],
    ['', ''],
    [null, ''],
  ])('%s → %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });
});

describe('maskEmail', () => {
  it.each([
    ['zhangsan@163.com', 'z***@163.com'],
    ['a@b.cn', 'a***@b.cn'],
    ['not-an-address', '***'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(maskEmail(input)).toBe(expected);
  });
});

describe('maskComplainant', () => {
  it('shows masked name and phone, the e-mail only when there is no phone, 匿名 when nothing is known', () => {
    expect(maskComplainant({ name: '王小明', phone: '13912341234', email: 'w@163.com' })).toBe('王** 139****1234');
    expect(maskComplainant({ name: '王小明', phone: null, email: 'wxm@163.com' })).toBe('王** w***@163.com');
    expect(maskComplainant({ name: null, phone: null, email: null })).toBe('匿名');
  });
});

describe('maskContactsInText', () => {
  it('masks phones, landlines, addresses and the names it is given, and leaves other text alone', () => {
    const text = '我是王小明，电话13912341234，座机0359-6388865，邮箱wxm@163.com，小区3号楼电梯坏了20天';
    expect(maskContactsInText(text, ['王小明'])).toBe(
      '我是王**，电话139****1234，座机0359-***8865，邮箱w***@163.com，小区3号楼电梯坏了20天',
    );
  });

  it('does not take a longer digit run for a phone number', () => {
    expect(maskContactsInText('维修资金账号123456789012345')).toBe('维修资金账号123456789012345');
  });
});

describe('maskForPublic: what the public may read', () => {
  it.each([
    ['身份证142701199001011234', '142701199001011234', '身份证142701************'],
    ['身份证14270119900101123X号', '14270119900101123X', '身份证142701************号'],
    ['住幸福小区3号楼2单元501室', '501室', '住幸福小区*号楼*单元***室'],
    ['阳光花园12栋5层', '12栋', '阳光花园**栋*层'],
    ['电话一三九一二三四五六七八', '一三九一二三四五六七八', '电话***********'],
    ['联系13912345678', '13912345678', '联系139****5678'],
    ['邮箱zhangsan@163.com', 'zhangsan@', '邮箱z***@163.com'],
  ])('%s', (text, secret, want) => {
    const out = maskForPublic(text);
    expect(out).not.toContain(secret);
    expect(out).toBe(want);
  });

  it('leaves amounts and dates alone', () => {
    expect(maskForPublic('物业费每月3元，2026年3月起共交了12个月')).toBe('物业费每月3元，2026年3月起共交了12个月');
    expect(maskForPublic('3月5号上午已维修')).toBe('3月5号上午已维修');
  });
});
