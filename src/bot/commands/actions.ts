// The work on a case, one tap at a time: 接收 · 退回 (reason) · 进展 (text + photos) · 认定复杂问题 · 提交方案 (plan +
// date) · 申请延期 (reason + date) · 办结 (finding + result + photos) · 会签/驳回 · 审核通过/驳回 · 销号 · 延期 批准/驳回 ·
// 分转 (triage). Every change goes through cases/apply.ts (workflow → one transaction → outbox). What still has to be
// typed is asked in a dialogue kept in bot_session; the workflow is asked first (auth.precheck) so nobody types a reason
// for something they may not do.
import { Composer, type Context } from 'telegraf';
import type { Message } from 'telegraf/types';
import { findById } from '../../store/cases.ts';
import type { Officer } from '../../store/officers.ts';
import { transition, type Command } from '../../workflow/complaint.ts';
import { deadlineForPeople } from '../../time.ts';
import { UNIT_NAMES, type Case, type ProblemType, type UnitCode } from '../../domain.ts';
import { unitNamesOf } from '../../config.ts';
import { applyCommand } from '../../cases/apply.ts';
import { evidenceRef, type Evidence } from '../../cases/evidence.ts';
import { actorOf, precheck, refusalFor } from '../auth.ts';
import type { CaseVerb } from '../../messages/callback.ts';
import { callbackOf, chatIdOf, officerOf, state, type BotDeps } from '../context.ts';
import { parseOfficerDate } from '../dates.ts';
import { downloadTelegramFile } from '../files.ts';
import {
  cancelKeyboard,
  confirmKeyboard,
  coUnitKeyboard,
  cosignKeyboard,
  DONE_TOAST,
  findingKeyboard,
  moveKeyboard,
  submitKeyboard,
  TEXT,
  unitKeyboard,
  type InlineKeyboard,
} from '../../messages/index.ts';
import { endDialogue, MAX_PHOTOS, saveDialogue, type Dialogue } from '../session.ts';
import { answer, redrawCard, refuse, showCard } from '../ui.ts';

/** Longest free text accepted (reasons, results, plans). */
export const MAX_INPUT = 2000;

type CaseDialogue = Exclude<Dialogue, { kind: 'new' }>;
type ReasonAction = Extract<Dialogue, { kind: 'reason' }>['action'];

const REASON_PROMPTS: Record<Exclude<ReasonAction, 'complex' | 'company' | 'move'>, { text: string; keyboard?: (caseId: number) => InlineKeyboard }> = {
  return: { text: TEXT.returnPrompt },
  rejectCosign: { text: TEXT.rejectPrompt },
  rejectReview: { text: TEXT.rejectPrompt },
  cosign: { text: TEXT.cosignPrompt, keyboard: cosignKeyboard },
  letter: { text: TEXT.letterPrompt },
  contribute: { text: TEXT.contributePrompt },
  decidePenalty: { text: TEXT.penaltyPrompt },
  extendPenalty: { text: TEXT.penaltyExtendPrompt },
};

/** Actions with consequences: what was typed is shown back and applied only on 确认. */
const CONFIRMED: Partial<Record<ReasonAction, { ask: (text: string) => string; label: string }>> = {
  complex: { ask: TEXT.complexConfirm, label: '确认认定' },
  letter: { ask: TEXT.letterConfirm, label: '确认发送' },
};

