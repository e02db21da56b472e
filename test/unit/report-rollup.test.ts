import { describe, expect, it } from 'vitest';
import { buildOverdueRollup, daysOverdue } from '../../src/report/rollup.ts';
import type { OverdueCase } from '../../src/report/cases.ts';

const asOf = new Date('2026-12-01T00:00:00+08:00');
const oc = (tracking: string, unit: string, dueAt: string): OverdueCase => ({
  tracking,
  county: '盐湖区',
  unit,
  problem: '未按照合同约定提供服务',
  receivedAt: '2026-11-01T02:00:00.000Z',
  dueAt,
  deadline: '办结期限',
  daysOver: 1,
  status: '办理中',
  reminded: [],
});

describe('overdue roll-up to the province (000 附件 六(二))', () => {
  it.each([
    ['2026-11-30T16:00:00.000Z', 1], // due at the very end of the month: one day
    ['2026-11-21T16:00:00.000Z', 9],
    ['2026-11-30T15:59:00.000Z', 1],
  ])('days overdue for due %s → %i', (dueAt, days) => {
    expect(daysOverdue(oc('X', '住建', dueAt), asOf)).toBe(days);
  });

  it('counts by unit, lists cases oldest first, and shows returns', () => {
    const body = buildOverdueRollup({
      city: '运城市',
      reportingUnit: '运城市住房和城乡建设局',
      month: '2026-11',
      overdue: [oc('YH-2026-000002', '消防', '2026-11-25T16:00:00.000Z'), oc('YH-2026-000001', '住建', '2026-11-20T16:00:00.000Z'), oc('YH-2026-000003', '住建', '2026-11-28T16:00:00.000Z')],
      returnedByUnit: [{ unit: '公安', count: 2 }, { unit: '卫健', count: 0 }],
      asOf,
    });
    expect(body.subject).toBe('【逾期汇总】运城市2026年11月物业投诉举报逾期未办理情况汇总');
    expect(body.text).toContain('逾期未办结3件，涉及承办单位2个');
    expect(body.text).toContain('住建 | 2 | 10');
    expect(body.text.indexOf('YH-2026-000001')).toBeLessThan(body.text.indexOf('YH-2026-000002'));
    expect(body.text).toContain('公安 | 2');
    expect(body.text).not.toContain('卫健');
    expect(body.html).toContain('<table');
  });

  it('says so when nothing is overdue', () => {
    const body = buildOverdueRollup({ city: '运城市', reportingUnit: 'x', month: '2026-11', overdue: [], returnedByUnit: [], asOf });
    expect(body.text).toContain('无逾期未办结');
  });
});
