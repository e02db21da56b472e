// The case page's action forms: one per command the workflow's dry run offers (workflow/offers.ts), its fields,
// and the command a submitted form stands for. The workflow still checks everything when the command is applied.
import { FINDING_NAMES, FINDINGS, PROBLEM_NAMES, PROBLEM_TYPES, UNIT_CODES, UNIT_NAMES, type Finding, type ProblemType, type UnitCode } from '../domain.ts';
import { endOfDayShanghai, isValidDay } from '../time.ts';
import type { Command } from '../workflow/complaint.ts';
import type { OfferedCommand } from '../workflow/offers.ts';

export type Field =
  | { name: string; kind: 'text'; label: string; required: boolean }
  | { name: string; kind: 'line'; label: string; required: boolean }
  | { name: string; kind: 'date'; label: string }
  | { name: string; kind: 'select'; label: string; options: readonly (readonly [string, string])[] }
  | { name: string; kind: 'checks'; label: string; options: readonly (readonly [string, string])[] };

export interface ActionForm {
  command: OfferedCommand;
  label: string;
  fields: Field[];
  /** A button that changes something for good gets a stronger look. */
  primary: boolean;
}

const UNIT_OPTIONS = UNIT_CODES.map((u) => [u, UNIT_NAMES[u]] as const);
const PROBLEM_OPTIONS = [['', '（未定）'] as const, ...PROBLEM_TYPES.map((p) => [p, PROBLEM_NAMES[p]] as const)];
const FINDING_OPTIONS = FINDINGS.map((f) => [f, FINDING_NAMES[f]] as const);

const text = (name: string, label: string, required = true): Field => ({ name, kind: 'text', label, required });
const line = (name: string, label: string, required = true): Field => ({ name, kind: 'line', label, required });

// Partial: a command the workflow newly offers has no form here until one is written, and is not shown meanwhile.
const FORMS: Partial<Record<OfferedCommand, { label: string; fields: Field[]; primary?: boolean }>> = {
  accept: { label: '接收', fields: [], primary: true },
  return: { label: '退回', fields: [text('reason', '退回理由')] },
  progress: { label: '报送进展', fields: [text('text', '进展情况')] },
  markComplex: { label: '认定复杂问题', fields: [text('reason', '认定理由')] },
  submitPlan: { label: '报送整改方案', fields: [text('text', '方案内容'), { name: 'until', kind: 'date', label: '计划完成日期' }] },
  requestExtension: { label: '申请延期', fields: [text('reason', '延期理由'), { name: 'until', kind: 'date', label: '延至' }] },
  resolve: { label: '办结', fields: [{ name: 'finding', kind: 'select', label: '核查结论', options: FINDING_OPTIONS }, text('result', '办理结果')], primary: true },
  cosign: { label: '会签同意', fields: [text('opinion', '会签意见')], primary: true },
  rejectCosign: { label: '会签不同意', fields: [text('reason', '理由')] },
  review: { label: '审核通过', fields: [line('note', '审核意见', false)], primary: true },
  rejectReview: { label: '审核不通过', fields: [text('reason', '理由')] },
  writeOff: { label: '销号', fields: [], primary: true },
  decideExtension: {
    label: '审批延期',
    fields: [{ name: 'approve', kind: 'select', label: '决定', options: [['yes', '批准'], ['no', '不批准']] }, line('note', '意见', false)],
  },
  assign: {
    label: '分转',
    fields: [{ name: 'unit', kind: 'select', label: '承办单位', options: UNIT_OPTIONS }, { name: 'coUnits', kind: 'checks', label: '协办单位', options: UNIT_OPTIONS }],
    primary: true,
  },
  reclassify: {
    label: '改派 / 改分类',
    fields: [{ name: 'unit', kind: 'select', label: '承办单位', options: UNIT_OPTIONS }, { name: 'problem', kind: 'select', label: '问题类型', options: PROBLEM_OPTIONS }, line('reason', '理由', false)],
  },
  writeResident: { label: '致投诉人', fields: [text('text', '信件内容')] },
  contribute: { label: '报送协办情况', fields: [text('text', '协办情况')] },
  openPenalty: { label: '立案查处', fields: [] },
  decidePenalty: { label: '处罚决定', fields: [text('decision', '处罚决定')] },
  extendPenalty: { label: '延长处罚期限（30日）', fields: [text('reason', '延长理由')] },
  supervise: { label: '挂牌督办', fields: [] },
  setCompany: { label: '物业企业', fields: [line('company', '物业服务企业名称')] },
  setCoUnits: { label: '协办单位', fields: [{ name: 'units', kind: 'checks', label: '协办单位', options: UNIT_OPTIONS }] },
};

