// Parsing in a worker thread, so the per-mail time limit is real: mailparser's HTML conversion and other
// synchronous work cannot be interrupted by a timer on the same thread, but a worker can be stopped from outside.
// Each lane parses one mail at a time; a backlog (several mails in flight) spreads over the lanes, the second one
// started only when there is work for it. A stopped worker is replaced for the next mail.
import { Worker } from 'node:worker_threads';
import type { ParseOptions, ParseResult } from './parse.ts';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './limits.ts';

interface Job {
  id: number;
  raw: Buffer;
  opts: ParseOptions;
  resolve: (r: ParseResult) => void;
}

class ParseLane {
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  #pending = new Map<number, (r: ParseResult) => void>();
  #queue: Job[] = [];
  #busy = false;
  #seq = 0;
  #closed = false;

  /** Mails waiting or being parsed here. */
  get load(): number {
    return this.#queue.length + (this.#busy ? 1 : 0);
  }

  parse(raw: Buffer, opts: ParseOptions = {}): Promise<ParseResult> {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    // Cheap refusals stay on this thread: no copy of a 30 MB mail to the worker just to hear "too large".
    if (raw.length === 0) return Promise.resolve({ ok: false, reason: '空邮件 empty input (0 bytes)' });
    if (raw.length > maxBytes) {
      return Promise.resolve({ ok: false, reason: `邮件过大 too large (${(raw.length / 1048576).toFixed(1)} MB > ${(maxBytes / 1048576).toFixed(1)} MB)` });
    }
    return new Promise((resolve) => {
      this.#queue.push({ id: ++this.#seq, raw, opts, resolve });
      void this.#next();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = null;
    await w?.terminate();
  }

  #spawn(): Promise<void> {
    // Compiled (dist/…/parse-pool.js): the compiled loop; from the sources: the entry that registers tsx first.
    const entry = import.meta.url.endsWith('.js') ? './parse-thread.js' : './parse-worker.mjs';
    const worker = new Worker(new URL(entry, import.meta.url));
    worker.unref();
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean; id?: number; result?: ParseResult }) => {
        if (m.ready) return resolve();
        const done = this.#pending.get(m.id!);
        this.#pending.delete(m.id!);
        done?.(revive(m.result!));
      };
      worker.on('message', onMessage);
      worker.once('error', (e) => {
        reject(e);
        this.#failAll(`解析进程出错 parser thread failed: ${e.message}`);
      });
      worker.once('exit', () => {
        if (this.#worker === worker) this.#worker = null;
        this.#failAll('解析进程退出 parser thread exited');
      });
    });
    return this.#ready;
  }

  #failAll(reason: string): void {
    for (const [id, done] of this.#pending) {
      this.#pending.delete(id);
      done({ ok: false, reason });
    }
  }

  async #next(): Promise<void> {
    if (this.#busy || this.#closed) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#busy = true;
    try {
      job.resolve(await this.#run(job));
    } catch (e) {
      job.resolve({ ok: false, reason: `解析进程无法启动 parser thread could not start: ${(e as Error).message}` });
    } finally {
      this.#busy = false;
      void this.#next();
    }
  }

  async #run(job: Job): Promise<ParseResult> {
    if (!this.#worker) await this.#spawn();
    else await this.#ready;
    const worker = this.#worker!;
    const timeoutMs = job.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<ParseResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(job.id);
        // Stop the thread that is stuck; the next mail gets a fresh one.
        if (this.#worker === worker) this.#worker = null;
        void worker.terminate();
        resolve({ ok: false, reason: `解析超时 parse timed out (> ${timeoutMs / 1000} s)` });
      }, timeoutMs);
      this.#pending.set(job.id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      worker.postMessage({ id: job.id, raw: job.raw, opts: { maxBytes: job.opts.maxBytes } });
    });
  }
}

/** Structured clone turns Buffers into Uint8Arrays; give attachments their Buffer back. */
function revive(r: ParseResult): ParseResult {
  if (!r.ok) return r;
  for (const a of r.mail.attachments) {
    const c = a.content as unknown as Uint8Array;
    a.content = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }
  return r;
}

export class ParsePool {
  readonly #lanes: ParseLane[];
  constructor(size = 2) {
    this.#lanes = Array.from({ length: Math.max(1, size) }, () => new ParseLane());
  }

  parse(raw: Buffer, opts: ParseOptions = {}): Promise<ParseResult> {
    const lane = this.#lanes.reduce((a, b) => (b.load < a.load ? b : a));
    return lane.parse(raw, opts);
  }

  async close(): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.close()));
  }
}
