// What officers read about a case in Telegram, in Chinese: notice titles, the case summary and card, the original
// text. Pure: data in, text out. Plain text only (no parse_mode), so whatever a complainant wrote can never break a
// message.
import type { Actor, Case, UnitCode } from '../domain.ts';
import { FINDING_NAMES, isClosedByUnit, PROBLEM_NAMES, SOURCE_NAMES, STATUS_NAMES, UNIT_NAMES } from '../domain.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { deadlineForPeople, momentForPeople } from '../time.ts';

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
  // Letters only (never pushed to officers); titled for completeness.
  accepted: '已接收',
  moved: '已改派',
  extended: '已延期',
  'sent-back': '已退回继续办理',
  'officer-letter': '致投诉人',
  'co-assigned': '🤝 协办任务',
  'co-report': '🤝 协办单位报送情况',
  'penalty-opened': '⚖️ 已立案查处',
  penalty: '⚖️ 已作出处罚决定',
  'penalty-extended': '⚖️ 处罚期限已延长30日',
};

// ─── Formatting helpers ──────────────────────────────────────────────────────────────────────────────────────

function shortTime(iso: string | undefined | null): string {
  return iso ? momentForPeople(iso) : '—';
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
    `承办：${c.unit ? `${UNIT_NAMES[c.unit]}（主办）` : '待分转'}${c.coUnits.length ? `　协办：${c.coUnits.map((u) => UNIT_NAMES[u]).join('、')}` : ''}`,
    `问题类型：${c.problem ? PROBLEM_NAMES[c.problem] : '—'}`,
    `小区：${clip(oneLine(c.compound ?? '—'), 60)}${c.address ? ` ${clip(oneLine(c.address), 60)}` : ''}`,
    `物业企业：${clip(oneLine(c.company ?? '—'), 60)}`,
    `主题：${clip(oneLine(c.subject) || '（无主题）', 100)}`,
  ];
  const key = keyDeadline(c);
  if (key) lines.push(`${key.label}：${deadlineForPeople(key.at)}`);
  if (c.deadlines.plan) lines.push(`方案期限：${deadlineForPeople(c.deadlines.plan)}`);
  if (c.deadlines.progress) lines.push(`下次进展反馈：${deadlineForPeople(c.deadlines.progress)}`);
  if (c.extension) lines.push(`⏳ 延期申请待审批：至 ${deadlineForPeople(c.extension.until)}，理由：${clip(c.extension.reason, 200)}`);
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

/** The step that caused a notice: who did it and what they wrote (the audit event's actor and data). */
export interface NoticeStep {
  actor: Actor;
  data?: Record<string, unknown> | null;
}

