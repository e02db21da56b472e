// The outbox worker: claims due rows with a lease, delivers them, and records the outcome. It polls, so rows
// written by another process on the same database (an operator's `wuye ingest`) go out within about a second;
// `kick()` wakes it at once for rows this process wrote.
import type { Telegram } from 'telegraf';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';
import * as outbox from '../store/outbox.ts';
import type { OutboxKind, OutboxRow } from '../store/outbox.ts';
import type { MailPayload, TelegramPayload } from '../domain.ts';
import { PermanentError, type MailSender } from './mailer.ts';
import { classifyTelegramError, type TelegramOutcome } from './telegram.ts';

export interface WorkerDeps {
  db: Db;
  log: Logger;
  clock: Clock;
  workerId: string;
  mail?: MailSender | null;
  telegram?: Telegram | null;
  /** A chat blocked the bot (403): mark the officer unreachable and alert the admins. */
  onBlocked?: (chatId: string, error: string) => Promise<void>;
  /** A row failed for good (SMTP 5xx, Telegram 400): tell the admins. */
  onPermanentFailure?: (row: OutboxRow, error: string) => Promise<void>;
  /** After a Telegram message was sent (e.g. remember its message id). */
  onTelegramSent?: (row: OutboxRow, result: unknown) => Promise<void>;
  loadAttachment?: (id: number) => Promise<{ content: Buffer; filename: string } | undefined>;
  pollMs?: number;
  batch?: number;
  leaseMs?: number;
  maxAttempts?: number;
}

