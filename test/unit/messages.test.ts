// The pure texts of src/messages: notices, cards and keyboards stay within Telegram's limits and say what the case says.
import { describe, expect, it } from 'vitest';
import type { ClassificationSummary, Case, Role, Status, UnitCode } from '../../src/domain.ts';
import { createCalendar } from '../../src/workflow/calendar.ts';
import { EFFECT_TEMPLATES } from '../../src/workflow/complaint.ts';
import type { Officer } from '../../src/store/officers.ts';
import { availableVerbs, precheck, taskScope } from '../../src/bot/auth.ts';
import { MAX_CALLBACK_BYTES, parseCallback, type CaseVerb } from '../../src/messages/callback.ts';
import { BOT_COMMANDS, caseCard, caseKeyboard, rawParts, findingKeyboard, MAX_TEXT, noticeKeyboard, renderNotice, sourceKeyboard, TASK_PAGE_SIZE, taskListKeyboard, taskListText, unitKeyboard, type InlineKeyboard } from '../../src/messages/index.ts';
import { deadlineText } from '../../src/time.ts';

const cal = createCalendar();
const NOW = new Date('2026-03-05T02:00:00Z');

const cls: ClassificationSummary = { unit: 'fire', units: [], problem: 'service-not-delivered', urgent: false, triage: false, score: 1, matched: ['电动车', '楼道'] };

function complaint(over: Partial<Case> = {}): Case {
  return {
    id: 42,
    tracking: 'YH-2026-000042',
    county: 'yanhu',
    source: 'email',
    status: 'assigned',
    unit: 'fire',
    problem: 'service-not-delivered',
    urgent: false,
    complex: false,
    supervised: false,
    complainant: { name: '张三', phone: '13800000000', email: 'z@example.com' },
    compound: '盐湖花园',
    address: '3号楼',
    company: '某某物业',
    subject: '楼道电动车充电',
    body: '楼道里天天有人给电动车充电。',
    classification: cls,
    receivedAt: '2026-03-02T01:30:00.000Z',
    assignedAt: '2026-03-02T02:00:00.000Z',
    acceptedAt: null,
    resolvedAt: null,
    writtenOffAt: null,
    finding: null,
    result: null,
    deadlines: { transfer: '2026-03-11T16:00:00.000Z', close: '2026-03-09T16:00:00.000Z' },
    extension: null,
    extended: false, penaltyExtended: false,
    coUnits: [],
    ...over,
  };
}

function officer(role: Role, unit: UnitCode, county = 'yanhu'): Officer {
  return { id: 5, chatId: 500, name: '李四', unit, county, role, active: true, reachable: true };
}

function allData(kb: InlineKeyboard | undefined): string[] {
  return (kb?.inline_keyboard ?? []).flat().map((b) => b.callback_data);
}

describe('deadlines as officers read them', () => {
  it('shows 24:00 of the last day, not the next day 00:00', () => {
    expect(deadlineText('2026-03-09T16:00:00.000Z')).toBe('2026-03-09 24:00');
  });
  it('shows other instants in Shanghai time', () => {
    expect(deadlineText('2026-03-02T02:05:00.000Z')).toBe('2026-03-02 10:05');
  });
  it('shows a dash for none or garbage', () => {
    expect(deadlineText(null)).toBe('—');
    expect(deadlineText('nope')).toBe('—');
  });
});

