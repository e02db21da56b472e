// Reads by supervisors (纪检监察) and leaders are audited: 000 附件 六(一) promises them real-time supervision, and
// the trail of who looked at what is theirs to see as well. One audit row of type `viewed` per page opened.
import type { Actor } from '../domain.ts';
import { appendEvents } from '../store/cases.ts';
import type { Db } from '../store/db.ts';
import type { Clock } from '../clock.ts';

/** Appends a `viewed` row: on the case when one case was read, else on no case (a list, a page of figures). */
export async function recordView(db: Db, clock: Clock, actor: Actor, caseId: number | null, what: string, data: Record<string, unknown> = {}): Promise<void> {
  await appendEvents(db, caseId, [{ type: 'viewed', at: clock.now().toISOString(), actor, data: { what, via: 'web', ...data } }]);
}
