// Shared chat mechanics: answering button taps, drawing and redrawing case cards (tolerating Telegram's
// "message is not modified"), and reading a case within the officer's reach, audited for supervisors.
import type { Context, Telegram } from 'telegraf';
import type { Case } from '../domain.ts';
import { appendEvents, findById, findByTracking, latestComplainantWords } from '../store/cases.ts';
import type { Officer } from '../store/officers.ts';
import { actorOf, availableVerbs, canRead, readIsAudited } from './auth.ts';
import type { BotDeps } from './context.ts';
import { caseCard, caseKeyboard, TEXT, type InlineKeyboard } from '../messages/index.ts';

export function isNotModified(e: unknown): boolean {
  const err = e as { response?: { error_code?: number; description?: string } };
  return err?.response?.error_code === 400 && /message is not modified/.test(err.response.description ?? '');
}

/** Answers a button tap once; a toast, or an alert box for refusals. Never throws (the query may be too old). */
export async function answer(ctx: Context, text?: string, alert = false): Promise<void> {
  if (!ctx.callbackQuery) return;
  try {
    await ctx.answerCbQuery(text ? text.slice(0, 200) : undefined, alert ? { show_alert: true } : undefined);
  } catch {
    // A query older than Telegram's window cannot be answered; the user still sees the edited message.
  }
}

/** A refusal: alert on a button, a message otherwise. */
export async function refuse(ctx: Context, message: string): Promise<void> {
  if (ctx.callbackQuery) await answer(ctx, message, true);
  else await ctx.reply(message);
}

/** The card with the resident's latest words (补充, 不满意) under the original, so nobody works from old text. */
export async function cardOf(deps: BotDeps, c: Case, o: Officer, notice?: string): Promise<{ text: string; keyboard: InlineKeyboard }> {
  const now = deps.clock.now();
  const latest = await latestComplainantWords(deps.db, c.id);
  return { text: caseCard(c, now, notice, latest), keyboard: caseKeyboard(c, availableVerbs(c, o, now, deps.cal)) };
}

/** Edits the tapped message into the card; falls back to a new message when it cannot be edited. */
export async function showCard(ctx: Context, deps: BotDeps, c: Case, o: Officer, mode: 'edit' | 'reply', notice?: string): Promise<void> {
  const { text, keyboard } = await cardOf(deps, c, o, notice);
  if (mode === 'edit' && ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(text, { reply_markup: keyboard });
      return;
    } catch (e) {
      if (isNotModified(e)) return;
      deps.log.debug({ err: e }, 'bot: card edit failed, sending a new one');
    }
  }
  await ctx.reply(text, { reply_markup: keyboard });
}

/** Redraws a card message remembered by a dialogue (errors only logged: the new state is shown anyway). */
export async function redrawCard(deps: BotDeps, telegram: Telegram, chatId: number, messageId: number, c: Case, o: Officer): Promise<void> {
  const { text, keyboard } = await cardOf(deps, c, o);
  try {
    await telegram.editMessageText(chatId, messageId, undefined, text, { reply_markup: keyboard });
  } catch (e) {
    if (!isNotModified(e)) deps.log.debug({ err: e }, 'bot: could not redraw the case card');
  }
}

/**
 * A case the officer may read, or undefined (unknown and out of reach look the same: nothing leaks). Supervisors'
 * reads are written to the audit trail as `read` events (000 附件 六(一)).
 */
export async function readCase(
  deps: BotDeps,
  o: Officer,
  key: { id: number } | { tracking: string },
  what: string,
): Promise<(Case & { version: number }) | undefined> {
  const c = 'id' in key ? await findById(deps.db, key.id) : await findByTracking(deps.db, key.tracking);
  if (!c || !canRead(o, c).ok) return undefined;
  if (readIsAudited(o)) await auditRead(deps, o, c.id, what);
  return c;
}

export async function auditRead(deps: BotDeps, o: Officer, caseId: number | null, what: string, data: Record<string, unknown> = {}): Promise<void> {
  await appendEvents(deps.db, caseId, [{ type: 'read', at: deps.clock.now().toISOString(), actor: actorOf(o), data: { what, via: 'bot', ...data } }]);
}

export { TEXT };
