// /start <code>: links this chat to an officer through a one-shot, expiring invite (`wuye officer invite`).
// Runs before the linked-officer gate: it is the one thing an unlinked chat may do.
import { Composer, type Context } from 'telegraf';
import { countyByCode } from '../../config.ts';
import { inTransaction } from '../../store/db.ts';
import { redeemInvite, type RedeemResult } from '../../store/officers.ts';
import { chatIdOf, state, type BotDeps } from '../context.ts';
import { helpText, INVITE_FAILED, linkedText, TEXT, whoAmI } from '../../messages/index.ts';

/** Invite codes are base64url (store/officers.ts createInvite); anything else cannot be one. */
const CODE_RE = /^[A-Za-z0-9_-]{8,64}$/;

export function startComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.start(async (ctx) => {
    if (ctx.chat.type !== 'private') {
      await ctx.reply(TEXT.privateOnly);
      return;
    }
    const code = ctx.payload.trim();
    const linked = state(ctx).officer;
    const countyName = (county: string) => countyByCode(deps.cfg, county)?.name ?? county;
    if (!code) {
      await ctx.reply(linked ? `${whoAmI(linked, countyName(linked.county))}\n\n${helpText(linked.role)}` : TEXT.unlinked);
      return;
    }
    const r = CODE_RE.test(code) ? await redeem(deps, code, chatIdOf(ctx), displayName(ctx)) : ({ ok: false, reason: 'unknown' } as const);
    if (!r.ok) {
      deps.log.info({ chat: ctx.chat.id, reason: r.reason }, 'bot: invite refused');
      await ctx.reply(INVITE_FAILED[r.reason]);
      return;
    }
    state(ctx).officer = r.officer;
    deps.log.info({ officer: r.officer.id, unit: r.officer.unit, county: r.officer.county, role: r.officer.role }, 'bot: officer linked');
    await ctx.reply(linkedText(r.officer, countyName(r.officer.county)));
  });
  return composer;
}

async function redeem(deps: BotDeps, code: string, chatId: number, name: string | null): Promise<RedeemResult> {
  try {
    return await inTransaction(deps.db, (tx) => redeemInvite(tx, code, chatId, name, deps.clock.now()));
  } catch (e) {
    // Two chats racing for one code: the loser sees it as used.
    if (/redeemed concurrently/.test((e as Error).message)) return { ok: false, reason: 'used' };
    throw e;
  }
}

function displayName(ctx: Context): string | null {
  const f = ctx.from;
  if (!f) return null;
  const name = [f.first_name, f.last_name].filter(Boolean).join(' ').trim();
  return name ? name.slice(0, 64) : null;
}
