// A real Dovecot IMAP server for integration tests: own config, state, log and maildirs in a temp dir, IMAP on a
// random loopback port without TLS, passwd-file users with {PLAIN} passwords, delivery through dovecot-lda.
// Every operation works from a plain `DovecotInfo`, so a handle can be rebuilt in another process (vitest workers)
// from what the global setup provides.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForListen } from './ports.ts';

export const DOVECOT_DIR_PREFIX = 'wuye-dovecot-';
export const PROVISION_HINT =
  'run `node scripts/provision.mjs` as root (it runs `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd postgresql`)';
/** Unprivileged account created by scripts/provision.mjs; it owns the maildirs when the tests run as root. */
export const TEST_SYSTEM_USER = 'wuyetest';

export interface DovecotUser {
  /** IMAP login name (also the dovecot-lda `-d` argument). */
  user: string;
  password: string;
  /** Mail address of the mailbox; equals `user` when users are given as addresses. */
  address: string;
}

/** Everything needed to drive a running instance, serialisable for vitest's provide/inject. */
export interface DovecotInfo {
  host: string;
  port: number;
  dir: string;
  configPath: string;
  /** One passwd-file per user: dovecot opens a new file at once, while it re-reads a changed one at most once a second. */
  usersDir: string;
  mailRoot: string;
  logPath: string;
  version: string;
  mailUid: number;
  mailGid: number;
  binaries: DovecotBinaries;
  users: DovecotUser[];
}

export interface DeliverOptions {
  /** Envelope sender (`-f`). */
  from?: string;
  /** Target mailbox (`-m`), created if missing; INBOX when omitted. */
  mailbox?: string;
}

export interface DovecotPeer {
  readonly host: string;
  readonly port: number;
  /** Users known at start or added through this handle (another process's `addUser` is not seen here). */
  readonly users: DovecotUser[];
  readonly info: DovecotInfo;
  /**
   * Delivers raw RFC 822 bytes as the MTA would (dovecot-lda). CRLF input comes back byte-exact over IMAP.
   * Needs the server running (user lookup goes through its auth process).
   */
  deliver(user: string, raw: Buffer | string, opts?: DeliverOptions): Promise<void>;
  /** Adds a user (login = address); the running server knows it at once. */
  addUser(address: string, password?: string): Promise<DovecotUser>;
  /** Stops the server (port closed) and keeps all mail. */
  stop(): Promise<void>;
  /** Starts it again on the same port; no-op when running. */
  start(): Promise<void>;
  isRunning(): Promise<boolean>;
  /** Current UIDVALIDITY of a mailbox (doveadm; server must run). */
  uidValidity(user: string, mailbox?: string): Promise<number>;
  /** Sets UIDVALIDITY on the live server (doveadm mailbox update); existing UIDs stay. */
  setUidValidity(user: string, value: number, mailbox?: string): Promise<void>;
  /**
   * Simulates a rebuilt mailbox: deletes INBOX's uidlist and index files (stopping the server meanwhile if it
   * runs), so the messages stay but get a new, larger UIDVALIDITY and UIDs from 1.
   */
  resetMailbox(user: string): Promise<void>;
  /** Stops the server and removes the temp dir with all mail. */
  close(): Promise<void>;
}

export interface StartDovecotOptions {
  /** Mail addresses to create (login = address), or how many `userN@wuye.test` users; default 1. */
  users?: string[] | number;
  /** Password for all created users; default `secret`. */
  password?: string;
  /** Fixed IMAP port; a free one by default. */
  port?: number;
}

export interface DovecotBinaries {
  dovecot: string;
  lda: string;
  doveadm: string;
}

const firstExisting = (paths: string[]): string | undefined => paths.find((p) => existsSync(p));

/** Locates the binaries or throws with the command that installs them. */
export function findDovecotBinaries(): DovecotBinaries {
  const dovecot = firstExisting(['/usr/sbin/dovecot', '/usr/bin/dovecot', '/usr/local/sbin/dovecot']);
  const lda = firstExisting([
    '/usr/lib/dovecot/dovecot-lda',
    '/usr/libexec/dovecot/dovecot-lda',
    '/usr/local/libexec/dovecot/dovecot-lda',
  ]);
  const doveadm = firstExisting(['/usr/bin/doveadm', '/usr/sbin/doveadm', '/usr/local/bin/doveadm']);
  if (!dovecot || !lda || !doveadm) {
    throw new Error(`Dovecot is not installed (need dovecot, dovecot-lda, doveadm): ${PROVISION_HINT}`);
  }
  return { dovecot, lda, doveadm };
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input?: Buffer | string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

async function runOrThrow(what: string, cmd: string, args: string[], input?: Buffer | string, logPath?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code === 0) return r.stdout;
  const log = logPath ? await tailOf(logPath) : '';
  throw new Error(`${what} failed (exit ${r.code}): ${cmd} ${args.join(' ')}\n${r.stderr}${r.stdout}${log ? `\n--- ${logPath} ---\n${log}` : ''}`);
}

