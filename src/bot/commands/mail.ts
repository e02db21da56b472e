// The desk's unregistered mail in the bot: 查看 #id from the daily note opens the mail's card, 登记为投诉 registers it
// through the normal path (the intake's promote, given by main.ts). Who may: the county's housing office and admins,
// the city's admins everywhere; anyone else is told the mail is not there (as for a case beyond their reach).
import { Composer, type Context } from 'telegraf';
import { TEXT, unregisteredMailCard, unregisteredMailKeyboard, unregisteredNote, unregisteredNoteKeyboard } from '../../messages/index.ts';
import { unregisteredBetween, unregisteredOne } from '../../store/mail.ts';
import { actorOf, mayReviewMail } from '../auth.ts';
import { callbackOf, officerOf, type BotDeps } from '../context.ts';
import { answer, refuse } from '../ui.ts';

/** How far back /mail looks. */
const MAIL_DAYS = 7;

export function mailComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  // /mail: the county's unregistered mail of the last days, for the desk (the same list as the daily note's).
  composer.command('mail', async (ctx) => {
    const o = officerOf(ctx);
    if (!mayReviewMail(o, o.county)) {
      await ctx.reply(TEXT.mayNotReviewMail);
      return;
    }
    const now = deps.clock.now();
    const since = new Date(now.getTime() - MAIL_DAYS * 24 * 3600_000).toISOString();
    const all = await unregisteredBetween(deps.db, since, new Date(now.getTime() + 1).toISOString());
    const mine = all.filter((m) => mayReviewMail(o, m.county ?? deps.cfg.city.code)).reverse();
    const countyName = o.cityLevel ? deps.cfg.city.name : (deps.cfg.counties.find((k) => k.code === o.county)?.name ?? o.county);
    await ctx.reply(unregisteredNote(countyName, `近${MAIL_DAYS}日`, mine), { reply_markup: unregisteredNoteKeyboard(mine) });
  });
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
