// Walks three cases through two months of 2026 — the Mid-Autumn and National Day holidays (25–27 Sep, 1–7 Oct),
// the first working day after them (Thu 8 Oct) and the 调休 Saturday (10 Oct is a working day) — running the
// reminder rules every 10 minutes as the scheduler does, and compares every reminder written with a table
// derived by hand from the calendar and the seed's clocks.
import { describe, expect, it } from 'vitest';
import type { Actor, Case } from '../../src/domain.ts';
import { remindersFor } from '../../src/messages/reminders.ts';
import { remindersDue, type ReminderOfficer } from '../../src/workflow/reminders.ts';
import { createCalendar } from '../../src/workflow/calendar.ts';
import { register, transition, type Command, type RegisterInput } from '../../src/workflow/complaint.ts';
import { formatShanghai } from '../../src/time.ts';

const cal = createCalendar();
const QUIET = { start: '21:00', end: '08:00' };
const at = (s: string) => new Date(`${s}+08:00`);
const short = (d: Date | string) => formatShanghai(new Date(d)).slice(5, 16).replace('T', ' ');

const OFFICERS: ReminderOfficer[] = [
  { id: 1, chatId: 101, unit: 'housing', county: 'yanhu', role: 'officer', active: true },
  { id: 2, chatId: 102, unit: 'market-regulation', county: 'yanhu', role: 'officer', active: true },
  { id: 3, chatId: 103, unit: 'housing', county: 'yanhu', role: 'admin', active: true },
  { id: 4, chatId: 104, unit: 'housing', county: 'yuncheng', role: 'supervisor', active: true },
  { id: 5, chatId: 105, unit: 'housing', county: 'yuncheng', role: 'admin', active: true },
  { id: 6, chatId: 106, unit: 'police', county: 'yanhu', role: 'officer', active: true },
  // Must never receive anything: deactivated, not linked to a chat, another county.
  { id: 7, chatId: 107, unit: 'market-regulation', county: 'yanhu', role: 'officer', active: false },
  { id: 8, chatId: null, unit: 'market-regulation', county: 'yanhu', role: 'officer', active: true },
  { id: 9, chatId: 109, unit: 'market-regulation', county: 'yongji', role: 'officer', active: true },
  { id: 10, chatId: 110, unit: 'housing', county: 'yongji', role: 'admin', active: true },
];

const office: Actor = { kind: 'officer', officerId: 1, role: 'officer', unit: 'housing', county: 'yanhu', name: '王芳' };
const market: Actor = { kind: 'officer', officerId: 2, role: 'officer', unit: 'market-regulation', county: 'yanhu', name: '李强' };
const police: Actor = { kind: 'officer', officerId: 6, role: 'officer', unit: 'police', county: 'yanhu', name: '赵勇' };

function input(subject: string, cls: Partial<RegisterInput['classification']>, receivedAt: Date): RegisterInput {
  return {
    source: 'email',
    county: 'yanhu',
    complainant: { name: '张先生', phone: '13912341234', email: null },
    compound: '盐湖区凤凰小区',
    address: null,
    company: '运城市安居物业服务有限公司',
    subject,
    body: subject,
    receivedAt: receivedAt.toISOString(),
    classification: { unit: null, units: [], problem: 'service-not-delivered', urgent: false, triage: false, score: 1, matched: [], ...cls },
  };
}

type Step = { at: string; caseNo: number } & ({ register: RegisterInput } | { cmd: Command; actor: Actor });

