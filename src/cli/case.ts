// `wuye case show <tracking>`: the case, its deadlines and its full audit trail.
import type { Config } from '../config.ts';
import { FINDING_NAMES, PROBLEM_NAMES, SOURCE_NAMES, STATUS_NAMES, UNIT_NAMES } from '../domain.ts';
import * as caseStore from '../store/cases.ts';
import { deadlineForPeople, formatShanghai } from '../time.ts';
import { withStore } from './common.ts';

const t = (iso: string | null | undefined) => (iso ? formatShanghai(new Date(iso)) : '—');

export async function caseShow(cfg: Config, tracking: string, json: boolean): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const c = await caseStore.findByTracking(db, tracking);
    if (!c) {
      process.stderr.write(`未找到案件 no such case: ${tracking}\n`);
      return 1;
    }
    const events = await caseStore.eventsOf(db, c.id);
    if (json) {
      process.stdout.write(`${JSON.stringify({ case: c, events })}\n`);
      return 0;
    }
    const lines = [
      `${c.tracking}  ${STATUS_NAMES[c.status]}${c.urgent ? '  【紧急】' : ''}${c.complex ? '  【复杂】' : ''}${c.supervised ? '  【挂牌督办】' : ''}`,
      `来源: ${SOURCE_NAMES[c.source]}    县区: ${c.county}    收到: ${t(c.receivedAt)}`,
      `承办单位: ${c.unit ? UNIT_NAMES[c.unit] : '待分转'}    问题类型: ${c.problem ? PROBLEM_NAMES[c.problem] : '—'}`,
      `投诉人: ${c.complainant.name ?? '—'}  ${c.complainant.phone ?? ''}  ${c.complainant.email ?? ''}`,
      `小区: ${c.compound ?? '—'} ${c.address ?? ''}    物业企业: ${c.company ?? '—'}`,
      `主题: ${c.subject}`,
      '',
      '期限 deadlines:',
      ...Object.entries(c.deadlines).map(([k, v]) => `  ${k.padEnd(9)} ${deadlineForPeople(v)}  (${t(v)})`),
      ...(c.extension ? [`  延期申请: 至 ${deadlineForPeople(c.extension.until)}（${c.extension.reason}）`] : []),
      ...(c.finding ? ['', `结论: ${FINDING_NAMES[c.finding]}  ${c.result ?? ''}`] : []),
      '',
      `审计记录 audit trail (${events.length}):`,
      ...events.map(
        (e) =>
          `  #${e.id} ${t(e.at)} ${e.type.padEnd(18)} ${e.actor.kind}${e.actor.name ? `:${e.actor.name}` : ''}${e.actor.role ? `(${e.actor.role})` : ''} ${e.from ?? ''}${e.to ? ` → ${e.to}` : ''}${e.data ? ` ${JSON.stringify(e.data)}` : ''}`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}
