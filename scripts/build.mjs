#!/usr/bin/env node
// `npm run build`, and the "prepare" step of `npm install`/`npm ci`: compiles src/ to dist/ (see
// tsconfig.build.json). Where TypeScript is not installed (`npm ci --omit=dev` on a server), it says so and
// succeeds: bin/wuye.js then runs the sources through tsx, which is a runtime dependency.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.log('wuye: TypeScript not installed; the service will run from src/ through tsx (no dist/ build).');
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
