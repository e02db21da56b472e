// 0012 — the compound register (004 五(二): 台账化管理 of every compound, not only those complained about): each
// compound's company, township (街道) and community, imported by the desk; a case naming a registered compound gets
// its company from here when the mail names none. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('compound').addColumn('township', 'text').execute();
      await db.schema.alterTable('compound').addColumn('community', 'text').execute();
      await db.schema.alterTable('compound').addColumn('registered_at', 'text').execute();
    },
  };
}
