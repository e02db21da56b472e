// /web — a one-time login link to the web console for the linked officer (issue 18). The use case decides the web
// role (cases/web-accounts.ts, next to actorOfWebUser) and audits who got a link; the link goes only to this chat.
import { Composer, type Context } from 'telegraf';
import { issueLoginLink } from '../../cases/web-accounts.ts';
import { TEXT } from '../../messages/index.ts';
import { officerOf, type BotDeps } from '../context.ts';

export function webComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command('web', async (ctx) => {
    // A login link is a credential: never in a group, where others would read it.
    if (ctx.chat?.type !== 'private') {
      await ctx.reply(TEXT.privateOnly);
      return;
    }
    const r = await issueLoginLink(deps, officerOf(ctx));
    if (!r.ok) {
      await ctx.reply(r.message);
      return;
    }
    // No link preview: Telegram's preview fetcher must not open the link (the page asks for a click anyway).
    await ctx.reply(TEXT.webLink(r.url, deps.cfg.web.loginLinkMinutes), { link_preview_options: { is_disabled: true } });
  });
  return composer;
}
