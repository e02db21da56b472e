// Downloading officers' photos from the Bot API (getFile + the file URL), through the configured proxy. A
// self-hosted telegram-bot-api in --local mode answers with an absolute path on this machine instead.
import { readFile } from 'node:fs/promises';
import http, { type Agent } from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import type { Telegram } from 'telegraf';

/** getFile's limit for bots (https://core.telegram.org/bots/api#getfile). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export async function downloadTelegramFile(telegram: Telegram, fileId: string, agent?: Agent, timeoutMs = 30_000): Promise<Buffer> {
  const url = await telegram.getFileLink(fileId);
  if (url.protocol === 'file:') return readFile(fileURLToPath(url));
  return new Promise<Buffer>((resolve, reject) => {
    const get = url.protocol === 'https:' ? https.get : http.get;
    const req = get(url, { agent: url.protocol === 'https:' ? agent : undefined, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`file download failed: HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DOWNLOAD_BYTES) {
          req.destroy(new Error('file too big'));
          return;
        }
        chunks.push(c);
      });
      res.once('end', () => resolve(Buffer.concat(chunks)));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error('file download timed out')));
    req.once('error', reject);
  });
}
