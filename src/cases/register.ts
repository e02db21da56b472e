// Registering a new case — from a resident's mail (mail.ts) or an officer's phone/visit/letter/12345 entry (/new,
// and the desk). One transaction: tracking number, case row, company/compound, audit events, outbox rows (the
// acknowledgement and the officers' notices).
import type { Actor, Case, ClassificationSummary, Effect } from '../domain.ts';
import { ackMessageId } from '../messages/letters.ts';
import * as companies from '../store/companies.ts';
import * as caseStore from '../store/cases.ts';
import { countAcksTo } from '../store/outbox.ts';
import { shanghaiYear } from '../time.ts';
import { register, withCaseId, type RegisterInput } from '../workflow/complaint.ts';
import { complainantKey, normaliseCompanyName } from '../workflow/companies.ts';
import type { WorkflowError } from '../workflow/errors.ts';
import { commit, type Work } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import { effectRows } from './effects.ts';

export interface RegisterOptions {
  actor?: Actor;
  rawMailId?: number | null;
  /** The resident's Message-ID: the acknowledgement threads under it. */
  originalMessageId?: string | null;
}

export type RegisterResult = { ok: true; complaint: Case; ackSuppressed: boolean } | { ok: false; error: WorkflowError };

/** Writes a new case inside the caller's transaction (mail.ts adds the raw mail's outcome to the same one). */
export async function writeNewCase(w: Work, deps: Pick<CaseDeps, 'cfg' | 'cal'>, input: RegisterInput, opts: RegisterOptions = {}): Promise<RegisterResult> {
  const { cfg } = deps;
  // A registered compound gives the company when the mail names none (004 五(二): the compound register).
  if (!input.company && input.compound) {
    const known = await companies.registeredCompound(w.tx, input.compound, input.county);
    if (known?.company) input = { ...input, company: known.company };
  }
  const reg = register(input, w.now, deps.cal, opts.actor);
  if (!reg.ok) return reg;
  const county = cfg.counties.find((c) => c.code === input.county);
  if (!county) throw new Error(`unknown county ${input.county}`);
  const tracking = await caseStore.nextTrackingNumber(w.tx, county.prefix, shanghaiYear(input.receivedAt));

  const companyId = input.company ? await companies.ensureCompany(w.tx, normaliseCompanyName(input.company), input.county, w.nowIso) : null;
  if (input.compound) await companies.ensureCompound(w.tx, input.compound, input.county, companyId, w.nowIso);

  const created = await caseStore.insertCase(w.tx, reg.case, tracking, w.nowIso, {
    complainantKey: complainantKey({ ...input.complainant, compound: input.compound }),
    companyId,
    rawMailId: opts.rawMailId ?? null,
    ackMessageId: input.complainant.email ? ackMessageId(tracking) : null,
  });

  let effects: Effect[] = withCaseId(reg.effects, created.id);
  const events = [...reg.events];
  let ackSuppressed = false;
  // Acknowledgements are rate-limited per sender address: a loop with an auto-responder ends here.
  const email = input.complainant.email;
  if (email && effects.some((e) => e.kind === 'email-complainant')) {
    const since = new Date(w.now.getTime() - 3600_000).toISOString();
    if ((await countAcksTo(w.tx, email, since)) >= cfg.intake.ackPerSenderPerHour) {
      effects = effects.filter((e) => e.kind !== 'email-complainant');
      ackSuppressed = true;
      events.push({ type: 'ack-suppressed', at: w.nowIso, actor: { kind: 'system', name: 'intake' }, data: { reason: '同一发件人一小时内回执过多 ack rate limit' } });
    }
  }
  const ids = await caseStore.appendEvents(w.tx, created.id, events);
  await w.send(await effectRows(w.tx, created, effects, { cfg, now: w.now, eventId: ids[0] ?? 0, originalMessageId: opts.originalMessageId }));
  return { ok: true, complaint: created, ackSuppressed };
}

/** Registers a case on its own (an officer's or the desk's entry). */
export async function registerCase(deps: CaseDeps, input: RegisterInput, opts: RegisterOptions = {}): Promise<RegisterResult> {
  return commit(deps, (w) => writeNewCase(w, deps, input, opts));
}

/**
 * A person registering a case by hand (the bot's /new, the console's 登记) has already judged it a property
 * complaint: when the keywords name no unit, it goes to the triage queue instead of being refused as "not a
 * complaint" as a mail would be.
 */
export function handRegisteredClassification(cls: ClassificationSummary): ClassificationSummary {
  return !cls.unit && !cls.urgent && !cls.triage ? { ...cls, triage: true } : cls;
}

/** The subject of a hand-registered case: the first non-empty line of what was said, up to 40 characters. */
export function subjectOfContent(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim())?.trim() ?? '';
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
