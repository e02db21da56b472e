// Figure 7: idle service RSS. `wuye start` (node bin/wuye.js start) runs as a child on the embedded defaults in a
// temp data dir (SQLite, SMTP intake on a free loopback port instead of 2525 so it cannot clash, drop folder, outbox
// to .eml files, scheduler; the bot off for want of a token), is left until it is idle (no CPU used for a while),
// and its VmRSS is read from /proc/<pid>/status. A second run has the bot on, long-polling the loopback Bot API.
// dist/ is built first, so the figure is that of the compiled service `npm start` runs after `npm install`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.ts';
import { startBotApi } from '../test/support/bot-api.ts';
import { freePort } from '../test/support/ports.ts';
import { median, procStatusMb, result, sleep, type BenchResult } from './lib.ts';

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`wuye start: no "${pattern}" within ${timeoutMs} ms; output: ${seen.slice(-1500)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (seen += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wuye start exited (${code}) before it was ready: ${seen.slice(-1500)}`));
    });
  });
}

interface IdleReading {
  rssMb: number;
  hwmMb: number;
  settleS: number;
  exitCode: number | null;
}

async function idleRss(extraEnv: Record<string, string>): Promise<IdleReading> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wuye-bench-idle-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_API_ROOT', 'WUYE_CONFIG', 'WUYE_DB', 'HTTPS_PROXY', 'https_proxy', 'WUYE_LOG_LEVEL', 'NODE_OPTIONS']) delete env[k];
  Object.assign(env, { WUYE_DATA_DIR: dir, WUYE_SMTP_LISTEN: `127.0.0.1:${await freePort()}`, ...extraEnv });
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/wuye.js'), 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitForLine(child, /Wuye Desk started/, 60_000);
    // Idle: less than 1% of a core used over 2 s (start-up catch-up jobs done, timers quiet); at most 60 s.
    const t0 = Date.now();
    let prev = cpuTicks(child.pid!);
    let quiet = 0;
    while (quiet < 2 && Date.now() - t0 < 60_000) {
      await sleep(1000);
      const now = cpuTicks(child.pid!);
      quiet = now - prev <= 1 ? quiet + 1 : 0;
      prev = now;
    }
    const settleS = (Date.now() - t0) / 1000;
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      samples.push(procStatusMb(child.pid!, 'VmRSS')!);
      await sleep(300);
    }
    const hwmMb = procStatusMb(child.pid!, 'VmHWM')!;
    child.kill('SIGTERM');
    const exitCode = await Promise.race([exited, sleep(15_000).then(() => null)]);
    return { rssMb: median(samples), hwmMb, settleS, exitCode };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchIdle(): Promise<BenchResult[]> {
  // What `npm install && npm start` runs is the compiled dist/; after an edit it would be stale and bin/wuye.js
  // would run the sources through tsx instead (~40 MB more), so build it first, as `npm install` does.
  const build = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts/build.mjs')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${(build.stdout + build.stderr).slice(-1500)}`);
  const plain = await idleRss({});
  const api = await startBotApi();
  let withBot: IdleReading;
  try {
    withBot = await idleRss({ TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot });
  } finally {
    await api.close();
  }
  const exitNote = (r: IdleReading) => (r.exitCode === 0 ? 'exited 0 on SIGTERM' : `exit on SIGTERM: ${r.exitCode ?? 'none within 15 s'}`);
  return [
    result('idle service RSS (wuye start, embedded defaults)', plain.rssMb, 'MB', { op: '<', value: 150 }, `dist/ built first (as npm install does); node bin/wuye.js start in a temp data dir, no bot token; idle after ${plain.settleS.toFixed(0)} s; median VmRSS of 10 readings; start-up peak VmHWM ${plain.hwmMb.toFixed(0)} MB; ${exitNote(plain)}`),
    result('idle service RSS, bot on', withBot.rssMb, 'MB', { op: '<', value: 150 }, `the same with TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT set (long polling the loopback Bot API); idle after ${withBot.settleS.toFixed(0)} s; VmHWM ${withBot.hwmMb.toFixed(0)} MB; ${exitNote(withBot)}`),
  ];
}
