import { describe, expect, it } from 'vitest';
import { createCalendar } from '../../src/workflow/calendar.ts';
import { formatShanghai } from '../../src/time.ts';
import {
  companyCounts,
  complainantKey,
  evaluateCompany,
  longOnBlackList,
  redBlackList,
  type CompanyFacts,
  type CompanyInput,
  type ComplaintFact,
} from '../../src/workflow/companies.ts';

const cal = createCalendar();
const NOW = new Date('2026-11-23T10:00:00+08:00');

const facts = (over: Partial<CompanyFacts> = {}): CompanyFacts => ({
  companyId: 'c1',
  name: '某某物业',
  refusedToFix: false,
  satisfaction: null,
  creditLow: false,
  longOnBlackList: false,
  ...over,
});

/** `n` distinct complainants p1…pn, one complaint each, a day apart starting at `start` (Shanghai 09:00). */
function distinct(n: number, opts: { start?: string; substantiated?: boolean; prefix?: string; companyId?: string } = {}): ComplaintFact[] {
  const start = new Date(`${opts.start ?? '2026-10-01'}T09:00:00+08:00`).getTime();
  return Array.from({ length: n }, (_, i) => ({
    companyId: opts.companyId ?? 'c1',
    complainantKey: `phone:${opts.prefix ?? '1380000'}${String(i + 1).padStart(4, '0')}`,
    receivedAt: new Date(start + i * 86_400_000).toISOString(),
    substantiated: opts.substantiated ?? true,
  }));
}

/** The same person `times` times. */
function repeated(times: number, key = 'phone:13999999999'): ComplaintFact[] {
  return Array.from({ length: times }, (_, i) => ({
    companyId: 'c1',
    complainantKey: key,
    receivedAt: new Date(Date.parse('2026-09-01T09:00:00+08:00') + i * 3_600_000).toISOString(),
    substantiated: true,
  }));
}

const types = (input: CompanyInput, now = NOW) => evaluateCompany(input, now, cal).map((a) => a.type);
const action = (input: CompanyInput, type: string, now = NOW) => evaluateCompany(input, now, cal).find((a) => a.type === type);

describe('complainantKey', () => {
  it.each([
    [{ phone: '13800138000' }, 'phone:13800138000'],
    [{ phone: '+86 138 0013 8000' }, 'phone:13800138000'],
    [{ phone: '0086-138-0013-8000' }, 'phone:13800138000'],
    [{ phone: '8613800138000' }, 'phone:13800138000'],
    [{ phone: '１３８００１３８０００' }, 'phone:13800138000'],
    [{ phone: '0359-1234567' }, 'phone:03591234567'],
    [{ phone: '(0359) 123 4567' }, 'phone:03591234567'],
    [{ phone: '+86 359 1234567' }, 'phone:03591234567'],
    [{ phone: '+86-0359-1234567' }, 'phone:03591234567'],
    [{ phone: '123', email: 'A@B.cn' }, 'email:a@b.cn'],
    [{ phone: null, email: '  Zhang.San@163.COM ' }, 'email:zhang.san@163.com'],
    [{ phone: '13800138000', email: 'a@b.cn', name: '张三' }, 'phone:13800138000'],
    [{ email: 'not-an-address', name: '张 三', compound: '阳光 小区' }, 'name:张三|阳光小区'],
    [{ name: '李四' }, 'name:李四|'],
    [{ phone: '', email: '', name: '  ' }, null],
    [{}, null],
  ])('%j → %s', (input, key) => {
    expect(complainantKey(input)).toBe(key);
  });

  it('keeps different area codes apart', () => {
    expect(complainantKey({ phone: '0359-1234567' })).not.toBe(complainantKey({ phone: '0351-1234567' }));
  });
});

