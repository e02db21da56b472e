// The parser thread's message loop (see parse-pool.ts). Loaded by parse-worker.mjs under tsx in development, or
// directly as compiled JavaScript (dist/ingest/parse-thread.js) in production.
import { parentPort } from 'node:worker_threads';
import { parseMail } from './parse.ts';

const port = parentPort!;
port.on('message', async ({ id, raw, opts }: { id: number; raw: Uint8Array; opts: { maxBytes?: number } }) => {
  // The pool enforces the time limit from outside (it can stop this thread); inside, no race is needed.
  const result = await parseMail(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), { ...opts, timeoutMs: 2 ** 31 - 1 });
  port.postMessage({ id, result });
});
port.postMessage({ ready: true });
