// Sends outbox rows to the Telegram Bot API through telegraf's client (proxy and self-hosted api root honoured).
import { Telegram } from 'telegraf';
import type { Config } from '../config.ts';
import type { TelegramPayload } from '../domain.ts';

export type TelegramOutcome =
  | { kind: 'sent'; result?: string }
  | { kind: 'retry'; afterMs: number; error: string }
  | { kind: 'blocked'; error: string }
  | { kind: 'failed'; error: string };

export async function createTelegramClient(cfg: Config, token: string): Promise<Telegram> {
  let agent: import('node:https').Agent | undefined;
  if (cfg.bot.proxy) {
    agent = await proxyAgent(cfg.bot.proxy);
  }
  return new Telegram(token, { apiRoot: cfg.bot.apiRoot ?? 'https://api.telegram.org', agent });
}

async function proxyAgent(url: string): Promise<import('node:https').Agent> {
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  return new HttpsProxyAgent(url) as unknown as import('node:https').Agent;
}

/** Classifies a Bot API error the way the worker must treat it. */
export function classifyTelegramError(e: unknown): TelegramOutcome {
  const err = e as { response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } }; message?: string; code?: string };
  const code = err.response?.error_code;
  const desc = err.response?.description ?? err.message ?? String(e);
  if (code === 429) return { kind: 'retry', afterMs: (err.response?.parameters?.retry_after ?? 1) * 1000, error: desc };
  if (code === 400 && /message is not modified/.test(desc)) return { kind: 'sent', result: 'not-modified' };
  if (code === 403) return { kind: 'blocked', error: desc };
  if (code === 400 || code === 401 || code === 404) return { kind: 'failed', error: desc };
  return { kind: 'retry', afterMs: 0, error: desc }; // 5xx, network: back off and retry
}