describe('key supervision: more than 10 distinct complainants (000 附件 一(三))', () => {
  it.each([
    [10, false],
    [11, true],
  ])('%i distinct complainants → on the ledger: %s', (n, expected) => {
    const input = { company: facts(), complaints: distinct(n, { substantiated: false }) };
    expect(types(input).includes('key-supervision')).toBe(expected);
  });

  it('the same person complaining 15 times counts once', () => {
    expect(types({ company: facts(), complaints: [...repeated(15), ...distinct(9)] })).not.toContain('key-supervision');
    expect(types({ company: facts(), complaints: [...repeated(15), ...distinct(10)] })).toContain('key-supervision');
    expect(companyCounts({ company: facts(), complaints: [...repeated(15), ...distinct(9)] }, NOW).complainants).toBe(10);
  });

  it('triggers at the receipt of the 11th distinct complainant, with no period of its own', () => {
    const complaints = distinct(12, { start: '2026-10-01', substantiated: false });
    const a = action({ company: facts(), complaints }, 'key-supervision');
    expect(a?.triggeredAt.toISOString()).toBe(complaints[10]?.receivedAt);
    expect(a?.dueAt).toBeNull();
    expect(a?.rule).toBe('000 附件 一(三)');
    expect(a?.reason).toContain('12人');
  });

  it('anonymous complaints, other companies and future complaints are not counted', () => {
    const anonymous: ComplaintFact[] = Array.from({ length: 5 }, () => ({
      companyId: 'c1',
      complainantKey: null,
      receivedAt: '2026-10-01T01:00:00Z',
      substantiated: true,
    }));
    const future = distinct(1, { start: '2026-12-01', prefix: '1370000' });
    const other = distinct(5, { companyId: 'c2', prefix: '1360000' });
    const input = { company: facts(), complaints: [...distinct(10), ...anonymous, ...future, ...other] };
    expect(types(input)).not.toContain('key-supervision');
    expect(companyCounts(input, NOW)).toEqual({ complainants: 10, substantiatedHalfYear: 10, substantiatedYear: 10, anonymous: 5 });
  });
});

describe('survey: more than 10 substantiated in half a year (000 附件 三(三))', () => {
  it.each([
    [10, false],
    [11, true],
  ])('%i distinct substantiated → survey: %s', (n, expected) => {
    expect(types({ company: facts(), complaints: distinct(n) }).includes('survey')).toBe(expected);
  });

  it('unsubstantiated complaints do not count (but do count for key supervision)', () => {
    const complaints = [...distinct(10), ...distinct(1, { substantiated: false, prefix: '1370000' })];
    expect(types({ company: facts(), complaints })).toEqual(['key-supervision']);
  });

  it('the same person counts once', () => {
    expect(types({ company: facts(), complaints: [...repeated(15), ...distinct(9)] })).not.toContain('survey');
    expect(types({ company: facts(), complaints: [...repeated(15), ...distinct(10)] })).toContain('survey');
  });

  it('half a year = from the same day number six months back (23 May for 23 Nov)', () => {
    const base = distinct(10, { start: '2026-10-01' });
    const onEdge = distinct(1, { start: '2026-05-23', prefix: '1370000' });
    const beyond = distinct(1, { start: '2026-05-22', prefix: '1370000' });
    expect(types({ company: facts(), complaints: [...base, ...onEdge] })).toContain('survey');
    expect(types({ company: facts(), complaints: [...base, ...beyond] })).not.toContain('survey');
  });

  it('due within 10 days of the 11th substantiated complainant, with art. 203', () => {
    // 11th distinct arrives 2026-09-21 (start 11 Sep + 10 days); +10 days = 1 Oct (National Day) → 8 Oct.
    const complaints = distinct(11, { start: '2026-09-11' });
    const a = action({ company: facts(), complaints }, 'survey');
    expect(formatShanghai(a!.triggeredAt)).toBe('2026-09-21T09:00:00+08:00');
    expect(formatShanghai(a!.dueAt!)).toBe('2026-10-09T00:00:00+08:00');
  });

  it('low credit or long on the black list also call for a survey, counted from flaggedAt', () => {
    const flaggedAt = '2026-11-02T10:00:00+08:00';
    for (const over of [{ creditLow: true }, { longOnBlackList: true }]) {
      const a = action({ company: facts({ ...over, flaggedAt }), complaints: [] }, 'survey');
      expect(formatShanghai(a!.dueAt!)).toBe('2026-11-13T00:00:00+08:00');
    }
    expect(types({ company: facts(), complaints: [] })).toEqual([]);
  });
});

describe('regrade chain: refusal or satisfaction < 60 % (000 附件 三(三))', () => {
  const flaggedAt = '2026-09-22T10:00:00+08:00';

  it.each([
    [60, []],
    [59, ['regrade', 'fee-enforcement']],
    [null, []],
  ])('satisfaction %s → %j', (satisfaction, expected) => {
    expect(types({ company: facts({ satisfaction, flaggedAt }), complaints: [] })).toEqual(expected);
  });

  it('refusal alone triggers it; the steps are chained 5 → 5 → 90 days with art. 203', () => {
    const actions = evaluateCompany({ company: facts({ refusedToFix: true, refusedFeeStandard: true, flaggedAt }), complaints: [] }, NOW, cal);
    const due = Object.fromEntries(actions.map((a) => [a.type, a.dueAt && formatShanghai(a.dueAt)]));
    expect(due).toEqual({
      regrade: '2026-09-29T00:00:00+08:00', // 22 Sep + 5 = 27 Sep (Mid-Autumn) → 28 Sep
      'fee-enforcement': '2026-10-09T00:00:00+08:00', // 28 Sep + 5 = 3 Oct (National Day) → 8 Oct
      'refund-penalty': '2027-01-07T00:00:00+08:00', // 8 Oct + 90 = Wed 6 Jan 2027
    });
    expect(actions.every((a) => a.rule === '000 附件 三(三)')).toBe(true);
  });

  it('市场监管 is only involved once the company refuses the regraded fee', () => {
    expect(types({ company: facts({ refusedToFix: true, flaggedAt }), complaints: [] })).not.toContain('refund-penalty');
  });
});

