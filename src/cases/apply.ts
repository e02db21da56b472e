// Applying a command to a case — an officer's tap, the desk's click, a complainant's mail: load → workflow
// transition (pure) → ONE transaction with the new state (optimistic version), its audit events, any photos or
// files, and the outbox rows of its effects. A concurrent change is retried on the fresh case (commit.ts).
import type { Actor, CaseEvent, Case } from '../domain.ts';
import { TEXT } from '../messages/bot-texts.ts';
import { appendEvents, findById, originalMessageIdOf, saveCase } from '../store/cases.ts';
import { ensureCompany, setCaseCompany } from '../store/companies.ts';
import { normaliseCompanyName } from '../workflow/companies.ts';
import { transition, type Command, type TransitionResult } from '../workflow/complaint.ts';
import { canAct } from '../workflow/auth.ts';
import type { WorkflowErrorCode } from '../workflow/errors.ts';
import { commit, retryConcurrent, StillConflicting, type Work } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import { effectRows } from './effects.ts';
import { saveEvidence, type Evidence } from './evidence.ts';

export type ApplyResult =
  | { ok: true; case: Case & { version: number }; command: Command }
  | { ok: false; message: string; code: WorkflowErrorCode | 'NOT_FOUND' | 'CONFLICT' };

export interface ApplyExtras {
  /** Officers' photos with a progress or closing report, linked to the command's first audit event. */
  evidence?: readonly Evidence[];
  /** Merged into each audit event's data (e.g. which raw mail the complainant's words came in). */
  eventData?: Record<string, unknown>;
  /** The Message-ID letters reply to; by default the complainant's first mail. */
  originalMessageId?: string | null;
  /** The resident's new words (and how many files came with them), for the officers' notices. */
  news?: { text: string; files: number };
  /** More writes of the same transaction, after the transition (e.g. the raw mail's outcome and its files). */
  alsoWrite?: (w: Work, c: Case, firstEventId: number | null) => Promise<void>;
}

/**
 * Applies the first of `commands` that the workflow accepts on the current case (one command, or a preference
 * order such as "reopen, else add to the file" for a complainant's mail).
 */
export async function applyCommand(
  deps: CaseDeps,
  actor: Actor,
  caseId: number,
  commands: Command | readonly Command[],
  extras: ApplyExtras = {},
): Promise<ApplyResult> {
  const wanted = Array.isArray(commands) ? (commands as readonly Command[]) : [commands as Command];
  try {
    return await retryConcurrent(async () => {
      const c = await findById(deps.db, caseId);
      if (!c) return { ok: false, message: TEXT.notFound, code: 'NOT_FOUND' } as const;
      const now = deps.clock.now();
      let r: TransitionResult | undefined;
      let cmd = wanted[0]!;
      for (const candidate of wanted) {
        cmd = candidate;
        r = transition(c, candidate, actor, now, deps.cal);
        if (r.ok) break;
      }
      if (!r || !r.ok) {
        // A case beyond an officer's reach is answered as one that does not exist: a forged id reveals nothing.
        if (!r || (actor.kind === 'officer' && !canAct(actor, 'read', c).ok)) return { ok: false, message: TEXT.notFound, code: 'NOT_FOUND' } as const;
        return { ok: false, message: r.error.message, code: r.error.code } as const;
      }
      const done = r;
      const version = await commit(
        deps,
        async (w) => {
          const v = await saveCase(w.tx, done.case, c.version, w.nowIso);
          // The company the case counts for follows its company name (set or corrected by the unit or the office).
          if (done.case.company !== c.company) {
            await setCaseCompany(w.tx, c.id, done.case.company ? await ensureCompany(w.tx, normaliseCompanyName(done.case.company), c.county, w.nowIso) : null);
          }
          const events: CaseEvent[] = extras.eventData ? done.events.map((e) => ({ ...e, data: { ...(e.data ?? {}), ...extras.eventData } })) : done.events;
          const ids = await appendEvents(w.tx, c.id, events);
          const first = ids[0] ?? null;
          if (extras.evidence?.length) await saveEvidence(w.tx, c.id, first, c.tracking, cmd.type, extras.evidence, w.nowIso);
          const mails = done.effects.some((e) => e.kind === 'email-complainant');
          const originalMessageId = extras.originalMessageId !== undefined ? extras.originalMessageId : mails ? await originalMessageIdOf(w.tx, c.id) : null;
          await w.send(await effectRows(w.tx, done.case, done.effects, {
              cfg: deps.cfg,
              now: w.now,
              eventId: first ?? 0,
              originalMessageId,
              news: extras.news ?? null,
              step: done.events[0] ? { actor: done.events[0].actor, data: done.events[0].data ?? null } : null,
            }));
          await extras.alsoWrite?.(w, done.case, first);
          return v;
        },
        now,
      );
      return { ok: true, case: { ...done.case, version }, command: cmd } as const;
    });
  } catch (e) {
    if (e instanceof StillConflicting) return { ok: false, message: TEXT.conflict, code: 'CONFLICT' };
    throw e;
  }
}
