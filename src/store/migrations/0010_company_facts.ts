// 0010 — the facts the company chain of 000 附件 三(三)/(四) depends on, recorded by people with who, when and the
// evidence: the survey's satisfaction, a refusal to fix, the credit rating, a refusal of the regraded fee. Append-only
// in company_fact; the company row keeps the current value of each (and when the last one was recorded) for the
// daily check. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('company_fact')
        .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('company_id', 'integer', (c) => c.notNull().references('company.id'))
        .addColumn('fact', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text')
        .addColumn('recorded_by', 'text')
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('company_fact_company').on('company_fact').column('company_id').execute();
      await db.schema.alterTable('company').addColumn('refused_fee_standard', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('company').addColumn('facts_at', 'text').execute();
    },
  };
}
