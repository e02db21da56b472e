// Officers as workflow actors, and what each may see and tap. Pure: who may act is decided by the workflow
// (workflow/auth.ts canAct and the state checks of transition); the buttons shown are those a dry run of the
// workflow would accept, so the keyboard can never offer what the workflow refuses.
import type { Actor, Case, TaskScope, UnitCode } from '../domain.ts';
import type { Officer } from '../store/officers.ts';
import type { Calendar } from '../workflow/calendar.ts';
import { canAct, reviewingUnit, type AuthResult, type Reach } from '../workflow/auth.ts';
import { offeredCommands, precheckCommand, type OfferedCommand } from '../workflow/offers.ts';
import { UNIT_CODES } from '../domain.ts';
import type { CaseVerb } from '../messages/callback.ts';
import { TEXT } from '../messages/bot-texts.ts';

export function actorOf(o: Officer): Actor {
  return {
    kind: 'officer',
    officerId: o.id,
    role: o.role,
    unit: o.unit,
    county: o.county,
    ...(o.cityLevel ? { cityLevel: true } : {}),
    ...(o.unitHead ? { unitHead: true } : {}),
    ...(o.name ? { name: o.name } : {}),
  };
}

export function canRead(o: Officer, c: Reach): AuthResult {
  return canAct(actorOf(o), 'read', c);
}

/** Supervisors read everything and every read is audited (000 附件 六(一) 实时监督检查). */
export function readIsAudited(o: Officer): boolean {
  return o.role === 'supervisor';
}

/**
 * Who may register a phone/visit/letter/12345 case with /new: unit officers and admins (受理登记). Supervisors only
 * read; cosigners and reviewers sign and review cases others registered.
 */
export function mayRegister(o: Officer): boolean {
  return o.role === 'officer' || o.role === 'admin';
}

/**
 * Who may record a company action as done (the ✅ 已完成 button of its notices and reminders): an officer of the unit
 * that carries the step out (000 附件 三(三): housing; 发改 for the fee standard; 市场监管 for refunds) in the
 * company's county, or that county's admin. Supervisors and the city watch; they do not sign the work off.
 */
export function mayCompleteCompanyAction(o: Officer, a: { doer: UnitCode; county: string }): boolean {
  if (o.role === 'admin' && o.cityLevel) return true;
  if (o.county !== a.county) return false;
  if (o.role === 'admin') return true;
  return o.role === 'officer' && o.unit === a.doer;
}

/** Who reviews a county's unregistered mail (查看, 登记为投诉, /mail): its housing office and admins; the city's admins everywhere. */
export function mayReviewMail(o: Officer, county: string): boolean {
  if (o.role === 'admin') return o.cityLevel === true || o.county === county;
  return o.role === 'officer' && o.unit === 'housing' && o.county === county;
}

/** The workflow command each case button stands for (workflow/offers.ts probes it), in display order. */
const VERB_COMMANDS: readonly [CaseVerb, OfferedCommand][] = [
  ['accept', 'accept'],
  ['return', 'return'],
  ['progress', 'progress'],
  ['complex', 'markComplex'],
  ['plan', 'submitPlan'],
  ['extend', 'requestExtension'],
  ['resolve', 'resolve'],
  ['cosign', 'cosign'],
  ['rejectCosign', 'rejectCosign'],
  ['review', 'review'],
  ['rejectReview', 'rejectReview'],
  ['writeOff', 'writeOff'],
  ['approveExtension', 'decideExtension'],
  ['rejectExtension', 'decideExtension'],
  ['assign', 'assign'],
  ['move', 'reclassify'],
  ['letter', 'writeResident'],
  ['contribute', 'contribute'],
  ['openPenalty', 'openPenalty'],
  ['decidePenalty', 'decidePenalty'],
  ['extendPenalty', 'extendPenalty'],
  ['supervise', 'supervise'],
  ['company', 'setCompany'],
  ['coUnits', 'setCoUnits'],
];
const COMMAND_BY_VERB = new Map(VERB_COMMANDS);

/** The case buttons this officer may press now, in display order. */
export function availableVerbs(c: Case, o: Officer, now: Date, cal: Calendar): CaseVerb[] {
  const offered = new Set(offeredCommands(c, actorOf(o), now, cal));
  return VERB_COMMANDS.filter(([, type]) => offered.has(type)).map(([verb]) => verb);
}

/**
 * Would the workflow accept this verb from this officer now (ignoring the content still to be typed)? Checked
 * before a dialogue starts, so nobody types a reason only to be refused afterwards.
 */
export function precheck(c: Case, o: Officer, verb: CaseVerb, now: Date, cal: Calendar): { ok: true } | { ok: false; message: string } {
  const type = COMMAND_BY_VERB.get(verb === 'cosignAgree' ? 'cosign' : verb === 'finding' ? 'resolve' : verb);
  return type ? precheckCommand(c, actorOf(o), type, now, cal) : { ok: true };
}

export function taskScope(o: Officer): TaskScope {
  switch (o.role) {
    case 'officer':
      // The housing office also works the county's triage queue (高效分转).
      return { kind: 'unit', unit: o.unit, county: o.county, triage: o.unit === 'housing' };
    case 'cosigner':
      return { kind: 'cosign', county: o.county };
    case 'reviewer':
      return { kind: 'review', units: UNIT_CODES.filter((u) => reviewingUnit(u) === o.unit) };
    case 'supervisor':
      return { kind: 'all' };
    case 'admin':
      return o.cityLevel ? { kind: 'all' } : { kind: 'county', county: o.county };
  }
}

/** Whose figures /stats shows. */
export function statsScope(o: Officer): { unit: UnitCode | null; county: string | null } {
  switch (o.role) {
    case 'officer':
    case 'cosigner':
      return { unit: o.unit, county: o.county };
    case 'reviewer':
      return { unit: o.unit, county: null };
    case 'admin':
      return { unit: null, county: o.cityLevel ? null : o.county };
    default:
      return { unit: null, county: null };
  }
}

/**
 * What an officer is told when an action on a case is refused. A case beyond their reach gets the same answer as
 * one that does not exist: a forged button (any case id) must not reveal which cases exist.
 */
export function refusalFor(o: Officer, c: Reach | undefined, message: string): string {
  return c && canRead(o, c).ok ? message : TEXT.notFound;
}
