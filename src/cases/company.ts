// Company supervision steps a person records (000 附件 三(三)/(四)): marking an action done stops its reminders; the
// step is written to the append-only audit trail with who and when.
import * as companies from '../store/companies.ts';
import { appendEvents } from '../store/cases.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import type { Actor, CompanyFactInput } from '../domain.ts';
import { companyComplaints, satisfactionByCompany } from '../store/reporting.ts';
import { ACTION_UNIT, companyFactProblem, normaliseCompanyName, satisfactionRate } from '../workflow/companies.ts';
import { recipientsFor } from '../store/officers.ts';
import { unitNamesOf } from '../config.ts';
import { companyStepCopy } from '../messages/company.ts';
import { telegramMessage } from '../messages/telegram.ts';
import { shanghaiDay } from '../time.ts';

/**
 * Marks an open company action done; false when there is no such open action. A step 发改 or 市场监管 carries out
 * (the fee standard, the refund or penalty) is copied to the county's housing office (抄送, 000 附件 三(三)), which
 * keeps the company's ledger.
 */
export async function completeCompanyAction(deps: CaseDeps, actionId: number, actor: Actor): Promise<boolean> {
  return commit(deps, async (w) => {
    const by = actor.name ?? (actor.officerId != null ? `officer:${actor.officerId}` : null);
    if (!(await companies.markCompanyActionDone(w.tx, actionId, w.nowIso, by))) return false;
    await appendEvents(w.tx, null, [{ type: 'company-action-done', at: w.nowIso, actor, data: { actionId } }]);
    const a = await companies.companyActionById(w.tx, actionId, deps.cfg.city.code);
    const doer = a ? ACTION_UNIT[a.type] : 'housing';
    if (a && doer !== 'housing') {
      const text = companyStepCopy(a.companyName, a.type, unitNamesOf(deps.cfg)[doer], by);
      const housing = await recipientsFor(w.tx, { unit: 'housing', county: a.county, roles: ['officer'] });
      await w.send(
        housing
          .filter((o) => o.chatId != null)
          .map((o) => ({ kind: 'telegram', recipient: String(o.chatId), payload: telegramMessage(o.chatId!, text), key: `company-copy:${actionId}:${o.id}` })),
      );
    }
    return true;
  });
}

/** Takes back a done mark, in the audit trail too; false when the action is not marked done. */
export async function reopenCompanyAction(deps: CaseDeps, actionId: number, actor: Actor, reason: string | null = null): Promise<boolean> {
  return commit(deps, async (w) => {
    if (!(await companies.markCompanyActionUndone(w.tx, actionId))) return false;
    await appendEvents(w.tx, null, [{ type: 'company-action-undone', at: w.nowIso, actor, data: { actionId, reason } }]);
    return true;
  });
}

export interface CompanySummary {
  id: number;
  name: string;
  cases: number;
  complainants: number; // distinct (000 附件 一(三): counted by complainant, not by mail)
  satisfied: number;
  unsatisfied: number;
  /** % of answered final letters that said 满意; null before anyone answered. */
  satisfactionRate: number | null;
}

/** Every company with its cases, distinct complainants and complainants' satisfaction, most complained-of first. */
export async function companySummaries(deps: Pick<CaseDeps, 'db' | 'clock'>): Promise<CompanySummary[]> {
  const all = await companies.listCompanies(deps.db);
  const sat = await satisfactionByCompany(deps.db);
  const cases = new Map<number, number>();
  const people = new Map<number, Set<string>>();
  for await (const r of companyComplaints(deps.db, deps.clock.now().toISOString())) {
    cases.set(r.companyId, (cases.get(r.companyId) ?? 0) + 1);
    if (r.complainantKey) people.set(r.companyId, (people.get(r.companyId) ?? new Set()).add(r.complainantKey));
  }
  return all
    .map((c) => {
      const s = sat.get(c.id) ?? { satisfied: 0, unsatisfied: 0 };
      return { id: c.id, name: c.name, cases: cases.get(c.id) ?? 0, complainants: people.get(c.id)?.size ?? 0, ...s, satisfactionRate: satisfactionRate(s) };
    })
    .sort((a, b) => b.complainants - a.complainants || b.cases - a.cases || a.name.localeCompare(b.name));
}

export type FactResult = { ok: true; factId: number; company: string } | { ok: false; message: string };

