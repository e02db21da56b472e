// What every stress scenario needs around a `wuye start` child: a config file wired to the peers, linked officers,
// distinct complaint mails that the classifier registers, an SMTP client that retries like a real MTA, and the
// counts that prove "once and only once" (raw mail outcomes, cases, acknowledgements at the sink, officer
// messages at the Bot API).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { onTestFailed } from 'vitest';
import YAML from 'yaml';
import type { Config } from '../../../src/config.ts';
import { UNIT_CODES } from '../../../src/domain.ts';
import { loadClassifier } from '../../../src/runtime.ts';
import type { Db } from '../../../src/store/db.ts';
import { pendingCount } from '../../../src/store/outbox.ts';
import type { BotApiPeer, RecordedCall } from '../../support/bot-api.ts';
import type { SinkMessage } from '../../support/smtp-sink.ts';
import { PROJECT_ROOT, tail, type ServiceChild } from './child.ts';

/** Env var naming the IMAP password in the child's config (Dovecot test users have `secret`). */
export const IMAP_PASSWORD_ENV = 'WUYE_STRESS_IMAP_PASSWORD';
export const IMAP_PASSWORD = 'secret';

/** Published addresses used by the stress runs, with their counties (config/default.yaml). */
export const BOXES = {
  yanhu: 'yhqzjjwy@163.com',
  yuncheng: 'xf2222363@163.com',
  yongji: 'yjfcwuyeke123@163.com',
} as const;
export type StressCounty = keyof typeof BOXES;

/** A scratch dir for a scenario's config, service log and figures. */
export function tempDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `wuye-stress-${label}-`));
}

const keptDirs = new Set<string>();

/** Inside a test: its scratch dir stays for inspection when the test fails (or always with WUYE_STRESS_KEEP=1). */
export function keepOnFailure(dir: string): void {
  onTestFailed(() => {
    keptDirs.add(dir);
    console.log(`[stress] service log and figures kept in ${dir}`);
  });
}

