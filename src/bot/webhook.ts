// The webhook receiver (`bot.webhook`): Telegram — through the reverse proxy that terminates TLS — POSTs each
// update to `bot.webhook.listen`. Our own HTTP server rather than telegraf's launch(): launch listens again on every
// call, so a retry after the Bot API was unreachable crashed the process with an unhandled EADDRINUSE, and its
// receiver decodes each TCP chunk of the body on its own, so a Chinese character cut between two chunks arrived as
// U+FFFD. Here the server is started once, the body is joined before it is decoded, and its size is bounded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Update } from 'telegraf/types';
import type { Logger } from '../log.ts';

/** Updates are a few KB; a larger body is not from Telegram. */
const MAX_UPDATE_BYTES = 1024 * 1024;

/** telegraf's webhookCallback: checks path and secret token (403 otherwise), handles the update, ends the answer. */
export type WebhookHandler = (req: IncomingMessage & { body?: Update }, res: ServerResponse) => Promise<void> | void;

/** Listens on `listen` (host:port); rejects when it cannot (the address in use, no such address). */
export async function listenWebhook(listen: string, handler: WebhookHandler, log: Logger): Promise<Server> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at);
  const port = Number(listen.slice(at + 1));
  const server = createServer((req, res) => {
    receive(req, res, handler).catch((e: unknown) => {
      log.error({ err: String((e as Error)?.message ?? e) }, 'bot: webhook update failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`机器人 webhook 无法监听 cannot listen on ${listen}: ${e.message}`)));
    server.listen(port, host, () => resolve());
  });
  server.removeAllListeners('error');
  server.on('error', (e) => log.error({ err: e.message }, 'bot: webhook server error'));
  return server;
}

async function receive(req: IncomingMessage & { body?: Update }, res: ServerResponse, handler: WebhookHandler): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_UPDATE_BYTES) {
      res.writeHead(413, { connection: 'close' }).end();
      req.destroy();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    req.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Update; // telegraf reads it as is
  } catch {
    res.writeHead(400).end();
    return;
  }
  await handler(req, res);
}

/** Stops accepting updates and waits for those being handled; idle keep-alive connections are closed at once. */
export async function closeWebhook(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
}
