// Turns the workflow's effects (data) into outbox rows, inside the caller's transaction: Telegram messages to the
// officers who must act, and letters to the complainant. Quiet hours hold non-urgent officer messages until morning.
import type { Config } from '../config.ts';
import type { Complaint, Effect, Role, UnitCode } from '../domain.ts';
import { renderNotice, noticeKeyboard, viewKeyboard } from '../bot/render.ts';
import type { Tx, Conn } from '../store/db.ts';
import * as officers from '../store/officers.ts';
import { enqueue, type OutboxMessage } from '../store/outbox.ts';
import { reviewingUnit } from '../workflow/auth.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { complainantLetter } from './letters.ts';
import type { TelegramPayload } from './telegram.ts';

export interface EffectContext {
  cfg: Pick<Config, 'counties' | 'city' | 'schedule' | 'reports'>;
  now: Date;
  /** The first audit event id of this transition: makes each row's idempotency key unique and repeatable. */
  eventId: number;
  originalMessageId?: string | null;
}

/** Minutes since midnight in Asia/Shanghai. */
function shanghaiMinutes(d: Date): number {
  const t = new Date(d.getTime() + 8 * 3600_000);
  return t.getUTCHours() * 60 + t.getUTCMinutes();
}

function hm(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return h! * 60 + m!;
}

/** When a non-urgent message may go out: now, or the end of the quiet hours (default 21:00–08:00). */
export function quietHoursRelease(now: Date, quiet: { start: string; end: string }): Date {
  const m = shanghaiMinutes(now);
  const start = hm(quiet.start);
  const end = hm(quiet.end);
  const inQuiet = start > end ? m >= start || m < end : m >= start && m < end;
  if (!inQuiet) return now;
  const wait = (end - m + 24 * 60) % (24 * 60);
  const release = new Date(now.getTime() + wait * 60_000);
  release.setUTCSeconds(0, 0);
  return release;
}

async function officersFor(tx: Conn, e: Effect, c: Complaint) {
  switch (e.kind) {
    case 'notify-unit':
      return officers.recipientsFor(tx, { unit: e.unit, county: e.county, roles: ['officer'] });
    case 'notify-officer': {
      const o = await officers.officerById(tx, e.officerId);
      return o && o.active && o.chatId ? [o] : [];
    }
    case 'notify-role': {
      // Reviewers are city level: those of the case unit's counterpart, any county (auth.reviewingUnit).
      if (e.role === 'reviewer') return officers.recipientsFor(tx, { unit: c.unit ? reviewingUnit(c.unit) : 'housing', roles: ['reviewer'] });
      return officers.recipientsFor(tx, { county: e.county, roles: [e.role as Role] });
    }
    case 'escalate': {
      // The unit's leadership in the county (admins of that county), or the city level (supervisors and admins of
      // the city), as 000 附件 二 and 六(二) require the lead office to report upwards.
      if (e.level === 'leader') return officers.recipientsFor(tx, { county: e.county, roles: ['admin'] });
      return officers.recipientsFor(tx, { county: null, roles: ['supervisor', 'admin'] });
    }
    default:
      return [];
  }
}

export function telegramMessage(chatId: number, text: string, keyboard?: unknown): TelegramPayload {
  return { method: 'sendMessage', params: { chat_id: chatId, text, ...(keyboard ? { reply_markup: keyboard } : {}) } };
}

/** Writes the outbox rows for `effects`; returns how many rows were new. */
export async function dispatchEffects(tx: Tx, c: Complaint, effects: Effect[], ctx: EffectContext): Promise<number> {
  const rows: OutboxMessage[] = [];
  const nowIso = ctx.now.toISOString();
  const county = ctx.cfg.counties.find((k) => k.code === c.county);
  for (const [i, e] of effects.entries()) {
    if (e.kind === 'email-complainant') {
      const letter = complainantLetter(e.template as EffectTemplate, c, {
        cityName: ctx.cfg.city.name,
        countyName: county?.name ?? '',
        originalMessageId: ctx.originalMessageId,
      });
      if (!letter) continue;
      const key = e.template === 'ack' ? `ack:${c.id}` : `mail:${ctx.eventId}:${i}`;
      rows.push({ kind: 'email', recipient: String(letter.to).toLowerCase(), payload: letter, key, complaintId: c.id });
      continue;
    }
    const urgent = ('urgent' in e && e.urgent) || e.kind === 'escalate';
    const notBefore = urgent ? nowIso : quietHoursRelease(ctx.now, ctx.cfg.schedule.quietHours).toISOString();
    const text = renderNotice(e.template as EffectTemplate, c);
    // Action buttons go to the unit that works the case; whoever is only told (township on another unit's danger
    // case, leaders on an escalation) gets a view-only card.
    const onlyTold = e.kind === 'escalate' || (e.kind === 'notify-unit' && c.unit !== null && e.unit !== c.unit && e.template === 'urgent');
    const keyboard = onlyTold ? viewKeyboard(c) : noticeKeyboard(e.template as EffectTemplate, c);
    for (const o of await officersFor(tx, e, c)) {
      rows.push({
        kind: 'telegram',
        recipient: String(o.chatId),
        payload: telegramMessage(o.chatId!, text, keyboard),
        key: `tg:${ctx.eventId}:${i}:${o.id}`,
        complaintId: c.id,
        notBefore,
      });
    }
  }
  return enqueue(tx, rows, nowIso);
}

export type { UnitCode };
