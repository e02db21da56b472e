// WAL checkpoints on a worker thread (src/store/wal-checkpointer.ts), against real SQLite files: pages reach the
// database file without the writer's own checkpoint, the thread exists only while there is something to do, and
// a worker that cannot start hands checkpoints back to SQLite instead of letting the WAL grow.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import type { CheckpointerOptions } from '../../src/store/wal-checkpointer.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'wuye-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function open(opts: boolean | CheckpointerOptions): Promise<{ store: Store; file: string }> {
  const file = path.join(dir, `w${++n}.db`);
  const store = await openStore(`sqlite:${file}`, { checkpointer: opts });
  await sql`create table blob_t (id integer primary key, b blob not null)`.execute(store.db);
  return { store, file };
}

/** Commits one row of `bytes` at a time, as the intake does: each commit appends to the WAL. */
async function write(store: Store, rows: number, bytes = 4096): Promise<void> {
  for (let i = 0; i < rows; i++) await sql`insert into blob_t (b) values (${randomBytes(bytes)})`.execute(store.db);
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const size = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};

async function pragma(store: Store, name: string): Promise<number> {
  const r = await sql.raw(`pragma ${name}`).execute(store.db);
  return Number(Object.values(r.rows[0] as object)[0]);
}

describe('WAL checkpointer', () => {
  it('an idle store has no checkpoint thread, and the writer checkpoints by itself only at the backstop', async () => {
    const { store } = await open(true);
    try {
      await write(store, 20);
      await new Promise((r) => setTimeout(r, 400));
      expect(store.checkpointer).toBeTruthy();
      expect(store.checkpointer!.running).toBe(false);
      expect(store.checkpointer!.checkpoints).toBe(0);
      expect(await pragma(store, 'wal_autocheckpoint')).toBe(10_000);
    } finally {
      await store.close();
    }
  });

  it('copies the WAL into the database file on its own thread, keeps every row, and stops when idle', async () => {
    // The backstop is out of reach here: whatever reaches the database file was put there by the worker.
    const { store, file } = await open({ thresholdBytes: 64 * 1024, pollMs: 20, idleStopMs: 300, backstopPages: 1_000_000 });
    try {
      const before = size(file);
      await write(store, 300);
      await until('a checkpoint', () => (store.checkpointer?.checkpoints ?? 0) > 0);
      expect(store.checkpointer!.running).toBe(true);
      await until('the database file holds the rows', () => size(file) > before + 600 * 1024);
      const last = store.checkpointer!.last!;
      expect(last.busy).toBe(0);
      expect(last.checkpointed).toBeGreaterThan(0);
      const count = await sql<{ n: number }>`select count(*) as n from blob_t`.execute(store.db);
      expect(Number(count.rows[0]!.n)).toBe(300);
      await until('the worker stops after a quiet spell', () => !store.checkpointer!.running, 5_000);
      // More writes start it again.
      const done = store.checkpointer!.checkpoints;
      await write(store, 50);
      await until('another checkpoint', () => store.checkpointer!.checkpoints > done);
    } finally {
      await store.close();
    }
    expect(store.checkpointer!.running).toBe(false);
  });

  it('a worker that cannot start gives the writer SQLite’s own checkpoints back and says why', async () => {
    const errors: string[] = [];
    const { store, file } = await open({
      thresholdBytes: 64 * 1024,
      pollMs: 20,
      backstopPages: 1_000_000,
      driver: path.join(dir, 'no-such-driver.js'),
      onError: (e) => errors.push(e.message),
    });
    try {
      await write(store, 100);
      await until('the failure is reported', () => errors.length > 0);
      expect(errors[0]).toMatch(/WAL checkpointer stopped/);
      expect(await pragma(store, 'wal_autocheckpoint')).toBe(1000);
      expect(store.checkpointer!.running).toBe(false);
      // The writer checkpoints again: 1,000 pages later the WAL starts over instead of growing past 4 MB.
      await write(store, 1500);
      expect(size(`${file}-wal`)).toBeLessThan(5 * 1024 * 1024);
    } finally {
      await store.close();
    }
  });

  it('a checkpoint thread that exits by itself is noticed, not waited for', async () => {
    const driver = path.join(dir, 'exiting-driver.cjs');
    writeFileSync(driver, 'module.exports = function Database() { process.exit(3); };\n');
    const errors: string[] = [];
    const { store } = await open({ thresholdBytes: 64 * 1024, pollMs: 20, backstopPages: 1_000_000, driver, onError: (e) => errors.push(e.message) });
    try {
      await write(store, 100);
      await until('the exit is reported', () => errors.length > 0);
      expect(errors).toEqual([expect.stringMatching(/checkpoint thread exited \(3\)/)]);
      expect(await pragma(store, 'wal_autocheckpoint')).toBe(1000);
    } finally {
      await store.close();
    }
  });

  it('is not used for an in-memory database or when turned off', async () => {
    const mem = await openStore('sqlite::memory:');
    const off = await openStore(`sqlite:${path.join(dir, 'off.db')}`, { checkpointer: false });
    try {
      expect(mem.checkpointer).toBeNull();
      expect(off.checkpointer).toBeNull();
      expect(await pragma(off, 'wal_autocheckpoint')).toBe(1000);
    } finally {
      await mem.close();
      await off.close();
    }
  });
});
