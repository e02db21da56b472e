// `wuye company actions [--all] [--json]` and `wuye company done <id>`: the company actions the daily check recorded
// (重点督办, 满意度调查, 重新核级, 收费标准, 退费处罚, 退出程序; 000 附件 一(三), 三(三), 三(四)). Marking an action done
// stops its reminders.
import { deadlineText } from '../time.ts';
import type { Config } from '../config.ts';
import { ACTION_NAMES, isCompanyActionType } from '../workflow/companies.ts';
import { completeCompanyAction, companySummaries } from '../cases/company.ts';
import { listCompanies, listCompanyActions, NO_DUE } from '../store/companies.ts';
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
