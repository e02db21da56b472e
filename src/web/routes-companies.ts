// Companies (000 附件 一(三), 三(三)/(四)): by distinct complainants, the thresholds reached, the actions the daily
// check recorded with their deadlines, and the facts the company chain needs (survey result with satisfaction %,
// refusal to fix, credit rating, refusal of the regraded fee), entered by the desk or an admin through the same use
// case as `wuye company survey|refused-to-fix|credit|refused-fee`.
import type { FastifyInstance } from 'fastify';
import { companySummaries, findCompanyByRef, recordCompanyFact } from '../cases/company.ts';
import { actorOfWebUser, countiesOf, isReadOnly, type WebUser } from '../cases/web-accounts.ts';
import type { CompanyFactInput } from '../domain.ts';
import { companyFacts, listCompanies, listCompanyActions, NO_DUE } from '../store/companies.ts';
import { deadlineText, formatMinute, shanghaiDay } from '../time.ts';
import { ACTION_NAMES, THRESHOLDS } from '../workflow/companies.ts';
import { isCompanyActionType } from '../domain.ts';
import { auditRead } from './routes-cases.ts';
import { forbidden, notFound, page, type WebDeps } from './server.ts';

const FACT_NAMES: Record<string, string> = { survey: '满意度调查', 'refused-to-fix': '拒不整改', credit: '信用评价', 'refused-fee': '拒不执行核级收费' };

/** Who records a company's facts on the web: the housing office (desk, housing officers) and admins. */
function mayRecordFacts(u: WebUser): boolean {
  return !isReadOnly(u) && (u.role === 'desk' || u.role === 'admin' || (u.role === 'officer' && u.unit === 'housing'));
}

/** A company is in a user's reach when it is of one of the user's counties (or of none recorded). */
function inReach(counties: string[] | null, county: string | null): boolean {
  return !counties || county === null || counties.includes(county);
}

export function registerCompanyRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/companies', async (req, reply) => {
    const u = req.user!;
    const counties = countiesOf(deps.cfg, u);
    const rows = await listCompanies(deps.db);
    const county = new Map(rows.map((r) => [r.id, r]));
    const nowIso = deps.clock.now().toISOString();
    const actions = await listCompanyActions(deps.db);
    const summaries = (await companySummaries(deps)).filter((s) => inReach(counties, county.get(s.id)?.county ?? null));
    await auditRead(deps, u, null, 'companies');
    return reply.view('companies', page(req, {
      title: '物业企业',
      nav: 'companies',
      thresholds: THRESHOLDS,
      items: summaries.map((s) => {
        const k = county.get(s.id)!;
        const open = actions.filter((a) => a.company_id === s.id && a.done_at === null);
        return {
          ...s,
          keySupervision: k.key_supervision === 1,
          over: s.complainants > THRESHOLDS.keySupervisionComplainants,
          satisfaction: k.satisfaction,
          open: open.map((a) => ({
            name: isCompanyActionType(a.type) ? ACTION_NAMES[a.type] : a.type,
            due: a.due_at === NO_DUE ? '—' : deadlineText(a.due_at),
            overdue: a.due_at !== NO_DUE && a.due_at <= nowIso,
          })),
        };
      }),
    }));
  });

  app.get('/companies/:id', async (req, reply) => {
    const u = req.user!;
    const id = Number((req.params as { id: string }).id);
    const k = Number.isInteger(id) ? await findCompanyByRef(deps.db, { id }) : undefined;
    if (!k || !inReach(countiesOf(deps.cfg, u), k.county)) return notFound(req, reply);
    await auditRead(deps, u, null, 'company', { companyId: id });
    return reply.view('company', page(req, { title: k.name, nav: 'companies', ...(await companyPage(deps, id)), mayRecord: mayRecordFacts(u), message: (req.query as Record<string, string>).msg ?? null, today: shanghaiDay(deps.clock.now()) }));
  });

  app.post('/companies/:id/facts', async (req, reply) => {
    const u = req.user!;
    const id = Number((req.params as { id: string }).id);
    const k = Number.isInteger(id) ? await findCompanyByRef(deps.db, { id }) : undefined;
    if (!k || !inReach(countiesOf(deps.cfg, u), k.county)) return notFound(req, reply);
    if (!mayRecordFacts(u)) return forbidden(reply, '无权登记企业情况');
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const fact = factOf(b);
    if ('error' in fact) return reply.redirect(`/companies/${id}?msg=${encodeURIComponent(fact.error)}`, 303);
    const r = await recordCompanyFact(deps, { id }, fact, actorOfWebUser(deps.cfg, u), b.evidence?.trim() || null);
    const msg = r.ok ? `已登记（#${r.factId}）。次日 07:00 的企业检查据此生成督办事项。` : r.message;
    return reply.redirect(`/companies/${id}?msg=${encodeURIComponent(msg)}`, 303);
  });
}

/** The fact a submitted form stands for; the use case checks the values (ranges, dates) and answers in Chinese. */
function factOf(b: Record<string, string | undefined>): CompanyFactInput | { error: string } {
  const yes = (k: string) => b[k] === 'yes';
  switch (b.fact) {
    case 'survey': {
      const s = Number(b.satisfaction);
      if (b.satisfaction === undefined || b.satisfaction.trim() === '' || !Number.isFinite(s)) return { error: '满意度应为 0–100 之间的百分数' };
      return { fact: 'survey', satisfaction: s, surveyedOn: (b.surveyedOn ?? '').trim(), publicised: yes('publicised') };
    }
    case 'refused-to-fix':
      return { fact: 'refused-to-fix', on: yes('on') };
    case 'credit':
      return { fact: 'credit', level: (b.level ?? '').trim().slice(0, 40), low: yes('low') };
    case 'refused-fee':
      return { fact: 'refused-fee', on: yes('on') };
    default:
      return { error: '未知事项' };
  }
}

async function companyPage(deps: WebDeps, id: number) {
  const k = (await findCompanyByRef(deps.db, { id }))!;
  const nowIso = deps.clock.now().toISOString();
  const [facts, actions] = await Promise.all([companyFacts(deps.db, id), listCompanyActions(deps.db, id)]);
  return {
    k,
    facts: facts.map((f) => ({ id: f.id, name: FACT_NAMES[f.fact] ?? f.fact, value: factValue(f.fact, f.value), by: f.recorded_by ?? '—', at: formatMinute(f.recorded_at), evidence: f.evidence ?? '' })),
    actions: actions.map((a) => ({
      id: Number(a.id),
      name: isCompanyActionType(a.type) ? ACTION_NAMES[a.type] : a.type,
      reason: a.reason,
      due: a.due_at === NO_DUE ? '—' : deadlineText(a.due_at),
      state: a.done_at ? `已完成 ${formatMinute(a.done_at)}${a.done_by ? `（${a.done_by}）` : ''}` : a.due_at !== NO_DUE && a.due_at <= nowIso ? '已超期' : '办理中',
      overdue: !a.done_at && a.due_at !== NO_DUE && a.due_at <= nowIso,
    })),
  };
}

function factValue(fact: string, json: string): string {
  const v = JSON.parse(json) as Record<string, unknown>;
  switch (fact) {
    case 'survey':
      return `满意度 ${v.satisfaction}%（${v.surveyedOn} 调查${v.publicised ? '，已在小区公示' : ''}）`;
    case 'credit':
      return `${v.level}${v.low ? '（等级低）' : ''}`;
    default:
      return v.on ? '是' : '否（撤销）';
  }
}