describe('exit: more than 20 substantiated in a year AND (refusal or satisfaction < 50 %) (000 附件 三(四))', () => {
  const twentyOne = () => distinct(21, { start: '2026-06-01' });

  it.each([
    ['20 + refusal', distinct(20, { start: '2026-06-01' }), { refusedToFix: true }, false],
    ['21 + refusal', twentyOne(), { refusedToFix: true }, true],
    ['21 + satisfaction 50', twentyOne(), { satisfaction: 50 }, false],
    ['21 + satisfaction 49', twentyOne(), { satisfaction: 49 }, true],
    ['21, satisfied 70, no refusal', twentyOne(), { satisfaction: 70 }, false],
    ['15 same person + 20 others + refusal', [...repeated(15), ...distinct(20, { start: '2026-06-01' })], { refusedToFix: true }, true],
    ['15 same person + 19 others + refusal', [...repeated(15), ...distinct(19, { start: '2026-06-01' })], { refusedToFix: true }, false],
  ] as const)('%s → exit: %s', (_, complaints, over, expected) => {
    expect(types({ company: facts({ ...over, flaggedAt: '2026-11-01T00:00:00+08:00' }), complaints: [...complaints] }).includes('exit')).toBe(expected);
  });

  it('a year = 12 months back: a complaint of 22 Nov 2025 is out of the window on 23 Nov 2026', () => {
    const old = distinct(1, { start: '2025-11-22', prefix: '1370000' });
    const edge = distinct(1, { start: '2025-11-23', prefix: '1370000' });
    const twenty = distinct(20, { start: '2026-06-01' });
    const company = facts({ refusedToFix: true });
    expect(types({ company, complaints: [...twenty, ...old] })).not.toContain('exit');
    expect(types({ company, complaints: [...twenty, ...edge] })).toContain('exit');
  });

  it('the exit procedure has no period in the seed', () => {
    const a = action({ company: facts({ refusedToFix: true }), complaints: twentyOne() }, 'exit');
    expect(a?.dueAt).toBeNull();
    expect(a?.reason).toContain('退出');
  });
});