export function removeScratch(dir: string | undefined): void {
  if (dir && !keptDirs.has(dir) && process.env.WUYE_STRESS_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
}

export interface StackConfig {
  dir: string;
  db: string;
  smtpListen: string | null;
  /** IMAP for the Yanhu mailbox. */
  imap?: { host: string; port: number };
  sink: { host: string; port: number };
  apiRoot: string;
  /** Overrides merged into the YAML (schedule, reports, intake…). */
  extra?: Record<string, unknown>;
}

/** Writes the YAML `wuye start` reads through WUYE_CONFIG (merged over config/default.yaml). */
export function writeConfig(c: StackConfig, name = 'wuye.yaml'): string {
  const doc: Record<string, unknown> = {
    dataDir: path.join(c.dir, 'data'),
    db: c.db,
    mailboxes: [
      {
        address: BOXES.yanhu,
        county: 'yanhu',
        ...(c.imap
          ? {
              imap: {
                host: c.imap.host,
                port: c.imap.port,
                secure: false,
                user: BOXES.yanhu,
                passwordEnv: IMAP_PASSWORD_ENV,
                rejectUnauthorized: false,
                mailbox: 'INBOX',
              },
            }
          : {}),
      },
      { address: BOXES.yuncheng, county: 'yuncheng' },
      { address: BOXES.yongji, county: 'yongji' },
    ],
    intake: { smtpListen: c.smtpListen, dropDir: false },
    bot: { apiRoot: c.apiRoot, username: 'wuye_test_bot' },
    mail: { smtp: { host: c.sink.host, port: c.sink.port, secure: false, rejectUnauthorized: false } },
    // Quiet hours off: officer messages go out at once whatever the wall clock says.
    schedule: { quietHours: { start: '00:00', end: '00:00' } },
    log: { level: 'info' },
  };
  const merged = deepMerge(doc, c.extra ?? {});
  const file = path.join(c.dir, name);
  writeFileSync(file, YAML.stringify(merged));
  return file;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export interface LinkedOfficer {
  id: number;
  chatId: number;
  unit: string;
  county: string;
  role: string;
}

/**
 * One officer per unit and county, plus one admin per county (urgent cases escalate to the county's leadership),
 * each with a chat the Bot API knows. Written straight into the store: linking through /start is the bot suite's
 * business; here they only have to receive.
 */
export async function linkOfficers(db: Db, bot: BotApiPeer, counties: string[], firstChat = 700_000): Promise<LinkedOfficer[]> {
  const now = new Date().toISOString();
  const out: LinkedOfficer[] = [];
  let chat = firstChat;
  for (const county of counties) {
    const people: Array<{ unit: string; role: string }> = [...UNIT_CODES.map((unit) => ({ unit, role: 'officer' })), { unit: 'housing', role: 'admin' }];
    for (const p of people) {
      const chatId = ++chat;
      bot.registerChat(chatId, { first_name: `${p.unit}-${county}` });
      const r = await db
        .insertInto('officer')
        .values({ chat_id: chatId, name: `压测${chatId}`, unit: p.unit, county, role: p.role, active: 1, reachable: 1, created_at: now, linked_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      out.push({ id: r.id, chatId, unit: p.unit, county, role: p.role });
    }
  }
  return out;
}

// ─── Mails ────────────────────────────────────────────────────────────────────────────────────────────────────

interface Sample {
  subject: string;
  text: string;
}

let samples: Sample[] | null = null;

/**
 * Complaint texts from the classifier's labelled development set that the configured rules send to a unit (or
 * mark urgent) — so every generated mail is registered, and the expected count is exact.
 */
function registeringSamples(): Sample[] {
  if (samples) return samples;
  // Only the rules file is read: the service's whole config is not needed to know what the classifier does.
  const classify = loadClassifier({ configDir: path.join(PROJECT_ROOT, 'config') } as Config);
  const file = path.join(PROJECT_ROOT, 'test', 'fixtures', 'classify-dev.jsonl');
  const all = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sample);
  samples = all.filter((s) => {
    const r = classify({ subject: markedSubject(s.subject, 999_999), text: s.text });
    return r.unit !== null || r.urgent;
  });
  if (samples.length < 50) throw new Error(`only ${samples.length} registering samples in ${file}`);
  return samples;
}

export function markedSubject(subject: string, n: number): string {
  return `${subject}（第${n}号来信）`;
}

/** The number a generated mail carries in its subject. */
export function markerOf(subject: string): number | null {
  const m = /（第(\d+)号来信）/.exec(subject);
  return m ? Number(m[1]) : null;
}

export interface StressMail {
  n: number;
  to: string;
  from: string;
  messageId: string;
  raw: Buffer;
}

/** Mail number `n`, a distinct complaint from its own sender (the per-sender acknowledgement limit stays out of it). */
export async function makeMail(n: number, to: string, opts: { from?: string; run?: string } = {}): Promise<StressMail> {
  const list = registeringSamples();
  const s = list[n % list.length]!;
  const from = opts.from ?? `resident${n}@example.cn`;
  const messageId = `<stress-${opts.run ?? 'run'}-${n}@example.cn>`;
  const raw = await new MailComposer({
    from: { name: `居民${n}`, address: from },
    to,
    subject: markedSubject(s.subject, n),
    text: `${s.text}\n联系电话：139${String(n).padStart(8, '0')}\n`,
    messageId,
    date: new Date(),
  })
    .compile()
    .build();
  return { n, to, from, messageId, raw };
}

// ─── Feeding the SMTP intake like an MTA ──────────────────────────────────────────────────────────────────────

export interface SmtpFeedStats {
  attempts: number;
  errors: number;
  /** The intake's 250 answer per mail ("Ok: registered YH-…", "Ok: duplicate …"). */
  answers: Map<number, string>;
}

/**
 * Sends each mail to host:port, retrying every `retryMs` on any failure (connection refused while the service is
 * down, a 451 while its database is away, a connection cut by SIGKILL) until the 250 comes, as a real MTA's queue
 * would. `concurrency` connections at a time.
 */
export async function feedSmtp(
  target: () => { host: string; port: number },
  mails: StressMail[],
  opts: { concurrency?: number; retryMs?: number; stats?: SmtpFeedStats; deadlineMs?: number } = {},
): Promise<SmtpFeedStats> {
  const stats = opts.stats ?? { attempts: 0, errors: 0, answers: new Map() };
  const retryMs = opts.retryMs ?? 150;
  const deadline = Date.now() + (opts.deadlineMs ?? 240_000);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= mails.length) return;
      const m = mails[i]!;
      for (;;) {
        stats.attempts++;
        const { host, port } = target();
        const transport = nodemailer.createTransport({
          host,
          port,
          secure: false,
          ignoreTLS: true,
          connectionTimeout: 3_000,
          greetingTimeout: 3_000,
          socketTimeout: 20_000,
        });
        try {
          const info = await transport.sendMail({ envelope: { from: m.from, to: [m.to] }, raw: m.raw });
          stats.answers.set(m.n, String(info.response));
          break;
        } catch {
          stats.errors++;
          if (Date.now() > deadline) throw new Error(`SMTP feed gave up on mail ${m.n} after ${stats.attempts} attempts`);
          await sleep(retryMs);
        } finally {
          transport.close();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 2 }, worker));
  return stats;
}

// ─── Waiting and counting ─────────────────────────────────────────────────────────────────────────────────────

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns something truthy. With `services`, fails at once when one of them exits on its
 * own (a crash) instead of waiting out the timeout.
 */
export async function waitUntil<T>(
  fn: () => Promise<T | undefined | false | null>,
  timeoutMs: number,
  what: string,
  opts: { everyMs?: number; services?: ServiceChild[] } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  const everyMs = opts.everyMs ?? 200;
  let lastErr: unknown;
  for (;;) {
    for (const s of opts.services ?? []) {
      if (!s.alive()) throw new Error(`while waiting for ${what}: ${s.label} (pid ${s.pid}) exited on its own; log ${s.logFile}:\n${tail(s.logFile, 40)}`);
    }
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`);
    await sleep(everyMs);
  }
}

/** Raw mails with an outcome recorded (registered, reply, duplicate, quarantined, ignored). */
export async function outcomesRecorded(db: Db): Promise<number> {
  const r = await db
    .selectFrom('raw_mail')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('outcome', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Outbox rows neither sent nor failed for good (the service's own count). */
export const outboxPending = (db: Db): Promise<number> => pendingCount(db);

export async function outboxFailed(db: Db) {
  return db.selectFrom('outbox').select(['id', 'kind', 'recipient', 'idempotency_key', 'last_error']).where('failed_at', 'is not', null).execute();
}

/** Keys that occur more than once, with their counts. */
export function duplicates<T>(items: T[], key: (t: T) => string): Array<[string, number]> {
  const seen = new Map<string, number>();
  for (const it of items) seen.set(key(it), (seen.get(key(it)) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1);
}

export function sinkMessageId(m: SinkMessage): string {
  return m.parsed?.messageId ?? '';
}

/** Acknowledgements received by the sink: Message-ID `<ack.TRACKING@wuye-desk>`. */
export function sinkAcks(messages: SinkMessage[]): Array<{ tracking: string; to: string; messageId: string; at: number }> {
  const out: Array<{ tracking: string; to: string; messageId: string; at: number }> = [];
  for (const m of messages) {
    const mid = sinkMessageId(m);
    const t = /^<ack\.([A-Z]{2,4}-\d{4}-\d{6})@wuye-desk>$/.exec(mid);
    if (t) out.push({ tracking: t[1]!, to: (m.to[0] ?? '').toLowerCase(), messageId: mid, at: m.receivedAt.getTime() });
  }
  return out;
}

/** sendMessage calls the Bot API accepted (status 200). */
export function deliveredMessages(bot: BotApiPeer): Array<{ chatId: number; text: string; call: RecordedCall }> {
  return bot
    .calls('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => ({ chatId: Number(c.params.chat_id), text: String(c.params.text ?? ''), call: c }));
}

/** Cases and their deadlines as stored. */
export async function caseRows(db: Db) {
  return db
    .selectFrom('complaint')
    .select(['id', 'tracking', 'status', 'unit', 'urgent', 'subject', 'raw_mail_id', 'complainant_email', 'due_transfer', 'due_close'])
    .orderBy('id')
    .execute();
}

/** A case must carry the deadlines its status needs: 分转 always, 办结 once a unit owns it (000 附件 二, 三(一)). */
export function missingDeadlines(rows: Awaited<ReturnType<typeof caseRows>>): string[] {
  const bad: string[] = [];
  for (const r of rows) {
    if (!r.due_transfer) bad.push(`${r.tracking}: no transfer deadline`);
    if (r.unit && !r.due_close) bad.push(`${r.tracking}: assigned to ${r.unit} without a close deadline`);
  }
  return bad;
}