/** The command a typed reason completes; `d` carries what was chosen before typing (改派: the new unit and the case's problem type). */
function reasonCommand(action: ReasonAction, text: string, d: { unit?: UnitCode; problem?: ProblemType | null } = {}): Command {
  switch (action) {
    case 'move':
      return { type: 'reclassify', unit: d.unit!, problem: d.problem ?? null, reason: text };
    case 'return':
      return { type: 'return', reason: text };
    case 'rejectCosign':
      return { type: 'rejectCosign', reason: text };
    case 'rejectReview':
      return { type: 'rejectReview', reason: text };
    case 'cosign':
      return { type: 'cosign', opinion: text };
    case 'complex':
      return { type: 'markComplex', reason: text };
    case 'letter':
      return { type: 'writeResident', text };
    case 'contribute':
      return { type: 'contribute', text };
    case 'decidePenalty':
      return { type: 'decidePenalty', decision: text };
    case 'extendPenalty':
      return { type: 'extendPenalty', reason: text };
    case 'company':
      return { type: 'setCompany', company: /^(无|没有|-|—)$/.test(text) ? null : text };
  }
}

/** 认定复杂问题 moves the deadline by a month: the prompt says to when (the workflow's own dry run), before the reason. */
function complexPrompt(deps: BotDeps, o: Officer, c: Case): string {
  const now = deps.clock.now();
  const r = transition(c, { type: 'markComplex', reason: '-' }, actorOf(o), now, deps.cal);
  const next = r.ok ? r.case.deadlines : {};
  return TEXT.complexPrompt(deadlineForPeople(next.close, now), deadlineForPeople(next.plan, now));
}

/** 协办单位: without a unit, the choice; with one, that unit added or removed at once (each tap is one command). */
async function chooseCoUnits(ctx: Context, deps: BotDeps, o: Officer, caseId: number, unit: UnitCode | null): Promise<void> {
  const c = await findById(deps.db, caseId);
  if (!c) {
    await refuse(ctx, TEXT.notFound);
    return;
  }
  const ok = precheck(c, o, 'coUnits', deps.clock.now(), deps.cal);
  if (!ok.ok) {
    await refuse(ctx, refusalFor(o, c, ok.message));
    return;
  }
  const names = unitNamesOf(deps.cfg);
  if (!unit) {
    await answer(ctx);
    await ctx.reply(`${c.tracking}\n${TEXT.coUnitsPrompt(c.unit ? names[c.unit] : '—')}`, { reply_markup: coUnitKeyboard(c, names) });
    return;
  }
  const units = c.coUnits.includes(unit) ? c.coUnits.filter((u) => u !== unit) : [...c.coUnits, unit];
  const r = await applyCommand(deps, actorOf(o), caseId, { type: 'setCoUnits', units });
  if (!r.ok) {
    await refuse(ctx, r.message);
    return;
  }
  await answer(ctx, TEXT.coUnitsSaved);
  await ctx.editMessageReplyMarkup(coUnitKeyboard(r.case, names)).catch(() => undefined);
}

/** 确认 under a typed reason or letter: applies what the dialogue holds, if it is still this case's. */
async function confirmDialogue(ctx: Context, deps: BotDeps, o: Officer, caseId: number): Promise<void> {
  const d = state(ctx).dialogue;
  if (!d || d.kind !== 'reason' || d.caseId !== caseId || !d.text || !CONFIRMED[d.action]) {
    await refuse(ctx, TEXT.staleDialogue);
    return;
  }
  await finishDialogueAction(ctx, deps, o, caseId, d.action, reasonCommand(d.action, d.text));
}

