// /case <tracking>, the 查看 and 刷新 buttons, and 查看原文 (the original text and its attachments, on request).
import { Composer, type Context } from 'telegraf';
import { caseAttachments, type CaseAttachment } from '../../store/attachments.ts';
import { callbackOf, officerOf, type BotDeps } from '../context.ts';
import { rawParts, TEXT } from '../../messages/index.ts';
import { answer, readCase, showCard } from '../ui.ts';

const TRACKING_RE = /^[A-Za-z]{2,4}-\d{4}-\d{6}$/;
/** Attachments sent per 查看原文 tap; the rest are counted. */
const MAX_ATTACHMENTS = 10;

export function caseComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('case', async (ctx) => {
    const o = officerOf(ctx);
    const tracking = ctx.payload.trim();
    if (!TRACKING_RE.test(tracking)) {
      await ctx.reply(TEXT.caseUsage);
      return;
    }
    const c = await readCase(deps, o, { tracking }, 'case');
    if (!c) {
      await ctx.reply(TEXT.notFound);
      return;
    }
    await showCard(ctx, deps, c, o, 'reply');
  });

  composer.on('callback_query', async (ctx, next) => {
    const cb = callbackOf(ctx, 'case');
    if (!cb || (cb.verb !== 'view' && cb.verb !== 'refresh' && cb.verb !== 'raw')) return next();
    const o = officerOf(ctx);
    const c = await readCase(deps, o, { id: cb.caseId }, cb.verb === 'raw' ? 'raw' : 'view');
    if (!c) {
      await answer(ctx, TEXT.notFound, true);
      return;
    }
    await answer(ctx);
    if (cb.verb === 'raw') {
      await sendOriginal(ctx, deps, c);
      return;
    }
    // 查看 on a notice or a task list opens a new card (the list stays); 刷新 redraws the card itself.
    await showCard(ctx, deps, c, o, cb.verb === 'refresh' ? 'edit' : 'reply');
  });

  return composer;
}

async function sendOriginal(ctx: Context, deps: BotDeps, c: { id: number } & Parameters<typeof rawParts>[0]): Promise<void> {
  for (const part of rawParts(c)) await ctx.reply(part);
  const { items, total } = await caseAttachments(deps.db, c.id, MAX_ATTACHMENTS);
  for (const a of items) {
    try {
      await sendAttachment(ctx, a);
    } catch (e) {
      deps.log.warn({ err: e, attachment: a.id }, 'bot: attachment could not be sent');
      await ctx.reply(`附件「${a.filename}」无法发送。`);
    }
  }
  if (total > items.length) await ctx.reply(`另有 ${total - items.length} 个附件未显示，请在受理台查阅。`);
}

async function sendAttachment(ctx: Context, a: CaseAttachment): Promise<void> {
  // Only officers' photos carry a Telegram file id (cases/evidence.ts saveEvidence): resend them by id as photos.
  if (a.telegramFileId) {
    await ctx.replyWithPhoto(a.telegramFileId, { caption: a.filename });
    return;
  }
  if (!a.content) {
    await ctx.reply(`附件「${a.filename}」内容未保存。`);
    return;
  }
  // Mail attachments go as documents: the officer gets the file exactly as the complainant sent it.
  await ctx.replyWithDocument({ source: a.content, filename: a.filename });
}
