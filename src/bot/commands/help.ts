// /help — what the bot does, with the part for the officer's own role.
import { Composer, type Context } from 'telegraf';
import { officerOf } from '../context.ts';
import { helpText } from '../../messages/index.ts';

export function helpComposer(): Composer<Context> {
  const composer = new Composer<Context>();
  composer.help(async (ctx) => {
    await ctx.reply(helpText(officerOf(ctx).role));
  });
  return composer;
}
