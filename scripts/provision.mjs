#!/usr/bin/env node
// Makes sure the real peers of the integration tests (Dovecot IMAP + LDA, PostgreSQL server, Chromium) can run on this
// machine. Fast path: only file checks, no apt. When something is missing and we are root on Debian, installs it
// with apt-get without letting the system services start (the tests run their own instances on random ports).
// Exits non-zero with the exact command to run when provisioning is impossible.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Unprivileged account that owns the PostgreSQL data dir and the test maildirs when we run as root. */
const TEST_SYSTEM_USER = 'wuyetest';

const DOVECOT_BIN_CANDIDATES = ['/usr/sbin/dovecot', '/usr/bin/dovecot', '/usr/local/sbin/dovecot'];
const LDA_CANDIDATES = ['/usr/lib/dovecot/dovecot-lda', '/usr/libexec/dovecot/dovecot-lda', '/usr/local/libexec/dovecot/dovecot-lda'];
const DOVEADM_CANDIDATES = ['/usr/bin/doveadm', '/usr/sbin/doveadm', '/usr/local/bin/doveadm'];
const PG_ROOT = '/usr/lib/postgresql';
const CHROMIUM = '/usr/bin/chromium';

const firstExisting = (paths) => paths.find((p) => existsSync(p));

function findPgBinDir() {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')) && existsSync(join(PG_ROOT, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] === undefined ? undefined : join(PG_ROOT, versions[0], 'bin');
}

function missingPieces() {
  const missing = [];
  if (!firstExisting(DOVECOT_BIN_CANDIDATES) || !firstExisting(LDA_CANDIDATES) || !firstExisting(DOVEADM_CANDIDATES)) {
    missing.push('dovecot-imapd');
  }
  if (!findPgBinDir()) missing.push('postgresql');
  // The web console's browser test drives Debian's Chromium through playwright-core (no browser download).
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  return missing;
}

function userExists(name) {
  return spawnSync('getent', ['passwd', name], { stdio: 'ignore' }).status === 0;
}

function fail(message, fixCommand) {
  process.stderr.write(`provision: ${message}\nprovision: fix it with:\n\n    ${fixCommand}\n\n`);
  process.exit(1);
}

function run(cmd, args, env = {}) {
  process.stdout.write(`provision: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

/** apt lists are missing or stale when apt cannot name a candidate version for the package. */
function aptKnows(pkg) {
  try {
    const out = execFileSync('apt-cache', ['policy', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /Candidate:\s+(?!\(none\))\S+/.test(out);
  } catch {
    return false;
  }
}

/**
 * Debian starts daemons from maintainer scripts unless /usr/sbin/policy-rc.d says no (exit 101). We install one
 * for the duration of the install if the machine has none, so dovecot/postgresql never bind 143/5432.
 */
function withServicesBlocked(fn) {
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) {
    writeFileSync(policy, '#!/bin/sh\n# temporary, written by wuye-desk scripts/provision.mjs\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    return fn();
  } finally {
    if (ours) rmSync(policy, { force: true });
  }
}

/** Belt and braces for hosts with systemd, where policy-rc.d may not be honoured. */
function stopSystemServices() {
  for (const [cmd, args] of [
    ['service', ['dovecot', 'stop']],
    ['service', ['postgresql', 'stop']],
  ]) {
    spawnSync(cmd, args, { stdio: 'ignore' });
  }
}

function main() {
  const missing = missingPieces();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const needUser = isRoot && !userExists(TEST_SYSTEM_USER);
  if (missing.length === 0 && !needUser) return;

  if (missing.length > 0) {
    const installCmd = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`;
    if (!isRoot) fail(`missing ${missing.join(', ')} and not running as root`, `sudo sh -c '${installCmd}'`);
    if (!existsSync('/usr/bin/apt-get')) fail(`missing ${missing.join(', ')} and no apt-get here`, `install ${missing.join(' ')} with this system's package manager`);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const ok = withServicesBlocked(() => {
      if (!missing.every(aptKnows) && !run('apt-get', ['update'], env)) return false;
      return run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], env);
    });
    stopSystemServices();
    const still = missingPieces();
    if (!ok || still.length > 0) fail(`could not install ${still.join(', ') || missing.join(', ')}`, installCmd);
  }

  if (needUser) {
    const cmd = ['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', TEST_SYSTEM_USER];
    if (!run(cmd[0], cmd.slice(1))) fail(`could not create system user ${TEST_SYSTEM_USER}`, cmd.join(' '));
  }
}

const started = Date.now();
main();
if (Date.now() - started > 1000) process.stdout.write(`provision: peers ready (${Date.now() - started} ms)\n`);
