// The one write path of the bot: load the case → workflow.transition (pure) → ONE transaction with the new state
// (optimistic version), its audit events, the officer's photos and the outbox rows of its effects → after the
// commit, wake the outbox worker. Nothing is sent from inside the transaction.
import type { Complaint } from '../domain.ts';
import { dispatchEffects } from '../outbox/effects.ts';
import { appendEvents, ConcurrentUpdateError, findById, saveComplaint } from '../store/complaints.ts';
import { inTransaction, type Tx } from '../store/db.ts';
import type { Officer } from '../store/officers.ts';
import { transition, type Command } from '../workflow/complaint.ts';
import type { WorkflowErrorCode } from '../workflow/errors.ts';
import { saveEvidence, type Evidence } from './attachments.ts';
import { actorOf } from './auth.ts';
import type { BotDeps } from './context.ts';
import { TEXT } from './render.ts';

export type ApplyResult =
  | { ok: true; case: Complaint & { version: number } }
  | { ok: false; message: string; code: WorkflowErrorCode | 'NOT_FOUND' | 'CONFLICT' };

/** A concurrent change (another officer, the scheduler) is retried on the fresh case: transition is pure. */
const ATTEMPTS = 3;

export async function applyCommand(
  deps: BotDeps,
  officer: Officer,
  caseId: number,
  cmd: Command,
  evidence: readonly Evidence[] = [],
): Promise<ApplyResult> {
  for (let attempt = 1; ; attempt++) {
    const c = await findById(deps.db, caseId);
    if (!c) return { ok: false, message: TEXT.notFound, code: 'NOT_FOUND' };
    const now = deps.clock.now();
    const nowIso = now.toISOString();
    const r = transition(c, cmd, actorOf(officer), now, deps.cal);
    if (!r.ok) return { ok: false, message: r.error.message, code: r.error.code };
    try {
      const version = await inTransaction(deps.db, async (tx) => {
        const v = await saveComplaint(tx, r.case, c.version, nowIso);
        const ids = await appendEvents(tx, c.id, r.events);
        if (evidence.length) await saveEvidence(tx, c.id, ids[0] ?? null, c.tracking, cmd.type, evidence, nowIso);
        const mails = r.effects.some((e) => e.kind === 'email-complainant');
        await dispatchEffects(tx, r.case, r.effects, {
          cfg: deps.cfg,
          now,
          eventId: ids[0] ?? 0,
          originalMessageId: mails ? await originalMessageId(tx, c.id) : null,
        });
        return v;
      });
      if (r.effects.length) deps.kickOutbox();
      return { ok: true, case: { ...r.case, version } };
    } catch (e) {
      if (!(e instanceof ConcurrentUpdateError)) throw e;
      if (attempt >= ATTEMPTS) return { ok: false, message: TEXT.conflict, code: 'CONFLICT' };
    }
  }
}

/** The complainant's own Message-ID, so the letters thread under the mail they sent. */
async function originalMessageId(tx: Tx, caseId: number): Promise<string | null> {
  const r = await tx
    .selectFrom('complaint as c')
    .innerJoin('raw_mail as m', 'm.id', 'c.raw_mail_id')
    .select('m.message_id')
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  return r?.message_id ?? null;
}
