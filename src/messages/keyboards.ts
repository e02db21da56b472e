// Every inline keyboard officers get in Telegram, with Chinese labels. Pure: data in, markup out. Callback data
// is encoded by callback.ts (≤ 64 bytes); whoever taps is still checked by the bot before anything happens.
import type { Case, Finding, UnitCode } from '../domain.ts';
import { FINDING_NAMES, FINDINGS, UNIT_CODES, UNIT_NAMES } from '../domain.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { caseCb, encodeCallback, NEW_CASE_SOURCES, type CaseVerb, type NewCaseSource } from './callback.ts';

export interface InlineButton {
  text: string;
  callback_data: string;
}
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

// ─── Keyboards ───────────────────────────────────────────────────────────────────────────────────────────────

export const VERB_LABELS: Partial<Record<CaseVerb, string>> = {
  accept: '接收',
  return: '退回',
  progress: '进展',
  complex: '认定复杂问题',
  plan: '提交方案',
  extend: '申请延期',
  resolve: '办结',
  cosign: '会签',
  rejectCosign: '驳回',
  review: '审核通过',
  rejectReview: '驳回',
  writeOff: '销号',
  approveExtension: '批准延期',
  rejectExtension: '驳回延期',
  assign: '分转',
  move: '改派',
  letter: '致投诉人',
  coUnits: '协办单位',
  contribute: '报送协办情况',
  openPenalty: '立案查处',
  decidePenalty: '处罚决定',
  extendPenalty: '延长处罚期限',
  supervise: '挂牌督办',
  company: '物业企业',
  raw: '查看原文',
  refresh: '刷新',
  view: '查看',
};

function rows(buttons: InlineButton[], perRow = 3): InlineButton[][] {
  const out: InlineButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) out.push(buttons.slice(i, i + perRow));
  return out;
}

function btn(verb: Exclude<CaseVerb, 'finding'>, caseId: number): InlineButton {
  const data = verb === 'assign' || verb === 'coUnits' || verb === 'move' ? encodeCallback({ kind: 'case', verb, caseId, unit: null }) : caseCb(verb, caseId);
  return { text: VERB_LABELS[verb] ?? verb, callback_data: data };
}

/** The card's buttons: the actions this officer may take now (auth.availableVerbs), then 查看原文 · 刷新. */
export function caseKeyboard(c: Pick<Case, 'id'>, verbs: readonly CaseVerb[]): InlineKeyboard {
  const actions = verbs.filter((v): v is Exclude<CaseVerb, 'finding'> => v !== 'finding' && v !== 'raw' && v !== 'refresh' && v !== 'view');
  return { inline_keyboard: [...rows(actions.map((v) => btn(v, c.id))), [btn('raw', c.id), btn('refresh', c.id)]] };
}

/**
 * Buttons on a pushed notice. The recipient is not known here, so they follow the template; whoever taps is
 * still checked (auth), and 查看 opens the card with exactly their own buttons.
 */
export function noticeKeyboard(template: EffectTemplate, c: Case): InlineKeyboard | undefined {
  const view = btn('view', c.id);
  switch (template) {
    case 'assigned':
    case 'urgent':
      return { inline_keyboard: [[btn('accept', c.id), btn('return', c.id), btn('raw', c.id)], [view]] };
    case 'triage':
    case 'returned':
      return { inline_keyboard: [[btn('assign', c.id), btn('raw', c.id), view]] };
    case 'cosign-needed':
      return { inline_keyboard: [[btn('cosign', c.id), btn('rejectCosign', c.id), view]] };
    case 'review-needed':
      return { inline_keyboard: [[btn('review', c.id), btn('rejectReview', c.id), view]] };
    case 'extension-requested':
      return { inline_keyboard: [[btn('approveExtension', c.id), btn('rejectExtension', c.id), view]] };
    case 'co-assigned':
      return { inline_keyboard: [[btn('contribute', c.id), btn('raw', c.id), view]] };
    case 'cosign-rejected':
    case 'review-rejected':
    case 'reopened':
    case 'extension-approved':
    case 'extension-rejected':
      return { inline_keyboard: [[btn('progress', c.id), btn('resolve', c.id), view]] };
    default:
      return { inline_keyboard: [[view]] };
  }
}

/** For those told about a case they do not work (township on a housing danger case, leaders): look, don't act. */
export function viewKeyboard(c: Case): InlineKeyboard {
  return { inline_keyboard: [[btn('view', c.id), btn('raw', c.id)]] };
}

export function findingKeyboard(caseId: number): InlineKeyboard {
  return {
    inline_keyboard: [
      FINDINGS.map((f: Finding) => ({ text: FINDING_NAMES[f], callback_data: encodeCallback({ kind: 'case', verb: 'finding', caseId, finding: f }) })),
      [cancelButton()],
    ],
  };
}

