// The scheduled jobs. Each is "what is due for this period" (built outside any transaction, reading only) plus
// ONE transaction that claims the period in job_run and writes what must go out as outbox rows:
//
//   build (read, render XLSX/PNG…) ─► BEGIN · claimPeriod(job, period) · outbox rows · finishPeriod · COMMIT
//
// Exactly once: the claim and the rows commit together, so a crash before COMMIT leaves no claim (the next start
// catches the period up) and a crash after it leaves rows the outbox worker delivers (a killed worker's lease
// expires and another sends). A second process building the same period at the same time loses the unique
// (job, period_key) insert and rolls back. The claim is not taken before building because building a large
// ledger would then hold SQLite's write lock (BEGIN IMMEDIATE) for seconds; a peek skips periods already done.
//
// Reminders are not claimed per period: every run writes the reminders due at that moment, and the outbox's
// unique idempotency key drops the ones already written.
import { createHash } from 'node:crypto';
import { unitNamesOf, type Config } from '../config.ts';
import { previousFire } from '../cron.ts';
import type { MailPayload } from '../domain.ts';
import { companyActionReminders, companyNotice, type CompanyReminder } from '../messages/company.ts';
import { companyActionKeyboard } from '../messages/keyboards.ts';
import { digestKey, reminderDigests, remindersFor, type Reminder, type ReminderDigest } from '../messages/reminders.ts';
import { unregisteredNote, unregisteredNoteKeyboard } from '../messages/mail.ts';
import { telegramMessage } from '../messages/telegram.ts';
import { addCompanyAction, NO_DUE, openCompanyActions, recordCompanyLists, setKeySupervision } from '../store/companies.ts';
import { casesWithRunningClocks } from '../store/cases.ts';
import { claimPeriod, finishPeriod, logReminders, periodRun } from '../store/jobs.ts';
import { listOfficers, recipientsFor } from '../store/officers.ts';
import type { OutboxMessage } from '../store/outbox.ts';
import { unregisteredBetween } from '../store/mail.ts';
import { expireTelegramState } from '../store/telegram.ts';
import { addDays, startOfDayShanghai } from '../time.ts';
import { ACTION_UNIT, evaluateCompany } from '../workflow/companies.ts';
import { periodOf, type PeriodKind, type ReportPeriod } from '../workflow/periods.ts';
import { quietHoursRelease } from '../workflow/quiet-hours.ts';
import type { ReminderOfficer } from '../workflow/reminders.ts';
import { commit, type Work } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import { buildReport, companyViews, type ReportBundle, type ReportKind } from './reports.ts';

