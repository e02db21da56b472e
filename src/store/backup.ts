// Backup and restore of the embedded SQLite database (PostgreSQL uses pg_dump/pg_restore: cli/ops.ts).
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sqliteFileOf } from './db.ts';

/** SQLite's online backup API: consistent while the service keeps writing. */
export async function backupSqlite(url: string, out: string): Promise<void> {
  const db = new SqliteDatabase(sqliteFileOf(url), { readonly: true, fileMustExist: true });
  try {
    await db.backup(out);
  } finally {
    db.close();
  }
}

/**
 * Replaces the database file with a backup, after checking that the backup opens and has our schema. The files it
 * replaces are kept beside it (`.before-restore-*`). Returns the database file's path.
 */
export function restoreSqlite(url: string, from: string, now = new Date()): string {
  const target = path.resolve(sqliteFileOf(url));
  const probe = new SqliteDatabase(from, { readonly: true, fileMustExist: true });
  try {
    probe.prepare('select count(*) from complaint').get();
  } finally {
    probe.close();
  }
  // The copy is made beside the target and renamed over it: at every instant the path holds a whole database.
  const staged = `${target}.restoring-${now.getTime()}`;
  copyFileSync(from, staged);
  if (existsSync(target)) copyFileSync(target, `${target}.before-restore-${now.getTime()}`);
  for (const ext of ['-wal', '-shm']) if (existsSync(target + ext)) renameSync(target + ext, `${target}${ext}.before-restore-${now.getTime()}`);
  renameSync(staged, target);
  return target;
}
