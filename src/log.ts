// Structured logs (pino): JSON by default, pretty on a TTY. Secrets are redacted by path, and secret values are
// never put into log objects in the first place (config keeps env-var names, not values).
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'token',
  'password',
  'pass',
  'auth.pass',
  '*.token',
  '*.password',
  '*.pass',
  '*.auth.pass',
  'headers.authorization',
  'url',
];

export function createLogger(opts: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !process.env.CI);
  const base = { level: opts.level ?? process.env.WUYE_LOG_LEVEL ?? 'info', redact: { paths: REDACT, censor: '***' } };
  if (opts.destination) return pino(base, opts.destination as pino.DestinationStream);
  if (pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  return pino(base);
}

/** Removes a token from free text (e.g. an error message that quotes a URL with the bot token in it). */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('***');
  return out.replace(/bot\d+:[A-Za-z0-9_-]{20,}/g, 'bot***');
}
