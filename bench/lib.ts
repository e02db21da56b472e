// Shared pieces of the benchmark run: result records, statistics, the machine description and the printed table.
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** How a figure is judged: at least / at most `value`; `none` for a figure reported without a goal. */
export interface Goal {
  op: '>=' | '<' | 'none';
  value?: number;
}

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Human-readable goal, e.g. "≥ 50000 /s", or "—" when the figure has none. */
  goal: string;
  /** null when the figure has no goal. */
  pass: boolean | null;
  baseline?: { name: string; value: number; unit: string };
  ratio?: number;
  notes: string;
}

export interface Machine {
  cpus: number;
  model: string;
  mem: string;
  node: string;
  /** Load average when the run started (the machine is shared). */
  loadavg?: number[];
}

export function result(
  name: string,
  value: number,
  unit: string,
  goal: Goal,
  notes: string,
  extra: { baseline?: BenchResult['baseline']; ratio?: number } = {},
): BenchResult {
  const pass = goal.op === 'none' ? null : goal.op === '>=' ? value >= goal.value! : value < goal.value!;
  const goalText = goal.op === 'none' ? '—' : `${goal.op === '>=' ? '≥' : '<'} ${formatNumber(goal.value!)} ${unit}`;
  return { name, value: round(value), unit, goal: goalText, pass, ...extra, notes };
}

export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const abs = Math.abs(v);
  const digits = abs >= 1000 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return Number(v.toFixed(digits));
}

export function formatNumber(v: number): string {
  const r = round(v);
  return Math.abs(r) >= 10_000 ? r.toLocaleString('en-US') : String(r);
}

// ─── statistics ──────────────────────────────────────────────────────────────────────────────────────────

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summary(xs: number[]): { n: number; p50: number; p95: number; p99: number; max: number; min: number } {
  return { n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max: Math.max(...xs), min: Math.min(...xs) };
}

// ─── time and memory ─────────────────────────────────────────────────────────────────────────────────────

export const nowMs = (): number => performance.now();

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Collects garbage when the run was started with --expose-gc (npm run bench does), so phases start even. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM, …); null when unavailable. */
export function procStatusMb(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export async function until<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

// ─── machine and table ───────────────────────────────────────────────────────────────────────────────────

export function machine(loadavg?: number[]): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    mem: `${Math.round(totalmem() / 1024 ** 3)} GB`,
    node: process.version,
    ...(loadavg ? { loadavg: loadavg.map((l) => Number(l.toFixed(2))) } : {}),
  };
}

const PASS_MARK = (p: boolean | null): string => (p === null ? '' : p ? 'yes' : 'NO');

/** A Markdown table (it reads well in a terminal and pastes into docs/bench.md as is). */
export function table(results: BenchResult[]): string {
  const head = ['figure', 'value', 'goal', 'pass', 'baseline', 'ratio'];
  const rows = results.map((r) => [
    r.name,
    Number.isFinite(r.value) ? `${formatNumber(r.value)} ${r.unit}` : 'failed',
    r.goal,
    PASS_MARK(r.pass),
    r.baseline ? `${r.baseline.name}: ${formatNumber(r.baseline.value)} ${r.baseline.unit}` : '',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '',
  ]);
  const width = (s: string): number => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) && !/[\u2000-\u27ff]/.test(ch) ? 2 : 1), 0);
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The notes of each figure, numbered like the table rows. */
export function notesList(results: BenchResult[]): string {
  return results.map((r) => `- **${r.name}**: ${r.notes}`).join('\n');
}
