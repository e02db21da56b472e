#!/usr/bin/env node
// `npm test`: provisions the real peers (fast when present), then runs vitest over all projects.
// `npm test -- --stress` runs only the `stress` project. Other arguments go to vitest unchanged.
// Exit code: provisioning's when it fails, vitest's otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const provision = spawnSync(process.execPath, [join(root, 'scripts', 'provision.mjs')], { cwd: root, stdio: 'inherit' });
if (provision.status !== 0) process.exit(provision.status ?? 1);

const args = process.argv.slice(2);
const stress = args.includes('--stress');
const passThrough = args.filter((a) => a !== '--stress');
const vitestArgs = ['run', ...(stress ? ['--project', 'stress'] : []), ...passThrough];

// The local binary avoids npx's registry look-up; npx is the fallback.
const localVitest = join(root, 'node_modules', '.bin', 'vitest');
const [cmd, argv] = existsSync(localVitest) ? [localVitest, vitestArgs] : ['npx', ['vitest', ...vitestArgs]];

const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit' });
// Let vitest run its teardown (which stops the peers) before we go: Ctrl-C already reaches vitest through the
// terminal's process group, so only SIGTERM is forwarded.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
