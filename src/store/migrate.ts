// Frozen migrations, run by `wuye migrate` and on start. Kysely's Migrator takes a lock table, so two processes
// starting at once do not migrate twice.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from './db.ts';
import * as m0001 from './migrations/0001_initial.ts';
import * as m0002 from './migrations/0002_task_order_indexes.ts';
import * as m0003 from './migrations/0003_summary_figures.ts';
import * as m0004 from './migrations/0004_company_lists.ts';
import * as m0005 from './migrations/0005_raw_mail_body.ts';
import * as m0006 from './migrations/0006_raw_mail_message_id.ts';
import * as m0007 from './migrations/0007_unregistered_mail.ts';
import * as m0008 from './migrations/0008_reminder_log.ts';
import * as m0009 from './migrations/0009_co_units.ts';
import * as m0010 from './migrations/0010_company_facts.ts';
import * as m0011 from './migrations/0011_report_notes.ts';
import * as m0012 from './migrations/0012_compound_register.ts';
import * as m0013 from './migrations/0013_web_accounts.ts';
import * as m0014 from './migrations/0014_case_search.ts';
import * as m0015 from './migrations/0015_penalty_extension.ts';
import * as m0016 from './migrations/0016_web_totp.ts';
import * as m0017 from './migrations/0017_web_login_link.ts';
import * as m0018 from './migrations/0018_case_search_nfkc.ts';

/** Each migration module exports `migration(dialect)`; the list is append-only. */
const MODULES: Record<string, { migration(dialect: Dialect): Migration }> = {
  '0001_initial': m0001,
  '0002_task_order_indexes': m0002,
  '0003_summary_figures': m0003,
  '0004_company_lists': m0004,
  '0005_raw_mail_body': m0005,
  '0006_raw_mail_message_id': m0006,
  '0007_unregistered_mail': m0007,
  '0008_reminder_log': m0008,
  '0009_co_units': m0009,
  '0010_company_facts': m0010,
  '0011_report_notes': m0011,
  '0012_compound_register': m0012,
  '0013_web_accounts': m0013,
  '0014_case_search': m0014,
  '0015_penalty_extension': m0015,
  '0016_web_totp': m0016,
  '0017_web_login_link': m0017,
  '0018_case_search_nfkc': m0018,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(MODULES).map(([k, m]) => [k, m.migration(this.dialect)]));
  }
}

function migrator(db: Kysely<any>, dialect: Dialect): Migrator {
  return new Migrator({ db, provider: new StaticProvider(dialect) });
}

function throwIfFailed(error: unknown): void {
  if (error) throw new Error(`数据库迁移失败 migration failed: ${(error as Error).message ?? String(error)}`);
}

export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  const { error, results } = await migrator(db, dialect).migrateToLatest();
  throwIfFailed(error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Up (or down) to the named migration: for tests of a migration over data written by the schema before it. */
export async function migrateTo(db: Kysely<any>, dialect: Dialect, name: string): Promise<void> {
  const { error } = await migrator(db, dialect).migrateTo(name);
  throwIfFailed(error);
}
