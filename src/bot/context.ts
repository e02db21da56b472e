// What every bot feature gets: the service's dependencies, and per update the officer and their dialogue.
import type { Agent } from 'node:http';
import type { Context } from 'telegraf';
import type { CaseDeps } from '../cases/deps.ts';
import type { Actor, ClassificationSummary } from '../domain.ts';
import type { Officer } from '../store/officers.ts';
import type { Callback } from '../messages/callback.ts';
import type { Dialogue } from './session.ts';

export type { ClassifyFn } from '../runtime.ts';
import type { ClassifyFn } from '../runtime.ts';

/** The use cases' dependencies, and what the bot itself needs. */
export interface BotDeps extends CaseDeps {
  /** Registers an unregistered mail through the intake (main.ts gives it; without it the desk's button says busy). */
  promoteMail?: (rawMailId: number, by: Actor) => Promise<{ ok: true; tracking: string } | { ok: false; message: string }>;
  classify: ClassifyFn;
  /** Proxy for downloading officers' photos (the Bot API client has its own). */
  agent?: Agent;
}

interface BotState {
  officer?: Officer;
  dialogue?: Dialogue;
  /** The tapped button, parsed once (index.ts refuses data that does not parse). */
  callback?: Callback;
}

export function state(ctx: Context): BotState {
  return ctx.state as BotState;
}

/** The linked officer; the gate in index.ts guarantees one for every feature composer. */
export function officerOf(ctx: Context): Officer {
  const o = state(ctx).officer;
  if (!o) throw new Error('bot: feature reached without a linked officer');
  return o;
}

export function chatIdOf(ctx: Context): number {
  const id = ctx.chat?.id;
  if (id === undefined) throw new Error('bot: update without a chat');
  return id;
}

/** The parsed button of a callback update, when it is of the wanted kind. */
export function callbackOf<K extends Callback['kind']>(ctx: Context, kind: K): Extract<Callback, { kind: K }> | undefined {
  const cb = state(ctx).callback;
  return cb?.kind === kind ? (cb as Extract<Callback, { kind: K }>) : undefined;
}
