// 0009 — co-handling units (协办) of a case, beside its lead unit (主办): a falling façade is housing's, with market
// regulation on the lift. A JSON array of unit codes; null or '[]' when the lead handles it alone. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('complaint').addColumn('co_units', 'text').execute();
    },
  };
}
