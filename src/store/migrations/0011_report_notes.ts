// 0011 — what the office writes into a week's reports itself: the brief's 经验做法 (004 五(五)) and the discipline
// report's 难点、堵点 (000 附件 一(二)). Appended per ISO week; the reports of that week read them. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('report_note')
        .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('week', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('entered_by', 'text')
        .addColumn('entered_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('report_note_week').on('report_note').columns(['week', 'kind']).execute();
    },
  };
}
