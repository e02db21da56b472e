// The workflow's effects (data: who must hear what) as outbox rows, worded by src/messages: Telegram messages to
// the officers who must act or be told, and letters to the complainant. Quiet hours hold non-urgent officer
// messages until morning. Reads recipients in the caller's transaction; writes nothing itself.
import type { Config } from '../config.ts';
import type { Case, Effect, Role } from '../domain.ts';
import { complainantLetter, type LetterContext } from '../messages/letters.ts';
import { noticeKeyboard, viewKeyboard } from '../messages/keyboards.ts';
import { renderNotice } from '../messages/case-texts.ts';
import { telegramMessage } from '../messages/telegram.ts';
import type { Conn } from '../store/db.ts';
import * as officers from '../store/officers.ts';
import type { OutboxMessage } from '../store/outbox.ts';
import { reviewingUnit } from '../workflow/auth.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { quietHoursRelease } from '../workflow/quiet-hours.ts';

export interface EffectContext {
  cfg: Pick<Config, 'counties' | 'city' | 'schedule' | 'mailboxes'>;
  now: Date;
  /** The first audit event id of this transition: makes each row's idempotency key unique and repeatable. */
  eventId: number;
  /** The complainant's own Message-ID, so letters thread under the mail they sent. */
  originalMessageId?: string | null;
  /** A resident's new mail that caused these effects (补充, 不满意): officers read its words, not the old ones. */
  news?: { text: string; files: number } | null;
}

async function officersFor(tx: Conn, e: Effect, c: Case) {
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

/**
 * Who writes to a resident of `county`: its housing office, from the county's published mailbox (the one residents
 * write to), signed with its phone when configured. 市本级 is written as the city itself.
 */
export function letterContextOf(cfg: Pick<Config, 'counties' | 'city' | 'mailboxes'>, county: string): LetterContext {
  const k = cfg.counties.find((x) => x.code === county);
  return {
    cityName: cfg.city.name,
    countyName: (k?.name ?? cfg.city.name).replace(/[（(]市本级[)）]$/, ''),
    mailbox: cfg.mailboxes.find((m) => m.county === county)?.address ?? null,
    phone: k?.phone ?? null,
  };
}

/** The outbox rows of `effects` on case `c`. */
export async function effectRows(tx: Conn, c: Case, effects: readonly Effect[], ctx: EffectContext): Promise<OutboxMessage[]> {
  const rows: OutboxMessage[] = [];
  const nowIso = ctx.now.toISOString();
  for (const [i, e] of effects.entries()) {
    if (e.kind === 'email-complainant') {
      const letter = complainantLetter(e.template as EffectTemplate, c, { ...letterContextOf(ctx.cfg, c.county), originalMessageId: ctx.originalMessageId });
      if (!letter) continue;
      const key = e.template === 'ack' ? `ack:${c.id}` : `mail:${ctx.eventId}:${i}`;
      rows.push({ kind: 'email', recipient: String(letter.to).toLowerCase(), payload: letter, key, complaintId: c.id });
      continue;
    }
    const urgent = ('urgent' in e && e.urgent) || e.kind === 'escalate';
    const notBefore = urgent ? nowIso : quietHoursRelease(ctx.now, ctx.cfg.schedule.quietHours).toISOString();
    const text = renderNotice(e.template as EffectTemplate, c, ctx.news);
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
  return rows;
}
