// The officer bot (telegraf). The middleware chain, in order:
//   errors → repeated update_id dropped (updates are at-least-once) → Bot API error policy (api-policy.ts) →
//   block/unblock noted → one update at a time
//   per chat (dialogue state is read-modify-write) → officer loaded by chat id → /start linking → gate: an unlinked
//   chat gets a short explanation and nothing else → callback data parsed (forged/malformed refused) → dialogue
//   loaded → one Composer per feature (commands/) → fallbacks.
// Sends that belong to a case's effects go through the outbox; replies to the officer's own taps go directly.
import { createHash } from 'node:crypto';
import type { Agent, Server } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { Telegraf, type Context } from 'telegraf';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { scrub, type Logger } from '../log.ts';
import { loadClassifier } from '../runtime.ts';
import type { Db } from '../store/db.ts';
import { officerByChat, setReachable } from '../store/officers.ts';
import { firstSeen } from '../store/telegram.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { apiPolicy, BlockedByUser } from './api-policy.ts';
import { parseCallback } from '../messages/callback.ts';
import { actionsComposer } from './commands/actions.ts';
import { cancelComposer } from './commands/cancel.ts';
import { companyComposer } from './commands/company.ts';
import { mailComposer } from './commands/mail.ts';
import { caseComposer } from './commands/case.ts';
import { helpComposer } from './commands/help.ts';
import { newComposer } from './commands/new.ts';
import { startComposer } from './commands/start.ts';
import { statsComposer } from './commands/stats.ts';
import { tasksComposer } from './commands/tasks.ts';
import { webComposer } from './commands/web.ts';
import { state, type BotDeps, type ClassifyFn } from './context.ts';
import { BOT_COMMANDS, TEXT } from '../messages/index.ts';
import { loadDialogue } from './session.ts';
import { answer } from './ui.ts';
import { closeWebhook, listenWebhook } from './webhook.ts';

export const DEFAULT_API_ROOT = 'https://api.telegram.org';

export interface CreateBotDeps {
  cfg: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  cal: Calendar;
  token: string;
  wakeOutbox: () => void;
  /** Defaults to the configured keyword rules (config/keywords.yaml), loaded once here. */
  classify?: ClassifyFn;
  promoteMail?: BotDeps['promoteMail'];
}

export interface OfficerBot {
  bot: Telegraf<Context>;
  /** setMyCommands, then long polling (or the webhook when `bot.webhook` is configured). */
  start(): Promise<void>;
  /**
   * start(), but an unreachable Bot API does not stop the service: the first try's outcome is returned and, when it
   * could not connect, it tries again in the background with backoff until it does (or stop()). A rejected token
   * (401/404) is still an error: no retry can fix it.
   */
  connect(): Promise<'connected' | 'retrying'>;
  /** Stops receiving (and connecting); waits for the updates in hand. */
  stop(): Promise<void>;
}

/** The Bot API said the token is wrong: waiting will not help. */
export function tokenRejected(e: unknown): boolean {
  const code = (e as { response?: { error_code?: number } })?.response?.error_code;
  return code === 401 || code === 404;
}

/** Waits between connection attempts: 1 s, doubling, at most a minute. */
export function connectDelay(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** attempt);
}

/** The update types the bot reads. */
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

