// `wuye start` as a child process — the real command an operator runs — with its JSON log lines kept in a file
// the test can read. The stress tests kill it (SIGKILL), stop it (SIGTERM) and start it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = path.join(PROJECT_ROOT, 'bin', 'wuye.js');

/** The line `startService` logs when every part (intake, bot, scheduler, outbox) is up. */
export const STARTED_MSG = 'Wuye Desk started';

export interface ServiceChild {
  readonly pid: number;
  readonly label: string;
  readonly logFile: string;
  /** Resolves when the service logged that it started; rejects when it exits first. */
  readonly ready: Promise<void>;
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** SIGKILL and wait for the exit. */
  killHard(): Promise<void>;
  /** SIGTERM, wait up to `timeoutMs`, then SIGKILL; resolves with the exit code (null when it had to be killed). */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  configFile: string;
  /** Appended to (one file for every incarnation of a service). */
  logFile: string;
  label: string;
  env?: Record<string, string>;
}

/**
 * A clean environment: the parent's PATH/HOME (node and the Dovecot/PG tools), nothing of vitest's, and the
 * variables the service reads (WUYE_CONFIG, secrets by name).
 */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}

export function spawnWuye(opts: SpawnOptions): ServiceChild {
  appendFileSync(opts.logFile, `# ---- ${opts.label} spawned at ${new Date().toISOString()}\n`);
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start'], {
    cwd: PROJECT_ROOT,
    env: childEnv({ WUYE_CONFIG: opts.configFile, WUYE_WEB_LISTEN: 'off', ...(opts.env ?? {}) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      appendFileSync(opts.logFile, `# ---- ${opts.label} exited code=${code} signal=${signal}\n`);
      resolve({ code, signal });
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      appendFileSync(opts.logFile, text);
      buf += text;
      if (buf.includes(STARTED_MSG)) {
        buf = '';
        resolve();
      } else if (buf.length > 100_000) buf = buf.slice(-1000);
    });
    child.stderr!.on('data', (chunk: Buffer) => appendFileSync(opts.logFile, chunk));
    void exited.then(({ code, signal }) =>
      reject(new Error(`${opts.label} exited before it started (code ${code}, signal ${signal}); log: ${opts.logFile}\n${tail(opts.logFile)}`)),
    );
  });
  // A kill before start-up finished leaves `ready` rejected with nobody listening: that is expected.
  ready.catch(() => undefined);
  const alive = () => !exitedFlag;
  return {
    pid: child.pid!,
    label: opts.label,
    logFile: opts.logFile,
    ready,
    exited,
    alive,
    kill(signal) {
      if (alive()) child.kill(signal);
    },
    async killHard() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 15_000) {
      if (!alive()) return (await exited).code;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(timer);
      return r.signal ? null : r.code;
    },
  };
}

/** Rejects as soon as the service exits on its own; for racing against what a test waits for. */
export function exitIsFailure(c: ServiceChild): Promise<never> {
  return c.exited.then(({ code, signal }) => {
    throw new Error(`${c.label} (pid ${c.pid}) exited on its own (code ${code}, signal ${signal}); log ${c.logFile}:\n${tail(c.logFile, 40)}`);
  });
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Parsed JSON log lines of a log file (non-JSON lines skipped). */
export function logLines(file: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by SIGKILL
    }
  }
  return out;
}
