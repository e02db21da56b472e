// Accuracy of the classifier on labelled mail (test/fixtures/classify-*.jsonl). Pure: rows and rules in,
// figures out. A prediction is right when its unit is the label or one of `alt`; a triage prediction is right
// only when the label allows "triage", otherwise it is a miss, but not a wrong unit.
import { z } from 'zod';
import { PROBLEM_TYPES, UNIT_CODES, type ProblemType, type UnitCode } from '../domain.ts';
import { classify, type Classification } from './classify.ts';
import type { CompiledRules } from './rules.ts';

const rowSchema = z
  .object({
    id: z.string().min(1),
    subject: z.string(),
    text: z.string(),
    unit: z.enum(UNIT_CODES).nullable(),
    alt: z.array(z.enum([...UNIT_CODES, 'triage'])).default([]),
    problem: z.enum(PROBLEM_TYPES).nullable(),
    urgent: z.boolean(),
    // The real labelled set (test/fixtures/tipdm): co-handling units, the labeller's note, which part it is in.
    co: z.array(z.enum(UNIT_CODES)).optional(),
    note: z.string().optional(),
    time: z.string().nullable().optional(),
    split: z.enum(['tune', 'heldout']).optional(),
  })
  .strict();
export type LabelledRow = z.infer<typeof rowSchema>;

