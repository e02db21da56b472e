// Every text and keyboard officers see in Telegram, in Chinese. Pure: data in, text/markup out. Plain text only
// (no parse_mode), so whatever a complainant wrote can never break a message.
import type { Complaint, Finding, Role, UnitCode } from '../domain.ts';
import { FINDING_NAMES, FINDINGS, PROBLEM_NAMES, ROLE_NAMES, SOURCE_NAMES, STATUS_NAMES, UNIT_CODES, UNIT_NAMES } from '../domain.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { formatShanghai, shanghaiDay } from '../time.ts';
import type { UnitStats } from '../store/complaints.ts';
import { caseCb, encodeCallback, NEW_CASE_SOURCES, type CaseVerb, type NewCaseSource } from './callback.ts';

export interface InlineButton {
  text: string;
  callback_data: string;
}
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

/** Telegram's limit is 4096 characters; leave room. */
export const MAX_TEXT = 4000;

const TEMPLATE_TITLES: Record<EffectTemplate, string> = {
  ack: '受理回执',
  urgent: '🚨 紧急：危及房屋使用和人身安全，请立即处置',
  assigned: '📥 新任务',
  triage: '❓ 待分转（需人工判断承办单位）',
  'hotline-registered': '☎️ 12345 转办件已登记',
  returned: '↩️ 承办单位退回，待重新分转',
  reassigned: '➡️ 案件已改派其他单位',
  progress: '📝 进展',
  complex: '🧩 已认定为复杂问题',
  plan: '📋 已提交解决方案',
  'extension-requested': '⏳ 延期申请待审批',
  'extension-approved': '✅ 延期已批准',
  'extension-rejected': '❌ 延期未获批准',
  resolved: '✅ 已办结',
  'cosign-needed': '✍️ 待会签办结意见',
  'cosign-rejected': '↩️ 会签驳回，请继续办理',
  'review-needed': '🔎 待审核销号',
  'review-rejected': '↩️ 审核驳回，请继续办理',
  result: '🏁 已销号',
  'hotline-feedback': '☎️ 请向12345热线反馈办理结果',
  reopened: '🔁 投诉人不满意，案件重新办理',
  reply: '💬 投诉人来信补充',
  supervised: '📌 挂牌督办',
};

// ─── Formatting helpers ──────────────────────────────────────────────────────────────────────────────────────

function shortTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  return formatShanghai(new Date(iso)).slice(0, 16).replace('T', ' ');
}

/** Deadlines end at 24:00 of their last day: shown as that day's "24:00", not the next day's 00:00. */
export function deadlineText(iso: string | undefined | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const local = formatShanghai(d);
  if (local.slice(11, 19) === '00:00:00') return `${shanghaiDay(new Date(d.getTime() - 1))} 24:00`;
  return local.slice(0, 16).replace('T', ' ');
}

