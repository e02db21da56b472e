// Which service processes use a data folder right now: each `wuye start` leaves `<dataDir>/run/<pid>.lock` while it
// runs (two instances may share a database), and `wuye restore` refuses while any of them is alive — replacing the
// database under a running service loses the mail it goes on accepting and issues tracking numbers twice.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function runDir(dataDir: string): string {
  return path.join(dataDir, 'run');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Marks this process as a running service of `dataDir`; the returned function removes the mark. */
export function holdInstanceLock(dataDir: string, now: Date): () => void {
  const dir = runDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.lock`);
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: now.toISOString() };
  writeFileSync(file, JSON.stringify(info));
  return () => rmSync(file, { force: true });
}

/** The live service processes of this host using `dataDir` (marks left by dead ones are removed). */
export function liveInstances(dataDir: string): LockInfo[] {
  const dir = runDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.lock'));
  } catch {
    return [];
  }
  const out: LockInfo[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let info: LockInfo;
    try {
      info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    } catch {
      continue;
    }
    if (info.host !== hostname()) {
      out.push(info); // another machine's process: we cannot tell whether it lives, so count it
    } else if (alive(info.pid)) {
      out.push(info);
    } else {
      rmSync(file, { force: true });
    }
  }
  return out;
}
