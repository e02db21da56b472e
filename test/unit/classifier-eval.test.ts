// The evaluator's counting rules: alt labels, triage as a miss that is not a wrong unit, urgent recall and
// precision, problem accuracy, the confusion matrix and its text form.
import { describe, expect, it } from 'vitest';
import { classify, evaluate, formatEvaluation, parseLabelledRows, type LabelledRow } from '../../src/classifier/index.ts';
import { loadRulesFile } from '../../src/runtime.ts';

const rules = loadRulesFile();
const FIRE = '我们楼是高层，楼道里天天有人给电动车充电，太危险了';
const THIN = '物业太差了，投诉';
const TRAPPED = '电梯困人，我妈被关在电梯里半小时，维保公司一直不来';
const SPAM = '代开各类增值税发票，税点低，先验票后付款';

const row = (id: string, text: string, unit: LabelledRow['unit'], extra: Partial<LabelledRow> = {}): LabelledRow => ({
  id,
  subject: '',
  text,
  unit,
  alt: [],
  problem: null,
  urgent: false,
  ...extra,
});

describe('evaluate', () => {
  it('the fixtures used below classify as assumed', () => {
    expect(classify({ subject: '', text: FIRE }, rules)).toMatchObject({ unit: 'fire', urgent: false });
    expect(classify({ subject: '', text: THIN }, rules).triage).toBe(true);
    expect(classify({ subject: '', text: TRAPPED }, rules)).toMatchObject({ unit: 'market-regulation', urgent: true });
    expect(classify({ subject: '', text: SPAM }, rules).verdict).toBe('not-complaint');
  });

  const rows = [
    row('right', FIRE, 'fire', { problem: 'security-not-provided' }),
    row('alt', FIRE, 'housing', { alt: ['fire'], problem: 'other' }),
    row('wrong', FIRE, 'housing'),
    row('triage-miss', THIN, 'housing'),
    row('triage-ok', THIN, 'housing', { alt: ['triage'] }),
    row('spam', SPAM, null),
    row('urgent-hit', TRAPPED, 'market-regulation', { urgent: true }),
    row('urgent-missed-label', FIRE, 'fire', { urgent: true }),
  ];
  const e = evaluate(rows, rules);

  it('counts alt as right, triage as right only when allowed', () => {
    expect(e.n).toBe(8);
    expect(e.correct).toBe(6); // right, alt, triage-ok, spam, urgent-hit, urgent-missed-label
    expect(e.top1).toBeCloseTo(6 / 8);
    expect(e.wrongUnitRate).toBeCloseTo(1 / 8);
    expect(e.triageRate).toBeCloseTo(2 / 8);
    const misses = Object.fromEntries(e.misses.map((m) => [m.id, m]));
    expect(misses['wrong']).toMatchObject({ unitWrong: true, triageMiss: false });
    expect(misses['triage-miss']).toMatchObject({ unitWrong: false, triageMiss: true, verdict: 'triage' });
    expect(misses['triage-ok']).toBeUndefined();
  });

  it('builds the confusion matrix and per-label accuracy', () => {
    expect(e.confusion['fire']).toEqual({ fire: 2 });
    expect(e.confusion['housing']).toEqual({ fire: 2, triage: 2 });
    expect(e.confusion['none']).toEqual({ none: 1 });
    expect(e.top1ByUnit['housing']).toEqual({ n: 4, correct: 2, rate: 0.5 });
  });

  it('measures urgent recall and precision', () => {
    expect(e.urgentCounts).toEqual({ tp: 1, fp: 0, fn: 1 });
    expect(e.urgentRecall).toBe(0.5);
    expect(e.urgentPrecision).toBe(1);
    expect(e.misses.find((m) => m.id === 'urgent-missed-label')).toMatchObject({ urgentExpected: true, urgentGot: false });
  });

  it('measures problem accuracy over labelled problems only', () => {
    expect(e.problemN).toBe(2);
    expect(e.problemAccuracy).toBe(0.5);
  });

  it('formats a readable report', () => {
    const s = formatEvaluation(e);
    expect(s).toContain('top-1 75.0% (6/8)');
    expect(s).toContain('wrong unit 12.5%');
    expect(s).toContain('triage 25.0%');
    expect(s).toContain('urgent recall 50.0% (1/2)');
    expect(s).toMatch(/confusion/);
    expect(s).toContain('triage-miss');
    expect(s).toMatch(/^fire +2 +2 +100\.0%$/m);
  });
});

describe('parseLabelledRows', () => {
  it('reads JSON Lines and skips blank lines', () => {
    const rows = parseLabelledRows(`${JSON.stringify(row('a', FIRE, 'fire'))}\n\n${JSON.stringify(row('b', SPAM, null))}\n`);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
  });
  it('names the line and field of a bad row', () => {
    const bad = JSON.stringify({ ...row('x', FIRE, 'fire'), unit: 'firemen' });
    expect(() => parseLabelledRows(`${JSON.stringify(row('a', FIRE, 'fire'))}\n${bad}`, 'dev.jsonl')).toThrow(/dev\.jsonl:2: unit/);
    expect(() => parseLabelledRows('{oops', 'dev.jsonl')).toThrow(/dev\.jsonl:1: invalid JSON/);
  });
});