// A: lift not maintained → 市场监管 at once; accepted late; overdue across National Day; declared complex, plan, monthly progress.
// B: unclear → the office's triage queue; transfer deadline counted over the holidays and the 调休 Saturday.
// C: a danger clue at 23:00 on a holiday, no unit → overdue at once, reminded and escalated at once, despite quiet hours.
const STEPS: Step[] = [
  { at: '2026-09-24T10:00', caseNo: 1, register: input('电梯长期不维保', { unit: 'market-regulation' }, at('2026-09-24T10:00')) },
  { at: '2026-09-28T15:00', caseNo: 1, cmd: { type: 'accept' }, actor: market },
  { at: '2026-09-29T22:30', caseNo: 2, register: input('物业服务问题', { triage: true }, at('2026-09-29T22:30')) },
  { at: '2026-10-03T23:00', caseNo: 3, register: input('楼上有人高空抛物砸坏车辆', { urgent: true, triage: true }, at('2026-10-03T23:00')) },
  { at: '2026-10-03T23:30', caseNo: 3, cmd: { type: 'assign', unit: 'police' }, actor: office },
  { at: '2026-10-08T09:00', caseNo: 3, cmd: { type: 'accept' }, actor: police },
  { at: '2026-10-10T11:00', caseNo: 3, cmd: { type: 'resolve', finding: 'substantiated', result: '已查处' }, actor: police },
  { at: '2026-10-12T09:00', caseNo: 1, cmd: { type: 'markComplex', reason: '涉及多个部门' }, actor: market },
  { at: '2026-10-14T16:00', caseNo: 2, cmd: { type: 'assign', unit: 'housing' }, actor: office },
  { at: '2026-10-15T09:30', caseNo: 2, cmd: { type: 'accept' }, actor: office },
  { at: '2026-10-16T10:00', caseNo: 2, cmd: { type: 'resolve', finding: 'partly', result: '已整改' }, actor: office },
  { at: '2026-10-16T11:00', caseNo: 1, cmd: { type: 'submitPlan', text: '更换维保单位并全面检修', until: '2026-11-20' }, actor: market },
  { at: '2026-11-16T15:00', caseNo: 1, cmd: { type: 'progress', text: '已签订新维保合同' }, actor: market },
];

interface Row {
  at: string;
  case: string;
  subject: string;
  step: string;
  chat: number;
  notBefore: string;
}

function walk(from: string, to: string): { rows: Row[]; cases: Map<number, Case> } {
  const cases = new Map<number, Case>();
  const seen = new Set<string>();
  const rows: Row[] = [];
  const pending = [...STEPS];
  for (let t = at(from).getTime(); t <= at(to).getTime(); t += 10 * 60_000) {
    const now = new Date(t);
    while (pending.length && at(pending[0]!.at).getTime() <= t) {
      const s = pending.shift()!;
      const when = at(s.at);
      if ('register' in s) {
        const r = register(s.register, when, cal);
        if (!r.ok) throw new Error(r.error.message);
        cases.set(s.caseNo, { ...r.case, id: s.caseNo, tracking: `YH-2026-00000${s.caseNo}` });
      } else {
        const r = transition(cases.get(s.caseNo)!, s.cmd, s.actor, when, cal);
        if (!r.ok) throw new Error(`${s.at} ${s.cmd.type}: ${r.error.message}`);
        cases.set(s.caseNo, r.case);
      }
    }
    const reminders = remindersFor(cases.values(), OFFICERS, { now, cal, quietHours: QUIET, cityCounty: 'yuncheng' });
    for (const r of reminders) {
      if (seen.has(r.key)) continue; // the outbox's unique key
      seen.add(r.key);
      rows.push({ at: short(now), case: r.tracking.slice(-1), subject: r.subject, step: r.step, chat: r.chatId, notBefore: short(r.notBefore) });
    }
  }
  return { rows, cases };
}

