// Figure 6 (reports): the annex 2 ledger of 100,000 cases — time and peak RSS of the process that writes it. The
// cases are bulk-loaded into SQLite here; each variant runs in its own child process (bench/ledger-child.ts), whose
// VmHWM is the peak RSS. Two variants: the writer streaming from the database to a file, and the weekly job's path
// (all cases in memory, the XLSX built in a buffer for the mail).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../src/config.ts';
import { testConfig } from '../test/support/service.ts';
import { buildComplaintDb } from './bulk-load.ts';
import { median, procStatusMb, result, type BenchResult } from './lib.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ledger-child.ts');

interface ChildReport {
  ms: number;
  rows: number;
  bytes: number;
  peakRssMb: number;
  rssMb: number;
  wallMs: number;
  sampledPeakMb: number;
}

function runChild(mode: 'stream' | 'weekly', file: string, out: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, file, out], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sampled = 0;
    // Sampled from outside as a cross-check of the child's own VmHWM.
    const timer = setInterval(() => {
      const mb = procStatusMb(child.pid!, 'VmRSS');
      if (mb !== null) sampled = Math.max(sampled, mb);
    }, 100);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`ledger child (${mode}) exited ${code}: ${stderr.slice(-2000)}`));
      try {
        const r = JSON.parse(stdout.trim().split('\n').pop()!) as Omit<ChildReport, 'wallMs' | 'sampledPeakMb'>;
        resolve({ ...r, wallMs: performance.now() - t0, sampledPeakMb: sampled });
      } catch (e) {
        reject(new Error(`ledger child (${mode}) printed no report: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
      }
    });
  });
}

export async function benchLedger(opts: { rows?: number; reps?: number } = {}): Promise<BenchResult[]> {
  const rows = opts.rows ?? 100_000;
  const reps = opts.reps ?? 2;
  const dir = mkdtempSync(path.join(tmpdir(), 'wuye-bench-ledger-'));
  try {
    const file = path.join(dir, 'wuye.db');
    const cfg = testConfig({ db: `sqlite:${file}`, dataDir: dir });
    // Received since the campaign start until a day ago, so the weekly job's window holds every case.
    const built = await buildComplaintDb(file, cfg, rows, { seed: 11, now: new Date(Date.now() - 86_400_000) });
    const out: BenchResult[] = [];
    for (const mode of ['stream', 'weekly'] as const) {
      const runs: ChildReport[] = [];
      for (let r = 0; r < reps; r++) runs.push(await runChild(mode, file, path.join(dir, `ledger-${mode}-${r}.xlsx`)));
      for (const run of runs) if (run.rows !== rows) throw new Error(`ledger (${mode}) wrote ${run.rows} rows, expected ${rows}`);
      const label = mode === 'stream' ? 'streamed from the database to a file' : "weekly job's path (all cases in memory, XLSX in a buffer)";
      const what = `${rows.toLocaleString('en-US')} cases bulk-loaded in ${(built.ms / 1000).toFixed(1)} s; child process ${label}; ${(runs[0]!.bytes / 1024 / 1024).toFixed(1)} MB XLSX; median of ${reps} runs`;
      const secs = median(runs.map((r) => r.ms / 1000));
      const peak = median(runs.map((r) => r.peakRssMb));
      out.push(
        result(`ledger ${rows.toLocaleString('en-US')} rows, ${mode === 'stream' ? 'streamed' : 'weekly job'}: time`, secs, 's', { op: '<', value: 20 }, `${what}; from opening the database to the file written (${runs.map((r) => (r.ms / 1000).toFixed(1)).join(', ')} s); whole process incl. node + tsx start ${runs.map((r) => (r.wallMs / 1000).toFixed(1)).join(', ')} s`),
        result(`ledger ${rows.toLocaleString('en-US')} rows, ${mode === 'stream' ? 'streamed' : 'weekly job'}: peak RSS`, peak, 'MB', { op: '<', value: 400 }, `VmHWM of the child (${runs.map((r) => r.peakRssMb.toFixed(0)).join(', ')} MB); sampled VmRSS peak from outside ${runs.map((r) => r.sampledPeakMb.toFixed(0)).join(', ')} MB`),
      );
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
