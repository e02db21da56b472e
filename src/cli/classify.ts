// `wuye classify` (JSON lines in → one JSON line out per input, same order; a bad line yields {"id","error"} and
// the run goes on) and `wuye eval-classify` (accuracy on the labelled sets).
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../config.ts';
import { classify, evaluate, formatEvaluation, parseLabelledRows } from '../classifier/index.ts';
import { loadRulesFile } from '../runtime.ts';

export async function classifyCommand(file?: string): Promise<number> {
  const rules = loadRulesFile();
  let input: NodeJS.ReadableStream;
  try {
    input = file ? createReadStream(file) : process.stdin;
  } catch (e) {
    process.stderr.write(`无法读取输入 cannot read input: ${(e as Error).message}\n`);
    return 1;
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.join(''));
    out.length = 0;
  };
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      let id: unknown = null;
      try {
        const v = JSON.parse(line) as { id?: unknown; subject?: unknown; text?: unknown };
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('应为 JSON 对象 expected a JSON object');
        id = v.id ?? null;
        const subject = v.subject ?? '';
        const text = v.text ?? '';
        if (typeof subject !== 'string' || typeof text !== 'string') throw new Error('subject 和 text 应为字符串 subject/text must be strings');
        const r = classify({ subject, text }, rules);
        out.push(`${JSON.stringify({ id, unit: r.unit, units: r.units, problem: r.problem, urgent: r.urgent, triage: r.triage, score: r.score, matched: r.matched })}\n`);
      } catch (e) {
        out.push(`${JSON.stringify({ id, error: (e as Error).message })}\n`);
      }
      if (out.length >= 256) flush();
    }
  } catch (e) {
    flush();
    process.stderr.write(`无法读取输入 cannot read input: ${(e as Error).message}\n`);
    return 1;
  }
  flush();
  return 0;
}

/** The labelled sets, in the order they are reported; a set with `split` labels is reported part by part. */
const DEFAULT_SETS = ['test/fixtures/classify-dev.jsonl', 'test/fixtures/classify-heldout.jsonl', 'test/fixtures/tipdm/labelled.jsonl'];

export async function evalCommand(files?: string[], opts: { misses?: number } = {}): Promise<number> {
  const rules = loadRulesFile();
  const sets = files?.length ? files : DEFAULT_SETS.map((f) => path.join(PROJECT_ROOT, f));
  for (const f of sets) {
    const rows = parseLabelledRows(readFileSync(f, 'utf8'), f);
    const parts = rows.some((r) => r.split) ? (['tune', 'heldout'] as const).map((p) => [p, rows.filter((r) => r.split === p)] as const) : [[null, rows] as const];
    for (const [part, subset] of parts) {
      process.stdout.write(`\n=== ${path.relative(process.cwd(), f)}${part ? ` — ${part === 'tune' ? 'tune (rules chosen on it)' : 'held out (never tuned on)'}` : ''} (${subset.length}) ===\n`);
      process.stdout.write(`${formatEvaluation(evaluate(subset, rules), { maxMisses: opts.misses })}\n`);
    }
  }
  return 0;
}
