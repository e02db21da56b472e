// The conversation's pure parts, table by table: how dates are written for people, when the day's letter goes, what
// each step tells the resident, the reminder digest, and who is there to receive a unit's cases.
import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/domain.ts';
import { complainantLetter, dailyLetter, stepNote, type LetterContext } from '../../src/messages/letters.ts';
import { reminderDigests, type Reminder } from '../../src/messages/reminders.ts';
import { deadlineForPeople, momentForPeople } from '../../src/time.ts';
import { unstaffedUnits } from '../../src/workflow/coverage.ts';
import { nextLetterTime } from '../../src/workflow/quiet-hours.ts';
import { reportWeekOf } from '../../src/workflow/periods.ts';
import type { EffectTemplate } from '../../src/workflow/complaint.ts';

const CTX: LetterContext = { cityName: '运城市', countyName: '盐湖区', mailbox: 'yhqzjjwy@163.com', phone: '0359-1234567', originalMessageId: '<m1@example.com>' };
const AT = new Date('2026-12-03T02:20:00Z'); // Thursday 10:20 in Shanghai

function aCase(over: Partial<Case> = {}): Case {
  return {
    id: 7,
    tracking: 'YH-2026-000007',
    county: 'yanhu',
    source: 'email',
    status: 'accepted',
    unit: 'fire',
    coUnits: [],
    problem: 'security-not-provided',
    urgent: false,
    complex: false,
    supervised: false,
    complainant: { name: '王女士', phone: null, email: 'wang@example.com' },
    compound: null,
    address: null,
    company: null,
    subject: '楼道电动车充电',
    body: '楼道里天天有人充电',
    classification: null,
    receivedAt: '2026-12-02T01:00:00.000Z',
    assignedAt: '2026-12-02T01:00:00.000Z',
    acceptedAt: null,
    resolvedAt: null,
    writtenOffAt: null,
    finding: null,
    result: null,
    deadlines: { close: '2026-12-09T16:00:00.000Z', plan: '2026-12-10T16:00:00.000Z', verify: '2026-12-24T16:00:00.000Z', penalty: '2027-03-03T16:00:00.000Z' },
    extension: null,
    extended: false, penaltyExtended: false,
    ...over,
  };
}

describe('one way to write a date for people', () => {
  it.each([
    ['2026-12-09T16:00:00.000Z', undefined, '12月9日（周三）24:00'], // the 24:00 rule: the day that ends
    ['2026-12-10T02:30:00.000Z', undefined, '12月10日（周四）10:30'],
    ['2027-01-04T16:00:00.000Z', AT, '2027年1月4日（周一）24:00'], // another year than now's: with the year
    ['2026-12-31T16:00:00.000Z', AT, '12月31日（周四）24:00'],
    [null, undefined, '—'],
    ['not a date', undefined, '—'],
  ] as const)('deadline %s → %s', (iso, now, want) => {
    expect(deadlineForPeople(iso, now)).toBe(want);
  });

  it('moments the same way', () => {
    expect(momentForPeople('2026-12-03T02:20:00Z')).toBe('12月3日（周四）10:20');
  });
});

describe('the day\'s letter time', () => {
  it.each([
    ['2026-12-03T02:20:00Z', '17:30', '2026-12-03T09:30:00.000Z'], // 10:20 → today 17:30
    ['2026-12-03T09:30:00Z', '17:30', '2026-12-04T09:30:00.000Z'], // exactly 17:30: the next day's
    ['2026-12-03T12:00:00Z', '17:30', '2026-12-04T09:30:00.000Z'], // 20:00 → tomorrow
    ['2026-12-03T15:59:00Z', '08:00', '2026-12-04T00:00:00.000Z'], // 23:59 → 08:00
  ])('%s with letters at %s → %s', (now, at, want) => {
    expect(nextLetterTime(new Date(now), at).toISOString()).toBe(want);
  });
});

