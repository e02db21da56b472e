// Shared plumbing for CLI commands: open the configured store (migrated, reference data synced), run, close.
import { userInfo } from 'node:os';
import type { CaseDeps } from '../cases/deps.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { loadCalendar } from '../runtime.ts';
import { openStore, type Store } from '../store/db.ts';
import { syncReferenceData } from '../store/reference.ts';

export async function withStore<T>(cfg: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(cfg.db);
  try {
    await syncReferenceData(store.db, cfg);
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

/** Who did it, for the record: `--by`, else the operating-system user. */
export function operatorName(by: string | undefined): string | null {
  if (by?.trim()) return by.trim().slice(0, 100);
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

/**
 * The use cases' dependencies for a CLI command. Outbox rows the command writes are delivered by the running
 * service's worker, which polls the outbox: there is no worker in this process to wake.
 */
export function caseDepsOf(cfg: Config, store: Store, clock: Clock = systemClock): CaseDeps {
  return { cfg, db: store.db, cal: loadCalendar(cfg), clock, log: createLogger({ level: 'warn' }), wakeOutbox: () => undefined };
}