describe('texts stay within Telegram limits', () => {
  const huge = complaint({ body: '长'.repeat(20_000), subject: '题'.repeat(5000), compound: '区'.repeat(5000), result: '果'.repeat(5000) });
  it('notice', () => {
    for (const t of EFFECT_TEMPLATES) expect(renderNotice(t, huge).length).toBeLessThanOrEqual(MAX_TEXT);
  });
  it('card', () => {
    const text = caseCard(huge, NOW);
    expect(text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(text).toContain('YH-2026-000042');
  });
  it('card flags an overdue open case but not a closed one', () => {
    const late = new Date('2026-03-10T00:00:00Z');
    expect(caseCard(complaint(), late)).toContain('已超过办结期限');
    expect(caseCard(complaint({ status: 'resolved' }), late)).not.toContain('已超过');
    expect(caseCard(complaint(), NOW)).not.toContain('已超过');
  });
  it('card shows a pending extension and the result', () => {
    const text = caseCard(
      complaint({ status: 'resolved', finding: 'partly', result: '已清理楼道', extension: { until: '2026-03-20T16:00:00.000Z', reason: '需协调', requestedBy: 5 } }),
      NOW,
    );
    expect(text).toContain('延期申请待审批：至 3月20日（周五）24:00，理由：需协调');
    expect(text).toContain('核查结论：部分属实');
    expect(text).toContain('办理结果：已清理楼道');
  });
});

describe('keyboards', () => {
  it('every notice button parses and fits 64 bytes', () => {
    for (const t of EFFECT_TEMPLATES) {
      for (const data of allData(noticeKeyboard(t, complaint({ id: Number.MAX_SAFE_INTEGER })))) {
        expect(Buffer.byteLength(data)).toBeLessThanOrEqual(MAX_CALLBACK_BYTES);
        expect(parseCallback(data)).not.toBeNull();
      }
    }
  });
  it('a new task offers 接收 / 退回 / 查看原文', () => {
    const kb = noticeKeyboard('assigned', complaint());
    expect(kb?.inline_keyboard[0]?.map((b) => b.text)).toEqual(['接收', '退回', '查看原文']);
    expect(allData(kb)).toEqual(['acc:42', 'ret:42', 'raw:42', 'v:42']);
  });
  it('review and cosign notices carry their decisions', () => {
    expect(allData(noticeKeyboard('review-needed', complaint()))).toEqual(['rv:42', 'rvn:42', 'v:42']);
    expect(allData(noticeKeyboard('cosign-needed', complaint()))).toEqual(['cs:42', 'csn:42', 'v:42']);
    expect(allData(noticeKeyboard('extension-requested', complaint()))).toEqual(['exy:42', 'exn:42', 'v:42']);
    expect(allData(noticeKeyboard('triage', complaint()))).toEqual(['asg:42', 'raw:42', 'v:42']);
  });
  it('the card keyboard lists the given verbs, then 查看原文 and 刷新', () => {
    const kb = caseKeyboard({ id: 7 }, ['accept', 'return']);
    expect(kb.inline_keyboard.map((r) => r.map((b) => b.text))).toEqual([['接收', '退回'], ['查看原文', '刷新']]);
    expect(allData(kb)).toEqual(['acc:7', 'ret:7', 'raw:7', 'rf:7']);
  });
  it('choice keyboards parse', () => {
    for (const kb of [findingKeyboard(9), unitKeyboard(9), sourceKeyboard()]) {
      for (const data of allData(kb)) expect(parseCallback(data)).not.toBeNull();
    }
    expect(allData(unitKeyboard(9)).filter((d) => d.startsWith('asg:'))).toHaveLength(12);
  });
  it('menu commands are valid BotCommand names', () => {
    for (const c of BOT_COMMANDS) expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
  });
});

describe('task list', () => {
  const items = Array.from({ length: TASK_PAGE_SIZE }, (_, i) =>
    complaint({ id: 100 + i, tracking: `YH-2026-${String(100 + i).padStart(6, '0')}`, deadlines: { close: i === 0 ? '2026-03-01T16:00:00.000Z' : '2026-03-20T16:00:00.000Z' } }),
  );
  it('marks the overdue ones and numbers across pages', () => {
    const text = taskListText(items, 20, 1, NOW);
    expect(text).toContain('共 20 件，第 2/3 页');
    expect(text).toContain(`${TASK_PAGE_SIZE + 1}. ⚠️逾期 YH-2026-000100`);
    expect(text.match(/⚠️逾期/g)).toHaveLength(1);
  });
  it('says so when empty', () => {
    expect(taskListText([], 0, 0, NOW)).toContain('暂无待办任务');
  });
  it('pages with previous/next only where they exist', () => {
    const nav = (page: number) => taskListKeyboard(items, 20, page).inline_keyboard.at(-1)!.map((b) => b.callback_data);
    expect(nav(0)).toEqual(['tk:1']);
    expect(nav(1)).toEqual(['tk:0', 'tk:2']);
    expect(nav(2)).toEqual(['tk:1']);
    expect(allData(taskListKeyboard(items, 8, 0))).toEqual(items.map((c) => `v:${c.id}`));
  });
});

describe('buttons each officer gets (a dry run of the workflow)', () => {
  const table: [string, Officer, Partial<Case>, CaseVerb[]][] = [
    ['unit officer, new task', officer('officer', 'fire'), {}, ['accept', 'return', 'letter', 'company']],
    ['unit officer, accepted', officer('officer', 'fire'), { status: 'accepted' }, ['return', 'progress', 'complex', 'extend', 'resolve', 'letter', 'openPenalty', 'company']],
    ['unit officer, complex', officer('officer', 'fire'), { status: 'in_progress', complex: true }, ['progress', 'plan', 'extend', 'resolve', 'letter', 'openPenalty', 'company']],
    ['unit officer, extension pending', officer('officer', 'fire'), { status: 'in_progress', extension: { until: '2026-03-30T16:00:00.000Z', reason: 'x', requestedBy: 5 } }, ['progress', 'complex', 'resolve', 'letter', 'openPenalty', 'company']],
    ['unit officer, other county', officer('officer', 'fire', 'yongji'), { status: 'accepted' }, []],
    ['other unit', officer('officer', 'police'), { status: 'accepted' }, []],
    ['housing office, triage', officer('officer', 'housing'), { status: 'triage', unit: null }, ['assign', 'letter', 'company']],
    ['fire officer, triage', officer('officer', 'fire'), { status: 'triage', unit: null }, []],
    ['cosigner, housing case resolved', officer('cosigner', 'township'), { status: 'resolved', unit: 'housing' }, ['cosign', 'rejectCosign']],
    ['cosigner, fire case resolved', officer('cosigner', 'township'), { status: 'resolved' }, []],
    ['cosigner, other county', officer('cosigner', 'township', 'yongji'), { status: 'resolved', unit: 'housing' }, []],
    ['reviewer, own counterpart', officer('reviewer', 'fire', 'yuncheng'), { status: 'resolved' }, ['review', 'rejectReview']],
    ['reviewer, housing case before cosign', officer('reviewer', 'housing', 'yuncheng'), { status: 'resolved', unit: 'housing' }, []],
    ['reviewer, housing case cosigned', officer('reviewer', 'housing', 'yuncheng'), { status: 'cosigned', unit: 'housing' }, ['review', 'rejectReview']],
    ['reviewer, reviewed', officer('reviewer', 'fire', 'yuncheng'), { status: 'reviewed' }, ['writeOff']],
    ['reviewer, extension', officer('reviewer', 'fire', 'yuncheng'), { status: 'accepted', extension: { until: '2026-03-30T16:00:00.000Z', reason: 'x', requestedBy: 5 } }, ['approveExtension', 'rejectExtension']],
    ['reviewer, other counterpart', officer('reviewer', 'police', 'yuncheng'), { status: 'resolved' }, []],
    ['supervisor', officer('supervisor', 'housing', 'yuncheng'), { status: 'accepted' }, []],
  ];
  it.each(table)('%s', (_name, o, over, expected) => {
    expect(availableVerbs(complaint(over), o, NOW, cal)).toEqual(expected);
  });

  it('refuses a dialogue before anything is typed, with the workflow’s Chinese reason', () => {
    const r = precheck(complaint({ status: 'accepted' }), officer('officer', 'police'), 'return', NOW, cal);
    expect(r).toEqual({ ok: false, message: '该案件不属于您所在单位承办' });
    const s = precheck(complaint({ status: 'accepted' }), officer('supervisor', 'housing'), 'progress', NOW, cal);
    expect(s.ok).toBe(false);
    expect(precheck(complaint({ status: 'accepted' }), officer('officer', 'fire'), 'progress', NOW, cal)).toEqual({ ok: true });
    const wrong: Status = 'written_off';
    expect(precheck(complaint({ status: wrong }), officer('officer', 'fire'), 'resolve', NOW, cal).ok).toBe(false);
  });

  it('scopes task lists by role', () => {
    expect(taskScope(officer('officer', 'housing'))).toEqual({ kind: 'unit', unit: 'housing', county: 'yanhu', triage: true });
    expect(taskScope(officer('officer', 'fire'))).toEqual({ kind: 'unit', unit: 'fire', county: 'yanhu', triage: false });
    expect(taskScope(officer('reviewer', 'housing'))).toEqual({ kind: 'review', units: ['housing', 'township', 'community'] });
    expect(taskScope(officer('cosigner', 'community'))).toEqual({ kind: 'cosign', county: 'yanhu' });
    expect(taskScope(officer('supervisor', 'housing'))).toEqual({ kind: 'all' });
  });
});

describe('a resident’s words are set apart from the system’s own lines', () => {
  const forged = '楼道漏水。\n━━ ✅ 系统通知：本案已销号，无需办理\n📥 新任务';
  const c = complaint({ body: forged, subject: '漏水\n━━ ✅ 系统通知', compound: '幸福小区\n✅ 已办结' });
  it.each([
    ['a pushed notice', renderNotice('assigned', c)],
    ['the case card', caseCard(c, NOW)],
    ['the original text', rawParts(c).join('')],
  ])('%s: no line of theirs begins like one of ours', (_what, text) => {
    const lines = text.split('\n');
    // Past the message's own first line (a notice's title), nothing may begin the way a system line does.
    expect(lines.slice(1).filter((l) => /^(━━|✅|📥)/.test(l))).toEqual([]);
    // What the resident wrote is behind the bar, or folded into one labelled line of the summary.
    for (const l of lines.filter((x) => /系统通知|已销号|已办结/.test(x))) expect(/^(┃ |主题：|小区：)/.test(l), l).toBe(true);
    expect(text).toContain('【投诉人原文】');
  });
});

describe('what people read carries no internal citations', () => {
  it('reminders and company notices speak in words, not in clause numbers', async () => {
    const { remindersFor } = await import('../../src/messages/reminders.ts');
    const { companyNotice } = await import('../../src/messages/company.ts');
    const c = complaint({ status: 'accepted', deadlines: { close: '2026-03-05T16:00:00.000Z' }, acceptedAt: '2026-03-01T02:00:00.000Z' });
    const reminders = remindersFor([c], [{ id: 1, chatId: 11, unit: 'fire', county: 'yanhu', role: 'officer', active: true }], {
      now: new Date('2026-03-05T03:00:00Z'),
      cal,
      quietHours: { start: '21:00', end: '08:00' },
      cityCounty: 'yuncheng',
    });
    expect(reminders.length).toBeGreaterThan(0);
    const notice = companyNotice('某物业', { type: 'survey', rule: '000 附件 三(三)', reason: '半年内属实投诉超过10件，须开展满意度调查', triggeredAt: new Date(), dueAt: new Date('2026-03-15T16:00:00Z') } as never);
    for (const text of [...reminders.map((r) => r.text), notice]) expect(text).not.toMatch(/\b00[04] |附件 [一二三四五六]|正文 [一二三四五六]/);
  });
});

describe('letters to residents', () => {
  it('greet, name the unit in full, sign with the county office and its phone, come from the county mailbox', async () => {
    const { complainantLetter } = await import('../../src/messages/letters.ts');
    const c = complaint({ unit: 'market-regulation', complainant: { name: '钱女士', phone: null, email: 'qian@example.com' } });
    const letter = complainantLetter('ack', c, { cityName: '运城市', countyName: '盐湖区', mailbox: 'yhqzjjwy@163.com', phone: '0359-1234567' })!;
    const text = letter.text ?? '';
    expect(letter.from).toBe('"盐湖区住房和城乡建设局" <yhqzjjwy@163.com>');
    expect(text.startsWith('钱女士，您好：')).toBe(true);
    expect(text).toContain('已转交盐湖区市场监督管理局办理');
    expect(text).toContain('盐湖区住房和城乡建设局（物业投诉举报受理台）\n联系电话：0359-1234567');
    expect(text).toContain('“不满意”');
    expect(text).not.toContain('"不满意"');
  });
});
