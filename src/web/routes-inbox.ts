// The desk's inbox: the triage queue (doubtful cases, cases a unit returned — with its reason — and cases whose
// unit has nobody linked to receive them), urgent first; and the mail that did not become a case, with 登记为投诉.
import type { FastifyInstance } from 'fastify';
import { countiesOf, actorOfWebUser } from '../cases/web-accounts.ts';
import { TRIAGE_STATUSES, UNIT_CODES, UNIT_NAMES, WORKING_STATUSES, type UnitCode } from '../domain.ts';
import { casesOfUnits, countCasesBy, searchCases, type CaseListItem } from '../store/case-search.ts';
import { lastEventOf } from '../store/cases.ts';
import { unregisteredOne } from '../store/mail.ts';
import { listOfficers } from '../store/officers.ts';
import { unregisteredForDesk, viewEvents } from '../store/web-reads.ts';
import { EVENT_NAMES } from './labels.ts';
import { caseRow, countyNameOf, minuteOrDash } from './case-rows.ts';
import { auditRead } from './routes-cases.ts';
import { mayReviewMail, scopeOf } from './scope.ts';
import { forbidden, page, type WebDeps } from './server.ts';

const t = minuteOrDash;
/** The unowned cases listed at most (the counts above the list name every county and unit concerned). */
const UNOWNED_ROWS = 200;
const urgentFirst = (a: CaseListItem, b: CaseListItem) => Number(b.urgent) - Number(a.urgent);

export function registerInboxRoutes(app: FastifyInstance, deps: WebDeps): void {
  const countyName = (code: string | null) => countyNameOf(deps.cfg, code);
  const row = (i: CaseListItem, extra: Record<string, unknown> = {}) => ({ ...caseRow(deps.cfg, i, deps.clock.now()), ...extra });

  app.get('/inbox', async (req, reply) => {
    const u = req.user!;
    const now = deps.clock.now().toISOString();
    const scope = scopeOf(deps.cfg, u);
    const triage = await searchCases(deps.db, { ...scope, now, status: [...TRIAGE_STATUSES], sort: 'deadline', pageSize: 200 });
    const triageRows = await Promise.all(
      [...triage.items].sort(urgentFirst).map(async (i) => {
        const returned = await lastEventOf(deps.db, i.id, 'returned');
        return row(i, { returnedReason: returned ? String(returned.data?.reason ?? '') : null, returnedBy: returned?.actor.unit ? UNIT_NAMES[returned.actor.unit] : null });
      }),
    );
    // Unowned: cases a unit works on whose lead unit has no linked, active officer in the case's county. Counted per
    // county and unit in one pass; listed danger first, then by deadline, UNOWNED_ROWS at most (a city whose officers
    // are not linked yet has thousands: one query a county and unit took 5 s at 300,000 cases).
    const counties = countiesOf(deps.cfg, u) ?? deps.cfg.counties.map((c) => c.code);
    const linked = new Set((await listOfficers(deps.db, { activeOnly: true })).filter((o) => o.chatId !== null).map((o) => `${o.county}:${o.unit}`));
    const perPair = await countCasesBy(deps.db, { ...scope, now, status: [...WORKING_STATUSES] }, ['county', 'unit']);
    const missing: string[] = [];
    const pairs: { county: string; units: UnitCode[] }[] = [];
    let unownedTotal = 0;
    for (const county of counties) {
      const units = UNIT_CODES.filter((x) => !linked.has(`${county}:${x}`) && perPair.has(`${county}:${x}`));
      for (const unit of units) missing.push(`${countyName(county)}·${UNIT_NAMES[unit]}（${perPair.get(`${county}:${unit}`)}件）`);
      for (const unit of units) unownedTotal += perPair.get(`${county}:${unit}`)!;
      pairs.push({ county, units });
    }
    const unowned = (await casesOfUnits(deps.db, { ...scope, now, status: WORKING_STATUSES }, pairs, UNOWNED_ROWS)).map((i) => row(i));
    const mayMail = mayReviewMail(deps.cfg, u, u.county);
    const mail = mayMail
      ? (await unregisteredForDesk(deps.db, { counties: countiesOf(deps.cfg, u), limit: 100 })).map((m) => ({
          ...m,
          countyName: countyName(m.county),
          received: t(m.received_at),
          outcomeName: m.outcome === 'quarantined' ? '已隔离' : '已忽略',
        }))
      : [];
    await auditRead(deps, u, null, 'inbox');
    return reply.view('inbox', page(req, { title: '待办', nav: 'inbox', triage: triageRows, triageTotal: triage.total, unowned, unownedTotal, missing, mail, mayMail, message: (req.query as Record<string, string>).msg ?? null }));
  });

  app.post('/inbox/mail/:id/promote', async (req, reply) => {
    const u = req.user!;
    const id = Number((req.params as { id: string }).id);
    const m = Number.isInteger(id) ? await unregisteredOne(deps.db, id) : undefined;
    if (!m || !mayReviewMail(deps.cfg, u, m.county)) return forbidden(reply, '无权登记该邮件');
    if (!deps.promoteMail) return reply.redirect(`/inbox?msg=${encodeURIComponent('本进程未接入邮件受理，请用 wuye mail promote')}`, 303);
    const r = await deps.promoteMail(id, actorOfWebUser(deps.cfg, u));
    if (!r.ok) return reply.redirect(`/inbox?msg=${encodeURIComponent(r.message)}`, 303);
    return reply.redirect(`/cases/${encodeURIComponent(r.tracking)}`, 303);
  });

  // The trail of audited reads: supervisors and leaders see their own and the others' (000 附件 六(一)); admins too.
  app.get('/audit', async (req, reply) => {
    const u = req.user!;
    if (u.role !== 'supervisor' && u.role !== 'leader' && u.role !== 'admin') return forbidden(reply, '无权查看');
    const rows = await viewEvents(deps.db, { counties: countiesOf(deps.cfg, u), limit: 300 });
    await auditRead(deps, u, null, 'audit');
    return reply.view('audit', page(req, {
      title: '查阅记录',
      nav: 'audit',
      rows: rows.map((e) => ({ at: t(e.at), who: `${e.actor.name ?? ''}${e.actor.login ? `（${e.actor.login}）` : ''}`, what: e.data?.what ?? '', tracking: e.tracking, name: EVENT_NAMES[e.type] ?? e.type, query: typeof e.data?.query === 'string' ? e.data.query : '' })),
    }));
  });
}
