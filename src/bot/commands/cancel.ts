// /cancel and the 取消 button: ends the chat's dialogue (a reason, a report, /new) without changing anything.
import { Composer, type Context } from 'telegraf';
import { callbackOf, chatIdOf, state, type BotDeps } from '../context.ts';
import { TEXT } from '../../messages/index.ts';
import { endDialogue } from '../session.ts';
import { answer } from '../ui.ts';

export function cancelComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const cancel = async (ctx: Context): Promise<string> => {
    const had = state(ctx).dialogue !== undefined;
    if (had) await endDialogue(deps.db, chatIdOf(ctx));
    state(ctx).dialogue = undefined;
    return had ? TEXT.cancelled : TEXT.nothingToCancel;
  };
  composer.command('cancel', async (ctx) => {
    await ctx.reply(await cancel(ctx));
  });
  composer.on('callback_query', async (ctx, next) => {
    if (!callbackOf(ctx, 'cancel')) return next();
    const text = await cancel(ctx);
    await answer(ctx, text);
    // The prompt's buttons are spent.
    await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
  });
  return composer;
}
