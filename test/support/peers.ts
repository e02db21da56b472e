// Registry of the real peers shared by the integration run. The global setup starts Dovecot and PostgreSQL once
// (in parallel) and provides their serialisable info; test files rebuild handles with `sharedDovecot()` /
// `sharedPostgres()`. Shared peers serve every test file at once (2 workers): create your own Dovecot user
// (`addUser`) and database (`createDatabase`), and start a private peer (`startDovecot`/`startPostgres`) for
// anything that stops, restarts or resets a server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { dovecotFromInfo, reapStaleDovecots, startDovecot, type DovecotInfo, type DovecotPeer } from './dovecot.ts';
import { pgFromInfo, reapStalePostgres, startPostgres, type PgInfo, type PgPeer } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dovecot: DovecotInfo;
    postgres: PgInfo;
  }
}

/** Published addresses that exist as users on the shared Dovecot (config/default.yaml mailboxes). */
export const SHARED_MAILBOXES = ['xf2222363@163.com', 'yhqzjjwy@163.com'];

export interface IntegrationPeers {
  dovecot: DovecotPeer;
  postgres: PgPeer;
  close(): Promise<void>;
  /** Synchronous last resort for process exit: signals the servers by pid, leaves the temp dirs to the reaper. */
  killSync(): void;
}

/** Starts both peers in parallel; if one fails, the other is closed and the error names the fix. */
export async function startIntegrationPeers(): Promise<IntegrationPeers> {
  const [dv, pgr] = await Promise.allSettled([startDovecot({ users: SHARED_MAILBOXES }), startPostgres()]);
  if (dv.status === 'rejected' || pgr.status === 'rejected') {
    if (dv.status === 'fulfilled') await dv.value.close().catch(() => undefined);
    if (pgr.status === 'fulfilled') await pgr.value.close().catch(() => undefined);
    const reasons = [dv, pgr].flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.message ?? r.reason)] : []));
    throw new Error(`integration peers could not start:\n${reasons.join('\n')}`);
  }
  const dovecot = dv.value;
  const postgres = pgr.value;
  return {
    dovecot,
    postgres,
    async close() {
      await Promise.allSettled([dovecot.close(), postgres.close()]);
    },
    killSync() {
      signalFromPidFile(join(dovecot.info.dir, 'run', 'master.pid'), 'SIGTERM', true);
      signalFromPidFile(join(postgres.info.dataDir, 'postmaster.pid'), 'SIGINT', false);
    },
  };
}

function signalFromPidFile(path: string, signal: NodeJS.Signals, wholeGroup: boolean): void {
  try {
    const pid = Number(readFileSync(path, 'utf8').split('\n')[0]?.trim());
    if (pid > 0) process.kill(wholeGroup ? -pid : pid, signal);
  } catch {
    // not running
  }
}

/** Cleans up peers of earlier runs whose test process died before teardown. */
export async function reapStalePeers(): Promise<void> {
  await Promise.all([reapStaleDovecots(), reapStalePostgres()]);
}

const ownedByGlobalSetup = (what: string) => (): Promise<void> =>
  Promise.reject(new Error(`the shared ${what} is closed by the global setup; start a private one to close it`));

/** The run's shared Dovecot (inside test files only). */
export function sharedDovecot(): DovecotPeer {
  return { ...dovecotFromInfo(inject('dovecot')), close: ownedByGlobalSetup('Dovecot') };
}

/** The run's shared PostgreSQL cluster (inside test files only). */
export function sharedPostgres(): PgPeer {
  return { ...pgFromInfo(inject('postgres')), close: ownedByGlobalSetup('PostgreSQL') };
}
