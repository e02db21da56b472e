// Task lists: one page of a scope's open cases, overdue (earliest due) first — the bot's /tasks and the desk's
// lists. Served by the task-order indexes of migration 0002, whose expression is TASK_ORDER: keep them identical.
import { sql, type SelectQueryBuilder } from 'kysely';
import { OPEN_STATUSES, TRIAGE_STATUSES, WORKING_STATUSES, type Case, type TaskScope } from '../domain.ts';
import { rowToCase } from './cases.ts';
import type { Conn } from './db.ts';
import { TASK_ORDER_SQL } from './migrations/0002_task_order_indexes.ts';
import type { Database } from './schema.ts';

/**
 * The deadline that orders a task list: close once a unit has it, transfer while it waits. The text is the one the
 * migration indexed: an index on an expression helps only a query that writes the very same expression.
 */
export const TASK_ORDER = sql<string>`${sql.raw(TASK_ORDER_SQL)}`;
const UNIT_WORK = [...WORKING_STATUSES];
const TRIAGE = [...TRIAGE_STATUSES];

type Base = SelectQueryBuilder<Database, 'complaint', {}>;

/**
 * One page of a scope's tasks. The unit scope with the triage queue is two branches — the unit's own work and the
 * county's triage queue — each read in deadline order from its own index (migration 0002) and merged, because an
 * OR across both makes the planner read and sort every matching row (≈ 26 ms at 1,000,000 cases instead of < 1 ms).
 */
export async function taskPage(db: Conn, scope: TaskScope, page: number, size: number): Promise<{ items: Case[]; total: number }> {
  const branches: Base[] = [];
  const from = (): Base => db.selectFrom('complaint');
  switch (scope.kind) {
    case 'unit':
      branches.push(from().where('unit', '=', scope.unit).where('county', '=', scope.county).where('status', 'in', UNIT_WORK));
      // Cases the unit co-handles (协办, migration 0009): the county's working cases whose list names it. `IS NOT
      // NULL` lets the planner use the partial index of migration 0014 (county, co_units): without it every working
      // case of the county is read from the table (≈ 60 ms at 1,000,000 cases, twice per page).
      branches.push(
        from().where('county', '=', scope.county).where('status', 'in', UNIT_WORK).where('co_units', 'is not', null).where('co_units', 'like', `%"${scope.unit}"%`),
      );
      if (scope.triage) branches.push(from().where('county', '=', scope.county).where('status', 'in', TRIAGE));
      break;
    case 'cosign':
      // 000 附件 三(一): housing-handled cases wait for the township/community's closing opinion.
      branches.push(from().where('unit', '=', 'housing').where('county', '=', scope.county).where('status', '=', 'resolved'));
      break;
    case 'review':
      branches.push(
        from()
          .where('unit', 'in', scope.units)
          .where((eb) =>
            eb.or([
              eb.and([eb('unit', '=', 'housing'), eb('status', '=', 'cosigned')]),
              eb.and([eb('unit', '!=', 'housing'), eb('status', '=', 'resolved')]),
              eb('status', '=', 'reviewed'),
              eb.and([eb('extension', 'is not', null), eb('status', 'in', UNIT_WORK)]),
            ]),
          ),
      );
      break;
    case 'county':
      branches.push(from().where('county', '=', scope.county).where('status', 'in', [...OPEN_STATUSES]));
      break;
    case 'all':
      branches.push(from().where('status', 'in', [...OPEN_STATUSES]));
      break;
  }
  const upTo = (page + 1) * size;
  // Each branch's first `upTo` ids in order, then the page out of their merge.
  const heads = await Promise.all(
    branches.map((b) => b.select(['id', TASK_ORDER.as('k')]).orderBy(TASK_ORDER).orderBy('id').limit(upTo).execute()),
  );
  const ids = heads
    .flat()
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.id - b.id))
    .slice(page * size, upTo)
    .map((r) => r.id);
  const counts = await Promise.all(branches.map((b) => b.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()));
  const total = counts.reduce((n, c) => n + Number(c.n), 0);
  if (!ids.length) return { items: [], total };
  const rows = await db.selectFrom('complaint').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { items: ids.map((id) => rowToCase(byId.get(id)!)), total };
}