export function actionsComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.on('callback_query', async (ctx, next) => {
    const cb = callbackOf(ctx, 'case');
    if (!cb) return next();
    const o = officerOf(ctx);
    switch (cb.verb) {
      case 'accept':
        return act(ctx, deps, o, cb.caseId, 'accept', { type: 'accept' });
      case 'complex':
        return begin(ctx, deps, o, cb.caseId, 'complex', { kind: 'reason', action: 'complex', caseId: cb.caseId }, (c) => complexPrompt(deps, o, c), cancelKeyboard());
      case 'confirm':
        return confirmDialogue(ctx, deps, o, cb.caseId);
      case 'openPenalty':
        return act(ctx, deps, o, cb.caseId, 'openPenalty', { type: 'openPenalty' });
      case 'supervise':
        return act(ctx, deps, o, cb.caseId, 'supervise', { type: 'supervise' });
      case 'company':
        return begin(ctx, deps, o, cb.caseId, 'company', { kind: 'reason', action: 'company', caseId: cb.caseId }, (c) => TEXT.companyPrompt(c.company), cancelKeyboard());
      case 'coUnits':
        return chooseCoUnits(ctx, deps, o, cb.caseId, cb.unit);
      case 'move': {
        // 改派 (高效分转): the office moves an assigned case to another unit, with a reason the resident is told.
        if (!cb.unit) {
          const c = await findById(deps.db, cb.caseId);
          return begin(ctx, deps, o, cb.caseId, 'move', null, TEXT.movePrompt, moveKeyboard(c ?? { id: cb.caseId, unit: null }, unitNamesOf(deps.cfg)));
        }
        const unit = cb.unit;
        return begin(ctx, deps, o, cb.caseId, 'move', { kind: 'reason', action: 'move', caseId: cb.caseId, unit }, TEXT.moveReasonPrompt(unitNamesOf(deps.cfg)[unit]), cancelKeyboard());
      }
      case 'review':
        return act(ctx, deps, o, cb.caseId, 'review', { type: 'review' });
      case 'writeOff':
        return act(ctx, deps, o, cb.caseId, 'writeOff', { type: 'writeOff' });
      case 'approveExtension':
        return act(ctx, deps, o, cb.caseId, 'approveExtension', { type: 'decideExtension', approve: true });
      case 'rejectExtension':
        return act(ctx, deps, o, cb.caseId, 'rejectExtension', { type: 'decideExtension', approve: false });
      case 'cosignAgree':
        return finishDialogueAction(ctx, deps, o, cb.caseId, 'cosignAgree', { type: 'cosign', opinion: '同意办结' });
      case 'assign':
        if (!cb.unit) return begin(ctx, deps, o, cb.caseId, 'assign', null, TEXT.assignPrompt, unitKeyboard(cb.caseId));
        return act(ctx, deps, o, cb.caseId, 'assign', { type: 'assign', unit: cb.unit }, `✅ 已分转至${UNIT_NAMES[cb.unit]}`);
      case 'return':
      case 'rejectCosign':
      case 'rejectReview':
      case 'cosign':
      case 'letter':
      case 'contribute':
      case 'decidePenalty':
      case 'extendPenalty': {
        const p = REASON_PROMPTS[cb.verb];
        return begin(ctx, deps, o, cb.caseId, cb.verb, { kind: 'reason', action: cb.verb, caseId: cb.caseId }, p.text, p.keyboard?.(cb.caseId) ?? cancelKeyboard());
      }
      case 'progress':
        return begin(
          ctx,
          deps,
          o,
          cb.caseId,
          'progress',
          { kind: 'report', action: 'progress', caseId: cb.caseId, text: null, photos: [] },
          TEXT.progressPrompt,
          submitKeyboard(cb.caseId, 'progress'),
        );
      case 'resolve':
        return begin(
          ctx,
          deps,
          o,
          cb.caseId,
          'resolve',
          { kind: 'report', action: 'resolve', finding: null, caseId: cb.caseId, text: null, photos: [] },
          TEXT.findingPrompt,
          findingKeyboard(cb.caseId),
        );
      case 'finding':
        return chooseFinding(ctx, deps, o, cb.caseId, cb.finding);
      case 'plan':
        return begin(ctx, deps, o, cb.caseId, 'plan', { kind: 'dated', action: 'plan', caseId: cb.caseId, text: null }, TEXT.planPrompt, cancelKeyboard());
      case 'extend':
        return begin(ctx, deps, o, cb.caseId, 'extend', { kind: 'dated', action: 'extend', caseId: cb.caseId, text: null }, (c) => TEXT.extendPrompt(c.deadlines.close), cancelKeyboard());
      case 'submitProgress':
        return submitReport(ctx, deps, o, cb.caseId, 'progress');
      case 'submitResolve':
        return submitReport(ctx, deps, o, cb.caseId, 'resolve');
      default:
        return next();
    }
  });

  // Typed answers and photos of a running case dialogue.
  composer.on('message', async (ctx, next) => {
    const d = state(ctx).dialogue;
    if (!d || d.kind === 'new') return next();
    const msg = ctx.message;
    if ('text' in msg) {
      if (msg.text.startsWith('/')) return next();
      return onText(ctx, deps, officerOf(ctx), d, msg.text.trim());
    }
    if ('photo' in msg) return onPhoto(ctx, deps, d, msg);
    return next();
  });

  return composer;
}

