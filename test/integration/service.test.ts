// The whole service as `wuye start` runs it: what is on, cross-process outbox delivery (an operator's
// `wuye ingest` beside the running service), and a clean stop.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../src/main.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startBotApi, type BotApiPeer } from '../support/bot-api.ts';
import { freshDatabaseUrl } from '../support/stores.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { complaintMail } from '../support/intake-kit.ts';

const run = promisify(execFile);

describe('the service', () => {
  let sink: SmtpSink;
  let api: BotApiPeer;
  let service: Service;
  let lines: string[];
  let dbUrl: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    api = await startBotApi({ token: '123456:TEST-service-token-abcdefghijklmnop' });
    const db = await freshDatabaseUrl('sqlite', 'service');
    dbUrl = db.url;
    cleanup = db.cleanup;
    const cfg = testConfig({ db: db.url, smtpSink: { host: sink.host, port: sink.port }, apiRoot: api.apiRoot });
    const mem = memoryLogger();
    lines = mem.lines;
    service = await startService(cfg, { log: mem.log, env: { TELEGRAM_BOT_TOKEN: api.token } });
  });
  afterAll(async () => {
    await service?.stop();
    await api?.close();
    await sink?.close();
    await cleanup?.();
  });

  it('logs which parts are on and why the others are off', () => {
    const started = lines.map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.msg === 'Wuye Desk started')!;
    expect(started.bot).toMatch(/^on/);
    expect(started.smtp).toMatch(/^off/);
    expect(started.imap).toMatch(/^off \(no mailbox has imap settings\)/);
    expect(started.scheduler).toMatch(/^on/);
  });

  it('delivers outbox rows written by another process (its worker polls the outbox)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-op-'));
    const file = path.join(dir, 'm.eml');
    writeFileSync(file, complaintMail({ to: 'yhqzjjwy@163.com', from: 'operator-case@example.com' }));
    const { stdout } = await run(process.execPath, ['bin/wuye.js', 'ingest', '--mailbox', 'yhqzjjwy@163.com', file], {
      env: { ...process.env, WUYE_DB: dbUrl, WUYE_DATA_DIR: dir },
    });
    const out = JSON.parse(stdout) as { outcome: string; tracking: string };
    expect(out.outcome).toBe('registered');
    // No wake-up reaches the service from the CLI process: only the worker's own polling can deliver this.
    const ack = await sink.waitFor((m) => m.to.includes('operator-case@example.com'), 60_000);
    expect(ack.parsed?.subject).toContain(out.tracking);
    expect(ack.parsed?.text).toContain('受理编号');
  });

  it('never logs the bot token', () => {
    expect(lines.join('\n')).not.toContain(api.token);
  });
});
