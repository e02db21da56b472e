// 0004 — the monthly red/black lists as published (000 附件 五 "每月实时调整，并向社会公布"): written by the monthly
// report's run in the same transaction that claims its period, so a month's list is recorded once. The history is
// what "长期在黑榜" (000 附件 三(三)) is judged by. Also: who recorded a company action as done. FROZEN once shipped.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('company_list')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('company_id', 'integer', (c) => c.notNull().references('company.id'))
        .addColumn('list', 'text', (c) => c.notNull().check(sql`list in ('red', 'black')`))
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('company_list_once', ['month', 'company_id'])
        .execute();
      await db.schema.alterTable('company_action').addColumn('done_by', 'text').execute();
    },
  };
}
