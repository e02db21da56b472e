// The ✅ 已完成 button of a company action's notice and reminders (messages/company.ts): the officer who
// carried the step out records it done, which ends its reminders. Who may: bot/auth.ts mayCompleteCompanyAction.
import { Composer, type Context } from 'telegraf';
import { completeCompanyAction } from '../../cases/company.ts';
import { companyActionById } from '../../store/companies.ts';
import { ACTION_UNIT } from '../../workflow/companies.ts';
import { actorOf, mayCompleteCompanyAction } from '../auth.ts';
import { callbackOf, officerOf, type BotDeps } from '../context.ts';
import { TEXT } from '../../messages/index.ts';
import { momentForPeople } from '../../time.ts';
import { answer, refuse } from '../ui.ts';

export function companyComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('callback_query', async (ctx, next) => {
    const cb = callbackOf(ctx, 'companyDone');
    if (!cb) return next();
    const o = officerOf(ctx);
    const a = await companyActionById(deps.db, cb.actionId, deps.cfg.city.code);
    if (!a) {
      await refuse(ctx, TEXT.companyActionNotFound);
      return;
    }
    if (!mayCompleteCompanyAction(o, { doer: ACTION_UNIT[a.type], county: a.county })) {
      await refuse(ctx, TEXT.mayNotCompleteCompanyAction);
      return;
    }
    const now = deps.clock.now();
    const done = a.doneAt === null && (await completeCompanyAction(deps, a.id, actorOf(o)));
    if (done) deps.log.info({ actionId: a.id, officerId: o.id }, 'bot: company action recorded done');
    await answer(ctx, done ? TEXT.companyActionDone : `已于 ${momentForPeople(a.doneAt ?? now.toISOString())} 登记完成${a.doneBy ? `（${a.doneBy}）` : ''}`);
    // The button is spent either way.
    await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
  });
  return composer;
}