// [generated at, case, deadline, step, chat, not before] — Shanghai time, MM-DD HH:mm.
const EXPECTED: [string, string, string, string, number, string][] = [
  // A: assigned Thu 24 Sep 10:00; 25–27 Sep are Mid-Autumn holidays, so one working day later is Mon 28 Sep 10:00.
  ['09-28 10:00', '1', 'accept', 'unaccepted', 102, '09-28 10:00'],
  // A's close: 24 Sep + 7 days = 1 Oct, a holiday → the first working day after the run, Thu 8 Oct (民法典 203).
  // One working day before 8 Oct is Wed 30 Sep; written at midnight, held by the quiet hours until 08:00.
  ['09-30 00:00', '1', 'close', 'pre', 102, '09-30 08:00'],
  // C: danger, no unit: the transfer is due at once (立即); overdue and escalated at 23:00 on a holiday, not held.
  ['10-03 23:00', '3', 'transfer', 'overdue', 101, '10-03 23:00'],
  ['10-03 23:00', '3', 'transfer', 'escalate-leader', 103, '10-03 23:00'],
  // C was assigned at 23:30 and is a danger case: not yet accepted two hours later, its unit is chased at once.
  ['10-04 01:30', '3', 'accept', 'unaccepted', 106, '10-04 01:30'],
  ['10-08 00:00', '1', 'close', 'today', 102, '10-08 08:00'],
  ['10-09 00:00', '1', 'close', 'overdue', 102, '10-09 08:00'],
  ['10-09 00:00', '1', 'close', 'escalate-leader', 103, '10-09 08:00'],
  // C's close: assigned Sat 3 Oct + 7 days = Sat 10 Oct, the 调休 working day: it stays there. Pre on Fri 9 Oct;
  // a danger case is not held.
  ['10-09 00:00', '3', 'close', 'pre', 106, '10-09 00:00'],
  // The 调休 Saturday is a working day: A is reminded again, and C's close is due today.
  ['10-10 00:00', '1', 'close', 'overdue', 102, '10-10 08:00'],
  ['10-10 00:00', '3', 'close', 'today', 106, '10-10 00:00'],
  // Sunday 11 Oct: nothing. Mon 12 Oct is the 3rd working day overdue (9, 10, 12 Oct): the city is told.
  ['10-12 00:00', '1', 'close', 'overdue', 102, '10-12 08:00'],
  ['10-12 00:00', '1', 'close', 'escalate-city', 104, '10-12 08:00'],
  ['10-12 00:00', '1', 'close', 'escalate-city', 105, '10-12 08:00'],
  // B: triage from Tue 29 Sep 22:30; 7 working days are 30 Sep, 8, 9, 10 (Sat), 12, 13, 14 Oct.
  ['10-13 00:00', '2', 'transfer', 'pre', 101, '10-13 08:00'],
  ['10-14 00:00', '2', 'transfer', 'today', 101, '10-14 08:00'],
  // A declared complex on 12 Oct 09:00: close → 1 month from receipt (26 Oct), plan → 12 Oct + 7 = Mon 19 Oct.
  ['10-16 00:00', '1', 'plan', 'pre', 102, '10-16 08:00'],
  // Plan in on 16 Oct 11:00: monthly progress due 16 Nov; one working day before is Fri 13 Nov.
  ['11-13 00:00', '1', 'progress', 'pre', 102, '11-13 08:00'],
  ['11-16 00:00', '1', 'progress', 'today', 102, '11-16 08:00'],
];

describe('reminders through Mid-Autumn, National Day and the 调休 Saturday of 2026', () => {
  const { rows, cases } = walk('2026-09-24T10:00', '2026-11-18T23:50');

  it('the calendar has the days the table relies on', () => {
    expect(['2026-09-25', '2026-10-01', '2026-10-07', '2026-10-11'].map(cal.isWorkday)).toEqual([false, false, false, false]);
    expect(['2026-09-28', '2026-09-30', '2026-10-08', '2026-10-10', '2026-10-12'].map(cal.isWorkday)).toEqual([true, true, true, true, true]);
  });

  it('writes exactly the expected reminders, in order', () => {
    expect(rows.map((r) => [r.at, r.case, r.subject, r.step, r.chat, r.notBefore])).toEqual(EXPECTED);
  });

  it('ends with the deadlines the workflow set', () => {
    const a = cases.get(1)!;
    expect(a.status).toBe('in_progress');
    expect(formatShanghai(new Date(a.deadlines.close!))).toBe('2026-11-21T00:00:00+08:00');
    expect(formatShanghai(new Date(a.deadlines.progress!))).toBe('2026-12-17T00:00:00+08:00');
    expect(cases.get(2)!.status).toBe('resolved');
    expect(cases.get(3)!.status).toBe('resolved');
  });

  it('never reaches inactive, unlinked or other-county officers', () => {
    expect(rows.some((r) => [107, 109, 110].includes(r.chat))).toBe(false);
  });
});