export const JOB_NAMES = ['reminders', 'weekly', 'provinceData', 'province', 'discipline', 'monthly', 'companies', 'housekeeping', 'unregistered'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export const JOB_TITLES: Record<JobName | 'scheduler', string> = {
  reminders: '期限提醒',
  weekly: '周报（简报、附件2台账、附件3汇总表）',
  provinceData: '省厅周四调度会数据',
  province: '省厅周报（周五17:00）',
  discipline: '纪委监委周报',
  monthly: '月度公开通报（红黑榜）',
  companies: '物业企业督办阈值检查',
  housekeeping: '清理过期的机器人会话与更新记录',
  unregistered: '未登记来信日报（住建受理台）',
  scheduler: '定时任务启用',
};

/** A run started this long after its fire is marked late (补发) in job_run. */
export const LATE_AFTER_MS = 5 * 60_000;

export interface JobSpec {
  name: JobName;
  cron: string;
  /** Scheduled here: the Friday 17:00 province report is a city's to feed, never a county's (domain.md, Reporting). */
  scheduled: boolean;
  /** null: not claimed per period (reminders). */
  period: PeriodKind | null;
}

export function jobSpecs(cfg: Pick<Config, 'schedule' | 'deployment'>): JobSpec[] {
  const s = cfg.schedule;
  const city = cfg.deployment.level === 'city';
  const specs: Omit<JobSpec, 'scheduled'>[] = [
    { name: 'reminders', cron: s.reminders, period: null },
    { name: 'weekly', cron: s.weekly, period: 'week' },
    { name: 'provinceData', cron: s.provinceData, period: 'week' },
    { name: 'province', cron: s.province, period: 'week' },
    { name: 'discipline', cron: s.discipline, period: 'week' },
    { name: 'monthly', cron: s.monthly, period: 'month' },
    { name: 'companies', cron: s.companies, period: 'day' },
    { name: 'housekeeping', cron: s.housekeeping, period: 'day' },
    { name: 'unregistered', cron: s.unregistered, period: 'day' },
  ];
  return specs.map((j) => ({ ...j, scheduled: j.name !== 'province' || city }));
}

export interface JobContext extends CaseDeps {
  /** Who runs the jobs (an instance name), recorded in job_run. */
  owner: string;
}

/** The period a job's latest fire at or before `at` belongs to; null when it never fired (within a year). */
export function latestPeriod(spec: JobSpec, at: Date): ReportPeriod | null {
  if (!spec.period) return null;
  const fire = previousFire(spec.cron, at);
  return fire ? periodOf(spec.period, fire) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Claim + write.

/** `failed`: the run threw; it is logged and runs again at the job's next tick or start. */
export type RunStatus = 'done' | 'already-done' | 'not-due' | 'failed';

export interface RunOutcome {
  job: JobName;
  status: RunStatus;
  period?: string;
  late?: boolean;
  /** Outbox rows written. */
  rows: number;
  detail?: string;
}

/** What a job writes once its period is claimed; returns the outbox rows it wrote. */
export interface Prepared {
  detail: string;
  write(w: Work): Promise<number>;
}

class AlreadyClaimed extends Error {}

/**
 * Claims `period` for `job` and writes the prepared rows, in one transaction. 'already-done' when another run (now
 * or before, this process or another) has the period.
 */
export async function commitPeriod(
  ctx: JobContext,
  job: JobName,
  period: ReportPeriod,
  prepared: Prepared,
  times: { startedAt: Date; late: boolean },
): Promise<RunOutcome> {
  try {
    const rows = await commit(ctx, async (w) => {
      if (!(await claimPeriod(w.tx, job, period.key, times.startedAt.toISOString(), ctx.owner, times.late))) throw new AlreadyClaimed();
      const n = await prepared.write(w);
      await finishPeriod(w.tx, job, period.key, w.nowIso, prepared.detail);
      return n;
    });
    return { job, status: 'done', period: period.key, late: times.late, rows, detail: prepared.detail };
  } catch (e) {
    if (e instanceof AlreadyClaimed) return { job, status: 'already-done', period: period.key, rows: 0 };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reports → mail rows.

function messageId(cfg: Config, key: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(cfg.mail.from)?.[1] ?? 'wuye-desk.local';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

/**
 * One mail per recipient, keyed `report:<job>:<period>:<mail>:<address>`. The Message-ID is derived from the key:
 * should a relay accept a mail and the worker die before recording it, the resend carries the same Message-ID.
 */
export function reportMessages(cfg: Config, bundle: ReportBundle): OutboxMessage[] {
  const rows: OutboxMessage[] = [];
  for (const mail of bundle.mails) {
    for (const to of cfg.reports.recipients[mail.audience]) {
      const address = to.toLowerCase();
      const key = `report:${bundle.kind}:${bundle.period.key}:${mail.id}:${address}`;
      const payload: MailPayload = {
        to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: messageId(cfg, key),
        attachments: mail.attachments.map((a) => ({
          filename: a.filename,
          contentBase64: a.content.toString('base64'),
          contentType: a.contentType,
          ...(a.cid ? { cid: a.cid } : {}),
        })),
      };
      rows.push({ kind: 'email', recipient: address, payload, key });
    }
  }
  return rows;
}

export async function prepareReport(ctx: JobContext, kind: ReportKind, period: ReportPeriod): Promise<Prepared & { bundle: ReportBundle }> {
  const bundle = await buildReport(ctx, kind, period);
  const rows = reportMessages(ctx.cfg, bundle);
  const nobody = rows.length === 0 ? '；未配置收件人，未发送' : '';
  return {
    bundle,
    detail: `${bundle.summary}${nobody}`,
    async write(w) {
      // The published list becomes history in the transaction that claims the month: recorded once, with the mail.
      if (bundle.companyLists) await recordCompanyLists(w.tx, bundle.companyLists, w.nowIso);
      return w.send(rows);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Housekeeping and the desk's daily note.

/** Telegram update ids are kept long enough to drop any redelivery; dialogues left half-way expire. */
export const UPDATE_ID_RETENTION_DAYS = 30;
export const DIALOGUE_RETENTION_DAYS = 7;

export function prepareHousekeeping(now: Date): Prepared {
  const before = (days: number) => new Date(now.getTime() - days * 24 * 3600_000).toISOString();
  return {
    detail: `删除${UPDATE_ID_RETENTION_DAYS}天前的更新记录、${DIALOGUE_RETENTION_DAYS}天前的未完成对话`,
    async write(w) {
      await expireTelegramState(w.tx, { updatesBefore: before(UPDATE_ID_RETENTION_DAYS), dialoguesBefore: before(DIALOGUE_RETENTION_DAYS) });
      return 0;
    },
  };
}

/**
 * The desk's daily note: the previous day's mail that no case came from (ignored, quarantined), per county, to the
 * county's housing office and admins, each mail one tap away — so that no mail is dropped unseen by a person.
 */
export async function prepareUnregisteredNote(ctx: JobContext, period: ReportPeriod): Promise<Prepared> {
  // The period is the day of the run (its key, YYYY-MM-DD); the note covers the day before it, whole.
  const day = period.key;
  const since = startOfDayShanghai(addDays(day, -1)).toISOString();
  const until = startOfDayShanghai(day).toISOString();
  const mails = await unregisteredBetween(ctx.db, since, until);
  const byCounty = new Map<string, typeof mails>();
  for (const m of mails) {
    const county = m.county ?? ctx.cfg.city.code;
    const list = byCounty.get(county);
    if (list) list.push(m);
    else byCounty.set(county, [m]);
  }
  return {
    detail: `${addDays(day, -1)} 未登记来信 ${mails.length} 封，${byCounty.size} 个县区`,
    async write(w) {
      const rows: OutboxMessage[] = [];
      const notBefore = quietHoursRelease(w.now, ctx.cfg.schedule.quietHours).toISOString();
      for (const [county, list] of byCounty) {
        const countyName = ctx.cfg.counties.find((k) => k.code === county)?.name ?? county;
        const text = unregisteredNote(countyName, addDays(day, -1), list);
        const keyboard = unregisteredNoteKeyboard(list);
        const people = [
          ...(await recipientsFor(w.tx, { unit: 'housing', county, roles: ['officer'] })),
          ...(await recipientsFor(w.tx, { county, roles: ['admin'] })),
        ];
        for (const o of people) {
          rows.push({
            kind: 'telegram',
            recipient: String(o.chatId),
            payload: telegramMessage(o.chatId!, text, keyboard),
            key: `unregistered:${period.key}:${county}:${o.id}`,
            notBefore,
          });
        }
      }
      return w.send(rows);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Company thresholds (000 附件 一(三), 三(三), 三(四)).

/**
 * Evaluates every company and records the actions its thresholds trigger (company_action is unique per company,
 * type and rule, so an action is recorded once); a new action is told to the housing officers and admins of the
 * company's county (the city's when the company has none), and key supervision sets the company's flag.
 */
export async function prepareCompanies(ctx: JobContext, now: Date): Promise<Prepared> {
  const views = await companyViews(ctx.db, now);
  const due = views.map((v) => ({ v, actions: evaluateCompany(v.input, now, ctx.cal) })).filter((x) => x.actions.length);
  const total = due.reduce((n, x) => n + x.actions.length, 0);
  return {
    detail: `${views.length}家企业，${due.length}家达到督办条件（${total}项）`,
    async write(w) {
      const { tx, nowIso } = w;
      const rows: OutboxMessage[] = [];
      const notBefore = quietHoursRelease(w.now, ctx.cfg.schedule.quietHours).toISOString();
      for (const { v, actions } of due) {
        for (const a of actions) {
          const actionId = await addCompanyAction(
            tx,
            { companyId: v.id, type: a.type, rule: a.rule, reason: a.reason, dueAt: a.dueAt ? a.dueAt.toISOString() : NO_DUE },
            nowIso,
          );
          if (a.type === 'key-supervision' && !v.keySupervision) await setKeySupervision(tx, v.id, true);
          if (actionId === null) continue;
          const county = v.county ?? ctx.cfg.city.code;
          const people = await recipientsFor(tx, { unit: 'housing', county, roles: ['officer', 'admin'] });
          // 发改 and 市场监管 carry out the fee and refund steps themselves (000 附件 三(三)): their officers are told too.
          const doer = ACTION_UNIT[a.type];
          if (doer !== 'housing') people.push(...(await recipientsFor(tx, { unit: doer, county, roles: ['officer'] })));
          for (const o of people) {
            rows.push({
              kind: 'telegram',
              recipient: String(o.chatId),
              // Every action can be marked done (重点督办: the ledger set up; 退出程序: the procedure started), in the audit.
              payload: telegramMessage(o.chatId!, companyNotice(v.name, a), companyActionKeyboard(actionId)),
              key: `company:${v.id}:${a.type}:${a.rule}:${o.id}`,
              notBefore,
            });
          }
        }
      }
      return w.send(rows);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reminders.

/**
 * Writes the reminders due at `now` (see reminders.ts) as one digest message per person (messages/reminders.ts);
 * the reminder log keeps each reminder's key, so a reminder already sent is never in a later digest. Returns how
 * many rows were new.
 */
export async function runReminders(ctx: JobContext, now: Date): Promise<number> {
  const officers = (await listOfficers(ctx.db, { activeOnly: true })).filter((o) => o.chatId !== null);
  if (!officers.length) return 0;
  const unitNames = unitNamesOf(ctx.cfg);
  const due: Reminder[] = [];
  let after = 0;
  const pageSize = 1000;
  for (;;) {
    // Cases with a clock still running: open ones, and supervised ones until written off (monthly progress).
    const cases = await casesWithRunningClocks(ctx.db, after, pageSize);
    due.push(...remindersFor(cases, officers, { now, cal: ctx.cal, quietHours: ctx.cfg.schedule.quietHours, cityCounty: ctx.cfg.city.code, unitNames }));
    if (cases.length < pageSize) break;
    after = cases[cases.length - 1]!.id;
  }
  let written = 0;
  if (due.length) {
    const nowIso = now.toISOString();
    written = await commit(
      ctx,
      async (w) => {
        const fresh = await logReminders(w.tx, due.map((r) => ({ key: r.key, sentIn: digestKey(r, nowIso) })), w.nowIso);
        const digests = reminderDigests(due.filter((r) => fresh.has(r.key)), nowIso);
        return w.send(digests.map((d) => reminderRow(d, d.caseId)));
      },
      now,
    );
  }
  return written + (await runCompanyReminders(ctx, now, officers));
}

/** The company actions' own clocks (workflow/reminders.ts ladder, messages/company.ts words). */
async function runCompanyReminders(ctx: JobContext, now: Date, officers: ReminderOfficer[]): Promise<number> {
  const actions = await openCompanyActions(ctx.db, NO_DUE, ctx.cfg.city.code);
  const reminders = companyActionReminders(actions, officers, {
    now,
    cal: ctx.cal,
    quietHours: ctx.cfg.schedule.quietHours,
    cityCounty: ctx.cfg.city.code,
  });
  if (!reminders.length) return 0;
  const msgs = reminders.map((r) => reminderRow(r));
  return commit(ctx, (w) => w.send(msgs), now);
}

/** A reminder digest's or a company action reminder's outbox row (keyed, held until notBefore). */
function reminderRow(r: ReminderDigest | CompanyReminder, complaintId?: number): OutboxMessage {
  return {
    kind: 'telegram',
    recipient: String(r.chatId),
    payload: telegramMessage(r.chatId, r.text, r.keyboard),
    key: r.key,
    ...(complaintId === undefined ? {} : { complaintId }),
    notBefore: r.notBefore,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One job at `now`.

export interface RunOptions {
  /** Periods whose fire is before this are not caught up (the scheduler was not running yet). */
  notBefore?: Date | null;
}

/** Runs `spec` for its latest period at `now` (or the reminders due at `now`). */
export async function runJob(ctx: JobContext, spec: JobSpec, now: Date, opts: RunOptions = {}): Promise<RunOutcome> {
  if (spec.name === 'reminders') {
    const rows = await runReminders(ctx, now);
    return { job: spec.name, status: 'done', rows };
  }
  const period = latestPeriod(spec, now);
  if (!period || (opts.notBefore && period.fire.getTime() < opts.notBefore.getTime())) return { job: spec.name, status: 'not-due', rows: 0 };
  if (await periodRun(ctx.db, spec.name, period.key)) return { job: spec.name, status: 'already-done', period: period.key, rows: 0 };
  const late = now.getTime() - period.fire.getTime() > LATE_AFTER_MS;
  const prepared =
    spec.name === 'companies'
      ? await prepareCompanies(ctx, now)
      : spec.name === 'housekeeping'
        ? prepareHousekeeping(now)
        : spec.name === 'unregistered'
          ? await prepareUnregisteredNote(ctx, period)
          : await prepareReport(ctx, spec.name, period);
  return commitPeriod(ctx, spec.name, period, prepared, { startedAt: now, late });
}
