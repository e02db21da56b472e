// A throwaway PostgreSQL cluster for integration tests: initdb + pg_ctl from /usr/lib/postgresql/<highest>/bin in a
// temp dir, loopback TCP on a random port, trust auth, durability off for speed. PostgreSQL refuses to run as
// root, so as root the cluster belongs to an unprivileged account and pg_ctl runs through `runuser`.
// Every operation works from a plain `PgInfo`, so vitest workers rebuild a handle from what the global setup provides.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';

export const PG_DIR_PREFIX = 'wuye-pg-';
const PG_ROOT = '/usr/lib/postgresql';
const PROVISION_HINT =
  'run `node scripts/provision.mjs` as root (it runs `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd postgresql`)';
/** Created by scripts/provision.mjs; preferred owner of the cluster when we are root. */
const TEST_SYSTEM_USER = 'wuyetest';
const SUPERUSER = 'postgres';

/** Everything needed to drive a running cluster, serialisable for vitest's provide/inject. */
export interface PgInfo {
  host: string;
  port: number;
  user: string;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  dir: string;
  dataDir: string;
  socketDir: string;
  logPath: string;
  binDir: string;
  /** Account that runs the server when we are root; null when it runs as us. */
  runAs: string | null;
}

export interface PgPeer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly info: PgInfo;
  /** Creates (or drops and re-creates) a database; resolves to its URL. */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Fast restart (open connections are cut); same port, data kept. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes the temp dir. */
  close(): Promise<void>;
}

/** Highest installed server version's bin dir, or throws with the command that installs one. */
export function findPgBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(PG_ROOT, v, 'bin', b))))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions[0] === undefined) throw new Error(`PostgreSQL server binaries not found under ${PG_ROOT}: ${PROVISION_HINT}`);
  return join(PG_ROOT, versions[0], 'bin');
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    // pg_ctl hands the postmaster a log file (-l), so our pipes close when pg_ctl exits.
    child.once('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

async function tailOf(path: string, lines = 20): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
}

/** Runs a PostgreSQL binary as the cluster's owner. */
async function pgBin(info: PgInfo, bin: string, args: string[]): Promise<string> {
  const path = join(info.binDir, bin);
  const [cmd, argv] = info.runAs ? ['runuser', ['-u', info.runAs, '--', path, ...args]] : [path, args];
  const r = await run(cmd, argv, info.dir);
  if (r.code === 0) return r.stdout;
  throw new Error(
    `${bin} failed (exit ${r.code}): ${cmd} ${argv.join(' ')}\n${r.stderr}${r.stdout}\n--- ${info.logPath} ---\n${await tailOf(info.logPath)}`,
  );
}

async function accountExists(name: string): Promise<boolean> {
  return (await run('getent', ['passwd', name], '/')).code === 0;
}

async function chooseOwner(): Promise<string | null> {
  if (userInfo().uid !== 0) return null;
  for (const name of [TEST_SYSTEM_USER, 'postgres']) if (await accountExists(name)) return name;
  throw new Error(`PostgreSQL cannot run as root and no unprivileged account exists: ${PROVISION_HINT}`);
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name: ${name}`);
  return `"${name}"`;
}

async function withAdmin<T>(info: PgInfo, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: info.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const urlFor = (info: Pick<PgInfo, 'user' | 'host' | 'port'>, db: string): string =>
  `postgres://${info.user}@${info.host}:${info.port}/${db}`;

/** `pg_ctl status`: 0 running, 3 not running (a stale postmaster.pid after a crash counts as not running). */
async function isRunning(info: PgInfo): Promise<boolean> {
  const path = join(info.binDir, 'pg_ctl');
  const args = ['status', '-D', info.dataDir];
  const r = info.runAs ? await run('runuser', ['-u', info.runAs, '--', path, ...args], info.dir) : await run(path, args, info.dir);
  return r.code === 0;
}

export function pgFromInfo(info: PgInfo): PgPeer {
  const start = async (): Promise<void> => {
    if (await isRunning(info)) return;
    await pgBin(info, 'pg_ctl', ['start', '-w', '-t', '60', '-D', info.dataDir, '-l', info.logPath]);
  };
  const stop = async (): Promise<void> => {
    if (!(await isRunning(info))) return;
    await pgBin(info, 'pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', info.dataDir]);
  };
  return {
    url: info.url,
    host: info.host,
    port: info.port,
    info,
    async createDatabase(name) {
      const ident = quoteIdent(name);
      await withAdmin(info, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${ident}`);
      });
      return urlFor(info, name);
    },
    async dropDatabase(name) {
      const ident = quoteIdent(name);
      await withAdmin(info, (c) => c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`));
    },
    async restart() {
      await stop();
      await start();
    },
    stop,
    start,
    async close() {
      await stop().catch(() => undefined);
      await rm(info.dir, { recursive: true, force: true });
    },
  };
}

/**
 * `settings`: more postgresql.conf lines (name → value), e.g. the bench's shared_buffers: a million cases are a 5 GB
 * database, which the default 128 MB of shared buffers reads mostly from the OS cache, as no deployment would.
 */
export async function startPostgres(settings: Readonly<Record<string, string>> = {}): Promise<PgPeer> {
  const binDir = findPgBinDir();
  const [runAs, port] = await Promise.all([chooseOwner(), freePort()]);
  const dir = await mkdtemp(join(tmpdir(), PG_DIR_PREFIX));
  const info: PgInfo = {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    url: urlFor({ user: SUPERUSER, host: '127.0.0.1', port }, 'postgres'),
    dir,
    dataDir: join(dir, 'data'),
    socketDir: join(dir, 'sock'),
    logPath: join(dir, 'postgres.log'),
    binDir,
    runAs,
  };
  try {
    await writeFile(join(dir, 'owner.pid'), String(process.pid));
    await mkdir(info.socketDir);
    if (runAs) {
      const { uid, gid } = await accountIds(runAs);
      await chmod(dir, 0o755);
      for (const p of [dir, info.socketDir]) await chown(p, uid, gid);
    }
    await pgBin(info, 'initdb', [
      '-D', info.dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions',
    ]);
    await appendFile(
      join(info.dataDir, 'postgresql.conf'),
      [
        '',
        '# wuye-desk test cluster',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${info.socketDir}'`,
        // Test data is disposable: trade durability for speed.
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'max_connections = 200',
        ...Object.entries(settings).map(([name, value]) => `${name} = '${value}'`),
        '',
      ].join('\n'),
    );
    await pgFromInfo(info).start();
  } catch (e) {
    await pgFromInfo(info).close().catch(() => undefined);
    throw e;
  }
  return pgFromInfo(info);
}

async function accountIds(name: string): Promise<{ uid: number; gid: number }> {
  const r = await run('getent', ['passwd', name], '/');
  const [, , uid, gid] = r.stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Stops and removes clusters left behind by test processes that died without closing them (owner.pid process
 * gone). Signals the postmaster only when its command line names that cluster's data dir.
 */
export async function reapStalePostgres(): Promise<number> {
  let reaped = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PG_DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const ownerText = await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => undefined);
    if (ownerText === undefined || liveProcess(Number(ownerText))) continue;
    const pidLine = (await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0] ?? '';
    const pid = Number(pidLine.trim());
    if (pid > 0 && liveProcess(pid) && commandLine(pid).includes(dir)) {
      process.kill(pid, 'SIGINT'); // fast shutdown
      const deadline = Date.now() + 10_000;
      while (liveProcess(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (liveProcess(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
    reaped++;
  }
  return reaped;
}

function liveProcess(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