export function createBot(deps: CreateBotDeps): OfficerBot {
  const { cfg, db, log, clock } = deps;
  const agent: Agent | undefined = cfg.bot.proxy ? (new HttpsProxyAgent(cfg.bot.proxy) as unknown as Agent) : undefined;
  const bot = new Telegraf<Context>(deps.token, {
    // webhookReply off: telegraf would otherwise put a handler's first call into the webhook's answer, where Telegram
    // carries it out without telling us whether it failed (a 403 from a blocked officer would go unnoticed).
    telegram: { apiRoot: cfg.bot.apiRoot ?? DEFAULT_API_ROOT, agent, attachmentAgent: agent, webhookReply: false },
    handlerTimeout: 60_000,
  });
  const classify = deps.classify ?? loadClassifier(cfg);
  const bd: BotDeps = { cfg, db, log, clock, cal: deps.cal, wakeOutbox: deps.wakeOutbox, classify, agent, ...(deps.promoteMail ? { promoteMail: deps.promoteMail } : {}) };

  bot.catch(async (err, ctx) => {
    if (err instanceof BlockedByUser) {
      log.info({ chat: err.chatId }, 'bot: the officer blocked the bot; marked unreachable');
      return;
    }
    log.error({ err: scrub(String((err as Error)?.stack ?? err), [deps.token]), update: ctx.update.update_id }, 'bot: update failed');
    try {
      if (ctx.callbackQuery) await answer(ctx, TEXT.busy, true);
      else if (ctx.chat?.type === 'private' && ctx.message) await ctx.reply(TEXT.busy);
    } catch {
      // Telegram unreachable: the error is logged above.
    }
  });

  // Telegram delivers at least once (a restart before the offset is confirmed redelivers): handle each id once.
  bot.use(async (ctx, next) => {
    if (!(await firstSeen(db, ctx.update.update_id, clock.now().toISOString()))) {
      log.debug({ update: ctx.update.update_id }, 'bot: repeated update ignored');
      return;
    }
    return next();
  });

  bot.use(apiPolicy({ log, onBlocked: (chatId) => setReachable(db, chatId, false) }));

  // The officer blocked (or unblocked) the bot: sends to them would fail with 403 until they unblock.
  bot.on('my_chat_member', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    const status = ctx.myChatMember.new_chat_member.status;
    await setReachable(db, ctx.chat.id, status !== 'kicked' && status !== 'left');
  });

  bot.use(perChatQueue());

  bot.use(async (ctx, next) => {
    const chat = ctx.chat;
    if (chat?.type === 'private') {
      const o = await officerByChat(db, chat.id);
      if (o) {
        // 市本级: the city's own officers; a county's admin reaches that county only.
        state(ctx).officer = { ...o, cityLevel: o.county === cfg.city.code };
        // Writing to the bot again means the chat works again (it was marked unreachable after a 403).
        if (!o.reachable) await setReachable(db, chat.id, true);
      }
    }
    return next();
  });

  bot.use(startComposer(bd));

  bot.use(async (ctx, next) => {
    if (state(ctx).officer) return next();
    if (ctx.callbackQuery) await answer(ctx, TEXT.unlinked, true);
    else if (ctx.chat?.type === 'private' && ctx.message) await ctx.reply(TEXT.unlinked);
  });

  bot.on('callback_query', async (ctx, next) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
    const cb = parseCallback(data);
    if (!cb) {
      log.warn({ chat: ctx.chat?.id, data: String(data).slice(0, 80) }, 'bot: malformed callback data refused');
      await answer(ctx, TEXT.badButton, true);
      return;
    }
    state(ctx).callback = cb;
    return next();
  });

  bot.use(async (ctx, next) => {
    if (ctx.chat) state(ctx).dialogue = await loadDialogue(db, ctx.chat.id);
    return next();
  });

  bot.use(cancelComposer(bd), helpComposer(), tasksComposer(bd), caseComposer(bd), statsComposer(bd), newComposer(bd), actionsComposer(bd), companyComposer(bd), mailComposer(bd), webComposer(bd));

  bot.on('callback_query', async (ctx) => {
    await answer(ctx, TEXT.badButton, true);
  });
  bot.on('message', async (ctx) => {
    await ctx.reply('photo' in ctx.message ? TEXT.photoWithoutDialogue : TEXT.unknownInput);
  });

  /** An error's message as it may be logged: never with the token in it (Telegram URLs carry it). */
  const tokenless = (e: unknown) => scrub(String((e as Error)?.message ?? e), [deps.token]);
  let running: Promise<void> | null = null;
  let hookServer: Server | null = null;
  let retry: NodeJS.Timeout | null = null;
  let stopping = false;
  return {
    bot,
    async start() {
      await bot.telegram.setMyCommands(BOT_COMMANDS);
      const hook = cfg.bot.webhook;
      if (hook) {
        const url = new URL(hook.url);
        const secretToken = webhookSecret(deps.token);
        // Listening first and once: a retry after the Bot API was unreachable only sets the webhook again.
        hookServer ??= await listenWebhook(hook.listen, bot.webhookCallback(url.pathname, { secretToken }), log);
        await bot.telegram.setWebhook(url.href, { allowed_updates: [...ALLOWED_UPDATES], secret_token: secretToken });
        log.info({ url: `${url.origin}${url.pathname}`, listen: hook.listen }, 'bot: webhook set');
        return;
      }
      await new Promise<void>((resolve, reject) => {
        running = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => resolve());
        running.catch((e: unknown) => {
          log.error({ err: tokenless(e) }, 'bot: long polling stopped');
          reject(e as Error);
        });
      });
      log.info({ bot: bot.botInfo?.username }, 'bot: long polling');
    },
    async connect() {
      const attempt = async (): Promise<boolean> => {
        try {
          await this.start();
          return true;
        } catch (e) {
          if (tokenRejected(e)) throw e;
          log.warn({ err: tokenless(e) }, 'bot: Bot API unreachable; mail, the desk and the outbox go on, the bot retries');
          return false;
        }
      };
      if (await attempt()) return 'connected';
      let n = 0;
      const again = () => {
        if (stopping) return;
        retry = setTimeout(() => {
          retry = null;
          attempt()
            .then((ok) => {
              if (ok) log.info('bot: connected to the Bot API');
              else again();
            })
            .catch((e: unknown) => log.error({ err: tokenless(e) }, 'bot: the Bot API rejected the token; the bot stays off'));
        }, connectDelay(n++));
        retry.unref();
      };
      again();
      return 'retrying';
    },
    async stop() {
      stopping = true;
      if (retry) clearTimeout(retry);
      retry = null;
      // The webhook stays set: Telegram keeps the updates that come meanwhile and delivers them after a restart.
      if (hookServer) await closeWebhook(hookServer);
      hookServer = null;
      if (!running) return;
      try {
        bot.stop('shutdown');
      } catch {
        // never started
      }
      await running.catch(() => undefined);
      running = null;
    },
  };
}

/** Telegram's secret_token header proves a webhook call came from Telegram; derived from the token, never logged. */
function webhookSecret(token: string): string {
  return createHash('sha256').update(`wuye-webhook:${token}`).digest('hex');
}

/**
 * Updates of one chat are handled one after the other (long polling hands a batch over at once, e.g. an album of
 * photos): each dialogue step reads and writes the chat's bot_session row.
 */
function perChatQueue() {
  const tails = new Map<number, Promise<void>>();
  return async (ctx: Context, next: () => Promise<void>): Promise<void> => {
    const id = ctx.chat?.id;
    if (id === undefined) return next();
    const before = tails.get(id) ?? Promise.resolve();
    const run = before.then(() => next());
    const tail = run.catch(() => undefined);
    tails.set(id, tail);
    try {
      await run;
    } finally {
      if (tails.get(id) === tail) tails.delete(id);
    }
  };
}