export function isOverdue(iso: string | undefined | null, now: Date): boolean {
  return !!iso && Date.parse(iso) <= now.getTime();
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function flags(c: Complaint): string {
  const f: string[] = [];
  if (c.urgent) f.push('🚨紧急');
  if (c.complex) f.push('🧩复杂');
  if (c.supervised) f.push('📌挂牌督办');
  if (c.extended) f.push('已延期');
  return f.length ? `（${f.join(' ')}）` : '';
}

/** The due date that matters now: close once a unit has it, transfer while it waits for one. */
export function keyDeadline(c: Complaint): { label: string; at: string } | null {
  if (c.deadlines.close) return { label: '办结期限', at: c.deadlines.close };
  if (c.deadlines.transfer) return { label: '分转期限', at: c.deadlines.transfer };
  return null;
}

// ─── Case texts ──────────────────────────────────────────────────────────────────────────────────────────────

export function caseSummary(c: Complaint): string {
  const lines = [
    `编号：${c.tracking}${flags(c)}`,
    `状态：${STATUS_NAMES[c.status]}`,
    `来源：${SOURCE_NAMES[c.source]}　收到：${shortTime(c.receivedAt)}`,
    `承办：${c.unit ? UNIT_NAMES[c.unit] : '待分转'}`,
    `问题类型：${c.problem ? PROBLEM_NAMES[c.problem] : '—'}`,
    `小区：${clip(c.compound ?? '—', 60)}${c.address ? ` ${clip(c.address, 60)}` : ''}`,
    `物业企业：${clip(c.company ?? '—', 60)}`,
    `主题：${clip(c.subject || '（无主题）', 100)}`,
  ];
  const key = keyDeadline(c);
  if (key) lines.push(`${key.label}：${deadlineText(key.at)}`);
  if (c.deadlines.plan) lines.push(`方案期限：${deadlineText(c.deadlines.plan)}`);
  if (c.deadlines.progress) lines.push(`下次进展反馈：${deadlineText(c.deadlines.progress)}`);
  if (c.extension) lines.push(`⏳ 延期申请待审批：至 ${deadlineText(c.extension.until)}，理由：${clip(c.extension.reason, 200)}`);
  if (c.classification?.matched.length) lines.push(`分类依据：${clip(c.classification.matched.slice(0, 6).join('、'), 200)}`);
  return lines.join('\n');
}

/** A pushed notice (outbox): what happened, the case, the start of the complaint. */
export function renderNotice(template: EffectTemplate, c: Complaint): string {
  const body = clip(c.body, 300);
  return `${TEMPLATE_TITLES[template]}\n\n${caseSummary(c)}\n\n${body}`.slice(0, MAX_TEXT);
}

/** The case card an officer works from: summary, who complained, pending requests, the result so far. */
export function caseCard(c: Complaint, now: Date, notice?: string): string {
  const lines: string[] = [];
  if (notice) lines.push(notice, '');
  lines.push(caseSummary(c));
  const key = keyDeadline(c);
  if (key && isOverdue(key.at, now) && !['resolved', 'cosigned', 'reviewed', 'written_off'].includes(c.status)) {
    lines.push(`⚠️ 已超过${key.label}`);
  }
  const who = [c.complainant.name, c.complainant.phone, c.complainant.email].filter(Boolean).join('　');
  lines.push(`投诉人：${who || '—'}`);
  if (c.finding) lines.push(`核查结论：${FINDING_NAMES[c.finding]}`);
  if (c.result) lines.push(`办理结果：${clip(c.result, 500)}`);
  lines.push('', `内容：${clip(c.body, 800)}`);
  return lines.join('\n').slice(0, MAX_TEXT);
}

/** The original complaint in ≤ 4000-character parts. */
export function rawParts(c: Complaint): string[] {
  const head = [`📄 原文 ${c.tracking}`, `主题：${c.subject || '（无主题）'}`, `来源：${SOURCE_NAMES[c.source]}　收到：${shortTime(c.receivedAt)}`];
  const who = [c.complainant.name, c.complainant.phone, c.complainant.email].filter(Boolean).join('　');
  if (who) head.push(`投诉人：${who}`);
  const text = `${head.join('\n')}\n\n${c.body || '（无正文）'}`;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += MAX_TEXT) parts.push(text.slice(i, i + MAX_TEXT));
  return parts;
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
  const data = verb === 'assign' ? encodeCallback({ kind: 'case', verb, caseId, unit: null }) : caseCb(verb, caseId);
  return { text: VERB_LABELS[verb] ?? verb, callback_data: data };
}

/** The card's buttons: the actions this officer may take now (auth.availableVerbs), then 查看原文 · 刷新. */
export function caseKeyboard(c: Pick<Complaint, 'id'>, verbs: readonly CaseVerb[]): InlineKeyboard {
  const actions = verbs.filter((v): v is Exclude<CaseVerb, 'finding'> => v !== 'finding' && v !== 'raw' && v !== 'refresh' && v !== 'view');
  return { inline_keyboard: [...rows(actions.map((v) => btn(v, c.id))), [btn('raw', c.id), btn('refresh', c.id)]] };
}

/**
 * Buttons on a pushed notice. The recipient is not known here, so they follow the template; whoever taps is
 * still checked (auth), and 查看 opens the card with exactly their own buttons.
 */
