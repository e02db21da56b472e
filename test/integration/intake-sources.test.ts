// SMTP intake, the drop folder and `wuye ingest` over the real mail corpus.
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { startSmtpIntake, type SmtpIntake } from '../../src/ingest/smtp.ts';
import { DropDir } from '../../src/ingest/dropdir.ts';
import { freshDatabaseUrl, DIALECTS } from '../support/stores.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { complaintMail, intakeKit, type IntakeKit } from '../support/intake-kit.ts';
import { NO_CORPUS, trec06cDir } from '../support/corpus.ts';

const run = promisify(execFile);
const CORPUS = trec06cDir();

describe('SMTP intake', () => {
  let kit: IntakeKit;
  let smtp: SmtpIntake;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const db = await freshDatabaseUrl('sqlite', 'smtp');
    cleanup = db.cleanup;
    const cfg = testConfig({ db: db.url, smtpListen: '127.0.0.1:0' });
    cfg.intake.maxMessageBytes = 2 * 1024 * 1024;
    kit = await intakeKit(cfg);
    smtp = await startSmtpIntake(cfg, kit.intake, memoryLogger().log);
  });
  afterAll(async () => {
    await smtp?.close();
    await kit?.close();
    await cleanup?.();
  });
  const transport = () => nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });

  it('accepts mail for a published address and commits it before 250', async () => {
    const info = await transport().sendMail({ envelope: { from: 'li@example.com', to: ['yjfcwuyeke123@163.com'] }, raw: complaintMail({ to: 'yjfcwuyeke123@163.com', from: 'li@example.com' }) });
    expect(info.response).toMatch(/^250 .*registered YJ-\d{4}-000001/);
    const c = await kit.store.db.selectFrom('complaint').selectAll().executeTakeFirstOrThrow();
    expect(c.county).toBe('yongji');
  });

  it('refuses unknown recipients with 550 and oversized mail with 552', async () => {
    await expect(transport().sendMail({ envelope: { from: 'a@example.com', to: ['nobody@163.com'] }, raw: complaintMail({ to: 'nobody@163.com' }) })).rejects.toMatchObject({ responseCode: 550 });
    const big = Buffer.concat([complaintMail({ to: 'yjfcwuyeke123@163.com' }), Buffer.alloc(3 * 1024 * 1024, 0x41)]);
    await expect(transport().sendMail({ envelope: { from: 'a@example.com', to: ['yjfcwuyeke123@163.com'] }, raw: big })).rejects.toMatchObject({ responseCode: 552 });
    expect(Number((await kit.store.db.selectFrom('raw_mail').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(1);
  });
});

describe('SMTP intake caps its sessions', () => {
  /** A raw client: resolves with the first line the server says, and with the socket's close. */
  function client(port: number): { greeting: Promise<string>; closed: Promise<void>; socket: Socket } {
    const socket = connect(port, '127.0.0.1');
    let buf = '';
    const greeting = new Promise<string>((resolve) =>
      socket.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\r\n')[0];
        if (buf.includes('\r\n')) resolve(line!);
      }),
    );
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    return { greeting, closed, socket };
  }

  /** An SMTP intake with the given caps, the clients a test opens, and everything closed afterwards. */
  async function withCaps(caps: Partial<Config['intake']>, label: string, test: (port: number, open: ReturnType<typeof client>[]) => Promise<void>): Promise<void> {
    const db = await freshDatabaseUrl('sqlite', label);
    const cfg = testConfig({ db: db.url, smtpListen: '127.0.0.1:0' });
    Object.assign(cfg.intake, caps);
    const kit = await intakeKit(cfg);
    const smtp = await startSmtpIntake(cfg, kit.intake, memoryLogger().log);
    const open: ReturnType<typeof client>[] = [];
    try {
      await test(smtp.port, open);
    } finally {
      for (const c of open) c.socket.destroy();
      await smtp.close();
      await kit.close();
      await db.cleanup();
    }
  }

  it('tells a client beyond the per-address cap 421 at once, and closes an idle one', () =>
    withCaps({ smtpMaxPerAddress: 3, smtpMaxClients: 100, smtpIdleTimeoutMs: 1_500 }, 'smtp-caps', async (port, open) => {
      for (let i = 0; i < 3; i++) open.push(client(port));
      for (const c of open) expect(await c.greeting).toMatch(/^220 /);
      const fourth = client(port);
      open.push(fourth);
      expect(await fourth.greeting).toMatch(/^421 /);
      await fourth.closed;
      // An idle session is closed by the server (the 1.5 s idle limit), which frees its place for another.
      await open[0]!.closed;
      const again = client(port);
      open.push(again);
      expect(await again.greeting).toMatch(/^220 /);
    }));

  it('caps the sessions of all addresses together', () =>
    withCaps({ smtpMaxPerAddress: 100, smtpMaxClients: 2 }, 'smtp-total', async (port, open) => {
      for (let i = 0; i < 2; i++) open.push(client(port));
      for (const c of open) expect(await c.greeting).toMatch(/^220 /);
      const third = client(port);
      open.push(third);
      expect(await third.greeting).toMatch(/^421 /);
    }));
});