function who(a: Actor): string {
  return a.kind === 'officer' ? `${a.unit ? UNIT_NAMES[a.unit] : ''}${a.name ? ` ${a.name}` : ''}`.trim() : a.kind === 'complainant' ? '投诉人' : '系统';
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/**
 * What the next hand must know, from the step that handed the case over: the return reason and who returned it (to
 * the triage desk); the finding, the result, the photos and the co-sign opinion (to co-signers and reviewers); the
 * reason or the words of the unit (to housing, told of another unit's case).
 */
function handoff(template: EffectTemplate, c: Case, step: NoticeStep | null | undefined): string[] {
  const d = step?.data ?? {};
  const photos = Array.isArray(d.photos) ? d.photos.length : 0;
  const closing = [
    c.finding ? `核查结论：${FINDING_NAMES[c.finding]}` : '',
    c.result ? `办理结果：${clip(c.result, 800)}` : '',
    photos ? `整改照片：${photos} 张（点「查看原文」查看）` : '',
  ];
  switch (template) {
    case 'returned':
      return [`退回单位：${d.unit && typeof d.unit === 'string' ? UNIT_NAMES[d.unit as keyof typeof UNIT_NAMES] ?? d.unit : '—'}${step ? `（${who(step.actor)}）` : ''}`, `退回理由：${str(d.reason) ?? '—'}`, '请重新选择承办单位。'];
    case 'cosign-needed':
      return [...closing, '会签即确认上述核查结论和办理结果属实、同意办结；不同意请点「驳回」并说明理由。'];
    case 'review-needed':
      return [...closing, str(d.opinion) ? `会签意见：${str(d.opinion)}${step ? `（${who(step.actor)}）` : ''}` : '', '审核通过后即可销号；不通过请点「驳回」并说明理由。'];
    case 'cosign-rejected':
    case 'review-rejected':
      return [`驳回理由：${str(d.reason) ?? '—'}${step ? `（${who(step.actor)}）` : ''}`];
    case 'complex':
      return [`认定理由：${str(d.reason) ?? '—'}`];
    case 'penalty':
      return [`处罚决定：${clip(str(d.decision) ?? '—', 800)}`];
    case 'supervised':
      return [`本案已挂牌督办${step ? `（${who(step.actor)}）` : ''}：请每月报送办理进展（写明具体进展），直至销号。下次报送期限：${deadlineForPeople(c.deadlines.progress)}。`];
    case 'progress':
    case 'plan':
      return [`${template === 'plan' ? '解决方案' : '进展情况'}：${clip(str(d.text) ?? '—', 800)}${photos ? `（照片 ${photos} 张）` : ''}`];
    case 'extension-approved':
    case 'extension-rejected':
      return str(d.note) ? [`审批意见：${str(d.note)}`] : [];
    case 'co-assigned':
      return [`本单位为协办单位，主办单位：${c.unit ? UNIT_NAMES[c.unit] : '—'}。请办理本单位职责范围内的部分，并点「报送协办情况」告知主办单位。`];
    case 'co-report': {
      const by = typeof d.unit === 'string' ? (UNIT_NAMES[d.unit as UnitCode] ?? d.unit) : step ? who(step.actor) : '协办单位';
      return [`${by}报送：${clip(str(d.text) ?? '—', 800)}${photos ? `（照片 ${photos} 张）` : ''}`];
    }
    default:
      return [];
  }
}

/**
 * A pushed notice (outbox): what happened, what the step handed over, the case, and the resident's words — those of
 * the new mail when it is a resident's new mail (补充, 不满意: `news`), else the start of the complaint.
 */
export function renderNotice(template: EffectTemplate, c: Case, news?: { text: string; files: number } | null, step?: NoticeStep | null): string {
  const words = news
    ? `${residentWords(news.text, 1500, '投诉人新来信')}${news.files ? `\n（附件 ${news.files} 个，点「查看原文」查看）` : ''}`
    : residentWords(c.body, 300);
  const handed = handoff(template, c, step).filter(Boolean);
  return `${TEMPLATE_TITLES[template]}\n${handed.length ? `${handed.join('\n')}\n` : ''}\n${caseSummary(c)}\n\n${words}`.slice(0, MAX_TEXT);
}

/** The case card an officer works from: summary, who complained, pending requests, the result so far. */
export function caseCard(c: Case, now: Date, notice?: string, latest?: { text: string; at: string; files: number } | null): string {
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
  if (latest) {
    lines.push('', residentWords(latest.text, 800, `投诉人最新来信 ${momentForPeople(latest.at, now)}`));
    if (latest.files) lines.push(`（附件 ${latest.files} 个，点「查看原文」查看）`);
  }
  lines.push('', residentWords(c.body, latest ? 400 : 800));
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
 * To the county's desk (and its admins) at once when a case's unit has nobody linked in the county: without this
 * nobody hears of the case until the city escalation, days later.
 */
export function unstaffedNotice(c: Case, unit: UnitCode): string {
  return [
    `⚠️ 承办单位无人接收：${UNIT_NAMES[unit]}在本县区没有已绑定机器人的工作人员，本案通知无人收到。`,
    '请电话通知该单位并邀请其工作人员绑定（wuye officer invite），或改派其他单位。',
    '',
    caseSummary(c),
  ]
    .join('\n')
    .slice(0, MAX_TEXT);
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
