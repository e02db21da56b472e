// A parser thread that takes a while to start, as one does on a machine other processes keep busy: it waits before
// loading the real parser loop (src/ingest/parse-worker.mjs), which says "ready" once loaded.
await new Promise((resolve) => setTimeout(resolve, 1_500));
await import('../../src/ingest/parse-worker.mjs');
