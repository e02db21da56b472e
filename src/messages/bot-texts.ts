// The bot's own words to officers, in Chinese: task lists, statistics, prompts, confirmations, help. Pure.
import type { Case, Finding, Role, UnitCode, UnitStats } from '../domain.ts';
import { FINDING_NAMES, ROLE_NAMES, STATUS_NAMES, UNIT_NAMES } from '../domain.ts';
import { deadlineForPeople } from '../time.ts';
import { clip, isOverdue, keyDeadline, MAX_TEXT } from './case-texts.ts';
import type { CaseVerb } from './callback.ts';
import { TASK_PAGE_SIZE } from './keyboards.ts';

// ─── Task list and statistics ────────────────────────────────────────────────────────────────────────────────

export function taskListText(items: readonly Case[], total: number, page: number, now: Date, title = '我的任务'): string {
  if (total === 0) return `📋 ${title}\n\n暂无待办任务。`;
  const pages = Math.max(1, Math.ceil(total / TASK_PAGE_SIZE));
  const lines = [`📋 ${title}（共 ${total} 件，第 ${page + 1}/${pages} 页，逾期在前）`, ''];
  items.forEach((c, i) => {
    const key = keyDeadline(c);
    const late = key && isOverdue(key.at, now) ? '⚠️逾期 ' : '';
    const urgent = c.urgent ? '🚨' : '';
    const due = key ? `　${key.label.slice(0, 2)} ${deadlineForPeople(key.at)}` : '';
    lines.push(`${page * TASK_PAGE_SIZE + i + 1}. ${late}${urgent}${c.tracking} ${STATUS_NAMES[c.status]}`);
    lines.push(`　${clip(c.compound ?? c.subject ?? '—', 30)}${due}`);
  });
  return lines.join('\n').slice(0, MAX_TEXT);
}

export function statsText(scope: string, s: UnitStats): string {
  return [`📊 ${scope}`, '', `在办：${s.open} 件`, `其中逾期：${s.overdue} 件`, `本周办结：${s.closedThisWeek} 件`].join('\n');
}

// ─── Conversation texts ──────────────────────────────────────────────────────────────────────────────────────

