// The case list (filters, Chinese search, deadline order, pages) and the case page: the resident's mail and later
// mails with their files, the classification and why, each running deadline with its clock and clause, the full
// audit trail, the letters to the resident, and the forms of the commands the workflow's dry run offers this user.
import type { FastifyInstance } from 'fastify';
import { applyCommand } from '../cases/apply.ts';
import { ledgerOfCases } from '../cases/web-ledger.ts';
import { recordView } from '../cases/audited-reads.ts';
import { actorOfWebUser, countiesOf, isReadOnly, type WebUser } from '../cases/web-accounts.ts';
import {
  FINDING_NAMES,
  PROBLEM_NAMES,
  SOURCE_NAMES,
  SOURCES,
  STATUS_NAMES,
  STATUSES,
  UNIT_CODES,
  UNIT_NAMES,
  type Case,
  type Status,
  type UnitCode,
} from '../domain.ts';
import { consoleCountCap, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, searchCases, type CaseQuery } from '../store/case-search.ts';
import type { SheetRow } from '../report/types.ts';
import { streamToBuffer } from '../report/writers/buffer.ts';
import { writeSheetXlsx } from '../report/writers/xlsx.ts';
import { listCompanies } from '../store/companies.ts';
import { exportLayout, exportRow, MAX_EXPORT_ROWS } from './export.ts';
import { caseRow } from './case-rows.ts';
import { eventDetail } from './event-detail.ts';
import { eventsOf, findByTracking } from '../store/cases.ts';
import { attachmentOfCase, attachmentsOfCase, lettersOfCase } from '../store/web-reads.ts';
import { addDays, deadlineForPeople, formatMinute, isValidDay, shanghaiDay, startOfDayShanghai } from '../time.ts';
import { due } from '../workflow/complaint.ts';
import { offeredCommands } from '../workflow/offers.ts';
import { actionForms, commandOf, isFormCommand } from './forms.ts';
import { DEADLINE_NAMES, EVENT_NAMES, WEB_ROLE_NAMES } from './labels.ts';
import { mayRead, scopeOf } from './scope.ts';
import { notFound, page, type WebDeps } from './server.ts';

type Query = Record<string, string | string[] | undefined>;