export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(2 ** Math.min(attempts, 10) * 1000, 10 * 60_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class OutboxWorker {
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: WorkerDeps) {}

  get kinds(): OutboxKind[] {
    const k: OutboxKind[] = [];
    if (this.deps.mail) k.push('email');
    if (this.deps.telegram) k.push('telegram');
    return k;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.releaseDeadLocalLeases()
      .catch((e) => this.deps.log.warn({ err: (e as Error).message }, 'outbox: could not check stale leases'))
      .then(() => this.#run());
  }

  /**
   * After a crash the dead process's leases would hold its rows (and everything queued behind them for the same
   * recipients) until they expire. Worker ids are `host:pid:…`: a lease of this host whose process is gone is freed.
   */
  async releaseDeadLocalLeases(): Promise<number> {
    const [host] = this.deps.workerId.split(':');
    let freed = 0;
    for (const holder of await outbox.leaseHolders(this.deps.db, this.deps.clock.now().toISOString())) {
      const [h, pidText] = holder.split(':');
      const pid = Number(pidText);
      if (h !== host || holder === this.deps.workerId || !Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
      freed += await outbox.releaseLeases(this.deps.db, holder);
    }
    if (freed) this.deps.log.info({ freed }, 'outbox: released the leases of a stopped process');
    return freed;
  }

  kick(): void {
    this.#wake?.();
  }

  /** Stops claiming; waits for the batch in flight (bounded by `graceMs`). */
  async stop(graceMs = 5000): Promise<void> {
    this.#running = false;
    this.kick();
    await Promise.race([this.#loop, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  async #run(): Promise<void> {
    const poll = this.deps.pollMs ?? 500;
    while (this.#running) {
      let n = 0;
      try {
        n = await this.drainOnce();
      } catch (e) {
        this.deps.log.warn({ err: e }, 'outbox: batch failed, will retry');
      }
      if (n > 0 || !this.#running) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, poll);
      });
      if (this.#timer) clearTimeout(this.#timer);
      this.#wake = null;
    }
  }

  /** Claims and delivers one batch; returns how many rows were handled. */
  async drainOnce(): Promise<number> {
    const kinds = this.kinds;
    if (!kinds.length) return 0;
    const now = this.deps.clock.now().toISOString();
    const rows = (await outbox.claim(this.deps.db, this.deps.workerId, now, this.deps.leaseMs ?? 60_000, this.deps.batch ?? 20)).filter((r) =>
      kinds.includes(r.kind),
    );
    // Rows of different recipients go out in parallel; one recipient's rows are never in one batch together
    // (claim takes only the oldest pending row per recipient), so order per recipient holds.
    await Promise.all(rows.map((r) => this.#deliver(r)));
    return rows.length;
  }

  /**
   * Sends one row, then records what happened. The two are kept apart: once the peer has accepted a message, only
   * the record is retried (with its own backoff, e.g. while the database restarts) — a failed record must never
   * cause a second send.
   */
  async #deliver(row: OutboxRow): Promise<void> {
    const outcome = await this.#send(row);
    await this.#record(row, outcome);
  }

  async #send(row: OutboxRow): Promise<TelegramOutcome> {
    try {
      if (row.kind === 'email') {
        await this.deps.mail!.send(row.payload as MailPayload);
        return { kind: 'sent' };
      }
      return await this.#sendTelegram(row);
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (e instanceof PermanentError) return { kind: 'failed', error: msg };
      return { kind: 'retry', afterMs: 0, error: msg };
    }
  }

  async #record(row: OutboxRow, outcome: TelegramOutcome): Promise<void> {
    const { db, log, clock } = this.deps;
    const nowIso = () => clock.now().toISOString();
    for (let attempt = 0; ; attempt++) {
      try {
        switch (outcome.kind) {
          case 'sent':
            await outbox.markSent(db, row.id, nowIso(), outcome.result);
            return;
          case 'retry': {
            if (row.attempts + 1 >= (this.deps.maxAttempts ?? 50)) {
              await outbox.markFailed(db, row.id, nowIso(), outcome.error);
              log.error({ id: row.id, key: row.key, error: outcome.error }, 'outbox: permanent failure after retries');
              await this.deps.onPermanentFailure?.(row, outcome.error);
              return;
            }
            const next = new Date(clock.now().getTime() + Math.max(outcome.afterMs, backoffMs(row.attempts))).toISOString();
            await outbox.markRetry(db, row.id, next, outcome.error);
            log.warn(
              { id: row.id, attempts: row.attempts + 1, error: outcome.error },
              row.kind === 'telegram' ? 'outbox: telegram send will be retried' : 'outbox: mail delivery will be retried',
            );
            return;
          }
          case 'blocked':
            await outbox.markFailed(db, row.id, nowIso(), outcome.error);
            await this.deps.onBlocked?.(row.recipient, outcome.error);
            return;
          case 'failed':
            await outbox.markFailed(db, row.id, nowIso(), outcome.error);
            log.error({ id: row.id, key: row.key, error: outcome.error }, 'outbox: permanent failure');
            await this.deps.onPermanentFailure?.(row, outcome.error);
            return;
        }
      } catch (e) {
        // The database is away (restart, network): keep trying to record; the lease keeps others off the row,
        // and giving up here would only mean a second send later.
        if (!this.#running && attempt >= 3) throw e;
        log.warn({ id: row.id, err: (e as Error).message }, 'outbox: could not record the delivery yet, retrying');
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
      }
    }
  }

  async #sendTelegram(row: OutboxRow): Promise<TelegramOutcome> {
    const p = row.payload as TelegramPayload;
    const params: Record<string, unknown> = { ...p.params };
    if (p.attachmentId != null && this.deps.loadAttachment) {
      const a = await this.deps.loadAttachment(p.attachmentId);
      if (!a) return { kind: 'failed', error: `attachment ${p.attachmentId} missing` };
      const field = p.method === 'sendPhoto' ? 'photo' : 'document';
      params[field] = { source: a.content, filename: a.filename };
    }
    try {
      const result = await this.deps.telegram!.callApi(p.method as never, params as never);
      await this.deps.onTelegramSent?.(row, result);
      const mid = (result as { message_id?: number })?.message_id;
      return { kind: 'sent', result: mid != null ? String(mid) : undefined };
    } catch (e) {
      return classifyTelegramError(e);
    }
  }
}