// ─── Steps ───────────────────────────────────────────────────────────────────────────────────────────────────

/** A one-tap action: apply, then redraw the tapped message as the case card. */
async function act(ctx: Context, deps: BotDeps, o: Officer, caseId: number, verb: CaseVerb, cmd: Command, notice?: string): Promise<void> {
  const r = await applyCommand(deps, actorOf(o), caseId, cmd);
  if (!r.ok) {
    await refuse(ctx, r.message);
    return;
  }
  await answer(ctx, DONE_TOAST[verb]);
  await showCard(ctx, deps, r.case, o, 'edit', notice ?? `✅ ${DONE_TOAST[verb]}`);
}

/** Starts a dialogue (or only shows a choice when `dialogue` is null) after the workflow said the officer may. */
async function begin(
  ctx: Context,
  deps: BotDeps,
  o: Officer,
  caseId: number,
  verb: CaseVerb,
  dialogue: CaseDialogue | null,
  /** The words to ask; a function of the case when they name its dates or data (read once, after the check). */
  prompt: string | ((c: Case) => string),
  keyboard: InlineKeyboard,
): Promise<void> {
  const c = await findById(deps.db, caseId);
  if (!c) {
    await refuse(ctx, TEXT.notFound);
    return;
  }
  const ok = precheck(c, o, verb, deps.clock.now(), deps.cal);
  if (!ok.ok) {
    await refuse(ctx, refusalFor(o, c, ok.message));
    return;
  }
  if (dialogue) {
    const cardMessageId = ctx.callbackQuery?.message?.message_id;
    const d = { ...dialogue, ...(cardMessageId ? { cardMessageId } : {}) } as CaseDialogue;
    await saveDialogue(deps.db, chatIdOf(ctx), d, deps.clock.now());
    state(ctx).dialogue = d;
  }
  await answer(ctx);
  await ctx.reply(`${c.tracking}\n${typeof prompt === 'string' ? prompt : prompt(c)}`, { reply_markup: keyboard });
}

async function chooseFinding(ctx: Context, deps: BotDeps, o: Officer, caseId: number, finding: Extract<Dialogue, { action: 'resolve' }>['finding']): Promise<void> {
  const d = state(ctx).dialogue;
  if (!d || d.kind !== 'report' || d.action !== 'resolve' || d.caseId !== caseId || !finding) {
    await refuse(ctx, TEXT.staleDialogue);
    return;
  }
  const c = await findById(deps.db, caseId);
  const ok = c ? precheck(c, o, 'resolve', deps.clock.now(), deps.cal) : ({ ok: false, message: TEXT.notFound } as const);
  if (!ok.ok) {
    await endDialogue(deps.db, chatIdOf(ctx));
    await refuse(ctx, refusalFor(o, c, ok.message));
    return;
  }
  const next = { ...d, finding };
  await saveDialogue(deps.db, chatIdOf(ctx), next, deps.clock.now());
  state(ctx).dialogue = next;
  await answer(ctx);
  const text = `${c!.tracking}\n${TEXT.resolvePrompt(finding)}`;
  const keyboard = submitKeyboard(caseId, 'resolve');
  await ctx.editMessageText(text, { reply_markup: keyboard }).catch(() => ctx.reply(text, { reply_markup: keyboard }));
}