/** A company as a person names it (its number, or its name in any spacing or brackets); undefined when unknown. */
export async function findCompanyByRef(db: CaseDeps['db'], ref: { id: number } | { name: string }) {
  return companies.findCompany(db, 'name' in ref ? { name: normaliseCompanyName(ref.name) } : ref);
}

function unknownCompany(ref: { id: number } | { name: string }): { ok: false; message: string } {
  return { ok: false, message: `未找到物业企业：${'name' in ref ? ref.name : ref.id}` };
}

/**
 * Records a fact of the company chain (000 附件 三(三)/(四)) with who, when and the evidence, in the append-only audit
 * trail too. The next daily check (or `wuye company check`) turns it into the actions it triggers.
 */
export async function recordCompanyFact(
  deps: CaseDeps,
  ref: { id: number } | { name: string },
  fact: CompanyFactInput,
  actor: Actor,
  evidence: string | null = null,
): Promise<FactResult> {
  const now = deps.clock.now();
  const problem = companyFactProblem(fact, shanghaiDay(now));
  if (problem) return { ok: false, message: problem };
  const company = await findCompanyByRef(deps.db, ref);
  if (!company) return unknownCompany(ref);
  return commit(
    deps,
    async (w) => {
      const by = actor.name ?? (actor.officerId != null ? `officer:${actor.officerId}` : null);
      const factId = await companies.recordCompanyFact(w.tx, company.id, fact, { evidence, by, now: w.nowIso });
      await appendEvents(w.tx, null, [{ type: 'company-fact', at: w.nowIso, actor, data: { companyId: company.id, factId, ...fact, evidence } }]);
      return { ok: true as const, factId, company: company.name };
    },
    now,
  );
}

export interface CompoundRow {
  name: string;
  county: string;
  company: string | null;
  township: string | null;
  community: string | null;
}

/** Imports compounds into the register (004 五(二) 台账化管理), all or none; counts what was added and updated. */
export async function importCompounds(deps: Pick<CaseDeps, 'db' | 'clock' | 'wakeOutbox' | 'cfg'>, rows: readonly CompoundRow[], actor: Actor) {
  const counties = new Map(deps.cfg.counties.flatMap((k) => [[k.code, k.code], [k.name, k.code]] as [string, string][]));
  const problems = rows.flatMap((r, i) => (!r.name.trim() ? [`第${i + 1}行：缺小区名称`] : !counties.has(r.county.trim()) ? [`第${i + 1}行：未知县区“${r.county}”`] : []));
  if (problems.length) return { ok: false as const, problems };
  return commit(deps, async (w) => {
    let added = 0;
    let updated = 0;
    for (const r of rows) {
      const county = counties.get(r.county.trim())!;
      const companyId = r.company?.trim() ? await companies.ensureCompany(w.tx, normaliseCompanyName(r.company), county, w.nowIso) : null;
      const how = await companies.registerCompound(w.tx, { name: r.name.trim(), county, companyId, township: r.township?.trim() || null, community: r.community?.trim() || null, now: w.nowIso });
      if (how === 'added') added++;
      else updated++;
    }
    await appendEvents(w.tx, null, [{ type: 'compounds-imported', at: w.nowIso, actor, data: { added, updated } }]);
    return { ok: true as const, added, updated };
  });
}

/**
 * 挂牌督办 of a company (正文 四(四)) by the desk or an admin: it joins the key-supervision ledger (台账) with the
 * reason given, once; the housing office of its county is told through the daily check's notices.
 */
export async function superviseCompany(deps: CaseDeps, ref: { id: number } | { name: string }, reason: string, actor: Actor): Promise<FactResult> {
  const why = reason.trim();
  if (!why) return { ok: false, message: '请写明挂牌督办的理由' };
  const company = await findCompanyByRef(deps.db, ref);
  if (!company) return unknownCompany(ref);
  return commit(deps, async (w) => {
    const id = await companies.addCompanyAction(w.tx, { companyId: company.id, type: 'key-supervision', rule: '正文 四(四)', reason: `挂牌督办：${why}`, dueAt: companies.NO_DUE }, w.nowIso);
    if (id === null) return { ok: false as const, message: '该企业已挂牌督办' };
    await companies.setKeySupervision(w.tx, company.id, true);
    await appendEvents(w.tx, null, [{ type: 'company-supervised', at: w.nowIso, actor, data: { companyId: company.id, actionId: id, reason: why } }]);
    return { ok: true as const, factId: id, company: company.name };
  });
}