/** The forms for the offered commands, in the offers' order. */
export function actionForms(offered: readonly OfferedCommand[]): ActionForm[] {
  return offered.flatMap((command) => {
    const f = FORMS[command];
    return f ? [{ command, label: f.label, fields: f.fields, primary: f.primary ?? false }] : [];
  });
}

/** A command the web has a form for. */
export function isFormCommand(s: string): s is OfferedCommand {
  return Object.hasOwn(FORMS, s);
}

type Body = Record<string, string | string[] | undefined>;

const one = (b: Body, k: string): string => {
  const v = b[k];
  return ((Array.isArray(v) ? v[0] : v) ?? '').trim();
};
const many = (b: Body, k: string): string[] => {
  const v = b[k];
  return (Array.isArray(v) ? v : v ? [v] : []).map((s) => s.trim()).filter(Boolean);
};

/** The end (24:00 Beijing time) of a day typed as YYYY-MM-DD; an empty string when it is not one. */
function dayEnd(s: string): string {
  return isValidDay(s) ? endOfDayShanghai(s).toISOString() : '';
}

/**
 * The command a submitted form stands for. Content is passed on as typed: the workflow validates it and answers
 * in Chinese. Only the shapes (a unit code, a finding, a problem type) are checked here, so a forged value never
 * reaches the workflow as a different type.
 */
export function commandOf(type: OfferedCommand, b: Body): Command | { error: string } {
  const unit = (k: string): UnitCode | null => ((UNIT_CODES as readonly string[]).includes(one(b, k)) ? (one(b, k) as UnitCode) : null);
  const units = (k: string): UnitCode[] | null => {
    const all = many(b, k);
    return all.every((u) => (UNIT_CODES as readonly string[]).includes(u)) ? (all as UnitCode[]) : null;
  };
  switch (type) {
    case 'accept':
    case 'writeOff':
    case 'openPenalty':
    case 'supervise':
      return { type };
    case 'return':
      return { type, reason: one(b, 'reason') };
    case 'progress':
    case 'contribute':
    case 'writeResident':
      return { type, text: one(b, 'text') };
    case 'markComplex':
      return { type, reason: one(b, 'reason') };
    case 'submitPlan':
      return { type, text: one(b, 'text'), until: dayEnd(one(b, 'until')) };
    case 'requestExtension':
      return { type, reason: one(b, 'reason'), until: dayEnd(one(b, 'until')) };
    case 'resolve': {
      const f = one(b, 'finding');
      if (!(FINDINGS as readonly string[]).includes(f)) return { error: '请选择核查结论' };
      return { type, finding: f as Finding, result: one(b, 'result') };
    }
    case 'cosign':
      return { type, opinion: one(b, 'opinion') };
    case 'rejectCosign':
    case 'rejectReview':
      return { type, reason: one(b, 'reason') };
    case 'review':
      return one(b, 'note') ? { type, note: one(b, 'note') } : { type };
    case 'decideExtension': {
      const a = one(b, 'approve');
      if (a !== 'yes' && a !== 'no') return { error: '请选择批准或不批准' };
      return { type, approve: a === 'yes', ...(one(b, 'note') ? { note: one(b, 'note') } : {}) };
    }
    case 'assign': {
      const u = unit('unit');
      const co = units('coUnits');
      if (!u || !co) return { error: '请选择承办单位' };
      return { type, unit: u, coUnits: co.filter((x) => x !== u) };
    }
    case 'reclassify': {
      const u = unit('unit');
      const p = one(b, 'problem');
      if (!u) return { error: '请选择承办单位' };
      if (p && !(PROBLEM_TYPES as readonly string[]).includes(p)) return { error: '问题类型' };
      return { type, unit: u, problem: (p || null) as ProblemType | null, ...(one(b, 'reason') ? { reason: one(b, 'reason') } : {}) };
    }
    case 'decidePenalty':
      return { type, decision: one(b, 'decision') };
    case 'extendPenalty':
      return { type, reason: one(b, 'reason') };
    case 'setCompany':
      return { type, company: one(b, 'company') || null };
    case 'setCoUnits': {
      const co = units('units');
      if (!co) return { error: '协办单位' };
      return { type, units: co };
    }
    default:
      return { error: '网页暂不支持该操作' };
  }
}
