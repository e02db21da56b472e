// A resident's mail, once parsed and classified by the intake: registered as a new case, or applied to the case it
// answers as the complainant's words (补充) or dissatisfaction (不满意 → 重新办理). Either way the raw mail's
// outcome is recorded in the same transaction, guarded by `outcome IS NULL`, so a mail is handled exactly once
// even when two processes or a crash-resume race for it.
import type { Actor, Case } from '../domain.ts';
import { claimOutcome } from '../store/mail.ts';
import type { Tx } from '../store/db.ts';
import type { RegisterInput } from '../workflow/complaint.ts';
import { applyCommand, type ApplyResult } from './apply.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import { saveMailFiles, type MailFile } from './evidence.ts';
import { writeNewCase } from './register.ts';

/** Another process (or an earlier run) recorded this mail's outcome first: nothing was written. */
export class AlreadyProcessed extends Error {
  constructor(rawMailId: number) {
    super(`raw mail ${rawMailId} already has an outcome`);
    this.name = 'AlreadyProcessed';
  }
}

export interface MailRef {
  rawMailId: number;
  messageId: string | null;
  files: readonly MailFile[];
}

async function claim(tx: Tx, mail: MailRef, outcome: 'registered' | 'reply', complaintId: number, now: string): Promise<void> {
  const ok = await claimOutcome(tx, { id: mail.rawMailId, outcome, reason: null, complaintId, messageId: mail.messageId, now });
  if (!ok) throw new AlreadyProcessed(mail.rawMailId);
}

/** A new case from a mail: the case, the raw mail's outcome and its files in one transaction. */
export async function registerMail(deps: CaseDeps, input: RegisterInput, mail: MailRef): Promise<Case> {
  return commit(deps, async (w) => {
    const r = await writeNewCase(w, deps, input, { rawMailId: mail.rawMailId, originalMessageId: mail.messageId });
    if (!r.ok) throw new Error(r.error.message);
    await claim(w.tx, mail, 'registered', r.complaint.id, w.nowIso);
    await saveMailFiles(w.tx, mail.files, { complaintId: r.complaint.id, rawMailId: mail.rawMailId }, w.nowIso);
    return r.complaint;
  });
}

/**
 * The complainant's mail on their case: 不满意 reopens when the workflow allows it, anything else is added to the
 * file. A race with an officer's tap is retried on the fresh case (never quarantined).
 */
export async function applyComplainantMail(
  deps: CaseDeps,
  caseId: number,
  mail: MailRef & { from: string | null; text: string; dissatisfied: boolean },
): Promise<ApplyResult> {
  const actor: Actor = { kind: 'complainant', ...(mail.from ? { name: mail.from } : {}) };
  const reply = { type: 'reply', text: mail.text } as const;
  return applyCommand(deps, actor, caseId, mail.dissatisfied ? [{ type: 'reopen', text: mail.text }, reply] : [reply], {
    eventData: { rawMailId: mail.rawMailId, from: mail.from },
    originalMessageId: mail.messageId,
    async alsoWrite(w, c, firstEventId) {
      await claim(w.tx, mail, 'reply', c.id, w.nowIso);
      await saveMailFiles(w.tx, mail.files, { complaintId: c.id, rawMailId: mail.rawMailId, eventId: firstEventId }, w.nowIso);
    },
  });
}
