// Secrets never reach the log, the database's error columns or `wuye doctor` (security): the service
// runs (startService) with a bot token, two IMAP passwords (one right, one wrong, against real Dovecot) and an SMTP
// password (against a relay that refuses it), all from the environment, with a logger that keeps every line at
// trace level. Login failures, delivery errors, the Bot API going away and a bad token are all provoked, and the
// captured output is searched for every secret in every form it travels in (plain, the token's secret half, SMTP
// AUTH PLAIN/LOGIN base64). Also: the public monthly report masks complainants' names and phone numbers.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { runChecks } from '../../src/cli/doctor.ts';
import type { Config } from '../../src/config.ts';
import type { ClassificationSummary, UnitCode } from '../../src/domain.ts';
import { UNIT_CODES } from '../../src/domain.ts';
import { startService, type Service } from '../../src/main.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { typicalCaseOf } from '../../src/report/index.ts';
import { buildReport } from '../../src/cases/reports.ts';
import { periodOf } from '../../src/workflow/periods.ts';
import { insertCase, nextTrackingNumber } from '../../src/store/cases.ts';
import { openStore } from '../../src/store/db.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { register } from '../../src/workflow/complaint.ts';
import { startBotApi, type BotApiPeer } from '../support/bot-api.ts';
import { complaintMail } from '../support/intake-kit.ts';
import { sharedDovecot } from '../support/peers.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { freshDatabaseUrl } from '../support/stores.ts';
import { until as untilWithin } from '../support/wait.ts';

const rand = () => randomBytes(9).toString('base64url');
const TOKEN = `710000001:AAH-${rand()}${rand()}`;
const BAD_TOKEN = `710000002:AAH-${rand()}${rand()}`;
const IMAP_USER = `wuye-sec-${process.pid}@example.com`;
const IMAP_PASS = `imap-${rand()}`;
const IMAP_WRONG = `imap-wrong-${rand()}`;
const SMTP_USER = 'wuye-relay';
const SMTP_PASS = `smtp-${rand()}`;
const ENV = { TELEGRAM_BOT_TOKEN: TOKEN, WUYE_SEC_IMAP_OK: IMAP_PASS, WUYE_SEC_IMAP_BAD: IMAP_WRONG, WUYE_SEC_SMTP: SMTP_PASS };
const OK_BOX = 'yhqzjjwy@163.com'; // yanhu
const BAD_BOX = 'xf2222363@163.com'; // yuncheng, configured with the wrong password

/** Every form a secret travels in: plain, the token's secret half, SMTP AUTH PLAIN and LOGIN. */
function secretForms(): string[] {
  const forms = [TOKEN, TOKEN.split(':')[1]!, BAD_TOKEN, BAD_TOKEN.split(':')[1]!, IMAP_PASS, IMAP_WRONG, SMTP_PASS];
  for (const [user, pass] of [[SMTP_USER, SMTP_PASS], [IMAP_USER, IMAP_PASS], [IMAP_USER, IMAP_WRONG]] as const) {
    forms.push(Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64'), Buffer.from(pass).toString('base64'));
  }
  return forms;
}

function leaks(text: string): string[] {
  return secretForms().filter((s) => text.includes(s));
}

/** These waits span a service's start-up and its retries: 20 s. */
const until = <T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string) => untilWithin(fn, what, 20_000, 50);

function withoutDb(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { WUYE_DB: _db, ...rest } = env;
  return rest;
}

/**
 * An outbound relay that refuses every login (535) and remembers the credentials it was offered. Like some real
 * relays, its refusal echoes the AUTH line it was sent (for PLAIN: base64 of user and password).
 */
