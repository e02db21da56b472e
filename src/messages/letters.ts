// Letters to complainants, in Chinese. Pure: the case in, a mail payload out. The acknowledgement's Message-ID is
// derived from the tracking number, so a resident's reply (In-Reply-To) finds its case.
import type { Case, MailPayload } from '../domain.ts';
import { FINDING_NAMES, STATUS_NAMES, UNIT_FULL_NAMES } from '../domain.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { chineseDeadline, formatMinute } from '../time.ts';

export const MESSAGE_ID_DOMAIN = 'wuye-desk';

export function ackMessageId(tracking: string): string {
  return `<ack.${tracking}@${MESSAGE_ID_DOMAIN}>`;
}

const FOOTER_NOTE =
  '如需补充情况，请直接回复本邮件（请保留主题中的受理编号）。如对办理结果不满意，回复“不满意”并说明理由，我们将重新办理。';

export interface LetterContext {
  cityName: string;
  countyName: string;
  originalMessageId?: string | null;
  /** The published mailbox of the county the resident wrote to: letters come from it. */
  mailbox?: string | null;
  /** The county housing office's public phone, signed under the letter. */
  phone?: string | null;
}

/** The county's housing office, which receives every complaint of the county and signs the letters. */
function office(ctx: LetterContext): string {
  return `${ctx.countyName}${UNIT_FULL_NAMES.housing}`;
}

/** The unit in full, as the resident can look it up: 盐湖区住房和城乡建设局, not 住建. */
function unitInFull(c: Case, ctx: LetterContext): string {
  return c.unit ? `${ctx.countyName}${UNIT_FULL_NAMES[c.unit]}` : `${office(ctx)}（正在确定承办单位）`;
}

/** The greeting: by name when known, 您好 always. */
function greeting(c: Case): string {
  return c.complainant.name ? `${c.complainant.name}，您好：` : '您好：';
}

/** The closing lines: how to answer, and who writes (the county's housing office, its phone when configured). */
function footer(ctx: LetterContext): string {
  return `\n\n${FOOTER_NOTE}\n\n${office(ctx)}（物业投诉举报受理台）${ctx.phone ? `\n联系电话：${ctx.phone}` : ''}\n本邮件由系统自动发送。`;
}

/** From the county's published mailbox, named as its housing office. */
function fromOf(ctx: LetterContext): { from?: string } {
  return ctx.mailbox ? { from: `"${office(ctx)}" <${ctx.mailbox}>` } : {};
}

/** The letter for a template, or null when that template does not write to the complainant. */
export function complainantLetter(template: EffectTemplate, c: Case, ctx: LetterContext): MailPayload | null {
  const to = c.complainant.email;
  if (!to) return null;
  const dear = greeting(c);
  const unit = unitInFull(c, ctx);
  const threading = {
    ...fromOf(ctx),
    inReplyTo: ctx.originalMessageId ?? undefined,
    references: [ctx.originalMessageId, ackMessageId(c.tracking)].filter((x): x is string => !!x),
  };
  switch (template) {
    case 'ack': {
      const lines = [
        dear,
        `您于 ${formatMinute(c.receivedAt)} 反映的物业问题已受理，受理编号：${c.tracking}。`,
        c.urgent
          ? '您反映的情况涉及房屋使用或人身安全，已立即通知属地乡镇(街道)和相关部门紧急处置。如遇险情请同时拨打 110 / 119。'
          : c.unit
            ? `已转交${unit}办理。一般问题原则上自承办单位收到之日起 7 日内办结并答复您；重大复杂问题 1 个月内解决，确实解决不了的将在 7 日内告知解决时限和方案，并按月反馈进展。`
            : `我们将在 7 个工作日内确定承办单位并转办。`,
        c.deadlines.close ? `预计办结期限：${chineseDeadline(c.deadlines.close)}。` : c.deadlines.transfer ? `转办期限：${chineseDeadline(c.deadlines.transfer)}。` : '',
      ].filter(Boolean);
      return {
        to,
        subject: `【受理回执】${c.tracking} ${c.subject || '物业投诉'}`.slice(0, 200),
        text: lines.join('\n') + footer(ctx),
        messageId: ackMessageId(c.tracking),
        ...threading,
      };
    }
    case 'resolved':
    case 'result': {
      const title = template === 'result' ? '办理结果(已销号)' : '办理结果';
      const lines = [
        dear,
        `您反映的问题（受理编号 ${c.tracking}）已由${unit}办结。`,
        c.finding ? `核查结论：${FINDING_NAMES[c.finding]}。` : '',
        c.result ? `办理情况：${c.result}` : '',
      ].filter(Boolean);
      return { to, subject: `【${title}】${c.tracking} ${c.subject || ''}`.trim().slice(0, 200), text: lines.join('\n') + footer(ctx), ...threading };
    }
    case 'progress':
    case 'plan': {
      const lines = [dear, `您反映的问题（受理编号 ${c.tracking}）正在由${unit}办理。`, template === 'plan' ? '承办单位已制定解决方案和时间节点，将按方案推进并按月向您反馈进展。' : '承办单位报告了最新进展。'];
      return { to, subject: `【办理进展】${c.tracking}`, text: lines.join('\n') + footer(ctx), ...threading };
    }
    default:
      return null;
  }
}

/**
 * The automatic answer to a complainant who asks where their case stands: status, unit, the deadline that matters
 * now and the last progress reported, threaded to their mail.
 */
export function statusLetter(
  c: Case,
  ctx: LetterContext & { lastProgress?: { text: string; at: string } | null; inReplyTo?: string | null },
): MailPayload | null {
  const to = c.complainant.email;
  if (!to) return null;
  const dear = greeting(c);
  const unit = unitInFull(c, ctx);
  const deadline = c.deadlines.close ? `办结期限：${chineseDeadline(c.deadlines.close)}。` : c.deadlines.transfer ? `转办期限：${chineseDeadline(c.deadlines.transfer)}。` : '';
  const lines = [
    dear,
    `您反映的问题（受理编号 ${c.tracking}）目前的办理情况如下：`,
    `状态：${STATUS_NAMES[c.status]}。承办单位：${unit}。${deadline}`,
    ctx.lastProgress ? `最新进展（${formatMinute(ctx.lastProgress.at)}）：${ctx.lastProgress.text}` : '承办单位尚未报送进展。',
  ];
  return {
    to,
    subject: `【办理情况】${c.tracking}`,
    text: lines.join('\n') + footer(ctx),
    inReplyTo: ctx.inReplyTo ?? undefined,
    references: [ctx.inReplyTo, ackMessageId(c.tracking)].filter((x): x is string => !!x),
  };
}
