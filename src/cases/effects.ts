// The workflow's effects (data: who must hear what) as outbox rows, worded by src/messages: Telegram messages to
// the officers who must act or be told, and letters to the complainant. Quiet hours hold non-urgent officer
// messages until morning. Reads recipients in the caller's transaction; writes nothing itself.
import type { Config } from '../config.ts';
import type { Case, Effect, Role } from '../domain.ts';
import { UNIT_FULL_NAMES, type LetterDetail, type UnitCode } from '../domain.ts';
import { complainantLetter, dailyLetter, IMMEDIATE_LETTERS, stepNote, type LetterContext } from '../messages/letters.ts';
import { noticeKeyboard, viewKeyboard } from '../messages/keyboards.ts';
import { renderNotice, unstaffedNotice, type NoticeStep } from '../messages/case-texts.ts';
import { telegramMessage } from '../messages/telegram.ts';
import type { Conn } from '../store/db.ts';
import * as officers from '../store/officers.ts';
import { heldPayload, type OutboxMessage } from '../store/outbox.ts';
import { reviewingUnit } from '../workflow/auth.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { nextLetterTime, quietHoursRelease } from '../workflow/quiet-hours.ts';
import { shanghaiDay } from '../time.ts';

export interface EffectContext {
  cfg: Pick<Config, 'counties' | 'city' | 'schedule' | 'mailboxes'>;
  now: Date;
  /** The first audit event id of this transition: makes each row's idempotency key unique and repeatable. */
  eventId: number;
  /** The complainant's own Message-ID, so letters thread under the mail they sent. */
  originalMessageId?: string | null;
  /** A resident's new mail that caused these effects (补充, 不满意): officers read its words, not the old ones. */
  news?: { text: string; files: number } | null;
  /** The step that caused these effects (its actor and data): what the next hand must know. */
  step?: NoticeStep | null;
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

/** What a body told of an urgent case is called in the letter: 盐湖区住房和城乡建设局, 属地乡镇人民政府（街道办事处）. */
function toldName(unit: UnitCode, countyName: string): string {
  return unit === 'township' || unit === 'community' ? `属地${UNIT_FULL_NAMES[unit]}` : `${countyName}${UNIT_FULL_NAMES[unit]}`;
}

/** The day's letter to a complainant, held in the outbox until its time: its key and the steps it holds so far. */
type DailyPayload = ReturnType<typeof dailyLetter> & { notes?: string[] };

function dailyKey(caseId: number, sendAt: Date): string {
  return `letter:${caseId}:${shanghaiDay(sendAt)}`;
}

/**
 * A letter to the complainant: the acknowledgement, the final result and an officer's letter go at once (and take
 * any step still waiting for the day's letter with them); every other step joins the day's one letter, which goes
 * at `schedule.residentLetters` — so a busy day is one mail, not five.
 */
async function letterRows(tx: Conn, c: Case, e: Effect & { kind: 'email-complainant' }, i: number, ctx: EffectContext, told: string[]): Promise<OutboxMessage[]> {
  const template = e.template as EffectTemplate;
  const base = { ...letterContextOf(ctx.cfg, c.county), originalMessageId: ctx.originalMessageId };
  const detail: LetterDetail | undefined = e.detail;
  const nowIso = ctx.now.toISOString();
  const sendAt = nextLetterTime(ctx.now, ctx.cfg.schedule.residentLetters);
  const key = dailyKey(c.id, sendAt);
  // The acknowledgement is a new case's first letter: there is no day's letter to look for (intake's hot path).
  const waiting = template === 'ack' ? null : ((await heldPayload(tx, key, nowIso)) as DailyPayload | null);
  if (IMMEDIATE_LETTERS.has(template)) {
    const earlier = waiting?.notes ?? [];
    const letter = complainantLetter(template, c, { ...base, detail, now: ctx.now, earlier, told: c.urgent ? told : null });
    if (!letter) return [];
    const rowKey = template === 'ack' ? `ack:${c.id}` : `mail:${ctx.eventId}:${i}`;
    return [{ kind: 'email', recipient: String(letter.to).toLowerCase(), payload: letter, key: rowKey, complaintId: c.id, ...(earlier.length ? { supersedes: key } : {}) }];
  }
  const note = stepNote(template, c, { ...base, detail, at: ctx.now });
  if (!note) return [];
  const notes = [...(waiting?.notes ?? []), note];
  const letter = dailyLetter(c, base, notes);
  if (!letter) return [];
  return [
    {
      kind: 'email',
      recipient: String(letter.to).toLowerCase(),
      payload: { ...letter, notes },
      key,
      complaintId: c.id,
      notBefore: sendAt.toISOString(),
      replace: { fallbackKey: `${key}:${ctx.eventId}:${i}` },
    },
  ];
}

/** The case's unit has nobody linked in the county: its desk (housing officers) and admins hear of it at once. */
async function unstaffedRows(tx: Conn, c: Case, unit: UnitCode, ctx: EffectContext, i: number, notBefore: string): Promise<OutboxMessage[]> {
  const desk = unit === 'housing' ? [] : await officers.recipientsFor(tx, { unit: 'housing', county: c.county, roles: ['officer'] });
  const admins = await officers.recipientsFor(tx, { county: c.county, roles: ['admin'] });
  const text = unstaffedNotice(c, unit);
  return [...desk, ...admins].map((o) => ({
    kind: 'telegram' as const,
    recipient: String(o.chatId),
    payload: telegramMessage(o.chatId!, text, viewKeyboard(c)),
    key: `unstaffed:${ctx.eventId}:${i}:${o.id}`,
    complaintId: c.id,
    notBefore,
  }));
}

/** The outbox rows of `effects` on case `c`. */
export async function effectRows(tx: Conn, c: Case, effects: readonly Effect[], ctx: EffectContext): Promise<OutboxMessage[]> {
  const rows: OutboxMessage[] = [];
  const nowIso = ctx.now.toISOString();
  // Bodies told of an urgent case with someone there to read it: the acknowledgement names exactly these.
  const told: string[] = [];
  const countyName = letterContextOf(ctx.cfg, c.county).countyName;
  for (const [i, e] of effects.entries()) {
    if (e.kind === 'email-complainant') {
      rows.push(...(await letterRows(tx, c, e, i, ctx, told)));
      continue;
    }
    const urgent = ('urgent' in e && e.urgent) || e.kind === 'escalate';
    const notBefore = urgent ? nowIso : quietHoursRelease(ctx.now, ctx.cfg.schedule.quietHours).toISOString();
    const text = renderNotice(e.template as EffectTemplate, c, ctx.news, ctx.step);
    // Action buttons go to the unit that works the case; whoever is only told (township on another unit's danger
    // case, leaders on an escalation) gets a view-only card.
    const onlyTold = e.kind === 'escalate' || (e.kind === 'notify-unit' && c.unit !== null && e.unit !== c.unit && e.template === 'urgent');
    const keyboard = onlyTold ? viewKeyboard(c) : noticeKeyboard(e.template as EffectTemplate, c);
    const people = await officersFor(tx, e, c);
    if (urgent && people.length && e.kind === 'notify-unit') told.push(toldName(e.unit, countyName));
    if (!people.length && e.kind === 'notify-unit' && e.unit === c.unit && (e.template === 'assigned' || e.template === 'urgent')) {
      rows.push(...(await unstaffedRows(tx, c, e.unit, ctx, i, notBefore)));
    }
    if (e.kind === 'escalate' && e.level === 'leader' && people.length) told.push(`${countyName}领导`);
    for (const o of people) {
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
