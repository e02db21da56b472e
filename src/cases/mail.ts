// A resident's mail, once parsed and classified by the intake: registered as a new case, or applied to the case it
// answers as the complainant's words (补充) or dissatisfaction (不满意 → 重新办理). Either way the raw mail's
// outcome is recorded in the same transaction, guarded by `outcome IS NULL`, so a mail is handled exactly once
// even when two processes or a crash-resume race for it.
import type { Actor, Case } from '../domain.ts';
import { relatedMailNotice } from '../messages/case-texts.ts';
import { statusLetter } from '../messages/letters.ts';
import { viewKeyboard } from '../messages/keyboards.ts';
import { telegramMessage } from '../messages/telegram.ts';
import { appendEvents, lastEventOf } from '../store/cases.ts';
import { claimOutcome, reclaimOutcome } from '../store/mail.ts';
import { recipientsFor } from '../store/officers.ts';
import type { Tx } from '../store/db.ts';
import { quietHoursRelease } from '../workflow/quiet-hours.ts';
import { shanghaiDay } from '../time.ts';
import type { Command, RegisterInput } from '../workflow/complaint.ts';
import { applyCommand, type ApplyResult } from './apply.ts';
import { commit, type Work } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import { saveMailFiles, type MailFile } from './evidence.ts';
import { writeNewCase } from './register.ts';
import { letterContextOf } from './effects.ts';

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

/**
 * A new case from a mail: the case, the raw mail's outcome and its files in one transaction. `related`: a case the
 * mail names (its tracking number, a reply to its acknowledgement) whose complainant did not send it — the two are
 * linked both ways in the audit trail and the unit of the older case is told; the older case itself is unchanged.
 */
export async function registerMail(
  deps: CaseDeps,
  input: RegisterInput,
  mail: MailRef,
  related: Case | null = null,
  promotion?: { from: 'ignored' | 'quarantined'; by: Actor; previousReason: string | null },
): Promise<Case> {
  return commit(deps, async (w) => {
    const r = await writeNewCase(w, deps, input, { rawMailId: mail.rawMailId, originalMessageId: mail.messageId });
    if (!r.ok) throw new Error(r.error.message);
    const fresh = r.complaint;
    if (promotion) {
      // The desk read an unregistered mail and judged it a complaint: registered through the normal path.
      const reason = `人工登记 promoted from ${promotion.from}`;
      const ok = await reclaimOutcome(w.tx, { id: mail.rawMailId, from: promotion.from, complaintId: fresh.id, messageId: mail.messageId, now: w.nowIso, reason });
      if (!ok) throw new AlreadyProcessed(mail.rawMailId);
      await appendEvents(w.tx, fresh.id, [
        { type: 'promoted', at: w.nowIso, actor: promotion.by, data: { rawMailId: mail.rawMailId, from: promotion.from, previousReason: promotion.previousReason } },
      ]);
    } else {
      await claim(w.tx, mail, 'registered', fresh.id, w.nowIso);
    }
    await saveMailFiles(w.tx, mail.files, { complaintId: fresh.id, rawMailId: mail.rawMailId }, w.nowIso);
    if (related) {
      const actor: Actor = { kind: 'system', name: 'intake' };
      await appendEvents(w.tx, fresh.id, [{ type: 'related', at: w.nowIso, actor, data: { caseId: related.id, tracking: related.tracking } }]);
      const [eventId] = await appendEvents(w.tx, related.id, [
        { type: 'related-mail', at: w.nowIso, actor, data: { caseId: fresh.id, tracking: fresh.tracking, rawMailId: mail.rawMailId, from: input.complainant.email } },
      ]);
      const people = await recipientsFor(w.tx, { unit: related.unit ?? 'housing', county: related.county, roles: ['officer'] });
      const notBefore = quietHoursRelease(w.now, deps.cfg.schedule.quietHours).toISOString();
      await w.send(
        people.map((o) => ({
          kind: 'telegram' as const,
          recipient: String(o.chatId),
          payload: telegramMessage(o.chatId!, relatedMailNotice(related, fresh), viewKeyboard(fresh)),
          key: `related:${eventId}:${o.id}`,
          complaintId: related.id,
          notBefore,
        })),
      );
    }
    return fresh;
  });
}

/**
 * The complainant's mail on their case: 不满意 reopens when the workflow allows it, anything else is added to the
 * file. A race with an officer's tap is retried on the fresh case (never quarantined).
 */
export async function applyComplainantMail(
  deps: CaseDeps,
  caseId: number,
  mail: MailRef & { from: string | null; text: string; dissatisfied: boolean; satisfied?: boolean; asksForStatus?: boolean },
): Promise<ApplyResult> {
  const actor: Actor = { kind: 'complainant', ...(mail.from ? { name: mail.from } : {}) };
  const reply = { type: 'reply', text: mail.text } as const;
  // 不满意 reopens a closed case; 满意 on a closed case is its rating; anything else (or either on an open case) is 补充.
  const first: Command[] = mail.dissatisfied ? [{ type: 'reopen', text: mail.text }] : mail.satisfied ? [{ type: 'rate', text: mail.text }] : [];
  return applyCommand(deps, actor, caseId, [...first, reply], {
    eventData: { rawMailId: mail.rawMailId, from: mail.from },
    originalMessageId: mail.messageId,
    news: { text: mail.text, files: mail.files.length },
    async alsoWrite(w, c, firstEventId) {
      await claim(w.tx, mail, 'reply', c.id, w.nowIso);
      await saveMailFiles(w.tx, mail.files, { complaintId: c.id, rawMailId: mail.rawMailId, eventId: firstEventId }, w.nowIso);
      if (mail.asksForStatus) await answerStatus(w, deps, c, mail.messageId);
    },
  });
}

/**
 * The same mail again under other bytes (cc'd to two published addresses, resent by a relay): not a second case.
 * The raw mail is linked to the case the first arrival made, and the case's trail notes that it came again.
 */
export async function recordDuplicateMail(deps: CaseDeps, first: { caseId: number; rawMailId: number }, mail: { rawMailId: number; messageId: string; mailbox: string }, reason: string): Promise<void> {
  await commit(deps, async (w) => {
    const ok = await claimOutcome(w.tx, { id: mail.rawMailId, outcome: 'duplicate', reason, complaintId: first.caseId, messageId: mail.messageId, now: w.nowIso });
    if (!ok) throw new AlreadyProcessed(mail.rawMailId);
    await appendEvents(w.tx, first.caseId, [
      { type: 'duplicate-mail', at: w.nowIso, actor: { kind: 'system', name: 'intake' }, data: { rawMailId: mail.rawMailId, firstRawMailId: first.rawMailId, mailbox: mail.mailbox || null } },
    ]);
  });
}

/**
 * Where the case stands, answered by mail to a complainant who asked (进度, 查询, 到哪一步 …). At most one answer per
 * case and day: the outbox key drops the rest, so a resident who asks five times gets one letter, not five.
 */
async function answerStatus(w: Work, deps: CaseDeps, c: Case, inReplyTo: string | null): Promise<void> {
  const last = await lastEventOf(w.tx, c.id, 'progress');
  const text = typeof last?.data?.text === 'string' ? last.data.text : null;
  const letter = statusLetter(c, {
    ...letterContextOf(deps.cfg, c.county),
    inReplyTo,
    lastProgress: text && last ? { text, at: last.at } : null,
  });
  if (!letter) return;
  await w.send([{ kind: 'email', recipient: String(letter.to).toLowerCase(), payload: letter, key: `status:${c.id}:${shanghaiDay(w.now)}`, complaintId: c.id }]);
}