describe('what each step tells the resident', () => {
  const c = aCase();
  const table: [EffectTemplate, Partial<Case>, Record<string, unknown>, string][] = [
    ['assigned', {}, {}, '已转交盐湖区消防救援大队办理。办结期限：12月9日（周三）24:00。'],
    ['accepted', {}, {}, '盐湖区消防救援大队已接收并开始办理。'],
    ['moved', { unit: 'police' }, { fromUnit: 'fire', reason: '涉及治安' }, '改由盐湖区公安局办理（原承办单位：盐湖区消防救援大队；原因：涉及治安）'],
    ['progress', {}, { text: '已约谈物业', photos: 2 }, '盐湖区消防救援大队报告办理进展：“已约谈物业”（现场照片 2 张已存档）'],
    ['progress', { unit: 'housing' }, { text: '已停梯检修', byUnit: 'market-regulation' }, '协办单位盐湖区市场监督管理局报告办理进展：“已停梯检修”'],
    ['complex', {}, { reason: '需多部门协调' }, '认定您反映的问题为复杂问题，原因：需多部门协调。承办单位将于 12月10日（周四）24:00 前制定解决方案'],
    ['plan', {}, { text: '分三步', until: '2026-12-31T16:00:00.000Z' }, '制定了解决方案：“分三步”，计划于 12月31日（周四）24:00 前完成'],
    ['extended', {}, { until: '2026-12-23T16:00:00.000Z', reason: '等配件' }, '办结期限延长至 12月23日（周三）24:00。原因：等配件。'],
    ['resolved', { unit: 'housing' }, {}, '经属地乡镇(街道)、社区会签和市级部门审核后，我们将把办理结果告知您'],
    ['sent-back', {}, {}, '办结情况未通过审核，已退回盐湖区消防救援大队继续办理'],
    ['returned', { unit: null, status: 'triage' }, { fromUnit: 'fire', reason: '非高层建筑' }, '盐湖区消防救援大队认为该问题不属于其职责（非高层建筑），我们正在重新确定承办单位。'],
    ['reopened', {}, {}, '根据您的反馈，问题已交盐湖区消防救援大队重新办理'],
    ['penalty-opened', {}, {}, '将于 12月24日（周四）24:00 前完成核查，2027年3月3日（周三）24:00 前依法作出处理决定'],
    ['penalty', {}, { text: '罚款五千元' }, '已依法作出处罚决定：“罚款五千元”'],
  ];
  it.each(table)('%s', (template, over, detail, want) => {
    const note = stepNote(template, aCase(over), { ...CTX, detail, at: AT });
    expect(note).toContain(want);
    expect(note!.startsWith('12月3日（周四）10:20　')).toBe(true);
  });

  it('internal notices have no line for the resident', () => {
    for (const t of ['cosign-needed', 'review-needed', 'triage', 'urgent', 'co-report'] as EffectTemplate[]) expect(stepNote(t, c, { ...CTX, at: AT })).toBeNull();
  });

  it('the day\'s letter holds every step under one subject, from the county mailbox, threaded', () => {
    const notes = ['a', 'b'].map((x) => stepNote('progress', c, { ...CTX, detail: { text: x }, at: AT })!);
    const letter = dailyLetter(c, CTX, notes)!;
    expect(letter.subject).toBe('【办理进展】YH-2026-000007 楼道电动车充电');
    expect(letter.from).toBe('"盐湖区住房和城乡建设局" <yhqzjjwy@163.com>');
    expect(letter.inReplyTo).toBe('<m1@example.com>');
    expect(letter.text).toMatch(/^王女士，您好：/);
    expect(letter.text!.indexOf('“a”')).toBeLessThan(letter.text!.indexOf('“b”'));
    expect(letter.text).toContain('联系电话：0359-1234567');
    expect(dailyLetter(aCase({ complainant: { name: null, phone: '1', email: null } }), CTX, notes)).toBeNull();
  });

  it('the result once, final, with what was done and the satisfaction question; earlier steps folded in', () => {
    const done = aCase({ status: 'written_off', finding: 'partly', result: '已清理楼道并张贴告示' });
    const letter = complainantLetter('result', done, { ...CTX, now: AT, earlier: ['12月3日（周四）09:00　已接收'] })!;
    expect(letter.subject).toBe('【办理结果】YH-2026-000007 楼道电动车充电');
    expect(letter.text).toContain('核查结论：部分属实。');
    expect(letter.text).toContain('办理结果：已清理楼道并张贴告示');
    expect(letter.text).toContain('此前的办理情况：\n12月3日（周四）09:00　已接收');
    expect(letter.text).toContain('满意请回复“满意”；不满意请回复“不满意”并说明理由');
  });

  it('the urgent acknowledgement names exactly who was told', () => {
    const urgent = aCase({ urgent: true, status: 'assigned' });
    const told = complainantLetter('ack', urgent, { ...CTX, told: ['盐湖区消防救援大队', '属地乡镇人民政府（街道办事处）'] })!;
    expect(told.text).toContain('已立即通知盐湖区消防救援大队、属地乡镇人民政府（街道办事处）紧急处置');
    const nobody = complainantLetter('ack', urgent, { ...CTX, told: [] })!;
    expect(nobody.text).toContain('已立即转交住房和城乡建设部门紧急处置');
  });
});

