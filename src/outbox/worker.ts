// The outbox worker: claims due rows with a lease, delivers them, and records the outcome. It polls, so rows
// written by another process on the same database (an operator's `wuye ingest`) go out within about a second;
// `kick()` wakes it at once for rows this process wrote.
import type { Telegram } from 'telegraf';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';
import * as outbox from '../store/outbox.ts';
import type { OutboxKind, OutboxRow } from '../store/outbox.ts';
import { PermanentError, type MailPayload, type MailSender } from './mailer.ts';
import { classifyTelegramError, type TelegramPayload, type TelegramOutcome } from './telegram.ts';

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
    this.#loop = this.#run();
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

  async #deliver(row: OutboxRow): Promise<void> {
    const { db, log, clock } = this.deps;
    const nowIso = () => clock.now().toISOString();
    try {
      if (row.kind === 'email') {
        await this.deps.mail!.send(row.payload as MailPayload);
        await outbox.markSent(db, row.id, nowIso());
        return;
      }
      const outcome = await this.#sendTelegram(row);
      switch (outcome.kind) {
        case 'sent':
          await outbox.markSent(db, row.id, nowIso(), outcome.result);
          return;
        case 'retry':
          await outbox.markRetry(db, row.id, new Date(clock.now().getTime() + Math.max(outcome.afterMs, backoffMs(row.attempts))).toISOString(), outcome.error);
          log.warn({ id: row.id, attempts: row.attempts + 1, error: outcome.error }, 'outbox: telegram send will be retried');
          return;
        case 'blocked':
          await outbox.markFailed(db, row.id, nowIso(), outcome.error);
          await this.deps.onBlocked?.(row.recipient, outcome.error);
          return;
        case 'failed':
          await outbox.markFailed(db, row.id, nowIso(), outcome.error);
          await this.deps.onPermanentFailure?.(row, outcome.error);
          return;
      }
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (e instanceof PermanentError || row.attempts + 1 >= (this.deps.maxAttempts ?? 50)) {
        await outbox.markFailed(db, row.id, nowIso(), msg);
        log.error({ id: row.id, key: row.key, error: msg }, 'outbox: permanent failure');
        await this.deps.onPermanentFailure?.(row, msg);
      } else {
        await outbox.markRetry(db, row.id, new Date(clock.now().getTime() + backoffMs(row.attempts)).toISOString(), msg);
        log.warn({ id: row.id, attempts: row.attempts + 1, error: msg }, 'outbox: delivery will be retried');
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