describe('red/black list (000 附件 五)', () => {
  const closedCase = (key: string, received: string, closed: string, substantiated = false): ComplaintFact => ({
    companyId: '',
    complainantKey: key,
    receivedAt: `${received}T09:00:00+08:00`,
    closedAt: closed,
    substantiated,
  });
  const company = (id: string, over: Partial<CompanyFacts>, complaints: ComplaintFact[]): CompanyInput => ({
    company: facts({ companyId: id, name: id, ...over }),
    complaints: complaints.map((c) => ({ ...c, companyId: id })),
  });
  const quick = [
    closedCase('phone:13800000001', '2026-10-08', '2026-10-12T10:00:00+08:00'),
    closedCase('phone:13800000002', '2026-10-12', '2026-10-19T10:00:00+08:00'),
    closedCase('phone:13800000003', '2026-10-20', '2026-10-27T23:30:00+08:00'),
  ];

  const list = redBlackList(
    [
      company('refuses', { refusedToFix: true }, quick),
      company('clean', { satisfaction: 92 }, quick),
      company('slow', {}, [...quick.slice(0, 2), closedCase('phone:13800000009', '2026-10-10', '2026-10-19T10:00:00+08:00')]),
      company('few', {}, quick.slice(0, 2)),
      company('lukewarm', { satisfaction: 70 }, quick),
      company('unhappy', { satisfaction: 55 }, []),
      company('substantiated', {}, [...quick.slice(0, 2), closedCase('phone:13800000004', '2026-10-20', '2026-10-22T10:00:00+08:00', true)]),
      company('crowded', {}, distinct(11, { start: '2026-03-01', substantiated: true }).map((c) => ({ ...c, companyId: 'crowded' }))),
      company('crowded-unverified', {}, distinct(11, { start: '2026-03-01', substantiated: false }).map((c) => ({ ...c, companyId: 'crowded-unverified' }))),
      company('late', {}, [...quick, { ...closedCase('phone:13800000005', '2026-09-01', '', true), closedAt: null, overdue: true }]),
      company('late-unverified', {}, [{ ...closedCase('phone:13800000007', '2026-09-01', ''), closedAt: null, overdue: true }]),
      company('late-but-closed-before', {}, [...quick, { ...closedCase('phone:13800000006', '2026-08-01', '2026-09-15T10:00:00+08:00'), overdue: true }]),
    ],
    '2026-10',
  );
  const rulesOf = (entries: typeof list.red, id: string) => entries.find((e) => e.companyId === id)?.rules.map((r) => r.rule);

  it('black: refusal, low satisfaction, key supervision, overdue — each with its rule', () => {
    expect(rulesOf(list.black, 'refuses')).toEqual(['black:refused']);
    expect(rulesOf(list.black, 'unhappy')).toEqual(['black:low-satisfaction']);
    expect(rulesOf(list.black, 'crowded')).toEqual(['black:key-supervision']);
    expect(rulesOf(list.black, 'late')).toEqual(['black:overdue']);
    expect(list.black.map((e) => e.companyId).sort()).toEqual(['crowded', 'late', 'refuses', 'unhappy']);
  });

  it('only verified complaints count against a company: many unfounded ones, or the government being late, blame nobody', () => {
    expect(rulesOf(list.black, 'crowded-unverified')).toBeUndefined();
    expect(rulesOf(list.black, 'late-unverified')).toBeUndefined();
    expect(list.black.find((e) => e.companyId === 'late')?.rules[0]?.reason).toContain('经核实属实');
  });

  it('red: at least 3 closed in the month, each within 7 days, none substantiated, satisfaction ≥ 80 when known', () => {
    expect(list.red.map((e) => e.companyId).sort()).toEqual(['clean', 'late-but-closed-before']);
    expect(rulesOf(list.red, 'clean')).toEqual(['red:prompt-clean']);
    expect(list.red.find((e) => e.companyId === 'clean')?.rules[0]?.reason).toContain('本月办结3件');
  });

  it('a month boundary in Shanghai time decides which month a closure belongs to', () => {
    const late = [
      closedCase('phone:13800000001', '2026-10-25', '2026-10-31T23:30:00+08:00'),
      closedCase('phone:13800000002', '2026-10-26', '2026-10-31T12:00:00+08:00'),
      closedCase('phone:13800000003', '2026-10-27', '2026-11-01T00:30:00+08:00'),
    ];
    expect(redBlackList([company('x', {}, late)], '2026-10').red).toHaveLength(0);
    expect(redBlackList([company('x', {}, late.slice(0, 2).concat(quick.slice(0, 1)))], '2026-10').red).toHaveLength(1);
  });

  it('refuses a malformed month', () => {
    expect(() => redBlackList([], '2026-13')).toThrow(RangeError);
    expect(() => redBlackList([], '2026/10')).toThrow(RangeError);
  });
});

describe('长期在"黑榜" (000 附件 三(三)): three consecutive published lists, the latest recent', () => {
  const at = (wall: string) => new Date(`${wall}T10:00:00+08:00`);
  it.each<[string, string[], string[], string, boolean]>([
    ['black in Sep, Oct, Nov; asked in December', ['2026-09', '2026-10', '2026-11'], ['2026-09', '2026-10', '2026-11'], '2026-12-03', true],
    ['asked on 1 Dec before the November list is out: Aug–Oct count', ['2026-08', '2026-09', '2026-10'], ['2026-08', '2026-09', '2026-10'], '2026-12-01', true],
    ['only two lists published so far', ['2026-10', '2026-11'], ['2026-10', '2026-11'], '2026-12-03', false],
    ['red (or on no list) in October breaks the streak', ['2026-09', '2026-11'], ['2026-09', '2026-10', '2026-11'], '2026-12-03', false],
    ['a month with no list published breaks it', ['2026-08', '2026-09', '2026-11'], ['2026-08', '2026-09', '2026-11'], '2026-12-03', false],
    ['an old streak does not count', ['2026-06', '2026-07', '2026-08'], ['2026-06', '2026-07', '2026-08'], '2026-12-03', false],
    ['this month’s list is not counted before the month is over', ['2026-10', '2026-11', '2026-12'], ['2026-10', '2026-11', '2026-12'], '2026-12-20', false],
    ['across the new year', ['2026-10', '2026-11', '2026-12'], ['2026-10', '2026-11', '2026-12'], '2027-01-02', true],
  ])('%s', (_name, black, published, day, want) => {
    expect(longOnBlackList(new Set(black), published, at(day))).toBe(want);
  });
});
