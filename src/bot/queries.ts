// Read queries of the bot: one page of an officer's task list, overdue (earliest due) first. Served by the
// complaint_unit_county_status and complaint_status indexes.
import { sql } from 'kysely';
import type { Complaint } from '../domain.ts';
import { OPEN_STATUSES, rowToComplaint } from '../store/complaints.ts';
import type { Conn } from '../store/db.ts';
import type { TaskScope } from './auth.ts';

/** A unit's own work: assigned to it and not yet closed by it. */
const UNIT_WORK = ['assigned', 'accepted', 'in_progress', 'plan_submitted', 'reopened'];
const TRIAGE = ['received', 'triage'];

export async function taskPage(db: Conn, scope: TaskScope, page: number, size: number): Promise<{ items: Complaint[]; total: number }> {
  let q = db.selectFrom('complaint');
  switch (scope.kind) {
    case 'unit':
      q = q.where('county', '=', scope.county).where((eb) => {
        const own = eb.and([eb('unit', '=', scope.unit), eb('status', 'in', UNIT_WORK)]);
        return scope.triage ? eb.or([own, eb('status', 'in', TRIAGE)]) : own;
      });
      break;
    case 'cosign':
      // 000 附件 三(一): housing-handled cases wait for the township/community's closing opinion.
      q = q.where('county', '=', scope.county).where('unit', '=', 'housing').where('status', '=', 'resolved');
      break;
    case 'review':
      q = q.where('unit', 'in', scope.units).where((eb) =>
        eb.or([
          eb.and([eb('unit', '=', 'housing'), eb('status', '=', 'cosigned')]),
          eb.and([eb('unit', '!=', 'housing'), eb('status', '=', 'resolved')]),
          eb('status', '=', 'reviewed'),
          eb.and([eb('extension', 'is not', null), eb('status', 'in', UNIT_WORK)]),
        ]),
      );
      break;
    case 'all':
      q = q.where('status', 'in', OPEN_STATUSES);
      break;
  }
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy(sql`coalesce(due_close, due_transfer, '9999')`)
      .orderBy('id')
      .limit(size)
      .offset(page * size)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(rowToComplaint), total: Number(count.n) };
}