describe('drop folder', () => {
  it('ingests *.eml and moves them to done/ or failed/', async () => {
    const db = await freshDatabaseUrl('sqlite', 'drop');
    const cfg = testConfig({ db: db.url, dropDir: true });
    const kit = await intakeKit(cfg);
    const dir = path.join(cfg.dataDir, 'inbox');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'a.eml'), complaintMail({ to: 'xf2222363@163.com' }));
    writeFileSync(path.join(dir, 'b.eml'), Buffer.alloc(0));
    const drop = new DropDir(dir, kit.intake, memoryLogger().log);
    drop.start();
    const end = Date.now() + 10_000;
    while (Date.now() < end && readdirSync(dir).some((f) => f.endsWith('.eml'))) await new Promise((r) => setTimeout(r, 100));
    await drop.stop();
    expect(existsSync(path.join(dir, 'done', 'a.eml'))).toBe(true);
    expect(existsSync(path.join(dir, 'failed', 'b.eml'))).toBe(true);
    await kit.close();
    await db.cleanup();
  });

  it('files each mail under the county its recipients name, not under the first mailbox', async () => {
    const db = await freshDatabaseUrl('sqlite', 'drop-county');
    const cfg = testConfig({ db: db.url, dropDir: true });
    const kit = await intakeKit(cfg);
    try {
      const ingest = (raw: Buffer, mailbox = '') => kit.intake.ingest(raw, { source: 'dropdir', mailbox });
      const countyOf = async (id: number | null) => (await kit.store.db.selectFrom('complaint').select('county').where('id', '=', id!).executeTakeFirstOrThrow()).county;
      // To: 永济's published address.
      const byTo = await ingest(complaintMail({ to: 'yjfcwuyeke123@163.com', subject: '永济小区电梯坏了' }));
      expect(await countyOf(byTo.complaintId)).toBe('yongji');
      // Forwarded: To names someone else, Delivered-To the mailbox it reached (河津).
      const forwarded = complaintMail({ to: 'someone@example.com', subject: '河津小区楼道漏水', extraHeaders: 'Delivered-To: hjfgb6313022@163.com' });
      expect(await countyOf((await ingest(forwarded)).complaintId)).toBe('hejin');
      // Cc'd to 盐湖 among strangers.
      const cc = Buffer.from(complaintMail({ to: 'a@example.com', subject: '盐湖小区停车乱收费' }).toString().replace('MIME-Version', 'Cc: "盐湖" <yhqzjjwy@163.com>\r\nMIME-Version'));
      expect(await countyOf((await ingest(cc)).complaintId)).toBe('yanhu');
      // An explicit mailbox (wuye ingest --mailbox) overrides the headers.
      const overridden = await ingest(complaintMail({ to: 'yjfcwuyeke123@163.com', subject: '指定邮箱投诉电梯' }), 'hjfgb6313022@163.com');
      expect(await countyOf(overridden.complaintId)).toBe('hejin');
    } finally {
      await kit.close();
      await db.cleanup();
    }
  });
});

describe.skipIf(!CORPUS).each(DIALECTS)(`wuye ingest over the real corpus on %s${CORPUS ? '' : ` — ${NO_CORPUS}`}`, (dialect) => {
  it('gives every one of the 300 files an outcome, ignores spam, and says duplicate on the second run', async () => {
    const files = ['normal', 'spam'].flatMap((d) => readdirSync(path.join(CORPUS!, d)).map((f) => path.join(CORPUS!, d, f)));
    expect(files).toHaveLength(300);
    const db = await freshDatabaseUrl(dialect, 'corpus');
    const env = { ...process.env, WUYE_DB: db.url, WUYE_DATA_DIR: path.dirname(db.url.replace(/^sqlite:/, '')) };
    const ingest = async () => {
      const { stdout } = await run(process.execPath, ['bin/wuye.js', 'ingest', ...files], { env, maxBuffer: 16 * 1024 * 1024 });
      return stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; outcome: string; reason: string | null });
    };
    const first = await ingest();
    expect(first).toHaveLength(300);
    expect(first.map((r) => r.file)).toEqual(files);
    for (const r of first) expect(['registered', 'ignored', 'quarantined', 'reply']).toContain(r.outcome);
    for (const r of first.filter((x) => x.outcome !== 'registered')) expect(r.reason).toBeTruthy();
    const spam = first.filter((r) => r.file.includes('/spam/'));
    const spamIgnored = spam.filter((r) => r.outcome === 'ignored').length;
    expect(spamIgnored / spam.length).toBeGreaterThanOrEqual(0.9);
    const second = await ingest();
    expect(second.every((r) => r.outcome === 'duplicate')).toBe(true);
    await db.cleanup();
  });
});
