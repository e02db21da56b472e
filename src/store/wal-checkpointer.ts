// WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside whichever COMMIT pushes the WAL
// past 1,000 pages, on the committing thread, and with synchronous=NORMAL it fsyncs the WAL and the database
// file: a 5–25 ms stall of the event loop every few hundred mails during a backlog (about a seventh of the main
// thread's time in the backlog benchmark, and a late reply to an officer's tap). Here a worker thread with its own connection
// runs PASSIVE checkpoints instead — they never block the writer — and this thread only watches the WAL file.
// The main connection keeps an automatic checkpoint at a much larger size, as a backstop should the worker fail
// or fall behind. The worker starts when the WAL first reaches the threshold and stops after a quiet spell, so an
// idle service does not carry a thread it does not use.
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** WAL file size from which changes are checkpointed (SQLite's own default is 1,000 pages ≈ 4 MB). */
  thresholdBytes?: number;
  /** How often the WAL file is looked at. */
  pollMs?: number;
  /** The worker is stopped after this long without anything to checkpoint. */
  idleStopMs?: number;
  /** Pages after which the writer checkpoints by itself anyway (the backstop). */
  backstopPages?: number;
  /** The better-sqlite3 module the worker loads (default: ours; tests point it elsewhere to see a failure). */
  driver?: string;
  /** Told about a checkpoint that failed or a worker that could not start (the backstop then carries on). */
  onError?: (e: Error) => void;
}

interface MainConnection {
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

// Plain CommonJS, evaluated in the worker: nothing to resolve or compile, so it runs the same from src/ and dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
parentPort.on('message', () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, result: r });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String((e && e.message) || e) });
  }
});
`;

const require = createRequire(import.meta.url);

export class WalCheckpointer {
  readonly #file: string;
  readonly #threshold: number;
  readonly #idleStopMs: number;
  readonly #onError: (e: Error) => void;
  readonly #main: MainConnection;
  readonly #driver: string;
  readonly #timer: NodeJS.Timeout;
  #worker: Worker | null = null;
  #inFlight = false;
  #lastMtime = 0;
  #lastActive = 0;
  #closed = false;
  #failed = false;
  #pending: (() => void) | null = null;
  /** Checkpoints completed by the worker (for tests and diagnostics). */
  checkpoints = 0;
  last: CheckpointResult | null = null;

  constructor(file: string, main: MainConnection, opts: CheckpointerOptions = {}) {
    this.#file = file;
    this.#main = main;
    this.#threshold = opts.thresholdBytes ?? 4 * 1024 * 1024;
    this.#idleStopMs = opts.idleStopMs ?? 60_000;
    this.#onError = opts.onError ?? (() => {});
    this.#driver = opts.driver ?? require.resolve('better-sqlite3');
    main.pragma(`wal_autocheckpoint = ${opts.backstopPages ?? 10_000}`);
    this.#timer = setInterval(() => void this.#poll(), opts.pollMs ?? 250);
    this.#timer.unref();
  }

  /** Whether the worker thread is running now. */
  get running(): boolean {
    return this.#worker !== null;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    const w = this.#worker;
    this.#worker = null;
    this.#settle();
    await w?.terminate();
  }

  async #poll(): Promise<void> {
    if (this.#inFlight || this.#closed || this.#failed) return;
    this.#inFlight = true;
    try {
      const st = await stat(`${this.#file}-wal`).catch(() => null);
      const now = Date.now();
      // The WAL is reused from its start after a complete checkpoint, so its size stays; a new mtime means writes.
      if (st && st.size >= this.#threshold && st.mtimeMs !== this.#lastMtime) {
        this.#lastMtime = st.mtimeMs;
        this.#lastActive = now;
        await this.#checkpoint();
      } else if (this.#worker && now - this.#lastActive > this.#idleStopMs) {
        const w = this.#worker;
        this.#worker = null;
        await w.terminate();
      }
    } catch (e) {
      this.#fail(e as Error);
    } finally {
      this.#inFlight = false;
    }
  }

  #checkpoint(): Promise<void> {
    const worker = this.#worker ?? this.#spawn();
    return new Promise((resolve) => {
      this.#pending = resolve;
      worker.postMessage('checkpoint');
    });
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.#file, driver: this.#driver } });
    worker.unref();
    worker.on('message', (m: { ok: boolean; result?: CheckpointResult; error?: string }) => {
      if (!m.ok) this.#onError(new Error(`WAL checkpoint failed: ${m.error}`));
      else {
        this.checkpoints++;
        this.last = m.result!;
      }
      this.#settle();
    });
    // Listened for as long as the worker lives: an 'error' nobody listens to would take the service down.
    worker.on('error', (e) => {
      if (this.#worker === worker) this.#fail(e);
    });
    // Stopped by us, it is no longer #worker; gone by itself, it must not leave a checkpoint waiting forever.
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#fail(new Error(`checkpoint thread exited (${code})`));
    });
    this.#worker = worker;
    return worker;
  }

  #settle(): void {
    const p = this.#pending;
    this.#pending = null;
    p?.();
  }

  /** The worker cannot help: give the writer back SQLite's own automatic checkpoint and stop watching. */
  #fail(e: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    const w = this.#worker;
    this.#worker = null;
    void w?.terminate();
    this.#settle();
    clearInterval(this.#timer);
    try {
      this.#main.pragma('wal_autocheckpoint = 1000');
    } catch {
      // The connection is closing; nothing left to protect.
    }
    this.#onError(new Error(`WAL checkpointer stopped, SQLite checkpoints on commit again: ${e.message}`));
  }
}