describe('reminders: one message per person per run', () => {
  const r = (caseId: number, officerId: number, urgent = false, step: Reminder['step'] = 'overdue'): Reminder => ({
    key: `remind:${caseId}:close:${step}:x:${officerId}`,
    caseId,
    tracking: `YH-2026-00000${caseId}`,
    subject: 'close',
    step,
    dueAt: `2026-12-0${caseId}T16:00:00.000Z`,
    day: '2026-12-03',
    officerId,
    chatId: 9000 + officerId,
    notBefore: 'now',
    urgent,
    text: `full text ${caseId}`,
    line: `line ${caseId}`,
  });

  it('groups by person, keeps danger cases apart, and sends a lone reminder as it is', () => {
    const digests = reminderDigests([r(1, 1), r(2, 1), r(3, 1), r(4, 2), r(5, 1, true)], 'T');
    expect(digests.map((d) => [d.key, d.reminderKeys.length])).toEqual([
      ['digest:1:T', 3],
      ['digest:2:T', 1],
      ['digest:1:T:u', 1],
    ]);
    expect(digests[0]!.text).toContain('您有 3 项需要处理');
    expect(digests[0]!.text).toMatch(/1\. line 1\n2\. line 2\n3\. line 3/);
    expect(digests[0]!.keyboard!.inline_keyboard.flat().map((b) => b.callback_data)).toEqual(['v:1', 'v:2', 'v:3']);
    expect(digests[1]!.text).toBe('full text 4');
  });

  it('a long list stays within Telegram\'s limit and points to /tasks for the rest', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ ...r(1, 1), key: `k${i}`, caseId: i + 1, tracking: `YH-2026-${String(i + 1).padStart(6, '0')}`, line: `${'很长的一行'.repeat(8)} ${i}` }));
    const [d] = reminderDigests(many, 'T');
    expect(d!.text.length).toBeLessThanOrEqual(4000);
    expect(d!.text).toContain('其余 280 件请发送 /tasks 查看');
    expect(d!.keyboard!.inline_keyboard.flat()).toHaveLength(20);
    expect(d!.reminderKeys).toHaveLength(300);
  });
});

describe('who is there to receive a unit\'s cases', () => {
  const o = (unit: string, county: string, over: Record<string, unknown> = {}) => ({ unit, county, role: 'officer', active: true, chatId: 1, ...over }) as never;
  it.each([
    ['nobody at all', [], 2, 12],
    ['housing linked in yanhu only', [o('housing', 'yanhu')], 2, 11],
    ['an inactive or unlinked officer does not count', [o('fire', 'yanhu', { active: false }), o('police', 'yanhu', { chatId: null })], 2, 12],
    ['a reviewer is not the unit\'s receiver', [o('fire', 'yanhu', { role: 'reviewer' })], 2, 12],
  ])('%s', (_name, officers, counties, yanhuGaps) => {
    const gaps = unstaffedUnits(['yanhu', 'yongji'], officers);
    expect(gaps).toHaveLength(counties);
    expect(gaps.find((g) => g.county === 'yanhu')!.units).toHaveLength(yanhuGaps);
  });
});

describe('which week\'s reports a note of the office goes into', () => {
  it.each([
    ['2026-11-23', '2026-W48'], // Monday
    ['2026-11-27', '2026-W48'], // Friday: the discipline report of the afternoon still takes it
    ['2026-11-28', '2026-W49'], // Saturday: next week's
    ['2026-11-29', '2026-W49'], // Sunday
    ['2026-12-31', '2026-W53'],
  ])('%s → %s', (day, week) => {
    expect(reportWeekOf(day)).toBe(week);
  });
});
