// 0003 — the annex 3 figures the office enters by hand (查处情况, 督导检查情况; src/report/figures.ts): one row per
// county, figure and entry, never updated, so an old report can be rebuilt with the figures it had. FROZEN once shipped.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('summary_figure')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('county', 'text', (c) => c.notNull().references('county.code'))
        .addColumn('figure', 'text', (c) => c.notNull())
        .addColumn('value', 'integer', (c) => c.notNull().check(sql`value >= 0`))
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('entered_by', 'text')
        .addColumn('entered_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('summary_figure_lookup').on('summary_figure').columns(['as_of', 'county', 'figure']).execute();
    },
  };
}
