// The whole service as `wuye start` runs it: what is on, cross-process outbox delivery (an operator's
// `wuye ingest` beside the running service), and a clean stop.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeRaw } from '../../src/store/mail.ts';
import { until } from '../support/wait.ts';
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

describe('the service while the Bot API is unreachable', () => {
  it('starts, takes mail, and connects the bot in the background once Telegram answers', async () => {
    const api = await startBotApi({ token: '123456:TEST-unreachable-token-abcdefghijk' });
    // A port that refuses connections until the test forwards it to the Bot API stand-in.
    const door = createServer();
    await new Promise<void>((resolve) => door.listen(0, '127.0.0.1', () => resolve()));
    const port = (door.address() as AddressInfo).port;
    await new Promise<void>((resolve) => door.close(() => resolve()));
    const target = new URL(api.apiRoot);
    const db = await freshDatabaseUrl('sqlite', 'service-no-telegram');
    const cfg = testConfig({ db: db.url, apiRoot: `http://127.0.0.1:${port}` });
    const mem = memoryLogger();
    let service: Service | undefined;
    let forward: Server | undefined;
    try {
      service = await startService(cfg, { log: mem.log, env: { TELEGRAM_BOT_TOKEN: api.token } });
      const started = mem.lines.map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.msg === 'Wuye Desk started')!;
      expect(started.bot).toMatch(/^connecting/);
      // Mail is taken while Telegram is away.
      const r = await service.intake.ingest(complaintMail({ to: 'yhqzjjwy@163.com', from: 'away@example.com' }), { source: 'file', mailbox: 'yhqzjjwy@163.com' });
      expect(r.outcome).toBe('registered');
      // Telegram comes back: the bot connects by itself and starts polling.
      forward = createServer((inbound) => {
        const outbound = connect(Number(target.port), target.hostname);
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('error', () => outbound.destroy());
        outbound.on('error', () => inbound.destroy());
      });
      await new Promise<void>((resolve) => forward!.listen(port, '127.0.0.1', () => resolve()));
      await api.waitFor((c) => c.method === 'getUpdates', 120_000);
      expect(mem.lines.some((l) => l.includes('bot: connected to the Bot API'))).toBe(true);
    } finally {
      await service?.stop();
      await new Promise<void>((resolve) => (forward ? forward.close(() => resolve()) : resolve()));
      await api.close();
      await db.cleanup();
    }
  }, 180_000);
});

describe('the service when the database is full', () => {
  it('says so plainly, tells the admins directly, and takes up a pending mail once there is room again', async () => {
    const sink = await startSmtpSink();
    const db = await freshDatabaseUrl('sqlite', 'service-full');
    const cfg = testConfig({ db: db.url, smtpSink: { host: sink.host, port: sink.port } });
    cfg.reports.recipients.admin = ['it-admin@example.com'];
    const mem = memoryLogger();
    let service: Service | undefined;
    try {
      service = await startService(cfg, { log: mem.log, env: {}, resumeEveryMs: 200 });
      const pragma = async (q: string) => Number(Object.values((await sql.raw(q).execute(service!.store.db)).rows[0] as Record<string, unknown>)[0]);
      const big = (subject: string) => complaintMail({ to: 'yhqzjjwy@163.com', from: 'full@example.com', subject, body: `小区电梯坏了，物业不修。${'说明'.repeat(60_000)}` });
      // A mail stored but not processed yet (as after a crash), then no room for anything more.
      const stored = await storeRaw(service.store.db, { source: 'file', mailbox: 'yhqzjjwy@163.com', uidvalidity: null, uid: null, raw: big('先存未处理'), receivedAt: new Date(Date.now() - 120_000).toISOString() });
      expect(stored.stored).toBe(true);
      const pages = await pragma('PRAGMA page_count');
      await pragma(`PRAGMA max_page_count = ${pages}`);
      // A new mail cannot be kept: the error says why, in words an operator understands.
      await expect(service.intake.ingest(big('磁盘已满时到达'), { source: 'file', mailbox: 'yhqzjjwy@163.com' })).rejects.toThrow(/已满.*SQLITE_FULL/);
      expect(mem.lines.some((l) => /"level":50/.test(l) && l.includes('database or disk is full'))).toBe(true);
      // The admins hear of it directly: the outbox is in the full database.
      const alert = await sink.waitFor((m) => m.to.includes('it-admin@example.com'), 60_000);
      expect(alert.parsed?.subject).toContain('数据库或磁盘已满');
      // Room again: the pending mail is processed without a restart.
      await pragma('PRAGMA max_page_count = 1073741823');
      const id = stored.stored ? stored.id : 0;
      await until(async () => (await service!.store.db.selectFrom('raw_mail').select('outcome').where('id', '=', id).executeTakeFirst())?.outcome, 'the pending mail to be processed', 60_000);
      const row = await service.store.db.selectFrom('raw_mail').select('outcome').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.outcome).toBe('registered');
    } finally {
      await service?.stop();
      await sink.close();
      await db.cleanup();
    }
  }, 180_000);
});
