// The scheduler: node-cron wiring (Asia/Shanghai) for the jobs of cases/jobs.ts, and the catch-up on start.
//
// Every run — a cron tick, the catch-up on start, or runDue() — does the same thing for a job: take the latest fire
// of its cron at or before now, map it to its period (periods.ts), and run that period unless job_run has it.
// So a period missed while the service was down (the Friday 12:00 digest) is run on start, once, with job_run.late
// set; the fire at 12:00 and a restart at 12:00:30 find the same period and one of them wins the claim.
//
// Catch-up starts from the day the scheduler first ran on this database (the job_run row scheduler/installed):
// a fresh installation does not send last week's reports the moment it starts. Only the latest missed period of
// each job is caught up — every report is cumulative, so the latest one covers what the older ones would have said.
import cron, { type ScheduledTask } from 'node-cron';
import { jobSpecs, runJob, type JobContext, type JobSpec, type RunOutcome } from '../cases/jobs.ts';
import { TIMEZONE, assertCron } from '../cron.ts';
import type { Db } from '../store/db.ts';
import { claimPeriod, finishPeriod, periodRun } from '../store/jobs.ts';

export interface SchedulerDeps extends JobContext {
  /** Start node-cron timers (default true). Without them the scheduler runs only when runDue is called. */
  timers?: boolean;
}

export interface Scheduler {
  stop(): Promise<void>;
  /** Runs every job for `now` (default: the clock), after any run in progress; resolves with what each did. */
  runDue(now?: Date): Promise<RunOutcome[]>;
  /** The catch-up run started with the scheduler. */
  ready: Promise<RunOutcome[]>;
}

const INSTALLED = { job: 'scheduler', key: 'installed' } as const;

/** When the scheduler first ran on this database; recorded by the first run. */
export async function installedAt(db: Db, now: Date, owner: string): Promise<Date> {
  if (await claimPeriod(db, INSTALLED.job, INSTALLED.key, now.toISOString(), owner, false)) {
    await finishPeriod(db, INSTALLED.job, INSTALLED.key, now.toISOString(), '定时任务首次启用；此前的报表期不补发');
    return now;
  }
  const row = await periodRun(db, INSTALLED.job, INSTALLED.key);
  return new Date(row!.started_at);
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  const { cfg, db, log, clock, owner } = deps;
  const ctx: JobContext = deps;
  // A report that is not this deployment's duty is not scheduled (it stays available to `wuye report`).
  const specs = jobSpecs(cfg).filter((s) => s.scheduled);
  for (const s of specs) assertCron(s.cron);

  // One run at a time in this process; other processes are kept out by job_run's unique key.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  let since: Date | null = null;
  async function one(spec: JobSpec, now: Date): Promise<RunOutcome> {
    try {
      since ??= await installedAt(db, now, owner);
      const r = await runJob(ctx, spec, now, { notBefore: since });
      if (r.status === 'done' && spec.name !== 'reminders') {
        log.info({ job: r.job, period: r.period, late: r.late, rows: r.rows, detail: r.detail }, r.late ? 'scheduler: period caught up (late)' : 'scheduler: period done');
      }
      return r;
    } catch (e) {
      log.error({ err: e, job: spec.name }, 'scheduler: job failed; it runs again at its next tick or start');
      return { job: spec.name, status: 'failed', rows: 0, detail: (e as Error).message };
    }
  }

  const runDue = (now?: Date) =>
    serial(async () => {
      const at = now ?? clock.now();
      const out: RunOutcome[] = [];
      for (const spec of specs) out.push(await one(spec, at));
      return out;
    });

  const tasks: ScheduledTask[] =
    deps.timers === false
      ? []
      : specs.map((spec) =>
          cron.schedule(spec.cron, () => serial(() => one(spec, clock.now())), { timezone: TIMEZONE, name: `wuye:${spec.name}`, noOverlap: true }),
        );

  const ready = runDue();
  let stopped: Promise<void> | null = null;
  return {
    runDue,
    ready,
    stop: () =>
      (stopped ??= (async () => {
        await Promise.all(tasks.map((t) => t.destroy()));
        await queue;
      })()),
  };
}

export type { RunOutcome } from '../cases/jobs.ts';
