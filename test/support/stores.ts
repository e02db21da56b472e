// Stores for tests on both dialects: every store test runs `describe.each(DIALECTS)`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Dialect, type Store } from '../../src/store/db.ts';
import { sharedPostgres } from './peers.ts';

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

let seq = 0;

/** A fresh, migrated, empty database of the given dialect, with its URL; `cleanup` drops it. */
export async function freshDatabaseUrl(dialect: Dialect, label = 'test'): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), `wuye-sqlite-${label}-`));
    return { url: `sqlite:${path.join(dir, 'wuye.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const pg = sharedPostgres();
  const name = `wuye_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${++seq}`;
  const url = await pg.createDatabase(name);
  return { url, cleanup: () => pg.dropDatabase(name).catch(() => undefined) };
}

export async function openTestStore(dialect: Dialect, label = 'test'): Promise<Store & { cleanup: () => Promise<void>; url: string }> {
  const { url, cleanup } = await freshDatabaseUrl(dialect, label);
  const store = await openStore(url);
  return {
    ...store,
    url,
    cleanup: async () => {
      await store.close();
      await cleanup();
    },
  };
}