async function refusingRelay(): Promise<{ port: number; offered: { user: string; pass: string }[]; close(): Promise<void> }> {
  const offered: { user: string; pass: string }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      offered.push({ user: auth.username ?? '', pass: auth.password ?? '' });
      const line =
        auth.method === 'PLAIN'
          ? `AUTH PLAIN ${Buffer.from(`\u0000${auth.username}\u0000${auth.password}`).toString('base64')}`
          : `AUTH LOGIN ${Buffer.from(auth.password ?? '').toString('base64')}`;
      cb(Object.assign(new Error(`Invalid username or password (${line})`), { responseCode: 535 }));
    },
    onData(stream, _session, cb) {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, offered, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('secrets never in the log output, the database or doctor', () => {
  let api: BotApiPeer;
  let relay: Awaited<ReturnType<typeof refusingRelay>>;
  let cfg: Config;
  let service: Service | undefined;
  let lines: string[];
  let cleanup: () => Promise<void>;
  const chats = new Map<UnitCode, number>(UNIT_CODES.map((u, i) => [u, 7100 + i]));

  beforeAll(async () => {
    const dovecot = sharedDovecot();
    await dovecot.addUser(IMAP_USER, IMAP_PASS);
    [api, relay] = await Promise.all([startBotApi({ token: TOKEN }), refusingRelay()]);
    for (const chat of chats.values()) api.registerChat(chat);
    const db = await freshDatabaseUrl('sqlite', 'secrets');
    cleanup = db.cleanup;
    cfg = testConfig({ db: db.url, apiRoot: api.apiRoot, smtpListen: '127.0.0.1:0' });
    const imap = (passwordEnv: string) => ({ host: dovecot.host, port: dovecot.port, secure: false, user: IMAP_USER, passwordEnv, rejectUnauthorized: false, mailbox: 'INBOX' });
    cfg.mailboxes.find((m) => m.address === OK_BOX)!.imap = imap('WUYE_SEC_IMAP_OK');
    cfg.mailboxes.find((m) => m.address === BAD_BOX)!.imap = imap('WUYE_SEC_IMAP_BAD');
    cfg.mail.smtp = { host: '127.0.0.1', port: relay.port, secure: false, user: SMTP_USER, passwordEnv: 'WUYE_SEC_SMTP', rejectUnauthorized: false };
    cfg.log.level = 'trace';

    // One linked officer per unit in yanhu, so whatever unit the classifier picks gets a Telegram task.
    const store = await openStore(db.url);
    await syncReferenceData(store.db, cfg);
    const now = new Date().toISOString();
    for (const [unit, chat] of chats) {
      await store.db
        .insertInto('officer')
        .values({ chat_id: chat, name: `测试${chat}`, unit, county: 'yanhu', role: unit === 'township' ? 'cosigner' : 'officer', active: 1, reachable: 1, created_at: now, linked_at: now })
        .execute();
    }
    await store.close();

    const mem = memoryLogger('trace');
    lines = mem.lines;
    service = await startService(cfg, { log: mem.log, env: ENV });
  });

  afterAll(async () => {
    await service?.stop().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await relay?.close();
    await cleanup?.();
  });

  it('logs in, fails logins and deliveries, loses the Bot API, and never logs a secret', async () => {
    const dovecot = sharedDovecot();
    // A complaint arrives over IMAP (the right password): registered, acknowledged (the relay refuses the SMTP
    // password), the unit's officer gets a task over the Bot API (the token).
    await dovecot.deliver(IMAP_USER, complaintMail({ to: OK_BOX, subject: '小区电梯坏了一个月没人修，物业不管' }));
    const db = service!.store.db;
    await until(async () => (await db.selectFrom('complaint').select('id').execute()).length >= 1, 'the case from IMAP');
    await until(() => relay.offered.length > 0, 'an SMTP login attempt');
    expect(relay.offered[0]).toEqual({ user: SMTP_USER, pass: SMTP_PASS }); // the password was really in use
    await until(() => lines.some((l) => l.includes('outbox: permanent failure')), 'the refused acknowledgement logged');
    await until(() => api.calls('sendMessage').some((c) => c.status === 200 && [...chats.values()].includes(Number(c.params.chat_id))), 'a task sent with the token');
    // The second mailbox has the wrong password: Dovecot refuses it, the source logs and retries.
    await until(() => lines.some((l) => l.includes(BAD_BOX) && /imap: (connection lost|error)/.test(l)), 'the failed IMAP login logged');

    // The Bot API goes away: the bot's long polling and the outbox's sends fail with network errors.
    await api.close();
    await service!.intake.ingest(complaintMail({ to: OK_BOX, subject: '物业不修电梯，楼道漏水没人管', from: 'li@example.com' }), { source: 'smtp', mailbox: OK_BOX });
    await until(() => lines.some((l) => l.includes('outbox: telegram send will be retried')), 'a failed Telegram send logged');
    await service!.stop();
    service = undefined;

    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(leaks(all)).toEqual([]);
    // What the worker stored about failures (shown again by doctor) is clean too.
    const store = await openStore(cfg.db);
    const errors = await store.db.selectFrom('outbox').select(['last_error']).where('last_error', 'is not', null).execute();
    await store.close();
    expect(errors.length).toBeGreaterThan(0);
    expect(leaks(JSON.stringify(errors))).toEqual([]);
  });

  it('wuye doctor with a bad token, a wrong IMAP password, a refused SMTP login and an unreachable Bot API', async () => {
    const api2 = await startBotApi({ token: TOKEN });
    try {
      const badToken = await runChecks({ ...cfg, bot: { ...cfg.bot, apiRoot: api2.apiRoot } }, { ...ENV, TELEGRAM_BOT_TOKEN: BAD_TOKEN });
      const down = await runChecks(cfg, ENV); // cfg.bot.apiRoot is the first Bot API, closed above
      const byName = (checks: typeof badToken) => Object.fromEntries(checks.map((c) => [c.name, c]));
      expect(byName(badToken).bot!.ok).toBe(false);
      expect(byName(down).bot!.ok).toBe(false);
      expect(byName(badToken)[`imap ${BAD_BOX}`]!.ok).toBe(false);
      expect(byName(badToken)[`imap ${OK_BOX}`]!.ok).toBe(true);
      expect(byName(badToken).smtp!.ok).toBe(false);
      expect(byName(badToken).outbox!.ok).toBe(false); // the refused acknowledgements of the first test
      for (const checks of [badToken, down]) {
        const text = checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('\n');
        expect(leaks(`${text}\n${JSON.stringify(checks)}`), text).toEqual([]);
      }
    } finally {
      await api2.close();
    }
  });

  // Regression (fixed): with a refused token `wuye start` used to print the error and never exit, because the
  // intake and outbox were already running; the token is now checked first and a failed start stops what it began.
  it('wuye start with a bad token: exits 1 saying so, without printing the token', async () => {
    const api3 = await startBotApi({ token: TOKEN });
    const data = (await freshDatabaseUrl('sqlite', 'secrets-start')).url.replace(/^sqlite:/, '').replace(/\/wuye\.db$/, '');
    try {
      const r = await new Promise<{ code: number | string | null; out: string }>((resolve) => {
        execFile(
          process.execPath,
          ['bin/wuye.js', 'start'],
          {
            // A hang ceiling: killed, the child would end with a signal and no exit code.
            timeout: 90_000,
            killSignal: 'SIGKILL',
            env: { ...withoutDb(process.env), WUYE_CONFIG: '', WUYE_DATA_DIR: data, WUYE_SMTP_LISTEN: 'off', WUYE_WEB_LISTEN: 'off', TELEGRAM_API_ROOT: api3.apiRoot, TELEGRAM_BOT_TOKEN: BAD_TOKEN },
          },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number | string }).code ?? null) : 0, out: `${stdout}\n${stderr}` }),
        );
      });
      expect(leaks(r.out), r.out).toEqual([]);
      expect(r.out).toMatch(/401|Unauthorized/);
      // Exit code 1 means it stopped by itself, saying why; a kill at the ceiling gives no code.
      expect(r.code, r.out.slice(-1000)).toBe(1);
    } finally {
      await api3.close();
    }
  }, 180_000);
});

