// Reports: this period's weekly digest (brief, annex 2 ledger, annex 3 summary, chart), province report, discipline
// report and monthly list to download — built by the same use case the scheduler sends (cases/reports.ts) for the
// period the scheduler would send now — and the history of what was sent when (job_run).
import type { FastifyInstance } from 'fastify';
import { JOB_TITLES, jobSpecs, latestPeriod, type JobName } from '../cases/jobs.ts';
import { buildReport, type ReportKind } from '../cases/reports.ts';
import { actorOfWebUser, isCityLevel, isReadOnly, type WebUser } from '../cases/web-accounts.ts';
import { sendReportNow } from '../cases/web-reports.ts';
import { periodRun } from '../store/jobs.ts';
import { listRuns } from '../store/jobs.ts';
import { formatMinute } from '../time.ts';
import { auditRead } from './routes-cases.ts';
import { forbidden, notFound, page, type WebDeps } from './server.ts';

const KINDS: readonly ReportKind[] = ['weekly', 'province', 'discipline', 'monthly'];

/**
 * Reports carry every county of the deployment (the ledger names complainants): a county's desk and admin see them
 * in a county deployment; in a city deployment only city-level accounts do. Unit officers do not.
 */
function mayReadReports(deps: WebDeps, u: WebUser): boolean {
  if (u.role === 'officer') return false;
  return deps.cfg.deployment.level === 'county' || isCityLevel(deps.cfg, u);
}

/** Sending (the same as `wuye report <kind> --send`): admins, and city-level accounts that may act; never read-only. */
function maySendReports(deps: WebDeps, u: WebUser): boolean {
  return !isReadOnly(u) && mayReadReports(deps, u) && (u.role === 'admin' || isCityLevel(deps.cfg, u));
}

const KIND_NAMES = (k: ReportKind): string => JOB_TITLES[k] ?? k;

export function registerReportRoutes(app: FastifyInstance, deps: WebDeps): void {
  const bundleOf = async (kind: ReportKind) => {
    const spec = jobSpecs(deps.cfg).find((s) => s.name === kind);
    const period = spec ? latestPeriod(spec, deps.clock.now()) : null;
    return period ? buildReport(deps, kind, period) : null;
  };

  app.get('/reports', async (req, reply) => {
    const u = req.user!;
    if (!mayReadReports(deps, u)) return forbidden(reply, '无权查看报表');
    const runs = await listRuns(deps.db, undefined, 100);
    const kinds = KINDS.filter((k) => jobSpecs(deps.cfg).some((s) => s.name === k)).map((k) => {
      const spec = jobSpecs(deps.cfg).find((s) => s.name === k)!;
      const period = latestPeriod(spec, deps.clock.now());
      return { kind: k, title: JOB_TITLES[k], key: period?.key ?? '—', until: period ? formatMinute(period.end) : '—' };
    });
    await auditRead(deps, u, null, 'reports');
    return reply.view('reports', page(req, {
      title: '报表',
      nav: 'reports',
      kinds,
      runs: runs.map((r) => ({
        title: JOB_TITLES[r.job as JobName | 'scheduler'] ?? r.job,
        key: r.period_key,
        started: formatMinute(r.started_at),
        finished: r.finished_at ? formatMinute(r.finished_at) : '未完成',
        late: r.late ? '补发' : '',
        detail: r.detail ?? '',
      })),
    }));
  });

  app.get('/reports/:kind', async (req, reply) => {
    const u = req.user!;
    const kind = (req.params as { kind: string }).kind as ReportKind;
    if (!KINDS.includes(kind)) return notFound(req, reply);
    if (!mayReadReports(deps, u)) return forbidden(reply, '无权查看报表');
    const bundle = await bundleOf(kind);
    if (!bundle) return notFound(req, reply);
    await auditRead(deps, u, null, 'report', { kind, period: bundle.period.key });
    const sent = await periodRun(deps.db, kind, bundle.period.key);
    const q = req.query as Record<string, unknown>;
    return reply.view('report', page(req, {
      maySend: maySendReports(deps, u),
      sent: sent ? { at: formatMinute(sent.started_at), by: sent.owner ?? '', detail: sent.detail ?? '' } : null,
      message: q.sent === '1' ? '已写入发件队列，由运行中的服务发送。' : null,
      title: JOB_TITLES[kind],
      nav: 'reports',
      kind,
      reportTitle: JOB_TITLES[kind],
      key: bundle.period.key,
      until: formatMinute(bundle.period.end),
      summary: bundle.summary,
      mails: bundle.mails.map((m, i) => ({
        i,
        title: m.title,
        subject: m.subject,
        text: m.text,
        files: m.attachments.map((a, j) => ({ j, name: a.filename, size: a.content.length })),
      })),
    }));
  });

  app.get('/reports/:kind/:mail/:file', async (req, reply) => {
    const u = req.user!;
    const p = req.params as { kind: string; mail: string; file: string };
    const kind = p.kind as ReportKind;
    if (!KINDS.includes(kind)) return notFound(req, reply);
    if (!mayReadReports(deps, u)) return forbidden(reply, '无权查看报表');
    const bundle = await bundleOf(kind);
    const a = bundle?.mails[Number(p.mail)]?.attachments[Number(p.file)];
    if (!bundle || !a) return notFound(req, reply);
    await auditRead(deps, u, null, 'report-file', { kind, period: bundle.period.key, file: a.filename });
    reply.header('content-type', a.contentType);
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`);
    return reply.send(a.content);
  });

  app.post('/reports/:kind/send', async (req, reply) => {
    const u = req.user!;
    const kind = (req.params as { kind: string }).kind as ReportKind;
    if (!KINDS.includes(kind) || !jobSpecs(deps.cfg).some((s) => s.name === kind)) return notFound(req, reply);
    if (!maySendReports(deps, u)) return forbidden(reply, '无权发送报表');
    const r = await sendReportNow(deps, kind, actorOfWebUser(deps.cfg, u));
    if (r.status === 'no-period') return reply.code(409).type('text/plain; charset=utf-8').send(`${KIND_NAMES(kind)}尚无可发送的报表期`);
    if (r.status === 'already-sent') {
      return reply.code(409).type('text/plain; charset=utf-8').send(`${KIND_NAMES(kind)} ${r.period} 已于 ${formatMinute(r.at)} 发送（${r.by ?? ''}），不再重复发送`);
    }
    deps.log.info({ kind, period: r.period, rows: r.rows, login: u.login }, 'web: report sent');
    return reply.redirect(`/reports/${kind}?sent=1`, 303);
  });
}
