// /new — registering a phone call, a visit, a letter or a 12345 ticket in a short dialogue: source → complainant
// → phone → compound → content. The text is classified like a mail and the case is persisted exactly as mail
// intake does (cases/register.ts: tracking number, audit, outbox in one transaction).
import { Composer, type Context } from 'telegraf';
import type { Source } from '../../domain.ts';
import { handRegisteredClassification, registerCase, subjectOfContent } from '../../cases/register.ts';
import type { Officer } from '../../store/officers.ts';
import type { RegisterInput } from '../../workflow/complaint.ts';
import { actorOf, mayRegister } from '../auth.ts';
import type { NewCaseSource } from '../../messages/callback.ts';
import { callbackOf, chatIdOf, officerOf, state, type BotDeps } from '../context.ts';
import { cancelKeyboard, NEW_SOURCE_LABELS, sourceKeyboard, TEXT } from '../../messages/index.ts';
import { endDialogue, saveDialogue, type Dialogue } from '../session.ts';
import { answer, refuse, showCard } from '../ui.ts';

type NewDialogue = Extract<Dialogue, { kind: 'new' }>;

const MAX_NAME = 40;
const MAX_COMPOUND = 100;
const MAX_CONTENT = 5000;
const NONE = /^(无|没有|不详|匿名|-|—)$/;
/** Mobile, landline with area code, extension; digits and the usual separators. */
const PHONE = /^\+?[\d\s()-]{7,20}$/;

const SOURCES: Record<NewCaseSource, Source> = { phone: 'phone', visit: 'visit', letter: 'letter', '12345': '12345', petition: 'petition', province: 'province' };
/** Transfers from another body carry its name and reference number (信访部门转办, 省厅转办: annex 3's columns). */
const TRANSFERRED: ReadonlySet<NewCaseSource> = new Set<NewCaseSource>(['petition', 'province']);
const MAX_TRANSFER = 100;

export function newComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('new', async (ctx) => {
    const o = officerOf(ctx);
    if (!mayRegister(o)) {
      await ctx.reply(TEXT.mayNotRegister);
      return;
    }
    const d: NewDialogue = { kind: 'new', step: 'source' };
    await saveDialogue(deps.db, chatIdOf(ctx), d, deps.clock.now());
    await ctx.reply(TEXT.newSourcePrompt, { reply_markup: sourceKeyboard() });
  });

  composer.on('callback_query', async (ctx, next) => {
    const cb = callbackOf(ctx, 'source');
    if (!cb) return next();
    const d = state(ctx).dialogue;
    if (!d || d.kind !== 'new' || d.step !== 'source' || !mayRegister(officerOf(ctx))) {
      await refuse(ctx, TEXT.staleDialogue);
      return;
    }
    const transfer = TRANSFERRED.has(cb.source);
    await saveDialogue(deps.db, chatIdOf(ctx), { ...d, step: transfer ? 'transfer' : 'name', source: cb.source }, deps.clock.now());
    await answer(ctx, NEW_SOURCE_LABELS[cb.source]);
    await ctx.editMessageText(`来源：${NEW_SOURCE_LABELS[cb.source]}`).catch(() => undefined);
    await ctx.reply(transfer ? TEXT.newTransferPrompt : TEXT.newNamePrompt, { reply_markup: cancelKeyboard() });
  });

  composer.on('message', async (ctx, next) => {
    const d = state(ctx).dialogue;
    if (!d || d.kind !== 'new' || !('text' in ctx.message) || ctx.message.text.startsWith('/')) return next();
    await onAnswer(ctx, deps, officerOf(ctx), d, ctx.message.text.trim());
  });

  return composer;
}

async function onAnswer(ctx: Context, deps: BotDeps, o: Officer, d: NewDialogue, text: string): Promise<void> {
  const chatId = chatIdOf(ctx);
  const save = (next: NewDialogue) => saveDialogue(deps.db, chatId, next, deps.clock.now());
  const ask = (prompt: string) => ctx.reply(prompt, { reply_markup: cancelKeyboard() });
  if (!text) {
    await ask(TEXT.emptyText);
    return;
  }
  switch (d.step) {
    case 'source':
      await ctx.reply(TEXT.newSourceFirst, { reply_markup: sourceKeyboard() });
      return;
    case 'transfer':
      if (text.length > MAX_TRANSFER) return void (await ask(TEXT.tooLong(MAX_TRANSFER)));
      await save({ ...d, step: 'name', transfer: text });
      await ask(TEXT.newNamePrompt);
      return;
    case 'name':
      if (text.length > MAX_NAME) return void (await ask(TEXT.tooLong(MAX_NAME)));
      await save({ ...d, step: 'phone', name: NONE.test(text) ? null : text });
      await ask(TEXT.newPhonePrompt);
      return;
    case 'phone': {
      const none = NONE.test(text);
      if (!none && !PHONE.test(text)) return void (await ask(TEXT.newBadPhone));
      await save({ ...d, step: 'compound', phone: none ? null : text.replace(/\s+/g, '') });
      await ask(TEXT.newCompoundPrompt);
      return;
    }
    case 'compound':
      if (text.length > MAX_COMPOUND) return void (await ask(TEXT.tooLong(MAX_COMPOUND)));
      await save({ ...d, step: 'content', compound: text });
      await ask(TEXT.newContentPrompt);
      return;
    case 'content':
      if (text.length > MAX_CONTENT) return void (await ask(TEXT.tooLong(MAX_CONTENT)));
      await register(ctx, deps, o, d, text);
      return;
  }
}

async function register(ctx: Context, deps: BotDeps, o: Officer, d: NewDialogue, content: string): Promise<void> {
  const now = deps.clock.now();
  const source = SOURCES[d.source ?? 'phone'];
  const subject = subjectOfContent(content);
  const input: RegisterInput = {
    source,
    county: o.county,
    complainant: { name: d.name ?? null, phone: d.phone ?? null, email: null },
    compound: d.compound ?? null,
    address: null,
    company: null,
    subject,
    body: content,
    receivedAt: now.toISOString(),
    classification: handRegisteredClassification(deps.classify({ subject, text: `${d.compound ?? ''}\n${content}`, propertyKnown: true })),
    ...(d.transfer ? { transfer: d.transfer } : {}),
  };
  const r = await registerCase(deps, input, { actor: actorOf(o) });
  if (!r.ok) {
    await refuse(ctx, r.error.message);
    return;
  }
  await endDialogue(deps.db, chatIdOf(ctx));
  state(ctx).dialogue = undefined;
  deps.log.info({ tracking: r.complaint.tracking, officer: o.id, source }, 'bot: case registered');
  await showCard(ctx, deps, r.complaint, o, 'reply', TEXT.registered(r.complaint.tracking));
}
