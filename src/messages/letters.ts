// Letters to complainants, in Chinese. Pure: the case in, a mail payload out. The acknowledgement's Message-ID is
// derived from the tracking number, so a resident's reply (In-Reply-To) finds its case.
import type { Case, LetterDetail, MailPayload } from '../domain.ts';
import { FINDING_NAMES, STATUS_NAMES, UNIT_FULL_NAMES } from '../domain.ts';
import type { EffectTemplate } from '../workflow/complaint.ts';
import { deadlineForPeople, momentForPeople } from '../time.ts';

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
  /** Urgent cases: the bodies that were actually told (they have a linked officer), named in full. */
  told?: readonly string[] | null;
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

/** Letters that go at once; every other step is told in the day's one letter (`stepNote` → `dailyLetter`). */
export const IMMEDIATE_LETTERS: ReadonlySet<EffectTemplate> = new Set<EffectTemplate>(['ack', 'result', 'officer-letter']);

/** Threading: under the resident's own mail, and with the acknowledgement in References. */
function threading(c: Case, ctx: LetterContext) {
  return {
    ...fromOf(ctx),
    inReplyTo: ctx.originalMessageId ?? undefined,
    references: [ctx.originalMessageId, ackMessageId(c.tracking)].filter((x): x is string => !!x),
  };
}

/** A letter on the case after the acknowledgement: tagged subject with the case's own, signed, threaded. */
function threadedLetter(tag: string, to: string, c: Case, ctx: LetterContext, lines: readonly string[]): MailPayload {
  return { to, subject: `${tag}${c.tracking} ${c.subject || ''}`.trim().slice(0, 200), text: lines.join('\n') + footer(ctx), ...threading(c, ctx) };
}

const SATISFACTION_ASK =
  '请您回复本邮件告诉我们您对办理结果是否满意：满意请回复“满意”；不满意请回复“不满意”并说明理由，我们将交承办单位重新办理。';

/** The letter for an immediate template (ack, the final result, an officer's letter), or null. */
export function complainantLetter(
  template: EffectTemplate,
  c: Case,
  ctx: LetterContext & { detail?: LetterDetail; now?: Date; earlier?: readonly string[] },
): MailPayload | null {
  const to = c.complainant.email;
  if (!to) return null;
  const dear = greeting(c);
  const unit = unitInFull(c, ctx);
  const when = (iso: string | undefined) => deadlineForPeople(iso, ctx.now);
  const earlier = ctx.earlier?.length ? ['', '此前的办理情况：', ...ctx.earlier, ''] : [];
  switch (template) {
    case 'ack': {
      const lines = [
        dear,
        `您于 ${momentForPeople(c.receivedAt, ctx.now)} 反映的物业问题已受理，受理编号：${c.tracking}。`,
        c.urgent
          ? urgentLine(ctx.told ?? null)
          : c.unit
            ? `已转交${unit}办理。一般问题原则上自承办单位收到之日起 7 日内办结并答复您；重大复杂问题 1 个月内解决，确实解决不了的将在 7 日内告知解决时限和方案，并按月反馈进展。`
            : `我们将在 7 个工作日内确定承办单位并转办。`,
        c.deadlines.close ? `预计办结期限：${when(c.deadlines.close)}。` : c.deadlines.transfer ? `转办期限：${when(c.deadlines.transfer)}。` : '',
      ].filter(Boolean);
      return {
        to,
        subject: `【受理回执】${c.tracking} ${c.subject || '物业投诉'}`.slice(0, 200),
        text: lines.join('\n') + footer(ctx),
        messageId: ackMessageId(c.tracking),
        ...threading(c, ctx),
      };
    }
    // The result once, when it is final (销号): the finding, what was done, and the satisfaction question.
    case 'result': {
      const lines = [
        dear,
        `您反映的问题（受理编号 ${c.tracking}）已由${unit}办结，经审核后销号。`,
        ...earlier,
        c.finding ? `核查结论：${FINDING_NAMES[c.finding]}。` : '',
        c.result ? `办理结果：${c.result}` : '',
        '',
        SATISFACTION_ASK,
      ].filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));
      return threadedLetter('【办理结果】', to, c, ctx, lines);
    }
    case 'officer-letter': {
      const text = ctx.detail?.text ?? '';
      const lines = [dear, `关于您反映的问题（受理编号 ${c.tracking}），${c.unit ? unit : office(ctx)}答复如下：`, '', text, ...earlier];
      return threadedLetter('【来函】', to, c, ctx, lines);
    }
    default:
      return null;
  }
}

/** What the urgent acknowledgement says was done: exactly the bodies that were told, or that the office acts. */
function urgentLine(told: readonly string[] | null): string {
  const who = told && told.length ? `已立即通知${told.join('、')}紧急处置` : '已立即转交住房和城乡建设部门紧急处置';
  return `您反映的情况涉及房屋使用或人身安全，${who}。如遇险情请同时拨打 110 / 119。`;
}