const first = (q: Query, k: string): string => {
  const v = q[k];
  return ((Array.isArray(v) ? v[0] : v) ?? '').trim();
};
const all = (q: Query, k: string): string[] => {
  const v = q[k];
  return (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
};

/** The list's filters from the query string; the user's scope is added by the caller, never read from the request. */
export function filtersOf(q: Query): Omit<CaseQuery, 'now' | 'counties' | 'ownUnit'> {
  const status = all(q, 'status').filter((s): s is Status => (STATUSES as readonly string[]).includes(s));
  const unit = first(q, 'unit');
  const from = first(q, 'from');
  const to = first(q, 'to');
  const sort = first(q, 'sort');
  const company = Number(first(q, 'companyId'));
  return {
    text: first(q, 'q').slice(0, 200) || undefined,
    county: first(q, 'county') || null,
    unit: unit === 'none' ? 'none' : (UNIT_CODES as readonly string[]).includes(unit) ? (unit as UnitCode) : null,
    status: status.length ? status : null,
    overdue: first(q, 'overdue') === '1',
    urgent: first(q, 'urgent') === '1',
    source: (SOURCES as readonly string[]).includes(first(q, 'source')) ? first(q, 'source') : null,
    companyId: Number.isInteger(company) && company > 0 ? company : null,
    compound: first(q, 'compound').slice(0, 100) || null,
    receivedFrom: isValidDay(from) ? startOfDayShanghai(from).toISOString() : null,
    receivedTo: isValidDay(to) ? startOfDayShanghai(addDays(to, 1)).toISOString() : null,
    sort: sort === 'deadline' || sort === 'received' ? sort : '-received',
    page: Math.max(1, Math.min(100_000, Number(first(q, 'page')) || 1)),
    pageSize: 50,
  };
}

/** The query for this user: the request's filters inside the user's scope. */
export function caseQueryFor(deps: WebDeps, u: WebUser, q: Query): CaseQuery {
  return { ...filtersOf(q), ...scopeOf(deps.cfg, u), now: deps.clock.now().toISOString() };
}

/** A page of the list as the console and the API show it: the total counted up to a cap (case-search.ts). */
export function listQueryFor(deps: WebDeps, u: WebUser, q: Query): CaseQuery {
  const query = caseQueryFor(deps, u, q);
  return { ...query, countUpTo: consoleCountCap(query.text) };
}

/** The case of a URL, if this user may read it; otherwise undefined, whether it exists or not. */
export async function readableCase(deps: WebDeps, u: WebUser, tracking: string) {
  if (!/^[A-Z]{2,4}-\d{4}-\d{1,9}$/.test(tracking)) return undefined;
  const c = await findByTracking(deps.db, tracking);
  return c && mayRead(deps.cfg, u, c) ? c : undefined;
}

/** Supervisors' and leaders' reads go into the audit trail (000 附件 六(一)). */
export async function auditRead(deps: WebDeps, u: WebUser, caseId: number | null, what: string, data: Record<string, unknown> = {}) {
  if (isReadOnly(u)) await recordView(deps.db, deps.clock, actorOfWebUser(deps.cfg, u), caseId, what, data);
}

const t = (iso: string | null | undefined) => (iso ? formatMinute(iso) : '—');
/** Images shown inline; every other type (svg and html included) is only downloaded. */
const IMAGE = /^image\/(png|jpeg|gif|webp)$/;
const MAX_FILES = 100;

export function registerCaseRoutes(app: FastifyInstance, deps: WebDeps): void {
  const countyName = (code: string) => deps.cfg.counties.find((c) => c.code === code)?.name ?? code;

  app.get('/cases', async (req, reply) => {
    const u = req.user!;
    const q = req.query as Query;
    const query = listQueryFor(deps, u, q);
    const result = await searchCases(deps.db, query);
    await auditRead(deps, u, null, 'cases', { query: req.url.slice(0, 500), ids: result.items.map((i) => i.id) });
    const counties = countiesOf(deps.cfg, u);
    const size = query.pageSize ?? DEFAULT_PAGE_SIZE;
    const pages = Math.max(1, Math.ceil(result.total / size));
    // Beyond a capped count the pages go on while they come full.
    const more = (query.page ?? 1) < pages || (!result.totalExact && result.items.length === size);
    const keep = new URLSearchParams(Object.entries(q).flatMap(([k, v]) => (k === 'page' ? [] : (Array.isArray(v) ? v : v ? [v] : []).map((x) => [k, x] as [string, string]))));
    const pageLink = (n: number) => `/cases?${new URLSearchParams([...keep, ['page', String(n)]]).toString()}`;
    return reply.view('cases', page(req, {
      title: '案件',
      nav: 'cases',
      q: { text: first(q, 'q'), county: first(q, 'county'), unit: first(q, 'unit'), status: all(q, 'status'), overdue: first(q, 'overdue') === '1', urgent: first(q, 'urgent') === '1', source: first(q, 'source'), companyId: String(query.companyId ?? ''), compound: first(q, 'compound'), from: first(q, 'from'), to: first(q, 'to'), sort: query.sort },
      total: result.total,
      totalExact: result.totalExact,
      page: query.page,
      pages: result.totalExact ? pages : null,
      prev: (query.page ?? 1) > 1 ? pageLink((query.page ?? 1) - 1) : null,
      next: more ? pageLink((query.page ?? 1) + 1) : null,
      exportHref: `/cases.xlsx?${keep.toString()}`,
      ledgerHref: `/cases.xlsx?${new URLSearchParams([...keep, ['layout', 'ledger']]).toString()}`,
      items: result.items.map((i) => caseRow(deps.cfg, i, deps.clock.now())),
      counties: deps.cfg.counties.filter((c) => !counties || counties.includes(c.code)).map((c) => [c.code, c.name]),
      units: UNIT_CODES.map((c) => [c, UNIT_NAMES[c]]),
      statuses: STATUSES.map((s) => [s, STATUS_NAMES[s]]),
      sources: SOURCES.map((s) => [s, SOURCE_NAMES[s]]),
      // The companies of the user's counties (a county has a few hundred at most), by name.
      companies: (await listCompanies(deps.db))
        .filter((c) => !counties || c.county === null || counties.includes(c.county))
        .map((c) => [String(c.id), c.name])
        .sort((a, b) => a[1]!.localeCompare(b[1]!, 'zh-Hans-CN')),
    }));
  });

  app.get('/cases.xlsx', async (req, reply) => {
    const u = req.user!;
    const q = req.query as Query;
    const query = caseQueryFor(deps, u, q);
    const rows: SheetRow[] = [];
    const ids: number[] = [];
    let total = 0;
    for (let p = 1; rows.length < MAX_EXPORT_ROWS; p++) {
      const r = await searchCases(deps.db, { ...query, page: p, pageSize: MAX_PAGE_SIZE });
      total = r.total;
      const items = r.items.slice(0, MAX_EXPORT_ROWS - rows.length);
      rows.push(...items.map((i) => exportRow(i, countyName)));
      ids.push(...items.map((i) => i.id));
      if (r.items.length < MAX_PAGE_SIZE) break;
    }
    const ledger = first(q, 'layout') === 'ledger';
    await auditRead(deps, u, null, 'export', { query: req.url.slice(0, 500), rows: rows.length, ...(ledger ? { layout: 'ledger' } : {}) });
    if (ledger) {
      // 附件2 台账: the official layout has no room for a "more rows" note, so a cut-off export says so in its name.
      const { content } = await ledgerOfCases(deps, ids, u.name ?? u.login);
      const cut = ids.length < total ? `-前${ids.length}件` : '';
      reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`附件2-登记办理台账-${shanghaiDay(deps.clock.now())}${cut}.xlsx`)}`);
      return reply.send(content);
    }
    const filters = `筛选：${new URLSearchParams(req.url.split('?')[1] ?? '').toString() || '全部'}；导出时间 ${t(deps.clock.now().toISOString())}；导出人 ${u.name ?? u.login}（${u.login}）`;
    const content = await streamToBuffer((out) => writeSheetXlsx(exportLayout('物业投诉举报案件清单', decodeURIComponent(filters), total, rows.length), rows, out));
    reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`案件清单-${shanghaiDay(deps.clock.now())}.xlsx`)}`);
    return reply.send(content);
  });

  app.get('/cases/:tracking', async (req, reply) => {
    const u = req.user!;
    const c = await readableCase(deps, u, (req.params as { tracking: string }).tracking);
    if (!c) return notFound(req, reply);
    await auditRead(deps, u, c.id, 'case');
    return reply.view('case', page(req, { title: c.tracking, nav: 'cases', ...(await casePage(deps, u, c)), message: null }));
  });

  app.post('/cases/:tracking/act', async (req, reply) => {
    const u = req.user!;
    const c = await readableCase(deps, u, (req.params as { tracking: string }).tracking);
    if (!c) return notFound(req, reply);
    const body = (req.body ?? {}) as Record<string, string | string[] | undefined>;
    const type = typeof body.command === 'string' ? body.command : '';
    const cmd = isFormCommand(type) ? commandOf(type, body) : { error: '未知操作' };
    const refuse = async (message: string) =>
      reply.code(409).view('case', page(req, { title: c.tracking, nav: 'cases', ...(await casePage(deps, u, (await findByTracking(deps.db, c.tracking)) ?? c)), message }));
    if ('error' in cmd) return refuse(cmd.error);
    const r = await applyCommand(deps, actorOfWebUser(deps.cfg, u), c.id, cmd);
    if (!r.ok) return refuse(r.message);
    return reply.redirect(`/cases/${encodeURIComponent(c.tracking)}#trail`, 303);
  });

  app.get('/cases/:tracking/files/:id', async (req, reply) => {
    const u = req.user!;
    const p = req.params as { tracking: string; id: string };
    const c = await readableCase(deps, u, p.tracking);
    const id = Number(p.id);
    const file = c && Number.isInteger(id) ? await attachmentOfCase(deps.db, c.id, id) : undefined;
    if (!c || !file?.content) return notFound(req, reply);
    await auditRead(deps, u, c.id, 'file', { attachmentId: id });
    const image = IMAGE.test(file.content_type);
    // Anything but a plain image is a download, never rendered in the console's origin.
    reply.header('content-type', image ? file.content_type : 'application/octet-stream');
    reply.header('content-disposition', `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    reply.header('x-content-type-options', 'nosniff');
    return reply.send(Buffer.from(file.content));
  });
}

/** Everything the case page shows. */
async function casePage(deps: WebDeps, u: WebUser, c: Case & { version: number }) {
  const now = deps.clock.now();
  const [events, files, letters] = await Promise.all([eventsOf(deps.db, c.id), attachmentsOfCase(deps.db, c.id, MAX_FILES + 1), lettersOfCase(deps.db, c.id)]);
  const live = new Map(due(c, now, 100_000).map((d) => [d.deadline, d.state]));
  const offered = isReadOnly(u) ? [] : offeredCommands(c, actorOfWebUser(deps.cfg, u), now, deps.cal);
  const cls = c.classification;
  const laterMails = events
    .filter((e) => ['reply', 'reopened', 'rated'].includes(e.type) && typeof e.data?.text === 'string')
    .map((e) => ({ at: t(e.at), kind: EVENT_NAMES[e.type] ?? e.type, text: String(e.data!.text) }));
  return {
    c,
    tracking: c.tracking,
    countyName: deps.cfg.counties.find((x) => x.code === c.county)?.name ?? c.county,
    statusName: STATUS_NAMES[c.status],
    unitName: c.unit ? UNIT_NAMES[c.unit] : '待分转',
    coUnitNames: c.coUnits.map((x) => UNIT_NAMES[x]).join('、'),
    problemName: c.problem ? PROBLEM_NAMES[c.problem] : '—',
    sourceName: SOURCE_NAMES[c.source],
    findingName: c.finding ? FINDING_NAMES[c.finding] : null,
    received: t(c.receivedAt),
    classification: cls
      ? {
          unitName: cls.unit ? UNIT_NAMES[cls.unit] : '（无法判断，待人工分转）',
          problemName: cls.problem ? PROBLEM_NAMES[cls.problem] : '—',
          urgent: cls.urgent,
          triage: cls.triage,
          score: cls.score,
          matched: cls.matched,
          units: cls.units.map((x) => `${UNIT_NAMES[x.unit]} ${x.score}`),
        }
      : null,
    deadlines: Object.entries(c.deadlines)
      .filter(([, v]) => v)
      .map(([k, v]) => ({
        name: DEADLINE_NAMES[k]?.name ?? k,
        clause: DEADLINE_NAMES[k]?.clause ?? '',
        at: t(v as string),
        clock: deadlineForPeople(v as string, now),
        // overdue | due-today | upcoming while the clock runs; stopped once the work it measures is done.
        state: live.get(k as keyof Case['deadlines']) ?? 'stopped',
      })),
    extension: c.extension ? { until: t(c.extension.until), reason: c.extension.reason } : null,
    laterMails,
    files: files.slice(0, MAX_FILES).map((f) => ({ id: f.id, name: f.filename, size: f.size, type: f.content_type, image: IMAGE.test(f.content_type) && !!f.stored })),
    filesTotal: files.length > MAX_FILES ? `${MAX_FILES}+` : String(files.length),
    letters: letters.map((l) => ({ ...l, created: t(l.createdAt), state: l.sentAt ? `已发送 ${t(l.sentAt)}` : l.failedAt ? '发送失败' : `待发送（${t(l.notBefore)} 起）` })),
    events: events.map((e) => ({
      id: e.id,
      at: t(e.at),
      type: e.type,
      name: EVENT_NAMES[e.type] ?? e.type,
      who: e.actor.kind === 'system' ? '系统' : e.actor.kind === 'complainant' ? '投诉人' : `${e.actor.name ?? ''}${e.actor.login ? `（${e.actor.login}）` : ''}`,
      role: e.actor.role ?? '',
      change: e.from && e.to && e.from !== e.to ? `${STATUS_NAMES[e.from] ?? e.from} → ${STATUS_NAMES[e.to] ?? e.to}` : '',
      detail: e.data ? eventDetail(e.data) : '',
    })),
    forms: actionForms(offered),
    roleName: WEB_ROLE_NAMES[u.role],
  };
}