describe('reminder messages', () => {
  const reg = register(input('电梯长期不维保', { unit: 'market-regulation' }, at('2026-09-24T10:00')), at('2026-09-24T10:00'), cal);
  if (!reg.ok) throw new Error('register');
  const c: Case = { ...reg.case, id: 41, tracking: 'YH-2026-000041' };
  const ctx = (now: Date) => ({ now, cal, quietHours: QUIET, cityCounty: 'yuncheng' });

  it('are the same at every run of a day: the keys make the outbox drop repeats', () => {
    const a = remindersFor([c], OFFICERS, ctx(at('2026-10-12T00:00'))).map((r) => r.key);
    const b = remindersFor([c], OFFICERS, ctx(at('2026-10-12T15:40'))).map((r) => r.key);
    expect(a).toEqual(b);
    expect(a).toContain(`remind:41:close:overdue@2026-10-12:${c.deadlines.close}:2`);
    expect(new Set(a).size).toBe(a.length);
  });

  it('say in Chinese what is late, by how much, with the case', () => {
    const [overdue] = remindersFor([c], OFFICERS, ctx(at('2026-10-12T10:00'))).filter((r) => r.step === 'overdue');
    expect(overdue!.text).toContain('⚠️ 已超期：办结期限');
    expect(overdue!.text).toContain('10月8日（周四）24:00');
    expect(overdue!.text).toContain('已超期3个工作日');
    expect(overdue!.text).toContain('编号：YH-2026-000041');
    expect(overdue!.keyboard?.inline_keyboard.flat().length).toBeGreaterThan(0);
  });

  it('during the day are not held', () => {
    const r = remindersFor([c], OFFICERS, ctx(at('2026-10-12T10:00')));
    expect(r.every((x) => x.notBefore === at('2026-10-12T10:00').toISOString())).toBe(true);
  });

  it('stop once the case is closed', () => {
    const closed: Case = { ...c, status: 'resolved' };
    expect(remindersDue(closed, at('2026-10-12T10:00'), cal)).toEqual([]);
  });
});

describe('立案查处: the verification and penalty clocks are reminded and escalated like any other (000 附件 三(二))', () => {
  const reg = register(input('物业擅自占用消防通道经营', { unit: 'market-regulation' }, at('2026-03-02T10:00')), at('2026-03-02T10:00'), cal);
  if (!reg.ok) throw new Error('register failed');
  const base: Case = { ...reg.case, id: 1, tracking: 'YH-2026-00001' } as Case;
  const step = (c: Case, cmd: Command, when: string): Case => {
    const r = transition(c, cmd, market, at(when), cal);
    if (!r.ok) throw new Error(r.error.message);
    return r.case;
  };
  const opened = step(step(base, { type: 'accept' }, '2026-03-03T09:00'), { type: 'openPenalty' }, '2026-03-04T10:00');
  const items = (when: string, c: Case = opened) => remindersDue(c, at(when), cal).map((r) => `${r.subject}:${r.step}`);

  it('verification: 15 working days to Wed 25 Mar; the unit is reminded the working day before', () => {
    expect(opened.deadlines.verify).toBe('2026-03-25T16:00:00.000Z');
    expect(items('2026-03-24T10:00')).toContain('verify:pre');
  });

  it('penalty: 90 days to Tue 2 Jun; overdue the next day, and the leaders are told', () => {
    expect(items('2026-06-03T10:00')).toEqual(expect.arrayContaining(['penalty:overdue', 'penalty:escalate-leader']));
  });

  it('the decision ends both clocks', () => {
    const decided = step(opened, { type: 'decidePenalty', decision: '罚款五千元' }, '2026-04-01T10:00');
    expect(items('2026-06-03T10:00', decided).filter((s) => s.startsWith('penalty') || s.startsWith('verify'))).toEqual([]);
  });
});
