// An audit row's data as a line people read on the case page: known fields in Chinese with their values named
// (units, problem types, sources, findings, times in Beijing time, old → new); anything else as it was recorded —
// the trail is evidence, so nothing is left out, only worded.
import { FINDING_NAMES, PROBLEM_NAMES, SOURCE_NAMES, UNIT_NAMES } from '../domain.ts';
import { deadlineForPeople, formatMinute } from '../time.ts';
import { DEADLINE_NAMES } from './labels.ts';

const FIELD_NAMES: Record<string, string> = {
  source: '来源',
  unit: '承办单位',
  fromUnit: '原单位',
  coUnits: '协办单位',
  units: '单位',
  problem: '问题类型',
  urgent: '紧急',
  reason: '理由',
  text: '内容',
  opinion: '意见',
  note: '备注',
  finding: '认定',
  result: '结果',
  company: '物业企业',
  decision: '处罚决定',
  until: '期限至',
  transfer: '转办单位及文号',
  deadlines: '期限',
  classification: '分类',
  satisfied: '满意',
  approve: '批准',
  photos: '照片',
  files: '附件',
  reset: '重置',
  withdrawnExtension: '撤回的延期申请',
};

const DEADLINE_FIELDS = new Set(['until', ...Object.keys(DEADLINE_NAMES)]);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function named(field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'string') {
    // A deadline (24:00 of its last day) is written as deadlines are everywhere else; other instants to the minute.
    if (ISO_INSTANT.test(v)) return DEADLINE_FIELDS.has(field) ? deadlineForPeople(v) : formatMinute(v);
    if (field === 'unit' || field === 'fromUnit') return UNIT_NAMES[v as keyof typeof UNIT_NAMES] ?? v;
    if (field === 'problem') return PROBLEM_NAMES[v as keyof typeof PROBLEM_NAMES] ?? v;
    if (field === 'source') return SOURCE_NAMES[v as keyof typeof SOURCE_NAMES] ?? v;
    if (field === 'finding') return FINDING_NAMES[v as keyof typeof FINDING_NAMES] ?? v;
    return v;
  }
  if (Array.isArray(v)) return v.length ? v.map((x) => named(field === 'coUnits' || field === 'units' ? 'unit' : field, x)).join('、') : '无';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('old' in o && 'new' in o && Object.keys(o).length === 2) return `${named(field, o.old)} → ${named(field, o.new)}`;
    if (field === 'deadlines') {
      return Object.entries(o)
        .map(([k, x]) => `${DEADLINE_NAMES[k]?.name ?? k} ${named(k, x)}`)
        .join('，');
    }
    if (field === 'classification') {
      const unit = o.unit ? named('unit', o.unit) : '待分转';
      return [`建议 ${unit}`, o.problem ? named('problem', o.problem) : null, o.urgent ? '紧急' : null, o.triage ? '存疑' : null, o.score !== undefined ? `得分 ${String(o.score)}` : null]
        .filter(Boolean)
        .join(' · ');
    }
    return Object.entries(o)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `${FIELD_NAMES[k] ?? k} ${named(k, x)}`)
      .join('，');
  }
  return String(v);
}

/** The data of one audit row, worded; at most 1,000 characters (the full row stays in the database and the API). */
export function eventDetail(d: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    if (v === null || v === undefined || k === 'via') continue;
    if (k === 'ids' && Array.isArray(v)) continue;
    parts.push(`${FIELD_NAMES[k] ?? k}：${named(k, v)}`);
  }
  return parts.join('；').slice(0, 1000);
}
