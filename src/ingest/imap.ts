// IMAP intake (imapflow): one connection per mailbox, IDLE push, catch-up above the last committed UID on every
// connect, UIDVALIDITY changes handled (re-scan; the content hash dedupes), reconnect with backoff and jitter.
// Mail on the server is never deleted, moved or flagged. Fetches of one mailbox never overlap (one loop per box).
import { ImapFlow } from 'imapflow';
import type { MailboxConfig } from '../config.ts';
import { secret } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import * as mailStore from '../store/mail.ts';
import type { Intake } from './intake.ts';

export interface ImapSourceDeps {
  db: Db;
  log: Logger;
  intake: Intake;
  env?: NodeJS.ProcessEnv;
  /** Backoff bounds for reconnects (default 1 s … 15 s: a mailbox back after an outage is read again within seconds). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export function reconnectDelay(attempt: number, min: number, max: number, random = Math.random): number {
  const exp = Math.min(max, min * 2 ** Math.min(attempt, 16));
  return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter"
}

/**
 * An imapflow client for one mailbox. 163.com refuses "Unsafe Login" unless the client identifies itself (IMAP ID,
 * RFC 2971), hence clientInfo; IDLE starts at once after each command instead of imapflow's default 15 s, so new
 * mail is pushed within a second.
 */
export function createImapClient(imap: NonNullable<MailboxConfig['imap']>, pass: string, address: string): ImapFlow {
  return new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass },
    tls: { rejectUnauthorized: imap.rejectUnauthorized },
    logger: false,
    clientInfo: { name: 'wuye-desk', version: '0.1.0', vendor: 'wuye-desk', 'support-email': address },
    autoIdleDelay: 50,
    maxIdleTime: 5 * 60_000,
    connectionTimeout: 15_000,
  });
}

export class ImapSource {
  #client: ImapFlow | null = null;
  #stopped = false;
  #loop: Promise<void> | null = null;
  #pending = false;
  #busy: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #connected = false;

  constructor(
    readonly box: MailboxConfig,
    private readonly deps: ImapSourceDeps,
  ) {}

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    const c = this.#client;
    if (c) await c.logout().catch(() => c.close());
    await this.#loop?.catch(() => {});
  }

  async #run(): Promise<void> {
    const { log } = this.deps;
    let attempt = 0;
    while (!this.#stopped) {
      try {
        await this.#session();
        attempt = 0;
      } catch (e) {
        log.warn({ mailbox: this.box.address, err: (e as Error).message }, 'imap: connection lost');
      }
      this.#connected = false;
      if (this.#stopped) break;
      const delay = reconnectDelay(attempt++, this.deps.minBackoffMs ?? 1000, this.deps.maxBackoffMs ?? 15_000);
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, delay).unref();
      });
    }
  }

  /** One connection: connect, open, catch up, then fetch on every EXISTS until the connection closes. */
  async #session(): Promise<void> {
    const imap = this.box.imap!;
    const pass = secret(this.deps.env ?? process.env, imap.passwordEnv);
    if (!pass) throw new Error(`环境变量 ${imap.passwordEnv} 未设置 / password env not set`);
    const client = createImapClient(imap, pass, this.box.address);
    this.#client = client;
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', (e: Error) => this.deps.log.warn({ mailbox: this.box.address, err: e.message }, 'imap: error'));
    await client.connect();
    const mb = await client.mailboxOpen(imap.mailbox, { readOnly: true });
    this.#connected = true;
    this.deps.log.info({ mailbox: this.box.address, exists: mb.exists, uidValidity: String(mb.uidValidity) }, 'imap: connected');
    client.on('exists', () => this.#schedule(client));
    await this.#fetchNew(client);
    if (this.#stopped) return;
    await closed;
  }

  /** Coalesces EXISTS notifications: at most one fetch runs, and one more is queued behind it. */
  #schedule(client: ImapFlow): void {
    if (this.#busy) {
      this.#pending = true;
      return;
    }
    this.#busy = (async () => {
      do {
        this.#pending = false;
        try {
          await this.#fetchNew(client);
        } catch (e) {
          this.deps.log.warn({ mailbox: this.box.address, err: (e as Error).message }, 'imap: fetch failed');
        }
      } while (this.#pending && !this.#stopped);
      this.#busy = null;
    })();
  }

  async #fetchNew(client: ImapFlow): Promise<void> {
    const { db, intake } = this.deps;
    const box = this.box.address;
    const mailbox = client.mailbox;
    if (!mailbox || typeof mailbox === 'boolean') return;
    const uidValidity = Number(mailbox.uidValidity);
    const state = await mailStore.mailboxState(db, box);
    // A new UIDVALIDITY means the UIDs we remember mean nothing now: scan everything again; the content hash
    // recognises what we already have.
    let last = state && Number(state.uidvalidity) === uidValidity ? Number(state.last_uid) : 0;
    if (state && Number(state.uidvalidity) !== uidValidity) {
      this.deps.log.warn({ mailbox: box, old: state.uidvalidity, new: uidValidity }, 'imap: UIDVALIDITY changed, re-scanning');
    }
    if (mailbox.exists === 0) {
      await mailStore.saveMailboxState(db, box, uidValidity, last, new Date().toISOString());
      return;
    }
    // Collect UIDs first, then fetch sources one by one: a long fetch stream must not hold the connection while
    // we write to the database.
    const uids: number[] = [];
    for await (const msg of client.fetch(`${last + 1}:*`, { uid: true }, { uid: true })) {
      if (msg.uid > last) uids.push(msg.uid);
    }
    uids.sort((a, b) => a - b);
    for (const uid of uids) {
      if (this.#stopped) return;
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!msg || !msg.source) continue;
      await intake.ingest(msg.source, { source: 'imap', mailbox: box, uidvalidity: uidValidity, uid });
      last = uid;
      await mailStore.saveMailboxState(db, box, uidValidity, last, new Date().toISOString());
    }
    if (!state || Number(state.uidvalidity) !== uidValidity) await mailStore.saveMailboxState(db, box, uidValidity, last, new Date().toISOString());
  }
}
