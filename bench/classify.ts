// Figure 1 (classifier): classifications per second on one core over the dev set, repeated. The whole dev set is
// classified in a loop on the main thread for a fixed time per round; the figure is the median round.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classify, type ClassifyInput } from '../src/classifier/index.ts';
import { loadRulesFile } from '../src/runtime.ts';
import { PROJECT_ROOT } from '../src/config.ts';
import { collectGarbage, median, nowMs, result, type BenchResult } from './lib.ts';

export const DEV_SET = path.join(PROJECT_ROOT, 'test/fixtures/classify-dev.jsonl');

export function readDevSet(file = DEV_SET): ClassifyInput[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const row = JSON.parse(l) as { subject?: string; text?: string };
      return { subject: row.subject ?? '', text: row.text ?? '' };
    });
}

/** The real residents' messages (test/fixtures/tipdm): long, narrative, several grievances each. */
export const REAL_SET = path.join(PROJECT_ROOT, 'test/fixtures/tipdm/labelled.jsonl');

export async function benchClassify(opts: { rounds?: number; roundMs?: number } = {}): Promise<BenchResult[]> {
  const rules = loadRulesFile();
  return [
    await rate('classifications/s (one core, dev set)', 'test/fixtures/classify-dev.jsonl', readDevSet(), rules, opts),
    await rate('classifications/s (one core, real messages)', 'test/fixtures/tipdm/labelled.jsonl', readDevSet(REAL_SET), rules, opts),
  ];
}

async function rate(name: string, file: string, rows: ClassifyInput[], rules: ReturnType<typeof loadRulesFile>, opts: { rounds?: number; roundMs?: number }): Promise<BenchResult> {
  const rounds = opts.rounds ?? 7;
  const roundMs = opts.roundMs ?? 1500;
  // Keep the results alive so the work cannot be optimised away; the unit count is checked below.
  let routed = 0;
  const pass = (): void => {
    for (const row of rows) if (classify(row, rules).unit) routed++;
  };
  // Warm-up: let the JIT settle before measuring.
  const warmEnd = nowMs() + 1000;
  while (nowMs() < warmEnd) pass();
  collectGarbage();

  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = nowMs();
    let t = t0;
    while (t - t0 < roundMs) {
      pass();
      n += rows.length;
      t = nowMs();
    }
    rates.push((n / (t - t0)) * 1000);
  }
  if (routed === 0) throw new Error('classifier routed nothing: the benchmark would be meaningless');
  const chars = rows.reduce((s, r) => s + r.subject.length + r.text.length, 0);
  return result(name, median(rates), '/s', { op: '>=', value: 50_000 }, `median of ${rounds} rounds of ${roundMs / 1000} s over the ${rows.length} rows of ${file} (avg ${Math.round(chars / rows.length)} chars) on the main thread; rounds ranged ${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}/s`);
}
