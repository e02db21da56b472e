// `wuye report <weekly|province|discipline|monthly> [--at <ISO>] [--out <dir>] [--send]` and `wuye report list`.
// The report of the period whose scheduled time is the latest at or before --at (default now): Friday 12:00 for
// the weekly digest, Friday 17:00 for the province report, … — the same period the scheduler would send. Files are
// always written; --send also queues the mails through the outbox (sent by the running service's outbox worker),
// once per period: a period already sent, by the scheduler or an earlier --send, is reported and not sent again.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { formatMinute } from '../time.ts';
import { loadCalendar } from '../runtime.ts';
import { jobSpecs, JOB_TITLES, latestPeriod, prepareReport, commitPeriod, LATE_AFTER_MS, type JobName } from '../cases/jobs.ts';
import { recordReportNote, type ReportBundle } from '../cases/reports.ts';
import type { ReportNoteKind } from '../store/figures.ts';
import { listRuns, periodRun } from '../store/jobs.ts';
import { parseInstant } from '../time.ts';
import { caseDepsOf, operatorName, withStore } from './common.ts';

export type CliReportKind = 'weekly' | 'province' | 'discipline' | 'monthly';

export interface ReportOptions {
  at?: string;
  out: string;
  send?: boolean;
}

/** File names that are safe on every system but keep the Chinese titles people look for. */
function safeName(s: string): string {
  return s.replace(/[\\/:*?"<>|\s]+/g, '_');
}

/** Writes each mail's HTML body (the inline chart pointed at its file) and its attachments; returns the paths. */
export function writeBundle(bundle: ReportBundle, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const mail of bundle.mails) {
    let html = mail.html;
    for (const a of mail.attachments) {
      const file = path.join(dir, safeName(a.filename));
      writeFileSync(file, a.content);
      written.push(file);
      if (a.cid) html = html.split(`cid:${a.cid}`).join(encodeURI(safeName(a.filename)));
    }
    const body = path.join(dir, safeName(`${mail.title}-${bundle.period.key}.html`));
    writeFileSync(body, html);
    written.push(body);
  }
  return written;
}

export async function reportCommand(cfg: Config, kind: CliReportKind, opts: ReportOptions): Promise<number> {
  let at: Date;
  try {
    at = opts.at ? parseInstant(opts.at) : systemClock.now();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const spec = jobSpecs(cfg).find((s) => s.name === kind)!;
  const period = latestPeriod(spec, at);
  if (!period) {
    process.stderr.write(`在 ${formatMinute(at)} 之前没有 ${kind} 报表期 / no ${kind} period before --at\n`);
    return 1;
  }
  if (opts.send && period.fire.getTime() > systemClock.now().getTime()) {
    process.stderr.write(`该期报表时间 ${formatMinute(period.fire)} 尚未到，不能发送 / the period is not due yet: --send refused\n`);
    return 2;
  }
  return withStore(cfg, async (store) => {
    const ctx = { ...caseDepsOf(cfg, store), owner: `cli:${process.pid}` };
    const startedAt = systemClock.now();
    const prepared = await prepareReport(ctx, kind, period);
    const files = writeBundle(prepared.bundle, path.resolve(opts.out));
    process.stdout.write(`${JOB_TITLES[kind]} ${period.key}（截至 ${formatMinute(period.end)}）：${prepared.detail}\n`);
    for (const f of files) process.stdout.write(`  ${f}\n`);
    if (!opts.send) return 0;

    const done = await periodRun(store.db, kind, period.key);
    if (done) {
      process.stdout.write(`该期已于 ${formatMinute(done.started_at)} 发送过（${done.owner ?? ''}），不再重复发送 / already sent\n`);
      return 0;
    }
    const late = startedAt.getTime() - period.fire.getTime() > LATE_AFTER_MS;
    const r = await commitPeriod(ctx, kind, period, prepared, { startedAt, late });
    if (r.status === 'already-done') {
      process.stdout.write('该期刚由其他进程发送，不再重复发送 / already sent by another process\n');
      return 0;
    }
    process.stdout.write(
      r.rows > 0
        ? `已写入发件队列 ${r.rows} 封，由运行中的服务发送 / ${r.rows} mail(s) queued; the running service sends them\n`
        : '未配置收件人（reports.recipients），已记录该期但未发送 / no recipients configured: period recorded, nothing sent\n',
    );
    return 0;
  });
}

export async function reportList(cfg: Config): Promise<number> {
  return withStore(cfg, async (store) => {
    const runs = await listRuns(store.db, undefined, 100);
    if (!runs.length) {
      process.stdout.write('尚无报表记录 / no report runs yet\n');
      return 0;
    }
    process.stdout.write('任务\t期间\t开始\t完成\t补发\t说明\n');
    for (const r of runs) {
      const title = JOB_TITLES[r.job as JobName | 'scheduler'] ?? r.job;
      const line = [
        `${r.job} ${title}`,
        r.period_key,
        formatMinute(r.started_at),
        r.finished_at ? formatMinute(r.finished_at) : '未完成',
        r.late ? '是' : '否',
        r.detail ?? '',
      ];
      process.stdout.write(`${line.join('\t')}\n`);
    }
    return 0;
  });
}

/** `wuye report note --kind practice|obstacle --text …`: the office's own words in a week's reports. */
export async function reportNote(cfg: Config, o: { kind: string; text: string; week?: string; by?: string }): Promise<number> {
  const kinds: Record<string, ReportNoteKind> = { practice: 'practice', 经验做法: 'practice', obstacle: 'obstacle', 难点: 'obstacle', 堵点: 'obstacle', 难点堵点: 'obstacle' };
  const kind = kinds[o.kind];
  if (!kind) {
    process.stderr.write(`--kind: 应为 practice（经验做法）或 obstacle（难点堵点） unknown kind "${o.kind}"\n`);
    return 2;
  }
  return withStore(cfg, async (store) => {
    const by = operatorName(o.by);
    const r = await recordReportNote(caseDepsOf(cfg, store), { kind, text: o.text, ...(o.week ? { week: o.week } : {}) }, { kind: 'system', ...(by ? { name: by } : {}) });
    if (!r.ok) {
      process.stderr.write(`✗ ${r.message}\n`);
      return 1;
    }
    process.stdout.write(`✓ 已写入 ${r.week} ${kind === 'practice' ? '工作简报「经验做法」' : '纪委监委周报「难点、堵点」'} #${r.id}\n`);
    return 0;
  });
}
