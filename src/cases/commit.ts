// The one way a use case writes: ONE transaction holding the state change, its audit rows and the outbox rows of
// its effects; after the commit — never inside — the outbox worker is woken to deliver them. Nothing talks to the
// outside world inside a transaction, which is what makes "kill -9 at any point: nothing lost, nothing twice" hold.
import { inTransaction, type Tx } from '../store/db.ts';
import { ConcurrentUpdateError } from '../store/cases.ts';
import { enqueue, type OutboxMessage } from '../store/outbox.ts';
import type { CaseDeps } from './deps.ts';

export interface Work {
  tx: Tx;
  now: Date;
  nowIso: string;
  /** Writes outbox rows in this transaction (a repeated idempotency key is a no-op); returns how many were new. */
  send(rows: OutboxMessage[]): Promise<number>;
}

/** Runs `fn` in one transaction at `now` (default: the clock's); wakes the outbox after a commit that wrote rows. */
export async function commit<T>(deps: Pick<CaseDeps, 'db' | 'clock' | 'wakeOutbox'>, fn: (w: Work) => Promise<T>, now = deps.clock.now()): Promise<T> {
  const nowIso = now.toISOString();
  let written = 0;
  const result = await inTransaction(deps.db, (tx) => {
    written = 0; // a transient failure reruns fn from the start
    return fn({
      tx,
      now,
      nowIso,
      async send(rows) {
        const n = rows.length ? await enqueue(tx, rows, nowIso) : 0;
        written += n;
        return n;
      },
    });
  });
  if (written > 0) deps.wakeOutbox();
  return result;
}

/** How often a write that lost an optimistic-version race is retried on a fresh load before giving up. */
export const CONCURRENT_ATTEMPTS = 3;

export class StillConflicting extends Error {
  constructor(cause: ConcurrentUpdateError) {
    super(cause.message);
    this.name = 'StillConflicting';
  }
}

/**
 * `attempt` loads the case, decides (pure) and commits; when someone else changed the case meanwhile (another
 * officer's tap, the complainant's mail, the scheduler) the decision is made again on the fresh case. Throws
 * StillConflicting after CONCURRENT_ATTEMPTS lost races.
 */
export async function retryConcurrent<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof ConcurrentUpdateError)) throw e;
      if (n >= CONCURRENT_ATTEMPTS) throw new StillConflicting(e);
    }
  }
}
