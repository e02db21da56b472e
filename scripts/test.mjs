#!/usr/bin/env node
// `npm test`: provisions the real peers (fast when present), then runs vitest over all projects.
// `npm test -- --stress` runs only the `stress` project. Other arguments go to vitest unchanged.
// Exit code: provisioning's when it fails, vitest's otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const provision = spawnSync(process.execPath, [join(root, 'scripts', 'provision.mjs')], { cwd: root, stdio: 'inherit' });
if (provision.status !== 0) process.exit(provision.status ?? 1);

const args = process.argv.slice(2);
const stress = args.includes('--stress');
const passThrough = args.filter((a) => a !== '--stress');

// Types first: a type error is a failed run, and it is cheaper to learn it before the peers start.
if (!stress && passThrough.length === 0) {
  const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('typecheck failed: 类型检查未通过');
    process.exit(tsc.status ?? 1);
  }
  // Then the layers (README, "Architecture"): an import across layers, I/O in a pure module or SQL outside src/store.
  const layers = spawnSync(process.execPath, [join(root, 'scripts', 'check-layers.mjs')], { cwd: root, stdio: 'inherit' });
  if (layers.status !== 0) {
    console.error('layer check failed: 分层检查未通过');
    process.exit(layers.status ?? 1);
  }
}

// The real-corpus suites read third-party mail that is never in the repository (test/support/corpus.ts, same rule):
// without it they are skipped, counted as skipped in the closing line, and named here.
const corpusDir = process.env.WUYE_CORPUS_DIR ? path.resolve(process.env.WUYE_CORPUS_DIR) : join(root, '..', 'shared', 'corpora');
if (!stress && !['normal', 'spam'].every((d) => existsSync(join(corpusDir, 'trec06c-dev', d)))) {
  console.log(
    `real-corpus suites not run (no ${join(corpusDir, 'trec06c-dev')}; set WUYE_CORPUS_DIR): classifier-corpus, parse on the real corpus, wuye ingest over the real corpus, hostile-mail's 300 real mails`,
  );
}

// A JSON report beside the console one, read back for the closing "N passed, N failed" line.
const reportFile = join(mkdtempSync(join(tmpdir(), 'wuye-vitest-')), 'report.json');
const vitestArgs = [
  'run',
  ...(stress ? ['--project', 'stress'] : []),
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...passThrough,
];

// The local binary avoids npx's registry look-up; npx is the fallback.
const localVitest = join(root, 'node_modules', '.bin', 'vitest');
const [cmd, argv] = existsSync(localVitest) ? [localVitest, vitestArgs] : ['npx', ['vitest', ...vitestArgs]];

// The stress project exists only with WUYE_STRESS=1 (vitest.config.ts), so plain runs never include it.
const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', env: stress ? { ...process.env, WUYE_STRESS: '1' } : process.env });
// Let vitest run its teardown (which stops the peers) before we go: Ctrl-C already reaches vitest through the
// terminal's process group, so only SIGTERM is forwarded.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  try {
    const r = JSON.parse(readFileSync(reportFile, 'utf8'));
    // A suite that fails before its tests (a beforeAll) fails none of them: count it as a failure, not as skips.
    const failed = r.numFailedTests || r.numFailedTestSuites || 0;
    console.log(`tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`);
  } catch {
    console.log('tests: 0 passed, 1 failed (no report: vitest did not finish)');
  }
  process.exit(code ?? (signal ? 1 : 0));
});
