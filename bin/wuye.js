#!/usr/bin/env node
// Entry point for the `wuye` command. Runs the compiled JavaScript in dist/ (built by `npm install`/`npm ci`
// through the "prepare" script) when it is there and newer than every source file; otherwise the TypeScript
// sources through tsx, so a checkout being edited never runs stale code. WUYE_FROM_SOURCE=1 forces the sources.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  if (process.env.WUYE_FROM_SOURCE === '1') return false;
  try {
    return statSync(path.join(root, 'dist', 'cli.js')).mtimeMs >= newestMtime(path.join(root, 'src'));
  } catch {
    return false;
  }
}

let cli;
if (compiledIsFresh()) {
  cli = await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli.ts');
}
await cli.main(process.argv);