async function tailOf(path: string, lines = 20): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** `2.3.19.1 (9b53102964)` → `2.3.19.1` */
export async function dovecotVersion(binary = findDovecotBinaries().dovecot): Promise<string> {
  const out = await runOrThrow('dovecot --version', binary, ['--version']);
  return out.trim().split(/\s+/)[0] ?? '0';
}

const isAtLeast24 = (version: string): boolean => {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 4);
};

interface Account {
  name: string;
  uid: number;
  gid: number;
}

async function lookupAccount(name: string): Promise<Account | undefined> {
  const r = await run('getent', ['passwd', name]);
  if (r.code !== 0) return undefined;
  const [, , uid, gid] = r.stdout.trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

interface RunAs {
  mail: Account;
  loginUser: string;
  internalUser: string;
  /** Non-root only: our primary group, since dovecot chowns some sockets to the internal group. */
  internalGroup?: string;
  asRoot: boolean;
}

/**
 * Dovecot refuses to deliver mail as root (first_valid_uid), so as root the maildirs belong to an unprivileged
 * account; its own login/internal users are used when the package created them. Not root: everything runs as us.
 */
async function chooseAccounts(): Promise<RunAs> {
  const me = userInfo();
  if (me.uid !== 0) {
    const self = { name: me.username, uid: me.uid, gid: me.gid };
    const group = (await run('getent', ['group', String(me.gid)])).stdout.split(':')[0] || me.username;
    return { mail: self, loginUser: me.username, internalUser: me.username, internalGroup: group, asRoot: false };
  }
  const mail = (await lookupAccount(TEST_SYSTEM_USER)) ?? (await lookupAccount('nobody'));
  if (!mail) throw new Error(`no unprivileged account for the maildirs: ${PROVISION_HINT}`);
  const loginUser = (await lookupAccount('dovenull'))?.name ?? mail.name;
  const internalUser = (await lookupAccount('dovecot'))?.name ?? mail.name;
  return { mail, loginUser, internalUser, asRoot: true };
}

function renderConfig(o: {
  version: string;
  dir: string;
  port: number;
  usersDir: string;
  logPath: string;
  accounts: RunAs;
}): string {
  const base = [
    'protocols = imap',
    'listen = 127.0.0.1',
    `base_dir = ${o.dir}/run`,
    `state_dir = ${o.dir}/state`,
    `log_path = ${o.logPath}`,
    'ssl = no',
    'auth_mechanisms = plain login',
    `default_login_user = ${o.accounts.loginUser}`,
    `default_internal_user = ${o.accounts.internalUser}`,
    ...(o.accounts.internalGroup ? [`default_internal_group = ${o.accounts.internalGroup}`] : []),
    'first_valid_uid = 1',
    // Wrong-password tests would otherwise wait 2 s per failure.
    'auth_failure_delay = 0',
  ];
  const noChroot = o.accounts.asRoot ? [] : ['  chroot ='];
  const listener = [
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${o.port}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    ...noChroot,
    '}',
    // Without this socket auth has no penalty tracking: one wrong-password test would otherwise delay every
    // later login from 127.0.0.1 by up to 15 s.
    'service anvil {',
    '  unix_listener anvil-auth-penalty {',
    '    mode = 0',
    '  }',
    ...(o.accounts.asRoot ? [] : ['  chroot =']),
    '}',
  ];
  if (isAtLeast24(o.version)) {
    // 2.4 renamed most settings and requires the version header first.
    return [
      'dovecot_config_version = 2.4.0',
      'dovecot_storage_version = 2.4.0',
      ...base,
      'auth_allow_cleartext = yes',
      'mail_driver = maildir',
      'mail_path = ~/Maildir',
      'passdb passwd-file {',
      `  passwd_file_path = ${o.usersDir}/%{user}`,
      '}',
      'userdb passwd-file {',
      `  passwd_file_path = ${o.usersDir}/%{user}`,
      '}',
      ...listener,
      'postmaster_address = postmaster@wuye.test',
      '',
    ].join('\n');
  }
  return [
    ...base,
    'disable_plaintext_auth = no',
    'mail_location = maildir:~/Maildir',
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${o.usersDir}/%u`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = username_format=%u ${o.usersDir}/%u`,
    '}',
    ...listener,
    'protocol lda {',
    '  postmaster_address = postmaster@wuye.test',
    '}',
    '',
  ].join('\n');
}

const homeOf = (info: DovecotInfo, user: string): string => join(info.mailRoot, user);

function passwdLine(info: DovecotInfo, u: DovecotUser): string {
  if (/[:\n]/.test(u.password)) throw new Error(`dovecot password may not contain ':' or a newline (${u.user})`);
  return `${u.user}:{PLAIN}${u.password}:${info.mailUid}:${info.mailGid}::${homeOf(info, u.user)}::\n`;
}

async function writeUser(info: DovecotInfo, u: DovecotUser): Promise<void> {
  if (!/^[A-Za-z0-9@._+-]+$/.test(u.user)) throw new Error(`dovecot test user must be a plain address: ${u.user}`);
  const home = homeOf(info, u.user);
  await mkdir(home, { recursive: true });
  await chown(home, info.mailUid, info.mailGid);
  await writeFile(join(info.usersDir, u.user), passwdLine(info, u), { mode: 0o644 });
}

/** Linux `/proc/<pid>/stat`: state letter and process group (the command name may contain spaces). */
function procStat(pid: number): { state: string; pgid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/**
 * Alive and not a zombie: the daemonised master is reparented to init, which here reaps it only after a second
 * or more, and a zombie still answers kill(pid, 0).
 */
function processAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** Any live (non-zombie) member of the process group. */
function groupAlive(pgid: number): boolean {
  return readdirSync('/proc').some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const stat = procStat(Number(entry));
    return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z';
  });
}

