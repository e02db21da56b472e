// Every text and keyboard officers see in Telegram, in Chinese. Pure: data in, text/markup out.
import type { Complaint } from '../domain.ts';
import { PROBLEM_NAMES, SOURCE_NAMES, STATUS_NAMES, UNIT_NAMES } from '../domain.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { formatShanghai } from '../workflow/time.ts';

export interface InlineButton {
  text: string;
  callback_data: string;
}
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

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

function shortTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  return formatShanghai(new Date(iso)).slice(0, 16).replace('T', ' ');
}

export function caseSummary(c: Complaint): string {
  const lines = [
    `编号：${c.tracking}${c.urgent ? '（紧急）' : ''}`,
    `状态：${STATUS_NAMES[c.status]}`,
    `来源：${SOURCE_NAMES[c.source]}　收到：${shortTime(c.receivedAt)}`,
    `承办：${c.unit ? UNIT_NAMES[c.unit] : '待分转'}`,
    `问题类型：${c.problem ? PROBLEM_NAMES[c.problem] : '—'}`,
    `小区：${c.compound ?? '—'}${c.address ? ` ${c.address}` : ''}`,
    `物业企业：${c.company ?? '—'}`,
    `主题：${c.subject || '（无主题）'}`,
  ];
  if (c.deadlines.close) lines.push(`办结期限：${shortTime(c.deadlines.close)}`);
  else if (c.deadlines.transfer) lines.push(`分转期限：${shortTime(c.deadlines.transfer)}`);
  if (c.deadlines.plan) lines.push(`方案期限：${shortTime(c.deadlines.plan)}`);
  if (c.classification?.matched.length) lines.push(`分类依据：${c.classification.matched.slice(0, 6).join('、')}`);
  return lines.join('\n');
}

export function renderNotice(template: EffectTemplate, c: Complaint): string {
  const body = c.body.length > 300 ? `${c.body.slice(0, 300)}…` : c.body;
  return `${TEMPLATE_TITLES[template]}\n\n${caseSummary(c)}\n\n${body}`.slice(0, 4000);
}

/** callback data: `<action>:<caseId>` — short, well under Telegram's 64-byte limit. */
export function noticeKeyboard(template: EffectTemplate, c: Complaint): InlineKeyboard | undefined {
  switch (template) {
    case 'assigned':
    case 'urgent':
      return { inline_keyboard: [[{ text: '接收', callback_data: `acc:${c.id}` }, { text: '退回', callback_data: `ret:${c.id}` }, { text: '查看原文', callback_data: `raw:${c.id}` }]] };
    default:
      return { inline_keyboard: [[{ text: '查看', callback_data: `view:${c.id}` }]] };
  }
}
