// The audit trail on the web case page, worded for people: table of recorded data → the line shown.
import { describe, expect, it } from 'vitest';
import { eventDetail } from '../../src/web/event-detail.ts';

describe('eventDetail', () => {
  it.each([
    [{ reason: '不属本单位职责', unit: 'fire' }, '理由：不属本单位职责；承办单位：消防'],
    [{ unit: { old: 'fire', new: 'police' }, problem: { old: null, new: 'security-not-provided' } }, '承办单位：消防 → 公安；问题类型：— → 未按照合同约定提供安全防范工作'],
    [{ deadlines: { close: { old: null, new: '2026-11-30T16:00:00.000Z' } } }, '期限：办结期限 — → 11月30日（周一）24:00'],
    [{ until: '2026-07-02T16:00:00.000Z', reason: '需鉴定' }, '期限至：7月2日（周四）24:00；理由：需鉴定'],
    [{ at: '2026-11-23T02:05:00.000Z' }, 'at：2026-11-23 10:05'],
    [{ source: 'petition', transfer: '运城市信访局 运信转〔2026〕15号' }, '来源：信访部门转办；转办单位及文号：运城市信访局 运信转〔2026〕15号'],
    [{ classification: { unit: 'market-regulation', problem: 'service-not-delivered', urgent: true, triage: false, score: 3 } }, '分类：建议 市场监管 · 未按照合同约定提供服务 · 紧急 · 得分 3'],
    [{ coUnits: ['police', 'fire'], urgent: false }, '协办单位：公安、消防；紧急：否'],
    [{ finding: 'partly', result: '已维修' }, '认定：部分属实；结果：已维修'],
    [{ somethingNew: { a: 1 }, via: 'web', ids: [1, 2] }, 'somethingNew：a 1'],
  ])('%j → %s', (data, line) => {
    expect(eventDetail(data as Record<string, unknown>)).toBe(line);
  });

  it('shows text as it was typed (the page escapes it) and never more than 1,000 characters', () => {
    expect(eventDetail({ text: '<script>alert(1)</script>' })).toBe('内容：<script>alert(1)</script>');
    expect(eventDetail({ text: '字'.repeat(5000) }).length).toBe(1000);
  });
});
