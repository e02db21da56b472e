// Worker-thread entry for ParsePool: parses one mail at a time. Plain JavaScript so that it loads without a
// TypeScript loader already in place; it registers tsx itself, then runs the real parser.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parseMail } = await import('./parse.ts');

parentPort.on('message', async ({ id, raw, opts }) => {
  // The pool enforces the time limit from outside (it can stop this thread); inside, no race is needed.
  const result = await parseMail(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), { ...opts, timeoutMs: 2 ** 31 - 1 });
  parentPort.postMessage({ id, result });
});
parentPort.postMessage({ ready: true });