async function onText(ctx: Context, deps: BotDeps, o: Officer, d: CaseDialogue, text: string): Promise<void> {
  if (!text) {
    await ctx.reply(TEXT.emptyText);
    return;
  }
  if (text.length > MAX_INPUT) {
    await ctx.reply(TEXT.tooLong(MAX_INPUT));
    return;
  }
  const chatId = chatIdOf(ctx);
  switch (d.kind) {
    case 'reason': {
      const confirm = CONFIRMED[d.action];
      if (confirm) {
        const next = { ...d, text };
        await saveDialogue(deps.db, chatId, next, deps.clock.now());
        state(ctx).dialogue = next;
        await ctx.reply(confirm.ask(text), { reply_markup: confirmKeyboard(d.caseId, confirm.label) });
        return;
      }
      // 改派 keeps the case's problem type: read it now, the workflow checks the rest on the fresh case.
      const problem = d.action === 'move' ? ((await findById(deps.db, d.caseId))?.problem ?? null) : null;
      await finishDialogueAction(ctx, deps, o, d.caseId, d.action, reasonCommand(d.action, text, { ...(d.unit ? { unit: d.unit } : {}), problem }));
      return;
    }
    case 'report': {
      if (d.action === 'resolve' && !d.finding) {
        await ctx.reply(TEXT.findingPrompt, { reply_markup: findingKeyboard(d.caseId) });
        return;
      }
      const next = { ...d, text };
      await saveDialogue(deps.db, chatId, next, deps.clock.now());
      await ctx.reply(TEXT.textNoted, { reply_markup: submitKeyboard(d.caseId, d.action) });
      return;
    }
    case 'dated': {
      if (d.text === null) {
        await saveDialogue(deps.db, chatId, { ...d, text }, deps.clock.now());
        await ctx.reply(d.action === 'plan' ? TEXT.planDatePrompt : TEXT.extendDatePrompt, { reply_markup: cancelKeyboard() });
        return;
      }
      const day = parseOfficerDate(text, deps.clock.now());
      if (!day) {
        await ctx.reply(TEXT.badDate, { reply_markup: cancelKeyboard() });
        return;
      }
      const cmd: Command = d.action === 'plan' ? { type: 'submitPlan', text: d.text, until: day } : { type: 'requestExtension', reason: d.text, until: day };
      await finishDialogueAction(ctx, deps, o, d.caseId, d.action, cmd);
      return;
    }
  }
}

async function onPhoto(ctx: Context, deps: BotDeps, d: CaseDialogue, msg: Message.PhotoMessage): Promise<void> {
  if (d.kind !== 'report') {
    await ctx.reply(TEXT.photoWithoutDialogue);
    return;
  }
  if (d.action === 'resolve' && !d.finding) {
    await ctx.reply(TEXT.findingPrompt, { reply_markup: findingKeyboard(d.caseId) });
    return;
  }
  if (d.photos.length >= MAX_PHOTOS) {
    await ctx.reply(TEXT.tooManyPhotos(MAX_PHOTOS), { reply_markup: submitKeyboard(d.caseId, d.action) });
    return;
  }
  // The last PhotoSize is the largest Telegram keeps.
  const best = msg.photo[msg.photo.length - 1]!;
  const caption = msg.caption?.trim();
  const next = {
    ...d,
    photos: [...d.photos, { fileId: best.file_id, uniqueId: best.file_unique_id }],
    text: d.text ?? (caption ? caption.slice(0, MAX_INPUT) : null),
  };
  await saveDialogue(deps.db, chatIdOf(ctx), next, deps.clock.now());
  state(ctx).dialogue = next;
  await ctx.reply(TEXT.photoNoted(next.photos.length), { reply_markup: submitKeyboard(d.caseId, d.action) });
}

