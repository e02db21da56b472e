// `wuye company actions [--all] [--json]` and `wuye company done <id>`: the company actions the daily check recorded
// (重点督办, 满意度调查, 重新核级, 收费标准, 退费处罚, 退出程序; 000 附件 一(三), 三(三), 三(四)). Marking an action done
// stops its reminders.
import { deadlineText, formatMinute } from '../time.ts';
import type { Config } from '../config.ts';
import { ACTION_NAMES, isCompanyActionType } from '../workflow/companies.ts';
import { completeCompanyAction, companySummaries, findCompanyByRef, recordCompanyFact, reopenCompanyAction, superviseCompany } from '../cases/company.ts';
import { commit } from '../cases/commit.ts';
import { prepareCompanies } from '../cases/jobs.ts';
import type { CompanyFactInput } from '../domain.ts';
import { companyFacts, listCompanies, listCompanyActions, NO_DUE } from '../store/companies.ts';
import { caseDepsOf, operatorName, printJson, withStore } from './common.ts';

export async function companyActions(cfg: Config, o: { all?: boolean; json?: boolean }, now = new Date()): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const names = new Map((await listCompanies(db)).map((c) => [c.id, c.name]));
    const nowIso = now.toISOString();
    const rows = (await listCompanyActions(db)).filter((a) => o.all || a.done_at === null);
    const view = rows.map((a) => ({
      id: Number(a.id),
      company: names.get(a.company_id) ?? String(a.company_id),
      type: a.type,
      due: a.due_at === NO_DUE ? null : a.due_at,
      state: a.done_at ? 'done' : a.due_at !== NO_DUE && a.due_at <= nowIso ? 'overdue' : 'open',
      doneAt: a.done_at,
      doneBy: a.done_by,
      reason: a.reason,
    }));
    if (o.json) {
      for (const v of view) printJson(v);
      return 0;
    }
    const stateName = { done: '已完成', overdue: '已超期', open: '办理中' } as const;
    process.stdout.write('编号\t企业\t事项\t期限\t状态\n');
    for (const v of view) {
      const type = isCompanyActionType(v.type) ? ACTION_NAMES[v.type] : v.type;
      process.stdout.write(`${v.id}\t${v.company}\t${type}\t${v.due ? deadlineText(v.due) : '—'}\t${stateName[v.state as keyof typeof stateName]}\n`);
    }
    return 0;
  });
}

export async function companyDone(cfg: Config, id: number, o: { by?: string } = {}, now = new Date()): Promise<number> {
  return withStore(cfg, async (store) => {
    const by = operatorName(o.by);
    const ok = await completeCompanyAction(caseDepsOf(cfg, store, { now: () => now }), id, { kind: 'system', ...(by ? { name: by } : {}) });
    process.stdout.write(ok ? `✓ 已登记完成 marked done: ${id}\n` : `✗ 无此未完成事项 no such open action: ${id}\n`);
    return ok ? 0 : 1;
  });
}

/** `wuye company list [--json]`: companies by distinct complainants, with the complainants' satisfaction rate. */
export async function companyList(cfg: Config, o: { json?: boolean }, now = new Date()): Promise<number> {
  return withStore(cfg, async (store) => {
    const rows = await companySummaries(caseDepsOf(cfg, store, { now: () => now }));
    if (o.json) {
      for (const r of rows) printJson(r);
      return 0;
    }
    process.stdout.write('企业\t投诉人数\t案件数\t满意\t不满意\t满意率\n');
    for (const r of rows) {
      process.stdout.write(`${r.name}\t${r.complainants}\t${r.cases}\t${r.satisfied}\t${r.unsatisfied}\t${r.satisfactionRate === null ? '—' : `${r.satisfactionRate}%`}\n`);
    }
    return 0;
  });
}

/** A company as a person names it on the command line: its number (company list) or its name. */
function companyRef(text: string): { id: number } | { name: string } {
  return /^\d+$/.test(text) ? { id: Number(text) } : { name: text };
}

export interface FactOptions {
  evidence?: string;
  by?: string;
}

