// Persisting a newly registered case — shared by mail intake and the bot's /new dialogue. One transaction:
// tracking number, case row, company/compound, audit events, outbox rows (ack + officer notices).
import type { Config } from '../config.ts';
import type { Complaint, Effect } from '../domain.ts';
import type { Tx } from '../store/db.ts';
import * as complaints from '../store/complaints.ts';
import * as companies from '../store/companies.ts';
import { countAcksTo } from '../store/outbox.ts';
import { dispatchEffects } from '../outbox/effects.ts';
import { ackMessageId } from '../outbox/letters.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { register, withCaseId, type RegisterInput } from '../workflow/complaint.ts';
import { complainantKey } from '../workflow/companies.ts';
import type { WorkflowError } from '../workflow/errors.ts';
import type { Actor } from '../domain.ts';

export interface PersistContext {
  cfg: Config;
  cal: Calendar;
  now: Date;
  actor?: Actor;
  rawMailId?: number | null;
  originalMessageId?: string | null;
}

export type PersistResult = { ok: true; complaint: Complaint; ackSuppressed: boolean } | { ok: false; error: WorkflowError };

function yearInShanghai(iso: string): number {
  return new Date(Date.parse(iso) + 8 * 3600_000).getUTCFullYear();
}

export function normaliseCompanyName(name: string): string {
  return name.replace(/\s+/g, '').replace(/[（(]/g, '(').replace(/[）)]/g, ')');
}

export async function persistNewCase(tx: Tx, input: RegisterInput, ctx: PersistContext): Promise<PersistResult> {
  const reg = register(input, ctx.now, ctx.cal, ctx.actor);
  if (!reg.ok) return reg;
  const county = ctx.cfg.counties.find((c) => c.code === input.county);
  if (!county) throw new Error(`unknown county ${input.county}`);
  const nowIso = ctx.now.toISOString();
  const tracking = await complaints.nextTrackingNumber(tx, county.prefix, yearInShanghai(input.receivedAt));

  const companyId = input.company ? await companies.ensureCompany(tx, normaliseCompanyName(input.company), input.county, nowIso) : null;
  if (input.compound) await companies.ensureCompound(tx, input.compound, input.county, companyId, nowIso);

  const created = await complaints.insertComplaint(tx, reg.case, tracking, nowIso, {
    complainantKey: complainantKey({ ...input.complainant, compound: input.compound }),
    companyId,
    rawMailId: ctx.rawMailId ?? null,
    ackMessageId: input.complainant.email ? ackMessageId(tracking) : null,
  });

  let effects: Effect[] = withCaseId(reg.effects, created.id);
  const events = [...reg.events];
  let ackSuppressed = false;
  // Acknowledgements are rate-limited per sender address: a loop with an auto-responder ends here.
  const email = input.complainant.email;
  if (email && effects.some((e) => e.kind === 'email-complainant')) {
    const since = new Date(ctx.now.getTime() - 3600_000).toISOString();
    if ((await countAcksTo(tx, email, since)) >= ctx.cfg.intake.ackPerSenderPerHour) {
      effects = effects.filter((e) => e.kind !== 'email-complainant');
      ackSuppressed = true;
      events.push({ type: 'ack-suppressed', at: nowIso, actor: { kind: 'system', name: 'intake' }, data: { reason: '同一发件人一小时内回执过多 ack rate limit' } });
    }
  }
  const ids = await complaints.appendEvents(tx, created.id, events);
  await dispatchEffects(tx, created, effects, {
    cfg: ctx.cfg,
    now: ctx.now,
    eventId: ids[0] ?? 0,
    originalMessageId: ctx.originalMessageId,
  });
  return { ok: true, complaint: created, ackSuppressed };
}
