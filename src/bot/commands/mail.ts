// The desk's unregistered mail in the bot: 查看 #id from the daily note opens the mail's card, 登记为投诉 registers it
// through the normal path (the intake's promote, given by main.ts). Who may: the county's housing office and admins,
// the city's admins everywhere; anyone else is told the mail is not there (as for a case beyond their reach).
import { Composer, type Context } from 'telegraf';
import { TEXT, unregisteredMailCard, unregisteredMailKeyboard } from '../../messages/index.ts';
import { unregisteredOne } from '../../store/mail.ts';
import type { Officer } from '../../store/officers.ts';
import { actorOf } from '../auth.ts';
import { callbackOf, officerOf, type BotDeps } from '../context.ts';
import { answer, refuse } from '../ui.ts';

export function mayReviewMail(o: Officer, county: string): boolean {
  if (o.role === 'admin') return o.cityLevel === true || o.county === county;
  return o.role === 'officer' && o.unit === 'housing' && o.county === county;
}

export function mailComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('callback_query', async (ctx, next) => {
    const cb = callbackOf(ctx, 'mail');
    if (!cb) return next();
    const o = officerOf(ctx);
    const m = await unregisteredOne(deps.db, cb.rawMailId);
    const unregistered = m && (m.outcome === 'ignored' || m.outcome === 'quarantined');
    if (!m || !mayReviewMail(o, m.county ?? deps.cfg.city.code)) {
      await refuse(ctx, TEXT.mailNotFound);
      return;
    }
    if (cb.action === 'view') {
      await answer(ctx);
      await ctx.reply(unregisteredMailCard({ ...m, receivedAt: m.received_at }), unregistered ? { reply_markup: unregisteredMailKeyboard(m.id) } : {});
      return;
    }
    if (!unregistered) {
      await refuse(ctx, TEXT.mailAlreadyRegistered);
      return;
    }
    if (!deps.promoteMail) {
      await refuse(ctx, TEXT.busy);
      return;
    }
    const r = await deps.promoteMail(m.id, actorOf(o));
    if (!r.ok) {
      await refuse(ctx, r.message);
      return;
    }
    deps.log.info({ rawMailId: m.id, tracking: r.tracking, officer: o.id }, 'bot: unregistered mail registered');
    await answer(ctx, TEXT.registered(r.tracking));
    await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
    await ctx.reply(TEXT.registered(r.tracking));
  });
  return composer;
}