/** Parses JSON Lines of labelled rows; an error names the source, the line and the field. */
export function parseLabelledRows(jsonl: string, source = 'fixtures'): LabelledRow[] {
  const rows: LabelledRow[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${source}:${i + 1}: invalid JSON: ${(e as Error).message}`);
    }
    const r = rowSchema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`${source}:${i + 1}: ${issue.path.join('.') || '(row)'}: ${issue.message}`);
    }
    rows.push(r.data);
  });
  return rows;
}

export interface Miss {
  id: string;
  subject: string;
  expected: UnitCode | null;
  alt: string[];
  got: UnitCode | null;
  verdict: Classification['verdict'];
  unitWrong: boolean; // a different unit (or "not a complaint") than the label allows
  triageMiss: boolean; // sent to triage though the label names a unit
  urgentExpected: boolean;
  urgentGot: boolean;
  problemExpected: ProblemType | null;
  problemGot: ProblemType | null;
  units: { unit: UnitCode; score: number }[];
  matched: string[];
}

/** The local chain of 000 附件 二: housing leads, the township and community act on site; one class for routing. */
const LOCAL_CHAIN: ReadonlySet<string> = new Set(['housing', 'township', 'community']);
const chain = (u: string) => (LOCAL_CHAIN.has(u) ? 'local' : u);

export interface Evaluation {
  n: number;
  correct: number;
  top1: number;
  /** Right counting housing, township and community as one class (the local chain). */
  chainRight: number;
  /** Rows labelled with a specialist (non-local) unit, and how many of them were right. */
  specialist: { n: number; correct: number; rate: number };
  /** Real complaints (a unit in the label) predicted as not a complaint, not even sent to triage. */
  dropped: string[];
  wrongUnitRate: number;
  triageRate: number; // share of rows sent to triage (right or wrong)
  top1ByUnit: Record<string, { n: number; correct: number; rate: number }>;
  /** confusion[label][prediction]; keys are unit codes, "none" (not a complaint) and "triage" (prediction only). */
  confusion: Record<string, Record<string, number>>;
  urgentRecall: number;
  urgentPrecision: number;
  urgentCounts: { tp: number; fp: number; fn: number };
  problemAccuracy: number;
  problemN: number;
  misses: Miss[]; // every row with a wrong unit, a wrong urgency or a wrong problem
}

const key = (u: UnitCode | null) => u ?? 'none';
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

export function evaluate(rows: readonly LabelledRow[], rules: CompiledRules): Evaluation {
  let correct = 0;
  let wrongUnit = 0;
  let triaged = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let problemN = 0;
  let problemRight = 0;
  const byUnit: Evaluation['top1ByUnit'] = {};
  const confusion: Evaluation['confusion'] = {};
  const misses: Miss[] = [];
  let chainRight = 0;
  let specialistN = 0;
  let specialistRight = 0;
  const dropped: string[] = [];

  for (const row of rows) {
    const c = classify({ subject: row.subject, text: row.text }, rules);
    const label = key(row.unit);
    const predicted = c.triage ? 'triage' : key(c.unit);
    const allowed = new Set<string>([label, ...row.alt]);
    const right = allowed.has(predicted);
    const chainOk = right || (predicted !== 'triage' && predicted !== 'none' && [...allowed].some((a) => a !== 'triage' && a !== 'none' && chain(a) === chain(predicted)));
    if (chainOk) chainRight++;
    if (row.unit && !LOCAL_CHAIN.has(row.unit)) {
      specialistN++;
      if (right) specialistRight++;
    }
    if (row.unit && predicted === 'none') dropped.push(row.id);
    const triageMiss = c.triage && !right;
    const unitWrong = !c.triage && !right;

    if (c.triage) triaged++;
    if (right) correct++;
    if (unitWrong) wrongUnit++;
    const u = (byUnit[label] ??= { n: 0, correct: 0, rate: 0 });
    u.n++;
    if (right) u.correct++;
    const row2 = (confusion[label] ??= {});
    row2[predicted] = (row2[predicted] ?? 0) + 1;

    if (row.urgent && c.urgent) tp++;
    else if (row.urgent) fn++;
    else if (c.urgent) fp++;

    let problemWrong = false;
    if (row.problem !== null) {
      problemN++;
      if (c.problem === row.problem) problemRight++;
      else problemWrong = true;
    }
    if (!right || row.urgent !== c.urgent || problemWrong) {
      misses.push({
        id: row.id,
        subject: row.subject,
        expected: row.unit,
        alt: row.alt,
        got: c.unit,
        verdict: c.verdict,
        unitWrong,
        triageMiss,
        urgentExpected: row.urgent,
        urgentGot: c.urgent,
        problemExpected: row.problem,
        problemGot: c.problem,
        units: c.units.slice(0, 3),
        matched: c.matched,
      });
    }
  }
  for (const u of Object.values(byUnit)) u.rate = ratio(u.correct, u.n);
  const n = rows.length;
  return {
    n,
    correct,
    top1: ratio(correct, n),
    chainRight: ratio(chainRight, n),
    specialist: { n: specialistN, correct: specialistRight, rate: ratio(specialistRight, specialistN) },
    dropped,
    wrongUnitRate: n === 0 ? 0 : wrongUnit / n,
    triageRate: n === 0 ? 0 : triaged / n,
    top1ByUnit: byUnit,
    confusion,
    urgentRecall: ratio(tp, tp + fn),
    urgentPrecision: ratio(tp, tp + fp),
    urgentCounts: { tp, fp, fn },
    problemAccuracy: ratio(problemRight, problemN),
    problemN,
    misses,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const SHORT: Record<string, string> = {
  housing: 'hou',
  'development-reform': 'dev',
  'market-regulation': 'mkt',
  fire: 'fire',
  'natural-resources': 'nat',
  police: 'pol',
  energy: 'ene',
  health: 'hea',
  'civil-defence': 'civ',
  approval: 'app',
  township: 'town',
  community: 'com',
  none: 'none',
  triage: 'tri',
};

/** A plain-text report: headline figures, per-unit accuracy, the confusion matrix and the misses. */
export function formatEvaluation(e: Evaluation, options: { maxMisses?: number } = {}): string {
  const lines: string[] = [];
  const { tp, fp, fn } = e.urgentCounts;
  lines.push(`rows ${e.n}   top-1 ${pct(e.top1)} (${e.correct}/${e.n})   wrong unit ${pct(e.wrongUnitRate)}   triage ${pct(e.triageRate)}`);
  lines.push(`urgent recall ${pct(e.urgentRecall)} (${tp}/${tp + fn})   urgent precision ${pct(e.urgentPrecision)} (${tp}/${tp + fp})`);
  lines.push(`problem accuracy ${pct(e.problemAccuracy)} (of ${e.problemN} labelled)`);
  lines.push(
    `unit right, local chain as one ${pct(e.chainRight)}   specialist units ${pct(e.specialist.rate)} (${e.specialist.correct}/${e.specialist.n})   real complaints dropped ${e.dropped.length}${e.dropped.length ? ` (${e.dropped.slice(0, 5).join(', ')})` : ''}`,
  );
  lines.push('');
  lines.push('label       n   right  top-1');
  const labels = [...UNIT_CODES, 'none'].filter((l) => e.top1ByUnit[l]);
  for (const l of labels) {
    const u = e.top1ByUnit[l]!;
    lines.push(`${l.padEnd(20).slice(0, 20)}${String(u.n).padStart(4)}${String(u.correct).padStart(7)}  ${pct(u.rate).padStart(6)}`);
  }
  lines.push('');
  lines.push('confusion (rows = label, columns = prediction)');
  const cols = [...UNIT_CODES, 'none', 'triage'];
  lines.push('      ' + cols.map((c) => SHORT[c]!.padStart(5)).join(''));
  for (const l of labels) {
    const row = e.confusion[l] ?? {};
    lines.push(SHORT[l]!.padEnd(6) + cols.map((c) => (row[c] ? String(row[c]) : '.').padStart(5)).join(''));
  }
  const shown = e.misses.slice(0, options.maxMisses ?? 40);
  if (shown.length > 0) {
    lines.push('');
    lines.push(`misses (${e.misses.length}${shown.length < e.misses.length ? `, first ${shown.length}` : ''})`);
    for (const m of shown) {
      const parts: string[] = [];
      if (m.unitWrong || m.triageMiss) parts.push(`unit ${m.expected ?? 'none'}${m.alt.length ? `|${m.alt.join('|')}` : ''} → ${m.verdict === 'triage' ? 'triage' : (m.got ?? 'none')}`);
      if (m.urgentExpected !== m.urgentGot) parts.push(`urgent ${m.urgentExpected} → ${m.urgentGot}`);
      if (m.problemExpected !== m.problemGot && m.problemExpected !== null) parts.push(`problem ${m.problemExpected} → ${m.problemGot ?? 'none'}`);
      const cands = m.units.map((u) => `${SHORT[u.unit]}:${u.score}`).join(' ');
      lines.push(`  ${m.id.padEnd(6)} ${parts.join('; ')}   [${cands}] ${m.matched.slice(0, 5).join(',')}  «${m.subject.slice(0, 24)}»`);
    }
  }
  return lines.join('\n');
}
