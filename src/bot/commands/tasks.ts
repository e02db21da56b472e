// /tasks — 我的任务: the officer's open cases, overdue first, a page at a time with buttons to open each.
import { Composer, type Context } from 'telegraf';
import type { Officer } from '../../store/officers.ts';
import { readIsAudited, taskScope } from '../auth.ts';
import { callbackOf, officerOf, type BotDeps } from '../context.ts';
import { taskPage } from '../../store/tasks.ts';
import { TASK_PAGE_SIZE, taskListKeyboard, taskListText } from '../../messages/index.ts';
import { answer, auditRead, isNotModified } from '../ui.ts';

export function tasksComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('tasks', async (ctx) => {
    const { text, keyboard } = await renderPage(deps, officerOf(ctx), 0);
    await ctx.reply(text, { reply_markup: keyboard });
  });

  composer.on('callback_query', async (ctx, next) => {
    const cb = callbackOf(ctx, 'tasks');
    if (!cb) return next();
    await answer(ctx);
    const { text, keyboard } = await renderPage(deps, officerOf(ctx), cb.page);
    try {
      await ctx.editMessageText(text, { reply_markup: keyboard });
    } catch (e) {
      if (!isNotModified(e)) await ctx.reply(text, { reply_markup: keyboard });
    }
  });

  return composer;
}

async function renderPage(deps: BotDeps, o: Officer, requested: number) {
  const scope = taskScope(o);
  let page = requested;
  let r = await taskPage(deps.db, scope, page, TASK_PAGE_SIZE);
  // A page that emptied meanwhile (cases closed) shows the last one that still has tasks.
  if (r.items.length === 0 && r.total > 0 && page > 0) {
    page = Math.max(0, Math.ceil(r.total / TASK_PAGE_SIZE) - 1);
    r = await taskPage(deps.db, scope, page, TASK_PAGE_SIZE);
  }
  if (readIsAudited(o)) await auditRead(deps, o, null, 'tasks', { page, ids: r.items.map((c) => c.id) });
  const now = deps.clock.now();
  const title = scope.kind === 'all' ? '全部在办案件' : '我的任务';
  return { text: taskListText(r.items, r.total, page, now, title), keyboard: taskListKeyboard(r.items, r.total, page) };
}