export function noticeKeyboard(template: EffectTemplate, c: Complaint): InlineKeyboard | undefined {
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
export function viewKeyboard(c: Complaint): InlineKeyboard {
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

export function cosignKeyboard(caseId: number): InlineKeyboard {
  return { inline_keyboard: [[{ text: '同意办结', callback_data: caseCb('cosignAgree', caseId) }, cancelButton()]] };
}

export const NEW_SOURCE_LABELS: Record<NewCaseSource, string> = { phone: '电话', visit: '来访', letter: '来信', '12345': '12345热线' };

export function sourceKeyboard(): InlineKeyboard {
  return {
    inline_keyboard: [
      NEW_CASE_SOURCES.map((s) => ({ text: NEW_SOURCE_LABELS[s], callback_data: encodeCallback({ kind: 'source', source: s }) })),
      [cancelButton()],
    ],
  };
}

// ─── Task list and statistics ────────────────────────────────────────────────────────────────────────────────

export const TASK_PAGE_SIZE = 8;

export function taskListText(items: readonly Complaint[], total: number, page: number, now: Date, title = '我的任务'): string {
  if (total === 0) return `📋 ${title}\n\n暂无待办任务。`;
  const pages = Math.max(1, Math.ceil(total / TASK_PAGE_SIZE));
  const lines = [`📋 ${title}（共 ${total} 件，第 ${page + 1}/${pages} 页，逾期在前）`, ''];
  items.forEach((c, i) => {
    const key = keyDeadline(c);
    const late = key && isOverdue(key.at, now) ? '⚠️逾期 ' : '';
    const urgent = c.urgent ? '🚨' : '';
    const due = key ? `　${key.label.slice(0, 2)} ${deadlineText(key.at)}` : '';
    lines.push(`${page * TASK_PAGE_SIZE + i + 1}. ${late}${urgent}${c.tracking} ${STATUS_NAMES[c.status]}`);
    lines.push(`　${clip(c.compound ?? c.subject ?? '—', 30)}${due}`);
  });
  return lines.join('\n').slice(0, MAX_TEXT);
}

export function taskListKeyboard(items: readonly Complaint[], total: number, page: number): InlineKeyboard {
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

export function statsText(scope: string, s: UnitStats): string {
  return [`📊 ${scope}`, '', `在办：${s.open} 件`, `其中逾期：${s.overdue} 件`, `本周办结：${s.closedThisWeek} 件`].join('\n');
}

// ─── Conversation texts ──────────────────────────────────────────────────────────────────────────────────────

export const TEXT = {
  unlinked:
    '您好！本机器人仅供物业投诉举报承办单位工作人员使用。您的账号尚未绑定，请向管理员索取一次性邀请链接，点击链接即可绑定。',
  privateOnly: '请在与机器人的私聊中使用。',
  badButton: '按钮无效或已过期，请发送 /tasks 重新查看。',
  notFound: '未找到该案件，或您无权查看。',
  companyActionNotFound: '未找到该企业督办事项。',
  mayNotCompleteCompanyAction: '该事项应由承办单位工作人员或本县区管理员登记完成。',
  companyActionDone: '✅ 已登记完成，不再提醒。',
  busy: '系统繁忙，请稍后重试。',
  conflict: '案件刚被他人更新，请点「刷新」后重试。',
  cancelled: '已取消。',
  nothingToCancel: '当前没有进行中的操作。',
  unknownInput: '未识别的内容。发送 /tasks 查看我的任务，/help 查看使用说明。',
  caseUsage: '用法：/case 案件编号，例如 /case YH-2026-000123',
  emptyText: '内容不能为空，请重新发送。',
  tooLong: (max: number) => `内容过长（最多 ${max} 字），请精简后重新发送。`,
  returnPrompt: '请发送退回理由（例如：不属于本单位职责，应由××部门办理）。\n发送 /cancel 取消。',
  rejectPrompt: '请发送驳回理由，案件将退回承办单位继续办理。\n发送 /cancel 取消。',
  cosignPrompt: '请发送会签意见，或直接点「同意办结」。',
  progressPrompt: '请发送进展情况（文字），可附现场照片（可多张）。发送完毕后点「提交」。',
  findingPrompt: '请选择核查结论：',
  resolvePrompt: (f: Finding) => `核查结论：${FINDING_NAMES[f]}。\n请发送办理结果（文字），可附整改照片（可多张）。发送完毕后点「提交」。`,
  planPrompt: '请发送解决方案（工作措施、责任人和时间节点）。\n发送 /cancel 取消。',
  planDatePrompt: '请发送方案确定的完成时限（例如 2026-12-31）。',
  extendPrompt: (close: string | undefined) => `请发送延期理由。当前办结期限：${deadlineText(close)}。\n发送 /cancel 取消。`,
  extendDatePrompt: '请发送申请延期至的日期（例如 2026-10-31），须晚于现办结期限。',
  badDate: '日期格式不正确，请按 2026-10-31 的格式发送。',
  assignPrompt: '请选择承办单位：',
  textNoted: '已记录文字说明。可继续发送照片，或点「提交」。',
  photoNoted: (n: number) => `已收到照片 ${n} 张。可继续发送，或点「提交」。`,
  tooManyPhotos: (max: number) => `每次最多 ${max} 张照片。`,
  needText: '请先发送文字说明，再点「提交」。',
  photoWithoutDialogue: '请先在案件上点「进展」或「办结」，再发送照片。',
  staleDialogue: '该操作已结束或已被新的操作替代。',
  mayNotRegister: '您的角色不能登记案件。',
  newSourcePrompt: '登记来电、来访、来信或12345转办件。请选择来源：',
  newNamePrompt: '请发送投诉人姓名（不愿透露请发送「无」）。',
  newPhonePrompt: '请发送联系电话（没有请发送「无」）。',
  newBadPhone: '电话号码格式不正确，请重新发送（没有请发送「无」）。',
  newCompoundPrompt: '请发送小区名称（可含楼号、房号）。',
  newContentPrompt: '请发送投诉内容（反映的问题、涉及的物业服务企业等）。',
  newSourceFirst: '请先点选来源。',
  registered: (tracking: string) => `✅ 已登记，编号 ${tracking}。`,
};

export const DONE_TOAST: Partial<Record<CaseVerb, string>> = {
  accept: '已接收',
  return: '已退回，待重新分转',
  progress: '进展已提交',
  complex: '已认定为复杂问题',
  plan: '解决方案已提交',
  extend: '延期申请已提交，待审批',
  resolve: '已办结',
  cosign: '已会签',
  cosignAgree: '已会签',
  rejectCosign: '已驳回，退回承办单位',
  review: '审核通过',
  rejectReview: '已驳回，退回承办单位',
  writeOff: '已销号',
  approveExtension: '已批准延期',
  rejectExtension: '已驳回延期申请',
  assign: '已分转',
};

export const INVITE_FAILED: Record<'unknown' | 'used' | 'expired' | 'revoked', string> = {
  unknown: '邀请链接无效，请核对或向管理员重新索取。',
  used: '该邀请链接已被使用（每个链接只能使用一次），请向管理员重新索取。',
  expired: '该邀请链接已过期，请向管理员重新索取。',
  revoked: '该邀请链接已被作废，请向管理员重新索取。',
};

export function linkedText(o: { name: string | null; unit: UnitCode; role: Role }, countyName: string): string {
  return [
    `✅ 绑定成功${o.name ? `，${o.name}` : ''}！`,
    `单位：${UNIT_NAMES[o.unit]}　县区：${countyName}　角色：${ROLE_NAMES[o.role]}`,
    '',
    '发送 /tasks 查看我的任务，/help 查看使用说明。',
  ].join('\n');
}

export function whoAmI(o: { name: string | null; unit: UnitCode; role: Role }, countyName: string): string {
  return `${o.name ?? '您'}：${countyName} ${UNIT_NAMES[o.unit]} ${ROLE_NAMES[o.role]}`;
}

const ROLE_HELP: Record<Role, string[]> = {
  officer: [
    '新任务推送后：「接收」开始办理，不属于本单位的点「退回」并说明理由。',
    '办理中：「进展」报送进展（文字＋照片）；复杂问题先「认定复杂问题」，7日内「提交方案」；',
    '确需延期点「申请延期」（理由＋日期，须审核人批准，仅限一次）；办完点「办结」，选择核查结论并上传结果和照片。',
    '住建部门还负责分转：待分转案件点「分转」选择承办单位。',
  ],
  cosigner: ['住建部门办结的案件推送给您会签：点「会签」签署办结意见，或「驳回」说明理由退回。'],
  reviewer: ['办结（及会签）后的案件推送给您审核：「审核通过」后再点「销号」；不合格点「驳回」退回承办单位。', '延期申请：「批准延期」或「驳回延期」。'],
  supervisor: ['您可查阅全部案件（只读），每次查阅均留有记录。'],
  admin: ['您可查阅和操作全部案件。'],
};

export function helpText(role: Role | null): string {
  const lines = [
    '物业投诉举报受理台 · 使用说明',
    '',
    '/tasks 我的任务（逾期在前）',
    '/case 编号 查看案件，例如 /case YH-2026-000123',
    '/new 登记来电、来访、来信或12345转办件',
    '/stats 本单位在办、逾期、本周办结',
    '/cancel 取消当前操作',
    '/help 本说明',
  ];
  if (role) lines.push('', `您的角色：${ROLE_NAMES[role]}`, ...ROLE_HELP[role]);
  return lines.join('\n');
}

/** The menu set with setMyCommands. */
export const BOT_COMMANDS: { command: string; description: string }[] = [
  { command: 'tasks', description: '我的任务' },
  { command: 'case', description: '按编号查看案件' },
  { command: 'new', description: '登记来电/来访/来信/12345' },
  { command: 'stats', description: '本单位统计' },
  { command: 'cancel', description: '取消当前操作' },
  { command: 'help', description: '使用说明' },
];
