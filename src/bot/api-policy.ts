// How the bot's own replies treat Bot API errors (pushes go through the outbox worker, which has its own rules):
//   429 — wait `retry_after` and try again (a few times, short waits only: the officer is looking at the chat);
//   400 "message is not modified" — the message already shows that: success;
//   403 — the officer blocked the bot: mark them unreachable, give up quietly.
import type { Context } from 'telegraf';
import type { Logger } from '../log.ts';

export interface ApiPolicyOptions {
  log: Logger;
  onBlocked: (chatId: number) => Promise<void>;
  /** Longest single wait honoured inside a handler. */
  maxRetryAfterSec?: number;
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface ApiErrorShape {
  response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

export class BlockedByUser extends Error {
  constructor(readonly chatId: number) {
    super(`chat ${chatId} blocked the bot`);
    this.name = 'BlockedByUser';
  }
}

const EDITS = new Set(['editMessageText', 'editMessageReplyMarkup', 'editMessageCaption']);

/** Middleware: wraps this update's Telegram client (telegraf builds one per update) with the policy above. */
export function apiPolicy(opts: ApiPolicyOptions) {
  const maxWait = opts.maxRetryAfterSec ?? 10;
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (ctx: Context, next: () => Promise<void>): Promise<void> => {
    const telegram = ctx.telegram;
    const original = telegram.callApi.bind(telegram);
    const wrapped = async (method: string, payload: unknown, extra?: unknown): Promise<unknown> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await (original as (m: string, p: unknown, e?: unknown) => Promise<unknown>)(method, payload, extra);
        } catch (e) {
          const r = (e as ApiErrorShape).response;
          const code = r?.error_code;
          const retryAfter = r?.parameters?.retry_after;
          if (code === 429 && retryAfter !== undefined && retryAfter <= maxWait && attempt < attempts) {
            opts.log.warn({ method, retryAfter, attempt }, 'bot: rate limited by Telegram, waiting');
            await sleep(retryAfter * 1000);
            continue;
          }
          if (code === 400 && EDITS.has(method) && /message is not modified/.test(r?.description ?? '')) return true;
          if (code === 403) {
            const chatId = Number((payload as { chat_id?: unknown } | undefined)?.chat_id ?? ctx.chat?.id);
            if (Number.isFinite(chatId)) {
              await opts.onBlocked(chatId);
              throw new BlockedByUser(chatId);
            }
          }
          throw e;
        }
      }
    };
    telegram.callApi = wrapped as typeof telegram.callApi;
    return next();
  };
}
