// One `Db` type over two dialects: better-sqlite3 (the embedded default) and PostgreSQL (several counties on one
// server). Everything above this file speaks kysely's portable query builder only.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type Transaction,
} from 'kysely';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrate.ts';
import { noteTransaction } from './hot-query.ts';
import { WalCheckpointer, type CheckpointerOptions } from './wal-checkpointer.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Repositories take either the database or an open transaction. */
export type Conn = Db | Tx;

export interface Store {
  db: Db;
  dialect: Dialect;
  url: string;
  /** SQLite files only. */
  checkpointer?: WalCheckpointer | null;
  close(): Promise<void>;
}

// Transactions on SQLite start with BEGIN IMMEDIATE: the write lock is taken up front, so two processes on one
// file (the service and an operator's `wuye ingest`) wait on busy_timeout instead of failing with SQLITE_BUSY when
// a deferred reader tries to upgrade.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  // After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite has already rolled the transaction back itself; kysely's
  // ROLLBACK then fails with "no transaction is active" and that error would hide the one that matters.
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (e) {
      if (!/no transaction is active/.test((e as Error).message)) throw e;
    }
  }
}

/** The database (or its disk) is full: nothing more can be stored until space is made. */
export function isStoreFull(e: unknown): boolean {
  const err = e as { code?: string };
  return err?.code === 'SQLITE_FULL' || err?.code === '53100'; // PostgreSQL disk_full
}
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * kysely prepares every statement anew; the same few dozen SQL texts run for every mail and every tap, so the
 * prepared statements are kept (bounded) and reused. better-sqlite3 statements are reusable once finished.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, max = 128): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

// PostgreSQL int8/numeric come back as strings by default; our ids and counts fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function dialectOf(url: string): Dialect {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('sqlite:')) return 'sqlite';
  throw new Error(`不支持的数据库地址 unsupported database URL (expected sqlite:<file> or postgres://…): ${redactUrl(url)}`);
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

export function sqliteFileOf(url: string): string {
  return url.slice('sqlite:'.length);
}

export interface OpenOptions {
  migrate?: boolean;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** SQLite files: WAL checkpoints on a worker thread (default on; see wal-checkpointer.ts). */
  checkpointer?: boolean | CheckpointerOptions;
  /**
   * A PostgreSQL client lost its connection (a restarted server, a dropped socket). The pool replaces it; the error
   * is reported here — main.ts logs it — and by default as a process warning, never swallowed.
   */
  onPoolError?: (e: Error) => void;
}

export async function openStore(url: string, opts: OpenOptions = {}): Promise<Store> {
  const dialect = dialectOf(url);
  let db: Db;
  let checkpointer: WalCheckpointer | null = null;
  if (dialect === 'sqlite') {
    const file = sqliteFileOf(url);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    if (file !== ':memory:' && opts.checkpointer !== false) {
      const copts = typeof opts.checkpointer === 'object' ? opts.checkpointer : {};
      checkpointer = new WalCheckpointer(file, sqlite, { onError: (e) => process.emitWarning(e.message, 'WalCheckpointer'), ...copts });
    }
    db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  } else {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 8, connectionTimeoutMillis: 10_000 });
    // A restarted server drops clients; the pool must not crash the process for it — neither an idle client
    // (pool 'error') nor one checked out inside a transaction (the client's own 'error').
    const report = opts.onPoolError ?? ((e: Error) => process.emitWarning(`PostgreSQL client error: ${e.message}`, 'PostgresPool'));
    pool.on('error', report);
    pool.on('connect', (client) => client.on('error', report));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const store: Store = {
    db,
    dialect,
    url,
    checkpointer,
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
    },
  };
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(db, dialect);
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
  }
  return store;
}

/** Run `fn` in one transaction; retried on transient conflicts (PostgreSQL serialization/deadlock, SQLite busy). */
export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await db.transaction().execute((tx) => {
        noteTransaction(tx, db);
        return fn(tx);
      });
    } catch (e) {
      if (i >= attempts || !isTransient(e)) throw e;
      await new Promise((r) => setTimeout(r, 20 * i + Math.random() * 30));
    }
  }
}

export function isTransient(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err?.code === '40001' || // serialization_failure
    err?.code === '40P01' || // deadlock_detected
    err?.code === 'SQLITE_BUSY' ||
    err?.code === '57P01' || // admin_shutdown (server restarted)
    err?.code === 'ECONNREFUSED' ||
    err?.code === 'ECONNRESET' ||
    /Connection terminated|terminating connection/.test(err?.message ?? '')
  );
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
