// Outbox: every effect on the outside world is a row written in the same transaction as the state change that
// caused it, and delivered after commit by the worker. The idempotency key makes a repeated write a no-op.
import { sql, type Insertable } from 'kysely';
import type { Conn } from './db.ts';
import { hotQuery } from './hot-query.ts';
import type { OutboxTable } from './schema.ts';

export type OutboxKind = 'telegram' | 'email';

export interface OutboxMessage {
  kind: OutboxKind;
  recipient: string;
  payload: unknown;
  key: string;
  complaintId?: number | null;
  notBefore?: string; // quiet hours, the day's letter time
  /**
   * The row with this key is held (queued, not yet claimed): replace its payload instead of adding a row (the day's
   * one letter to a complainant grows by a step). When it went out meanwhile, the row is added under `fallbackKey`.
   */
  replace?: { fallbackKey: string };
  /** A held row whose content this message carries: it is dropped (the day's letter folded into the result). */
  supersedes?: string;
}

export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  recipient: string;
  payload: unknown;
  key: string;
  attempts: number;
  complaintId: number | null;
}

/** One row; nothing when its idempotency key exists already. */
const insertMessage = hotQuery((tx, p: Required<Omit<Insertable<OutboxTable>, 'id' | 'locked_by' | 'locked_until' | 'sent_at' | 'failed_at' | 'last_error' | 'result'>>) =>
  tx
    .insertInto('outbox')
    .values(p)
    .onConflict((oc) => oc.column('idempotency_key').doNothing()),
);

/** Queued, not sent, not failed, and no worker holds it: a row that may still change. */
function held(tx: Conn, key: string, now: string) {
  return tx
    .selectFrom('outbox')
    .where('idempotency_key', '=', key)
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]));
}

/** The payload of a held row (see `held`), or null. */
export async function heldPayload(tx: Conn, key: string, now: string): Promise<unknown | null> {
  const r = await held(tx, key, now).select('payload').executeTakeFirst();
  return r ? JSON.parse(r.payload) : null;
}

async function replaceHeld(tx: Conn, key: string, payload: unknown, now: string): Promise<boolean> {
  const r = await tx
    .updateTable('outbox')
    .set({ payload: JSON.stringify(payload) })
    .where('id', 'in', held(tx, key, now).select('id'))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

async function dropHeld(tx: Conn, key: string, now: string): Promise<void> {
  await tx.deleteFrom('outbox').where('id', 'in', held(tx, key, now).select('id')).execute();
}

/** Writes rows; a row whose key exists already is skipped (returns how many were new or changed). */
export async function enqueue(tx: Conn, msgs: OutboxMessage[], now: string): Promise<number> {
  let added = 0;
  for (const m of msgs) {
    if (m.supersedes) await dropHeld(tx, m.supersedes, now);
    if (m.replace && (await replaceHeld(tx, m.key, m.payload, now))) {
      added++;
      continue;
    }
    const row = {
      kind: m.kind,
      recipient: m.recipient,
      payload: JSON.stringify(m.payload),
      idempotency_key: m.key,
      complaint_id: m.complaintId ?? null,
      created_at: now,
      not_before: m.notBefore ?? now,
      next_attempt_at: now,
      attempts: 0,
    };
    let n = Number((await insertMessage(tx, row)).numAffectedRows ?? 0);
    // A growing letter whose row went out (or was claimed) meanwhile: its news goes in a row of its own.
    if (!n && m.replace) n = Number((await insertMessage(tx, { ...row, idempotency_key: m.replace.fallbackKey })).numAffectedRows ?? 0);
    added += n;
  }
  return added;
}

/**
 * Claims up to `limit` due rows for this worker with a lease. Only the oldest pending row of each recipient is
 * eligible, so one recipient's messages go out in order; two workers never hold the same row.
 */
export async function claim(db: Conn, worker: string, now: string, leaseMs: number, limit: number): Promise<OutboxRow[]> {
  const until = new Date(Date.parse(now) + leaseMs).toISOString();
  const candidates = db
    .selectFrom('outbox as o')
    .select('o.id')
    .where('o.sent_at', 'is', null)
    .where('o.failed_at', 'is', null)
    .where('o.next_attempt_at', '<=', now)
    .where('o.not_before', '<=', now)
    .where((eb) => eb.or([eb('o.locked_until', 'is', null), eb('o.locked_until', '<', now)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('outbox as p')
            .select('p.id')
            .whereRef('p.recipient', '=', 'o.recipient')
            .whereRef('p.id', '<', 'o.id')
            .where('p.sent_at', 'is', null)
            .where('p.failed_at', 'is', null)
            .where('p.not_before', '<=', now),
        ),
      ),
    )
    .orderBy('o.id')
    .limit(limit);
  await db
    .updateTable('outbox')
    .set({ locked_by: worker, locked_until: until })
    .where('id', 'in', candidates)
    .where('sent_at', 'is', null)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .execute();
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'kind', 'recipient', 'payload', 'idempotency_key', 'attempts', 'complaint_id'])
    .where('locked_by', '=', worker)
    .where('locked_until', '=', until)
    .where('sent_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as OutboxKind,
    recipient: r.recipient,
    payload: JSON.parse(r.payload),
    key: r.idempotency_key,
    attempts: r.attempts,
    complaintId: r.complaint_id,
  }));
}

export async function markSent(db: Conn, id: number, now: string, result?: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ sent_at: now, locked_by: null, locked_until: null, last_error: null, result: result ?? null, attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .execute();
}

export async function markRetry(db: Conn, id: number, nextAttemptAt: string, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ next_attempt_at: nextAttemptAt, locked_by: null, locked_until: null, last_error: error.slice(0, 2000), attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: Conn, id: number, now: string, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ failed_at: now, locked_by: null, locked_until: null, last_error: error.slice(0, 2000), attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .execute();
}

export async function pendingCount(db: Conn): Promise<number> {
  const r = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function failures(db: Conn, limit = 20) {
  return db
    .selectFrom('outbox')
    .select(['id', 'kind', 'recipient', 'idempotency_key', 'failed_at', 'last_error'])
    .where('failed_at', 'is not', null)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Acknowledgements sent (or queued) to a sender since `sinceIso`: the per-sender rate limit against mail loops. */
const acksSince = hotQuery((db, p: { recipient: string; since: string }) =>
  db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'email')
    .where('recipient', '=', p.recipient)
    .where('idempotency_key', 'like', 'ack:%')
    .where('created_at', '>=', p.since),
);

export async function countAcksTo(db: Conn, address: string, sinceIso: string): Promise<number> {
  const { rows } = await acksSince(db, { recipient: address.toLowerCase(), since: sinceIso });
  return Number(rows[0]?.n ?? 0);
}

/** Workers holding unexpired leases on unsent rows. */
export async function leaseHolders(db: Conn, now: string): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('locked_by')
    .distinct()
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('locked_until', '>', now)
    .execute();
  return rows.map((r) => r.locked_by).filter((w): w is string => !!w);
}

/** Gives up the leases of a worker that is gone, so its rows go out now rather than when the lease expires. */
export async function releaseLeases(db: Conn, worker: string): Promise<number> {
  const r = await db
    .updateTable('outbox')
    .set({ locked_by: null, locked_until: null })
    .where('locked_by', '=', worker)
    .where('sent_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