async function masterPid(info: DovecotInfo): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(info.dir, 'run', 'master.pid'), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid's command line; guards against killing an unrelated process that reused a stale pid. */
async function commandLineOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/**
 * Stops the master and its children at once: the daemonised master leads its own process group, and a plain
 * SIGTERM to it alone leaves imap-login holding the port for seconds.
 */
async function stopServer(info: DovecotInfo): Promise<void> {
  const pid = await masterPid(info);
  if (pid === undefined) return;
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signalGroup('SIGTERM');
  // The master waits up to 6 s for a login process that ignores SIGTERM; maildirs are crash-safe, so after a
  // short grace the rest is killed.
  const deadline = Date.now() + 1_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (groupAlive(pid)) signalGroup('SIGKILL');
  await waitGone(pid, 5_000);
  await waitForListen(info.port, false, 10_000);
  // A not yet reaped zombie master still answers kill(pid, 0): dovecot would refuse to start, "already running".
  await rm(join(info.dir, 'run', 'master.pid'), { force: true });
  // Killed children leave their sockets behind; tools would get 'connection refused' instead of a clear
  // 'no such file' while the server is down.
  await removeSockets(join(info.dir, 'run'));
}

async function removeSockets(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((e) => e.isSocket() || e.isFIFO()).map((e) => rm(join(dir, e.name), { force: true })));
}

/**
 * `dovecot -c conf` forks the master and returns. Its output goes to a file, not to pipes, which the daemon
 * would inherit and hold open.
 */
async function launchDaemon(info: DovecotInfo): Promise<void> {
  const outPath = join(info.dir, 'start.out');
  const out = await open(outPath, 'w');
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(info.binaries.dovecot, ['-c', info.configPath], { stdio: ['ignore', out.fd, out.fd] });
      child.once('error', reject);
      child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    if (code !== 0) {
      const output = await readFile(outPath, 'utf8');
      throw new Error(`dovecot start failed (exit ${code}): ${output}\n--- ${info.logPath} ---\n${await tailOf(info.logPath)}`);
    }
  } finally {
    await out.close();
  }
}

