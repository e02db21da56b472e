// The parser thread's message loop (see parse-pool.ts). Loaded by parse-worker.mjs under tsx in development, or
// directly as compiled JavaScript (dist/ingest/parse-thread.js) in production.
import { parentPort } from 'node:worker_threads';
import { parseMail } from './parse.ts';

interface Request {
  id: number;
  raw: Uint8Array;
  opts: { maxBytes?: number };
}

const port = parentPort!;
// Mails are posted ahead; they are parsed one at a time, in order, because the pool's clock for a mail starts
// when the answer for the one before it arrives.
let chain: Promise<void> = Promise.resolve();
port.on('message', (req: Request) => {
  chain = chain.then(async () => {
    // The pool enforces the time limit from outside (it can stop this thread); inside, no race is needed.
    const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
    const result = await parseMail(raw, { ...req.opts, timeoutMs: 2 ** 31 - 1 });
    port.postMessage({ id: req.id, result });
  });
});
// Loaded (the parser and its libraries imported): the pool starts the clock of the first mail only now, so a thread
// that starts slowly on a busy machine does not eat a mail's time limit.
port.postMessage({ ready: true });