/** 提交 on a report: fetch the photos (outside any transaction), then apply progress/resolve with them. */
async function submitReport(ctx: Context, deps: BotDeps, o: Officer, caseId: number, action: 'progress' | 'resolve'): Promise<void> {
  const d = state(ctx).dialogue;
  if (!d || d.kind !== 'report' || d.action !== action || d.caseId !== caseId) {
    await refuse(ctx, TEXT.staleDialogue);
    return;
  }
  if (d.action === 'resolve' && !d.finding) {
    await refuse(ctx, TEXT.findingPrompt);
    return;
  }
  if (!d.text) {
    await refuse(ctx, TEXT.needText);
    return;
  }
  const evidence = await fetchPhotos(ctx, deps, d.photos);
  const refs = evidence.map((e) => e.ref);
  const cmd: Command =
    d.action === 'progress'
      ? { type: 'progress', text: d.text, photos: refs }
      : { type: 'resolve', finding: d.finding!, result: d.text, photos: refs };
  await finishDialogueAction(ctx, deps, o, caseId, d.action, cmd, evidence);
}

async function fetchPhotos(ctx: Context, deps: BotDeps, photos: readonly { fileId: string; uniqueId: string }[]): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const p of photos) {
    let content: Buffer | null = null;
    try {
      content = await downloadTelegramFile(ctx.telegram, p.fileId, deps.agent);
    } catch (e) {
      // Telegram keeps the file under its id; the audit still names it, the bytes can be fetched later.
      deps.log.warn({ err: (e as Error).message, file: p.uniqueId }, 'bot: photo download failed, keeping the Telegram file id');
    }
    out.push({ fileId: p.fileId, uniqueId: p.uniqueId, content, ref: evidenceRef(content, p.uniqueId) });
  }
  return out;
}

/**
 * Applies the command that ends a dialogue. A refusal about the typed content keeps the dialogue so the officer
 * can correct it; any other refusal (state changed, no longer theirs) ends it.
 */
async function finishDialogueAction(
  ctx: Context,
  deps: BotDeps,
  o: Officer,
  caseId: number,
  verb: CaseVerb,
  cmd: Command,
  evidence: readonly Evidence[] = [],
): Promise<void> {
  const chatId = chatIdOf(ctx);
  const d = state(ctx).dialogue;
  const ours = d && d.kind !== 'new' && d.caseId === caseId ? d : undefined;
  const r = await applyCommand(deps, actorOf(o), caseId, cmd, { evidence });
  if (!r.ok) {
    // Only the dialogue's own submission can end it on a refusal; a stray (or forged) tap of another button on
    // the same case must not throw away what the officer is typing.
    const fromDialogue = ours !== undefined && ours.action === verb;
    if (r.code !== 'INVALID_INPUT' && fromDialogue) await endDialogue(deps.db, chatId);
    await refuse(ctx, r.message);
    return;
  }
  if (ours) await endDialogue(deps.db, chatId);
  state(ctx).dialogue = undefined;
  await answer(ctx, DONE_TOAST[verb]);
  await announce(ctx, deps, o, r.case, verb, ours?.cardMessageId);
}

/** After a dialogue: the card it started from shows the new state; the conversation gets a short confirmation. */
async function announce(ctx: Context, deps: BotDeps, o: Officer, c: Case, verb: CaseVerb, cardMessageId: number | undefined): Promise<void> {
  const done = `✅ ${DONE_TOAST[verb]}（${c.tracking}）`;
  if (!cardMessageId) {
    await showCard(ctx, deps, c, o, 'reply', done);
    return;
  }
  await redrawCard(deps, ctx.telegram, chatIdOf(ctx), cardMessageId, c, o);
  // A tapped prompt (提交, 同意办结) loses its buttons and says what happened; a typed answer gets a reply.
  if (ctx.callbackQuery?.message) await ctx.editMessageText(done).catch(() => ctx.reply(done));
  else await ctx.reply(done);
}
