// A parser thread that stalls on its first mail, as one may on a machine other processes keep busy — but only the
// first such thread of a test (a marker file names it): the fresh thread a retry gets parses normally. The stall
// comes before the real parser loop (src/ingest/parse-worker.mjs) sees the mail.
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const marker = process.env.WUYE_TEST_HICCUP_MARKER;
if (marker && !existsSync(marker)) {
  writeFileSync(marker, 'stalled once');
  let stalled = false;
  parentPort.on('message', () => {
    if (stalled) return;
    stalled = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3_000); // blocks this thread, as a busy CPU would
  });
}
await import('../../src/ingest/parse-worker.mjs');