export function unitKeyboard(caseId: number, unitNames: Record<UnitCode, string> = UNIT_NAMES): InlineKeyboard {
  const buttons = UNIT_CODES.map((u) => ({ text: unitNames[u], callback_data: encodeCallback({ kind: 'case', verb: 'assign', caseId, unit: u }) }));
  return { inline_keyboard: [...rows(buttons, 3), [cancelButton()]] };
}

/** 改派: the units an assigned case can move to (all but its own). */
export function moveKeyboard(c: Pick<Case, 'id' | 'unit'>, unitNames: Record<UnitCode, string> = UNIT_NAMES): InlineKeyboard {
  const buttons = UNIT_CODES.filter((u) => u !== c.unit).map((u) => ({ text: unitNames[u], callback_data: encodeCallback({ kind: 'case', verb: 'move', caseId: c.id, unit: u }) }));
  return { inline_keyboard: [...rows(buttons, 3), [cancelButton()]] };
}

/** 协办单位: each tap adds or removes one unit (✓ marks those chosen); the lead is not offered. */
export function coUnitKeyboard(c: Pick<Case, 'id' | 'unit' | 'coUnits'>, unitNames: Record<UnitCode, string> = UNIT_NAMES): InlineKeyboard {
  const buttons = UNIT_CODES.filter((u) => u !== c.unit).map((u) => ({
    text: `${c.coUnits.includes(u) ? '✓ ' : ''}${unitNames[u]}`,
    callback_data: encodeCallback({ kind: 'case', verb: 'coUnits', caseId: c.id, unit: u }),
  }));
  return { inline_keyboard: [...rows(buttons, 3), [{ text: '完成', callback_data: caseCb('view', c.id) }]] };
}

export function cancelButton(): InlineButton {
  return { text: '取消', callback_data: encodeCallback({ kind: 'cancel' }) };
}

export function cancelKeyboard(): InlineKeyboard {
  return { inline_keyboard: [[cancelButton()]] };
}

/** For reports with photos: 提交 ends the dialogue (one verb per report kind, so an old prompt cannot submit another). */
export function submitKeyboard(caseId: number, action: 'progress' | 'resolve'): InlineKeyboard {
  const verb = action === 'progress' ? 'submitProgress' : 'submitResolve';
  return { inline_keyboard: [[{ text: '提交', callback_data: caseCb(verb, caseId) }, cancelButton()]] };
}

/** 确认 / 取消 under what the officer typed for an action with consequences (认定复杂问题, 致投诉人). */
export function confirmKeyboard(caseId: number, label: string): InlineKeyboard {
  return { inline_keyboard: [[{ text: label, callback_data: caseCb('confirm', caseId) }, cancelButton()]] };
}

export function cosignKeyboard(caseId: number): InlineKeyboard {
  return { inline_keyboard: [[{ text: '同意办结', callback_data: caseCb('cosignAgree', caseId) }, cancelButton()]] };
}

export const NEW_SOURCE_LABELS: Record<NewCaseSource, string> = {
  phone: '电话',
  visit: '来访',
  letter: '来信',
  '12345': '12345热线',
  petition: '信访转办',
  province: '省厅转办',
};

export function sourceKeyboard(): InlineKeyboard {
  return {
    inline_keyboard: [
      ...rows(NEW_CASE_SOURCES.map((s) => ({ text: NEW_SOURCE_LABELS[s], callback_data: encodeCallback({ kind: 'source', source: s }) }))),
      [cancelButton()],
    ],
  };
}

/** Officers' task list pages (/tasks). */
export const TASK_PAGE_SIZE = 8;

export function taskListKeyboard(items: readonly Case[], total: number, page: number): InlineKeyboard {
  const pages = Math.max(1, Math.ceil(total / TASK_PAGE_SIZE));
  const open = rows(
    items.map((c) => ({ text: c.tracking, callback_data: caseCb('view', c.id) })),
    2,
  );
  const nav: InlineButton[] = [];
  if (page > 0) nav.push({ text: '◀ 上一页', callback_data: encodeCallback({ kind: 'tasks', page: page - 1 }) });
  if (page + 1 < pages) nav.push({ text: '下一页 ▶', callback_data: encodeCallback({ kind: 'tasks', page: page + 1 }) });
  return { inline_keyboard: nav.length ? [...open, nav] : open };
}

/** The ✅ 已完成 button of a company action's notices and reminders. */
export function companyActionKeyboard(actionId: number): InlineKeyboard {
  return { inline_keyboard: [[{ text: '✅ 已完成', callback_data: encodeCallback({ kind: 'companyDone', actionId }) }]] };
}
