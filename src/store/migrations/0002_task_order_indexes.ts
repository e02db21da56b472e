// 0002 — indexes that serve an officer's task list in deadline order without sorting the whole list
// (bench: /tasks at 1,000,000 cases). FROZEN once shipped.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

/** The task order: the earliest deadline first (close, else transfer), cases without one last. */
export const TASK_ORDER_SQL = "coalesce(due_close, due_transfer, '9999')";

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE INDEX complaint_unit_task_order ON complaint (unit, county, status, (coalesce(due_close, due_transfer, '9999')), id)`.execute(db);
      await sql`CREATE INDEX complaint_county_task_order ON complaint (county, status, (coalesce(due_close, due_transfer, '9999')), id)`.execute(db);
    },
  };
}