async function startServer(info: DovecotInfo): Promise<void> {
  if ((await masterPid(info)) !== undefined) return;
  await launchDaemon(info);
  // The listeners are bound before the daemonised master writes master.pid: wait for both.
  const deadline = Date.now() + 15_000;
  while ((await masterPid(info)) === undefined) {
    if (Date.now() > deadline) throw new Error(`dovecot wrote no master.pid\n--- ${info.logPath} ---\n${await tailOf(info.logPath)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitForListen(info.port, true).catch(async (e: Error) => {
    throw new Error(`${e.message}\n--- ${info.logPath} ---\n${await tailOf(info.logPath)}`);
  });
}

async function doveadm(info: DovecotInfo, args: string[]): Promise<string> {
  return runOrThrow('doveadm', info.binaries.doveadm, ['-c', info.configPath, ...args], undefined, info.logPath);
}

/** Rebuilds a full handle from the serialisable info (same process or another one). */
export function dovecotFromInfo(info: DovecotInfo): DovecotPeer {
  const users = [...info.users];
  const peer: DovecotPeer = {
    host: info.host,
    port: info.port,
    users,
    info,
    async deliver(user, raw, opts = {}) {
      // dovecot-lda looks users up through the server's auth process: no delivery while stopped.
      if ((await masterPid(info)) === undefined) throw new Error(`dovecot is stopped: start() it before deliver(${user})`);
      const args = ['-c', info.configPath, '-d', user];
      if (opts.from) args.push('-f', opts.from);
      if (opts.mailbox) args.push('-m', opts.mailbox, '-o', 'lda_mailbox_autocreate=yes');
      await runOrThrow(`dovecot-lda delivery to ${user}`, info.binaries.lda, args, raw, info.logPath);
    },
    async addUser(address, password = 'secret') {
      const u: DovecotUser = { user: address, password, address };
      await writeUser(info, u);
      users.push(u);
      return u;
    },
    stop: () => stopServer(info),
    start: () => startServer(info),
    async isRunning() {
      return (await masterPid(info)) !== undefined;
    },
    async uidValidity(user, mailbox = 'INBOX') {
      const out = await doveadm(info, ['-f', 'flow', 'mailbox', 'status', '-u', user, 'uidvalidity', mailbox]);
      const m = /uidvalidity=(\d+)/.exec(out);
      if (!m?.[1]) throw new Error(`doveadm gave no uidvalidity: ${out}`);
      return Number(m[1]);
    },
    async setUidValidity(user, value, mailbox = 'INBOX') {
      await doveadm(info, ['mailbox', 'update', '-u', user, '--uid-validity', String(value), mailbox]);
    },
    async resetMailbox(user) {
      const wasRunning = await peer.isRunning();
      if (wasRunning) await stopServer(info);
      const maildir = join(homeOf(info, user), 'Maildir');
      if (existsSync(maildir)) {
        for (const f of readdirSync(maildir)) {
          if (f === 'dovecot-uidlist' || f.startsWith('dovecot.index') || f.startsWith('dovecot.list.index')) {
            await rm(join(maildir, f), { force: true });
          }
        }
      }
      if (wasRunning) await startServer(info);
    },
    async close() {
      await stopServer(info);
      await rm(info.dir, { recursive: true, force: true });
    },
  };
  return peer;
}

function userList(spec: StartDovecotOptions['users']): string[] {
  if (Array.isArray(spec)) return spec;
  const n = spec ?? 1;
  return Array.from({ length: n }, (_, i) => `user${i + 1}@wuye.test`);
}

export async function startDovecot(opts: StartDovecotOptions = {}): Promise<DovecotPeer> {
  const binaries = findDovecotBinaries();
  const [version, accounts, port] = await Promise.all([
    dovecotVersion(binaries.dovecot),
    chooseAccounts(),
    opts.port ?? freePort(),
  ]);
  const dir = await mkdtemp(join(tmpdir(), DOVECOT_DIR_PREFIX));
  // The mail uid must reach its maildirs under this dir.
  await chmod(dir, 0o755);
  const info: DovecotInfo = {
    host: '127.0.0.1',
    port,
    dir,
    configPath: join(dir, 'dovecot.conf'),
    usersDir: join(dir, 'users'),
    mailRoot: join(dir, 'mail'),
    logPath: join(dir, 'dovecot.log'),
    version,
    mailUid: accounts.mail.uid,
    mailGid: accounts.mail.gid,
    binaries,
    users: [],
  };
  try {
    await writeFile(join(dir, 'owner.pid'), String(process.pid));
    await Promise.all([mkdir(join(dir, 'run')), mkdir(join(dir, 'state')), mkdir(info.mailRoot), mkdir(info.usersDir)]);
    const password = opts.password ?? 'secret';
    info.users = userList(opts.users).map((address) => ({ user: address, password, address }));
    for (const u of info.users) await writeUser(info, u);
    await writeFile(info.configPath, renderConfig({ version, dir, port, usersDir: info.usersDir, logPath: info.logPath, accounts }));
    await startServer(info);
  } catch (e) {
    await stopServer(info).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return dovecotFromInfo(info);
}

/**
 * Stops and removes instances left behind by test processes that died without closing them (their owner.pid
 * process is gone). Only touches dirs this module created.
 */
export async function reapStaleDovecots(): Promise<number> {
  let reaped = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DOVECOT_DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const ownerText = await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => undefined);
    // No owner.pid yet: another process may be creating it right now.
    if (ownerText === undefined || processAlive(Number(ownerText))) continue;
    const pid = Number((await readFile(join(dir, 'run', 'master.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0 && processAlive(pid) && (await commandLineOf(pid)).includes(dir)) {
      process.kill(-pid, 'SIGTERM');
      if (!(await waitGone(pid, 5_000))) process.kill(-pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
    reaped++;
  }
  return reaped;
}
