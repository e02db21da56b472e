// 0015 — the penalty period's one extension (000 附件 三(二): 经本单位负责人批准，可以延长三十日): whether a case used
// it, and which officers are their unit's 负责人 (only they approve it). FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('complaint').addColumn('penalty_extended', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('officer').addColumn('unit_head', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('officer_invite').addColumn('unit_head', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