/**
 * One step's line in the day's letter, or null when the step is not the complainant's news. Dates are the case's
 * after the step; the officer's own words are quoted.
 */
export function stepNote(template: EffectTemplate, c: Case, ctx: LetterContext & { detail?: LetterDetail; at: Date }): string | null {
  const unit = unitInFull(c, ctx);
  const d = ctx.detail ?? {};
  const when = (iso: string | undefined) => deadlineForPeople(iso, ctx.at);
  const close = c.deadlines.close ? `办结期限：${when(c.deadlines.close)}。` : '';
  const quote = (t: string | undefined) => `“${(t ?? '').trim()}”`;
  const line = (() => {
    switch (template) {
      case 'assigned':
        return `已转交${unit}办理。${close}`;
      case 'accepted':
        return `${unit}已接收并开始办理。${close}`;
      case 'moved': {
        const from = d.fromUnit ? `${ctx.countyName}${UNIT_FULL_NAMES[d.fromUnit]}` : null;
        return `经核实，改由${unit}办理${from ? `（原承办单位：${from}${d.reason ? `；原因：${d.reason}` : ''}）` : d.reason ? `（原因：${d.reason}）` : ''}。新的${close}`;
      }
      case 'progress': {
        const by = d.byUnit ? `协办单位${ctx.countyName}${UNIT_FULL_NAMES[d.byUnit]}` : unit;
        return `${by}报告办理进展：${quote(d.text)}${d.photos ? `（现场照片 ${d.photos} 张已存档）` : ''}`;
      }
      case 'complex':
        return `${unit}认定您反映的问题为复杂问题，原因：${d.reason ?? '—'}。承办单位将于 ${when(c.deadlines.plan)} 前制定解决方案和时间节点，问题原则上于 ${when(c.deadlines.close)} 前解决，期间按月向您反馈进展。`;
      case 'plan':
        return `${unit}制定了解决方案：${quote(d.text)}，计划于 ${when(d.until)} 前完成，期间按月向您反馈进展。`;
      case 'extended':
        return `经审核同意，办结期限延长至 ${when(d.until)}。原因：${d.reason ?? '—'}。`;
      case 'resolved':
        return `${unit}已报告办结，${c.unit === 'housing' ? '经属地乡镇(街道)、社区会签和' : '经'}市级部门审核后，我们将把办理结果告知您。`;
      case 'returned': {
        const from = d.fromUnit ? `${ctx.countyName}${UNIT_FULL_NAMES[d.fromUnit]}` : '原承办单位';
        const transfer = c.deadlines.transfer && Date.parse(c.deadlines.transfer) > ctx.at.getTime() ? `，转办期限：${when(c.deadlines.transfer)}` : '';
        return `${from}认为该问题不属于其职责（${d.reason ?? '—'}），我们正在重新确定承办单位${transfer}。`;
      }
      case 'sent-back':
        return `办结情况未通过审核，已退回${unit}继续办理。${close}`;
      case 'reopened':
        return `根据您的反馈，问题已交${unit}重新办理。${close}`;
      case 'penalty-opened':
        return `${unit}已对您反映的问题立案查处，将于 ${when(c.deadlines.verify)} 前完成核查，${when(c.deadlines.penalty)} 前依法作出处理决定。`;
      case 'penalty':
        return `${unit}已依法作出处罚决定：${quote(d.text)}`;
      case 'penalty-extended':
        return `经${unit}负责人批准，处理决定期限依法延长三十日，至 ${when(d.until)}。原因：${d.reason ?? '—'}。`;
      default:
        return null;
    }
  })();
  return line ? `${momentForPeople(ctx.at, ctx.at)}　${line}` : null;
}

/** The day's one letter: every step of the day in order, under one subject. */
export function dailyLetter(c: Case, ctx: LetterContext, notes: readonly string[]): MailPayload | null {
  const to = c.complainant.email;
  if (!to || !notes.length) return null;
  const lines = [greeting(c), `您反映的问题（受理编号 ${c.tracking}）有新的办理情况：`, '', ...notes];
  return threadedLetter('【办理进展】', to, c, ctx, lines);
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
  const deadline = c.deadlines.close ? `办结期限：${deadlineForPeople(c.deadlines.close)}。` : c.deadlines.transfer ? `转办期限：${deadlineForPeople(c.deadlines.transfer)}。` : '';
  const lines = [
    dear,
    `您反映的问题（受理编号 ${c.tracking}）目前的办理情况如下：`,
    `状态：${STATUS_NAMES[c.status]}。承办单位：${unit}。${deadline}`,
    ctx.lastProgress ? `最新进展（${momentForPeople(ctx.lastProgress.at)}）：“${ctx.lastProgress.text}”` : '承办单位尚未报送进展。',
  ];
  return {
    to,
    subject: `【办理情况】${c.tracking}`,
    text: lines.join('\n') + footer(ctx),
    inReplyTo: ctx.inReplyTo ?? undefined,
    references: [ctx.inReplyTo, ackMessageId(c.tracking)].filter((x): x is string => !!x),
  };
}
