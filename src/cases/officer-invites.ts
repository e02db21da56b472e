// Inviting an officer into the bot from the web console, and deactivating one: each in the audit trail with who did
// it (the CLI's `wuye officer invite|deactivate` are the operator's own, on the server).
import type { Actor, Role, UnitCode } from '../domain.ts';
import { appendEvents } from '../store/cases.ts';
import * as officers from '../store/officers.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';

export async function inviteOfficer(
  deps: CaseDeps,
  inv: { unit: UnitCode; county: string; role: Role; name: string | null; unitHead: boolean },
  actor: Actor,
): Promise<{ code: string; expiresAt: string }> {
  const now = deps.clock.now();
  return commit(
    deps,
    async (w) => {
      const r = await officers.createInvite(w.tx, inv, now, deps.cfg.bot.inviteTtlHours);
      // The code itself is a credential until used: the trail keeps who invited whom, not the code.
      await appendEvents(w.tx, null, [{ type: 'officer-invited', at: w.nowIso, actor, data: { unit: inv.unit, county: inv.county, role: inv.role, name: inv.name, unitHead: inv.unitHead, expiresAt: r.expiresAt } }]);
      return r;
    },
    now,
  );
}

export async function deactivateOfficerById(deps: CaseDeps, officerId: number, actor: Actor): Promise<boolean> {
  const now = deps.clock.now();
  return commit(
    deps,
    async (w) => {
      const done = await officers.deactivateOfficer(w.tx, officerId);
      if (done) await appendEvents(w.tx, null, [{ type: 'officer-deactivated', at: w.nowIso, actor, data: { officerId } }]);
      return done;
    },
    now,
  );
}
