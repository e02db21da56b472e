// What officers read about a case in Telegram, in Chinese: notice titles, the case summary and card, the original
// text. Pure: data in, text out. Plain text only (no parse_mode), so whatever a complainant wrote can never break a
// message.
import type { Case } from '../domain.ts';
import { FINDING_NAMES, isClosedByUnit, PROBLEM_NAMES, SOURCE_NAMES, STATUS_NAMES, UNIT_NAMES } from '../domain.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { deadlineText, formatMinute } from '../time.ts';

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
  return iso ? formatMinute(iso) : '—';
}

export function isOverdue(iso: string | undefined | null, now: Date): boolean {
  return !!iso && Date.parse(iso) <= now.getTime();
}

export function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function flags(c: Case): string {
  const f: string[] = [];
  if (c.urgent) f.push('🚨紧急');
  if (c.complex) f.push('🧩复杂');
  if (c.supervised) f.push('📌挂牌督办');
  if (c.extended) f.push('已延期');
  return f.length ? `（${f.join(' ')}）` : '';
}

/** The due date that matters now: close once a unit has it, transfer while it waits for one. */
export function keyDeadline(c: Case): { label: string; at: string } | null {
  if (c.deadlines.close) return { label: '办结期限', at: c.deadlines.close };
  if (c.deadlines.transfer) return { label: '分转期限', at: c.deadlines.transfer };
  return null;
}

// ─── Case texts ──────────────────────────────────────────────────────────────────────────────────────────────

export function caseSummary(c: Case): string {
  const lines = [
    `编号：${c.tracking}${flags(c)}`,
    `状态：${STATUS_NAMES[c.status]}`,
    `来源：${SOURCE_NAMES[c.source]}　收到：${shortTime(c.receivedAt)}`,
    `承办：${c.unit ? UNIT_NAMES[c.unit] : '待分转'}`,
    `问题类型：${c.problem ? PROBLEM_NAMES[c.problem] : '—'}`,
    `小区：${clip(oneLine(c.compound ?? '—'), 60)}${c.address ? ` ${clip(oneLine(c.address), 60)}` : ''}`,
    `物业企业：${clip(oneLine(c.company ?? '—'), 60)}`,
    `主题：${clip(oneLine(c.subject) || '（无主题）', 100)}`,
  ];
  const key = keyDeadline(c);
  if (key) lines.push(`${key.label}：${deadlineText(key.at)}`);
  if (c.deadlines.plan) lines.push(`方案期限：${deadlineText(c.deadlines.plan)}`);
  if (c.deadlines.progress) lines.push(`下次进展反馈：${deadlineText(c.deadlines.progress)}`);
  if (c.extension) lines.push(`⏳ 延期申请待审批：至 ${deadlineText(c.extension.until)}，理由：${clip(c.extension.reason, 200)}`);
  if (c.classification?.matched.length) lines.push(`分类依据：${clip(c.classification.matched.slice(0, 6).join('、'), 200)}`);
  return lines.join('\n');
}

/** Resident-written words on one line: a line break cannot start a line that looks like ours. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The bar that sets every line of a resident's words apart from the system's own lines. */
export const RESIDENT_BAR = '┃ ';

/**
 * A resident's words, set apart: every line behind the bar, under a label that says whose words they are, so that a
 * mail imitating a system line ("━━ ✅ 系统通知…") reads as what it is.
 */
export function residentWords(text: string, max: number, label = '投诉人原文'): string {
  const lines = clip(text.trim() || '（无正文）', max).split(/\r?\n/);
  return [`【${label}】`, ...lines.map((l) => `${RESIDENT_BAR}${l}`)].join('\n');
}

/**
 * A pushed notice (outbox): what happened, the case, and the resident's words — those of the new mail when it is a
 * resident's new mail (补充, 不满意: `news`), else the start of the complaint.
 */
export function renderNotice(template: EffectTemplate, c: Case, news?: { text: string; files: number } | null): string {
  const words = news
    ? `${residentWords(news.text, 1500, '投诉人新来信')}${news.files ? `\n（附件 ${news.files} 个，点「查看原文」查看）` : ''}`
    : residentWords(c.body, 300);
  return `${TEMPLATE_TITLES[template]}\n\n${caseSummary(c)}\n\n${words}`.slice(0, MAX_TEXT);
}

/** The case card an officer works from: summary, who complained, pending requests, the result so far. */
export function caseCard(c: Case, now: Date, notice?: string): string {
  const lines: string[] = [];
  if (notice) lines.push(notice, '');
  lines.push(caseSummary(c));
  const key = keyDeadline(c);
  if (key && isOverdue(key.at, now) && !isClosedByUnit(c.status)) {
    lines.push(`⚠️ 已超过${key.label}`);
  }
  const who = [c.complainant.name, c.complainant.phone, c.complainant.email].filter(Boolean).map((x) => oneLine(x!)).join('　');
  lines.push(`投诉人：${who || '—'}`);
  if (c.finding) lines.push(`核查结论：${FINDING_NAMES[c.finding]}`);
  if (c.result) lines.push(`办理结果：${clip(c.result, 500)}`);
  lines.push('', residentWords(c.body, 800));
  return lines.join('\n').slice(0, MAX_TEXT);
}

/** The original complaint in ≤ 4000-character parts. */
export function rawParts(c: Case): string[] {
  const head = [`📄 原文 ${c.tracking}`, `主题：${oneLine(c.subject) || '（无主题）'}`, `来源：${SOURCE_NAMES[c.source]}　收到：${shortTime(c.receivedAt)}`];
  const who = [c.complainant.name, c.complainant.phone, c.complainant.email].filter(Boolean).map((x) => oneLine(x!)).join('　');
  if (who) head.push(`投诉人：${who}`);
  const text = `${head.join('\n')}\n\n${residentWords(c.body, Number.MAX_SAFE_INTEGER)}`;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += MAX_TEXT) parts.push(text.slice(i, i + MAX_TEXT));
  return parts;
}

/**
 * To the unit of a case when someone other than its complainant wrote quoting it: the mail became a case of its own
 * and changed nothing here. Officers must not take it for the complainant's words.
 */
export function relatedMailNotice(old: Case, fresh: Case): string {
  const unit = fresh.unit ? UNIT_NAMES[fresh.unit] : '待分转';
  return [
    `📎 他人来信引用本案编号`,
    '',
    `来信人不是本案投诉人：来信未计入本案，也不会重新办理本案，已另行登记为 ${fresh.tracking}（${unit}），请点「查看」。`,
    '',
    caseSummary(old),
  ]
    .join('\n')
    .slice(0, MAX_TEXT);
}