describe('public outputs mask names and phones (monthly public report)', () => {
  const NAME = '欧阳建国';
  const NAME2 = '王小明';
  const PHONE = '13912345678';
  const LANDLINE = '03596388865';
  const EMAIL_LOCAL = 'ouyang.jianguo';
  // How residents really write them: separators, country code, a landline in brackets, full-width digits.
  const writings = [
    '139-1234-5678',
    '139 1234 5678',
    '+86 13912345678',
    '0359-6388865',
    '(0359)6388865',
    '0359 6388865',
    '１３９１２３４５６７８',
    '1391 234 5678',
  ];

  /** The digits of each line (full-width folded to ASCII) that still hold a whole number. */
  function unmaskedNumbers(out: string): string[] {
    return out
      .normalize('NFKC')
      .split('\n')
      .map((l) => l.replace(/\D/g, ''))
      .filter((digits) => digits.includes(PHONE) || digits.includes(LANDLINE) || digits.includes(LANDLINE.slice(1)));
  }

  // Regression (fixed): full-width digits, "(0359)6388865", "0359 6388865" and "1391 234 5678" once passed the
  // masks unmasked; src/report/mask.ts now normalises (NFKC) and allows separators between the digits.
  it.each(writings)('a typical case as a public report shows it masks %s', (w) => {
    const cfg = testConfig({ db: 'sqlite::memory:' });
    const at = new Date('2026-03-03T02:00:00Z');
    const cls: ClassificationSummary = { unit: 'housing', units: [{ unit: 'housing', score: 3 }], problem: 'service-not-delivered', urgent: true, triage: false, score: 3, matched: ['电梯'] };
    const r = register(
      {
        source: 'email',
        county: 'yanhu',
        complainant: { name: NAME, phone: w, email: `${EMAIL_LOCAL}@163.com` },
        compound: '阳光花园',
        address: null,
        company: null,
        subject: `电话${w}`,
        body: `我是${NAME}，电话${w}。`,
        receivedAt: at.toISOString(),
        classification: cls,
      },
      at,
      loadCalendar(cfg),
    );
    if (!r.ok) throw new Error(r.error.message);
    const shown = typicalCaseOf({ ...r.case, id: 1, tracking: 'YH-2026-000001', result: `已回访，电话${w}` }, '盐湖区');
    const out = Object.values(shown).join('\n');
    expect(out).not.toContain(NAME);
    expect(unmaskedNumbers(out), out).toEqual([]);
  });

  it('no full name, phone number or e-mail address of a complainant appears in the HTML or the text', async () => {
    const { url, cleanup } = await freshDatabaseUrl('sqlite', 'public-report');
    const cfg = testConfig({ db: url });
    const store = await openStore(url);
    try {
      await syncReferenceData(store.db, cfg);
      const cal = loadCalendar(cfg);
      const cls: ClassificationSummary = { unit: 'housing', units: [{ unit: 'housing', score: 3 }], problem: 'service-not-delivered', urgent: true, triage: false, score: 3, matched: ['电梯'] };
      const seeds = writings.map((w, i) => ({ w, i, name: i % 2 ? NAME2 : NAME }));
      for (const { w, i, name } of seeds) {
        const at = new Date(Date.UTC(2026, 2, 3 + i, 2)); // March 2026
        const r = register(
          {
            source: 'email',
            county: 'yanhu',
            complainant: { name, phone: w, email: `${EMAIL_LOCAL}@163.com` },
            compound: '阳光花园',
            address: null,
            company: '阳光物业服务有限公司',
            subject: `${name}反映电梯困人，电话${w}`,
            body: `我是${name}，身份证142701199001011234，住3号楼2单元501室，电话${w}，手机一三九一二三四五六七八，邮箱${EMAIL_LOCAL}@163.com。小区电梯困人，物业电话打不通。请联系${name}（${w}）。`,
            receivedAt: at.toISOString(),
            classification: cls,
          },
          at,
          cal,
        );
        if (!r.ok) throw new Error(r.error.message);
        const tracking = await nextTrackingNumber(store.db, 'YH', 2026);
        await insertCase(
          store.db,
          // The result is shown whole: every writing appears in every typical case picked.
          { ...r.case, urgent: true, supervised: i % 3 === 0, status: 'resolved', finding: 'substantiated', result: `已到3号楼2单元501室回访${name}（${writings.join('；')}），电梯已修复`, resolvedAt: new Date(at.getTime() + 86_400_000).toISOString() },
          tracking,
          at.toISOString(),
        );
      }
      const bundle = await buildReport({ cfg, db: store.db, cal }, 'monthly', periodOf('month', new Date('2026-04-01T01:00:00Z')));
      expect(bundle.mails.length).toBeGreaterThan(0);
      const mail = { subject: bundle.mails.map((m) => m.subject).join('\n'), text: bundle.mails.map((m) => m.text).join('\n'), html: bundle.mails.map((m) => m.html).join('\n') };
      const html = mail.html.replace(/<[^>]+>/g, '\n');
      // The report did show the cases (masked): the test is not looking at an empty page.
      expect(mail.text).toContain('典型案例');
      expect(mail.text).toMatch(/欧\*+|王\*+/);
      for (const [what, out] of [
        ['text', mail.text],
        ['html', html],
        ['subject', mail.subject],
      ] as const) {
        expect(out, what).not.toContain(NAME);
        expect(out, what).not.toContain(NAME2);
        expect(out, what).not.toContain(EMAIL_LOCAL);
        // ID numbers, flats, phones in Chinese numerals, and the resident's own words stay out of the public report.
        expect(out, what).not.toContain('142701199001011234');
        expect(out, what).not.toMatch(/\d+号楼|\d+单元|\d+室/);
        expect(out, what).not.toContain('一三九一二三四五六七八');
        expect(out, what).not.toContain('物业电话打不通');
        // Phone numbers in any writing: compare the digits of each line (full-width folded to ASCII).
        const leaked = unmaskedNumbers(out);
        expect(leaked, `${what}: ${out.slice(0, 3000)}`).toEqual([]);
      }
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
