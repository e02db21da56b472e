// What an actor may be offered on a case now: a dry run of `transition` with placeholder content. Every adapter
// (the bot's buttons, the web console's forms) shows exactly the commands this table says the workflow would
// accept, so none offers what the workflow refuses. Pure: `now` and the calendar come in as arguments.
import type { Actor, Case } from '../domain.ts';
import { UNIT_CODES } from '../domain.ts';
import type { Calendar } from './calendar.ts';
import { transition, type Command, type CommandType } from './complaint.ts';

/** The commands a person starts from a case (what arrives from the complainant by mail is never offered). */
export type OfferedCommand = Exclude<CommandType, 'reopen' | 'reply' | 'rate'>;

/** The command an offer stands for, with placeholder content for a dry run. The order is the display order. */
export const PROBES: readonly (readonly [OfferedCommand, (now: Date, c: Case) => Command])[] = [
  ['accept', () => ({ type: 'accept' })],
  ['return', () => ({ type: 'return', reason: '-' })],
  ['progress', () => ({ type: 'progress', text: '-' })],
  ['markComplex', () => ({ type: 'markComplex', reason: '-' })],
  ['submitPlan', (now) => ({ type: 'submitPlan', text: '-', until: farFuture(now) })],
  ['requestExtension', (now) => ({ type: 'requestExtension', reason: '-', until: farFuture(now) })],
  ['resolve', () => ({ type: 'resolve', finding: 'substantiated', result: '-' })],
  ['cosign', () => ({ type: 'cosign', opinion: '-' })],
  ['rejectCosign', () => ({ type: 'rejectCosign', reason: '-' })],
  ['review', () => ({ type: 'review' })],
  ['rejectReview', () => ({ type: 'rejectReview', reason: '-' })],
  ['writeOff', () => ({ type: 'writeOff' })],
  // Approving and refusing an extension are accepted in the same states by the same people.
  ['decideExtension', () => ({ type: 'decideExtension', approve: true })],
  ['assign', () => ({ type: 'assign', unit: 'housing' })],
  // Any change of unit or problem type: here the problem type.
  ['reclassify', (_now, c) => ({ type: 'reclassify', unit: c.unit ?? 'housing', problem: c.problem === 'other' ? null : 'other' })],
  ['writeResident', () => ({ type: 'writeResident', text: '-' })],
  ['contribute', () => ({ type: 'contribute', text: '-' })],
  ['openPenalty', () => ({ type: 'openPenalty' })],
  ['decidePenalty', () => ({ type: 'decidePenalty', decision: '-' })],
  ['extendPenalty', () => ({ type: 'extendPenalty', reason: '-' })],
  ['supervise', () => ({ type: 'supervise' })],
  ['setCompany', (_now, c) => ({ type: 'setCompany', company: `${c.company ?? ''}-` })],
  // Any change of the co-handling units: one added when there are none, else all removed.
  ['setCoUnits', (_now, c) => ({ type: 'setCoUnits', units: c.coUnits.length ? [] : UNIT_CODES.filter((u) => u !== c.unit).slice(0, 1) })],
];
const PROBE_BY_COMMAND = new Map<OfferedCommand, (now: Date, c: Case) => Command>(PROBES);

function farFuture(now: Date): string {
  return new Date(now.getTime() + 1000 * 86_400_000).toISOString();
}

/** The commands this actor may start on this case now, in display order. */
export function offeredCommands(c: Case, actor: Actor, now: Date, cal: Calendar): OfferedCommand[] {
  return PROBES.filter(([, cmd]) => transition(c, cmd(now, c), actor, now, cal).ok).map(([type]) => type);
}

/**
 * Would the workflow accept this command from this actor now (ignoring the content still to be typed)? Asked
 * before anyone types a reason, so nobody is refused only afterwards. A command without a probe is not prechecked.
 */
export function precheckCommand(
  c: Case,
  actor: Actor,
  type: OfferedCommand,
  now: Date,
  cal: Calendar,
): { ok: true } | { ok: false; message: string } {
  const probe = PROBE_BY_COMMAND.get(type);
  if (!probe) return { ok: true };
  const r = transition(c, probe(now, c), actor, now, cal);
  return r.ok ? { ok: true } : { ok: false, message: r.error.message };
}
