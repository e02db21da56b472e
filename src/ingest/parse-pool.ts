// Parsing in worker threads, so the per-mail time limit is real: mailparser's HTML conversion and other
// synchronous work cannot be interrupted by a timer on the same thread, but a worker can be stopped from outside.
// Each lane is one worker that parses its mails one after another. Mails are posted to it ahead (up to `depth`),
// so the worker never sits idle waiting for this thread to hand over the next one while this thread is busy
// storing the last (a round trip per mail cost a backlog a third of its speed). The clock of a mail starts when
// the worker starts it: at posting if the worker was idle, else when the result of the mail before it arrives — and
// never before a new worker says it has loaded (starting one can take seconds on a busy machine, which is no fault
// of the mail). A stuck worker is stopped; its mail is timed out and the mails queued behind it go to a fresh worker.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ParseOptions, ParseResult } from './parse.ts';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './limits.ts';

interface Job {
  id: number;
  raw: Buffer;
  opts: ParseOptions;
  resolve: (r: ParseResult) => void;
  /** Timed out once already: this is its second chance, with the longer limit. */
  retried?: boolean;
}

/**
 * A mail that times out gets one more try on a fresh thread with this many times its limit before it is
 * quarantined: time is wall-clock, and on a machine other processes keep busy a normal mail can overrun it.
 */
export const RETRY_TIMEOUT_FACTOR = 3;

/** Mails posted ahead to one worker: enough to cover a hand-over, few enough that a stuck mail delays little. */
const DEFAULT_DEPTH = 4;

class ParseLane {
  #worker: Worker | null = null;
  /** Posted to the current worker, in order; the first is the one being parsed. */
  #posted: Job[] = [];
  /** Not yet posted (the worker has `depth` already, or is starting). */
  #queue: Job[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** The current worker has loaded the parser (its first message). */
  #ready = false;
  #seq = 0;
  #closed = false;

  constructor(
    private readonly depth: number,
    private readonly workerUrl?: URL,
  ) {}

  /** Mails waiting or being parsed here. */
  get load(): number {
    return this.#queue.length + this.#posted.length;
  }

  parse(raw: Buffer, opts: ParseOptions = {}): Promise<ParseResult> {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    // Cheap refusals stay on this thread: no copy of a 30 MB mail to the worker just to hear "too large".
    if (raw.length === 0) return Promise.resolve({ ok: false, reason: '空邮件 empty input (0 bytes)' });
    if (raw.length > maxBytes) {
      return Promise.resolve({ ok: false, reason: `邮件过大 too large (${(raw.length / 1048576).toFixed(1)} MB > ${(maxBytes / 1048576).toFixed(1)} MB)` });
    }
    if (this.#closed) return Promise.resolve({ ok: false, reason: '解析进程已关闭 parser closed' });
    return new Promise((resolve) => {
      this.#queue.push({ id: ++this.#seq, raw, opts, resolve });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    const w = this.#worker;
    this.#worker = null;
    for (const job of [...this.#posted.splice(0), ...this.#queue.splice(0)]) job.resolve({ ok: false, reason: '解析进程已关闭 parser closed' });
    await w?.terminate();
  }

  /** Posts queued mails while the worker has room; starts a worker when there is none. */
  #pump(): void {
    if (this.#closed) return;
    if (!this.#worker) {
      if (!this.#queue.length) return;
      this.#spawn();
    }
    while (this.#queue.length && this.#posted.length < this.depth) {
      const job = this.#queue.shift()!;
      this.#posted.push(job);
      this.#worker!.postMessage({ id: job.id, raw: job.raw, opts: { maxBytes: job.opts.maxBytes } });
      if (this.#posted.length === 1 && this.#ready) this.#startClock();
    }
  }

  #spawn(): void {
    // Compiled (dist/…/parse-pool.js): the compiled loop; from the sources: the entry that registers tsx first.
    const entry = import.meta.url.endsWith('.js') ? './parse-thread.js' : './parse-worker.mjs';
    const worker = new Worker(this.workerUrl ?? new URL(entry, import.meta.url));
    worker.unref();
    this.#worker = worker;
    this.#ready = false;
    worker.on('message', (m: { id: number; result: ParseResult } | { ready: true }) => {
      if (this.#worker !== worker) return; // a stopped worker's late answer
      if ('ready' in m) {
        this.#ready = true;
        if (this.#posted.length && !this.#timer) this.#startClock();
        return;
      }
      const head = this.#posted[0];
      if (!head || head.id !== m.id) return;
      this.#posted.shift();
      this.#clearTimer();
      if (this.#posted.length) this.#startClock();
      head.resolve(revive(m.result));
      this.#pump();
    });
    const lost = (reason: string) => {
      if (this.#worker !== worker) return;
      // The mail being parsed is the one that took the worker down; the ones behind it get a fresh worker.
      this.#retire(reason);
    };
    worker.once('error', (e) => lost(`解析进程出错 parser thread failed: ${e.message}`));
    worker.once('exit', () => lost('解析进程退出 parser thread exited'));
  }

  #startClock(): void {
    const head = this.#posted[0]!;
    const limit = head.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeoutMs = head.retried ? limit * RETRY_TIMEOUT_FACTOR : limit;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#posted[0] !== head) return;
      if (head.retried) this.#retire(`解析超时 parse timed out (> ${limit / 1000} s, again > ${timeoutMs / 1000} s on a fresh thread)`);
      else this.#retryOnFreshWorker();
    }, timeoutMs);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Stops the current worker: its current mail ends with `reason`, the rest are posted again to a new one. */
  #retire(reason: string): void {
    const [head, ...rest] = this.#stopWorker();
    this.#queue.unshift(...rest);
    head?.resolve({ ok: false, reason });
    this.#pump();
  }

  /** Stops the current worker after its mail's first time-out: the mail goes first to a new one, with the longer limit. */
  #retryOnFreshWorker(): void {
    const posted = this.#stopWorker();
    if (posted[0]) posted[0].retried = true;
    this.#queue.unshift(...posted);
    this.#pump();
  }

  /** Terminates the current worker; returns the mails it had been posted, the one being parsed first. */
  #stopWorker(): Job[] {
    this.#clearTimer();
    const worker = this.#worker;
    this.#worker = null;
    void worker?.terminate();
    return this.#posted.splice(0);
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

export interface ParsePoolOptions {
  /** Worker threads (default: defaultParserThreads()); each is started when there is work for it. */
  size?: number;
  /** Mails posted ahead to each worker. */
  depth?: number;
  /** The worker's script (default: the parser loop of this folder); tests give one that starts slowly. */
  workerUrl?: URL;
}

/**
 * One parser thread per core beyond the one this thread needs for storing, at most two: on a 2-core machine a
 * second parser only competes with this thread, which is the slower half of a backlog.
 */
export function defaultParserThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores - 1));
}

export class ParsePool {
  readonly #lanes: ParseLane[];
  constructor(opts: ParsePoolOptions = {}) {
    const size = Math.max(1, opts.size ?? defaultParserThreads());
    this.#lanes = Array.from({ length: size }, () => new ParseLane(Math.max(1, opts.depth ?? DEFAULT_DEPTH), opts.workerUrl));
  }

  parse(raw: Buffer, opts: ParseOptions = {}): Promise<ParseResult> {
    const lane = this.#lanes.reduce((a, b) => (b.load < a.load ? b : a));
    return lane.parse(raw, opts);
  }

  async close(): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.close()));
  }
}
