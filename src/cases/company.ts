// Company supervision steps a person records (000 附件 三(三)/(四)): marking an action done stops its reminders; the
// step is written to the append-only audit trail with who and when.
import * as companies from '../store/companies.ts';
import { appendEvents } from '../store/cases.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import type { Actor } from '../domain.ts';

/** Marks an open company action done; false when there is no such open action. */
export async function completeCompanyAction(deps: CaseDeps, actionId: number, actor: Actor): Promise<boolean> {
  return commit(deps, async (w) => {
    const by = actor.name ?? (actor.officerId != null ? `officer:${actor.officerId}` : null);
    if (!(await companies.markCompanyActionDone(w.tx, actionId, w.nowIso, by))) return false;
    await appendEvents(w.tx, null, [{ type: 'company-action-done', at: w.nowIso, actor, data: { actionId } }]);
    return true;
  });
}