export const TEXT = {
  unlinked:
    '您好！本机器人仅供物业投诉举报承办单位工作人员使用。您的账号尚未绑定，请向管理员索取一次性邀请链接，点击链接即可绑定。',
  privateOnly: '请在与机器人的私聊中使用。',
  webLink: (url: string, minutes: number) =>
    `🔐 网页受理台登录链接（${minutes} 分钟内有效，仅可使用一次；请勿转发他人）：\n${url}\n\n在浏览器中打开后点「登录」。`,
  badButton: '按钮无效或已过期，请发送 /tasks 重新查看。',
  notFound: '未找到该案件，或您无权查看。',
  companyActionNotFound: '未找到该企业督办事项。',
  mailNotFound: '未找到该来信，或您无权查看。',
  mailAlreadyRegistered: '该来信已登记或已处理。',
  mayNotReviewMail: '未登记来信由本县区住建部门（受理台）和管理员核看。',
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
  returnPrompt: '请输入退回理由（例如：不属于本单位职责，应由××部门办理），案件将退回住建部门（受理台）重新分转。\n发送 /cancel 取消。',
  complexPrompt: (close: string, plan: string) =>
    `认定为复杂问题后：办结期限延至 ${close}，并须于 ${plan} 前提交解决方案和时间节点，此后按月报送进展。\n请输入认定理由（将告知投诉人）。\n发送 /cancel 取消。`,
  complexConfirm: (reason: string) => `认定理由：${reason}\n确认认定为复杂问题吗？`,
  letterPrompt: '请输入致投诉人的内容（将以本县区住建部门名义通过邮件发送给投诉人，并记入案件）。\n发送 /cancel 取消。',
  letterConfirm: (text: string) => `将发送给投诉人：\n┃ ${text.split(/\r?\n/).join('\n┃ ')}\n确认发送吗？`,
  noEmail: '投诉人未留电子邮箱，请电话联系。',
  contributePrompt: '请输入本单位（协办单位）职责范围内的办理情况，将告知主办单位并记入案件。\n发送 /cancel 取消。',
  coUnitsPrompt: (lead: string) => `主办单位：${lead}。请点选协办单位（再点一次取消），选好后点「完成」。被选中的单位将收到协办任务。`,
  coUnitsSaved: '已更新协办单位',
  companyPrompt: (current: string | null) => `当前物业企业：${current ?? '未填写'}。请输入正确的物业服务企业名称（发送「无」清除）。\n发送 /cancel 取消。`,
  penaltyExtendPrompt: '经本单位负责人批准，处理决定期限可延长三十日（仅一次）。请输入延长理由，将告知投诉人和转办的住建部门。\n发送 /cancel 取消。',
  penaltyPrompt: '请输入处罚决定（处罚对象、依据和结果），将反馈投诉人和转办的住建部门。\n发送 /cancel 取消。',
  rejectPrompt: '请发送驳回理由，案件将退回承办单位继续办理。\n发送 /cancel 取消。',
  cosignPrompt: '会签即确认承办单位的核查结论和办理结果属实、同意办结（见上方案件卡片）。请输入会签意见，或直接点「同意办结」。',
  progressPrompt: '请发送进展情况（文字），可附现场照片（可多张）。发送完毕后点「提交」。',
  findingPrompt: '请选择核查结论：',
  resolvePrompt: (f: Finding) => `核查结论：${FINDING_NAMES[f]}。\n请发送办理结果（文字），可附整改照片（可多张）。发送完毕后点「提交」。`,
  planPrompt: '请发送解决方案（工作措施、责任人和时间节点）。\n发送 /cancel 取消。',
  planDatePrompt: '请发送方案确定的完成时限（例如 2026-12-31）。',
  extendPrompt: (close: string | undefined) => `请发送延期理由。当前办结期限：${deadlineForPeople(close)}。\n发送 /cancel 取消。`,
  extendDatePrompt: '请发送申请延期至的日期（例如 2026-10-31），须晚于现办结期限。',
  badDate: '日期格式不正确，请按 2026-10-31 的格式发送。',
  assignPrompt: '请选择承办单位：',
  movePrompt: '改派：请选择新的承办单位（原单位的任务将撤回，办结期限重新起算）：',
  moveReasonPrompt: (unit: string) => `改派至${unit}。请输入改派理由，将告知投诉人和原承办单位。\n发送 /cancel 取消。`,
  textNoted: '已记录文字说明。可继续发送照片，或点「提交」。',
  photoNoted: (n: number) => `已收到照片 ${n} 张。可继续发送，或点「提交」。`,
  tooManyPhotos: (max: number) => `每次最多 ${max} 张照片。`,
  needText: '请先发送文字说明，再点「提交」。',
  photoWithoutDialogue: '请先在案件上点「进展」或「办结」，再发送照片。',
  staleDialogue: '该操作已结束或已被新的操作替代。',
  mayNotRegister: '您的角色不能登记案件。',
  newSourcePrompt: '登记来电、来访、来信、12345、信访部门或省厅转办件。请选择来源：',
  newNamePrompt: '请发送投诉人姓名（不愿透露请发送「无」）。',
  newTransferPrompt: '请发送转办单位和文号（例如：运城市信访局 运信转〔2026〕15号）。',
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
  move: '已改派',
  letter: '已发送给投诉人',
  contribute: '已报送主办单位',
  openPenalty: '已立案查处：15个工作日内核查，90日内作出处罚决定',
  decidePenalty: '处罚决定已登记并反馈',
  extendPenalty: '处罚期限已延长30日，已告知投诉人和住建部门',
  supervise: '已挂牌督办：承办单位按月报送进展，直至销号',
  company: '已更正物业企业',
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
    '/mail 近7日未登记来信（住建受理台、管理员）',
    '/web 获取网页受理台一次性登录链接',
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
  { command: 'mail', description: '未登记来信（受理台）' },
  { command: 'web', description: '网页受理台登录链接' },
  { command: 'cancel', description: '取消当前操作' },
  { command: 'help', description: '使用说明' },
];