/** `wuye company survey|refused-to-fix|credit|refused-fee <企业>`: records a fact of the company chain. */
export async function companyFact(cfg: Config, company: string, fact: CompanyFactInput, o: FactOptions, now = new Date()): Promise<number> {
  return withStore(cfg, async (store) => {
    const by = operatorName(o.by);
    const r = await recordCompanyFact(caseDepsOf(cfg, store, { now: () => now }), companyRef(company), fact, { kind: 'system', ...(by ? { name: by } : {}) }, o.evidence ?? null);
    if (!r.ok) {
      process.stderr.write(`✗ ${r.message}\n`);
      return 1;
    }
    process.stdout.write(`✓ 已登记 recorded #${r.factId}（${r.company}）。次日 07:00 的企业检查（或 wuye company check）据此生成督办事项。\n`);
    return 0;
  });
}

/** `wuye company facts <企业> [--json]`: every fact recorded for a company, with who and when. */
export async function companyFactList(cfg: Config, company: string, o: { json?: boolean }): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const k = await findCompanyByRef(db, companyRef(company));
    if (!k) {
      process.stderr.write(`✗ 未找到物业企业：${company}\n`);
      return 1;
    }
    const rows = await companyFacts(db, k.id);
    if (o.json) {
      for (const r of rows) printJson({ id: r.id, fact: r.fact, ...JSON.parse(r.value), evidence: r.evidence, by: r.recorded_by, at: r.recorded_at });
      return 0;
    }
    process.stdout.write(`${k.name}：满意度 ${k.satisfaction ?? '—'}　拒不整改 ${k.refused_to_fix ? '是' : '否'}　信用等级低 ${k.credit_low ? '是' : '否'}　拒不执行核级收费 ${k.refused_fee_standard ? '是' : '否'}\n`);
    for (const r of rows) process.stdout.write(`#${r.id}\t${formatMinute(r.recorded_at)}\t${r.fact}\t${r.value}\t${r.recorded_by ?? ''}\t${r.evidence ?? ''}\n`);
    return 0;
  });
}

/** `wuye company check [--at T]`: the daily company check now (actions are recorded once; notices go as usual). */
export async function companyCheck(cfg: Config, o: { at?: string }): Promise<number> {
  return withStore(cfg, async (store) => {
    const at = o.at ? new Date(o.at) : new Date();
    const deps = caseDepsOf(cfg, store, { now: () => at });
    const prepared = await prepareCompanies({ ...deps, owner: 'cli' }, at);
    await commit(deps, (w) => prepared.write(w), at);
    process.stdout.write(`${prepared.detail}\n`);
    return 0;
  });
}

/** `wuye company undo <id> [--reason T] [--by N]`: takes back a done mark (audited); the reminders resume. */
export async function companyUndo(cfg: Config, id: number, o: { reason?: string; by?: string } = {}, now = new Date()): Promise<number> {
  return withStore(cfg, async (store) => {
    const by = operatorName(o.by);
    const ok = await reopenCompanyAction(caseDepsOf(cfg, store, { now: () => now }), id, { kind: 'system', ...(by ? { name: by } : {}) }, o.reason ?? null);
    process.stdout.write(ok ? `✓ 已撤销完成登记 reopened: ${id}\n` : `✗ 无此已完成事项 no such done action: ${id}\n`);
    return ok ? 0 : 1;
  });
}

/** `wuye company supervise <企业> --reason T [--by N]`: 挂牌督办 of a company (正文 四(四)). */
export async function companySupervise(cfg: Config, company: string, o: { reason: string; by?: string }): Promise<number> {
  return withStore(cfg, async (store) => {
    const by = operatorName(o.by);
    const r = await superviseCompany(caseDepsOf(cfg, store), companyRef(company), o.reason, { kind: 'system', ...(by ? { name: by } : {}) });
    if (!r.ok) {
      process.stderr.write(`✗ ${r.message}\n`);
      return 1;
    }
    process.stdout.write(`✓ 已挂牌督办（${r.company}），事项 #${r.factId}\n`);
    return 0;
  });
}
