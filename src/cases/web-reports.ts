// 发送 on the console's reports page: the same path as `wuye report <kind> --send` (cli/report.ts) — the period the
// scheduler would send now, built by prepareReport, claimed once per period by commitPeriod (the scheduler, the
// CLI and the console can never send one period twice), mails queued in the outbox — with who sent it on the
// audit trail, in the same transaction.
import type { Actor } from '../domain.ts';
import { appendEvents } from '../store/cases.ts';
import { periodRun } from '../store/jobs.ts';
import { commitPeriod, jobSpecs, LATE_AFTER_MS, latestPeriod, prepareReport } from './jobs.ts';
import type { ReportKind } from './reports.ts';
import type { CaseDeps } from './deps.ts';

export type SendOutcome =
  | { status: 'queued'; period: string; rows: number }
  | { status: 'already-sent'; period: string; at: string; by: string | null }
  | { status: 'no-period' };

export async function sendReportNow(deps: CaseDeps, kind: ReportKind, actor: Actor): Promise<SendOutcome> {
  const spec = jobSpecs(deps.cfg).find((s) => s.name === kind);
  const startedAt = deps.clock.now();
  // The latest period at or before now: its fire time has passed, so it is due (the CLI's "not due yet" cannot occur).
  const period = spec ? latestPeriod(spec, startedAt) : null;
  if (!period) return { status: 'no-period' };
  const ctx = { ...deps, owner: `web:${actor.login ?? actor.name ?? '?'}` };
  const done = await periodRun(deps.db, kind, period.key);
  if (done) return { status: 'already-sent', period: period.key, at: done.started_at, by: done.owner };
  const prepared = await prepareReport(ctx, kind, period);
  const late = startedAt.getTime() - period.fire.getTime() > LATE_AFTER_MS;
  const audited = {
    ...prepared,
    async write(w: Parameters<typeof prepared.write>[0]) {
      const rows = await prepared.write(w);
      await appendEvents(w.tx, null, [{ type: 'report-sent', at: w.nowIso, actor, data: { kind, period: period.key, rows, late } }]);
      return rows;
    },
  };
  const r = await commitPeriod(ctx, kind, period, audited, { startedAt, late });
  if (r.status !== 'done') {
    const again = await periodRun(deps.db, kind, period.key);
    return { status: 'already-sent', period: period.key, at: again?.started_at ?? startedAt.toISOString(), by: again?.owner ?? null };
  }
  return { status: 'queued', period: period.key, rows: r.rows };
}
