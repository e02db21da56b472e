// The case state machine of the complaint procedure (000 附件 物业服务企业投诉举报处理流程). Pure: the case, the
// command, the actor, "now" and the working-day calendar come in; the next case, its audit events and the effects
// (what must reach whom) go out. The adapter writes all three in one transaction and sends nothing itself.
//
//   register ─► assigned ─accept─► accepted ─progress─► in_progress ─resolve─► resolved
//      │            │ return          │ markComplex → submitPlan ─► plan_submitted      │
//      └► triage ◄──┘                 │ requestExtension / decideExtension (flag only)  │
//           └─assign─► assigned                                                         │
//   housing-handled: resolved ─cosign─► cosigned ─review─► reviewed ─writeOff─► written_off
//   other units:     resolved ─────────────────review─► reviewed ─writeOff─► written_off
//   rejectCosign / rejectReview → in_progress;  reopen (complainant not satisfied) → reopened
//
// Decisions the seed leaves open, made here:
// - "接收到转办线索后… 7日内办结" (000 附件 三(一)): the unit "receives" the clue at the assignment instant (the
//   system delivers it then), so the close clock starts at assignment, not at the officer's tap on 接收.
// - A complex case's plan sets its own timeline (按照解决方案中确定的时限要求推进工作): submitPlan moves the close
//   deadline to the plan's `until`, marks the plan deadline met (removed, audited) and starts the monthly progress.
// - markComplex never shortens a clock: close = the later of the current close and 1 month from receipt.
// - Reopening starts a fresh close period from the reopening instant (7 days, or 1 month for complex cases).
// - The office's triage queue is addressed as notify-unit 'housing' of the county (the office is housing's).
// - Urgent cases: transfer is due at registration (立即, rules.transferDueAt); nothing else changes in the clocks.
// - A misrouted case (return) loses its unit, complex flag, pending request and used extension: the next unit
//   starts fresh from its own assignment.
import {
  ACCEPTED_STATUSES,
  CLOSED_STATUSES,
  FINDINGS,
  PROBLEM_TYPES,
  WORKING_STATUSES,
  UNIT_CODES,
  type Actor,
  type CaseEvent,
  type ClassificationSummary,
  type Complainant,
  type Case,
  type Deadlines,
  type Effect,
  type Finding,
  type LetterDetail,
  type ProblemType,
  type Source,
  type Status,
  type UnitCode,
  SOURCES,
  STATUS_NAMES,
} from '../domain.ts';
import type { Calendar } from './calendar.ts';
import { dueAt, extendedPenaltyDue, transferDueAt, type DeadlineRule } from './rules.ts';
import { daysBetween, endOfDayShanghai, isValidDay, parseInstant, shanghaiDay } from '../time.ts';
import { canAct } from './auth.ts';
import { workflowError, type WorkflowError, type WorkflowErrorCode } from './errors.ts';

// ─── Commands ────────────────────────────────────────────────────────────────────────────────────────────────

export type Command =
  | { type: 'assign'; unit: UnitCode; coUnits?: UnitCode[] }
  | { type: 'setCoUnits'; units: UnitCode[] }
  | { type: 'contribute'; text: string; photos?: string[] }
  | { type: 'accept' }
  | { type: 'return'; reason: string }
  | { type: 'progress'; text: string; photos?: string[] }
  | { type: 'markComplex'; reason: string }
  | { type: 'submitPlan'; text: string; until: string }
  | { type: 'requestExtension'; until: string; reason: string }
  | { type: 'decideExtension'; approve: boolean; note?: string }
  | { type: 'resolve'; finding: Finding; result: string; photos?: string[] }
  | { type: 'cosign'; opinion: string }
  | { type: 'rejectCosign'; reason: string }
  | { type: 'review'; note?: string }
  | { type: 'rejectReview'; reason: string }
  | { type: 'writeOff' }
  | { type: 'reopen'; text: string }
  | { type: 'reply'; text: string }
  | { type: 'rate'; text: string }
  | { type: 'writeResident'; text: string }
  | { type: 'setCompany'; company: string | null }
  | { type: 'openPenalty' }
  | { type: 'decidePenalty'; decision: string }
  | { type: 'extendPenalty'; reason: string }
  | { type: 'supervise' }
  | { type: 'reclassify'; unit: UnitCode; problem: ProblemType | null; reason?: string };
export type CommandType = Command['type'];

export const COMMAND_TYPES = [
  'assign',
  'setCoUnits',
  'contribute',
  'accept',
  'return',
  'progress',
  'markComplex',
  'submitPlan',
  'requestExtension',
  'decideExtension',
  'resolve',
  'cosign',
  'rejectCosign',
  'review',
  'rejectReview',
  'writeOff',
  'reopen',
  'reply',
  'rate',
  'writeResident',
  'setCompany',
  'openPenalty',
  'decidePenalty',
  'extendPenalty',
  'supervise',
  'reclassify',
] as const satisfies readonly CommandType[];

/** Message templates named by effects; the outbox renders each in Chinese. */
export const EFFECT_TEMPLATES = [
  'ack', // complainant: received, tracking number
  'urgent', // unit/township/leaders: 危及房屋使用和人身安全, act now
  'assigned', // unit: a new case
  'triage', // housing office: a case to route by hand
  'hotline-registered', // approval: a 12345 case was registered
  'returned', // housing office: a unit sent a case back
  'reassigned', // former unit: the case was moved away
  'progress', // complainant/housing: monthly progress of a complex or supervised case
  'complex', // housing: a unit declared a case complex
  'plan', // complainant/housing: the plan with its timeline
  'extension-requested', // reviewers
  'extension-approved', // unit
  'extension-rejected', // unit
  'resolved', // complainant: the result, within the close deadline (办结并反馈给投诉人)
  'cosign-needed', // cosigners of the county
  'cosign-rejected', // unit
  'review-needed', // reviewers
  'review-rejected', // unit
  'result', // complainant: written off, final result
  'hotline-feedback', // approval: feed the result back to the 12345 hotline
  'reopened', // unit/housing: the complainant is not satisfied
  'reply', // unit: the complainant wrote again
  'supervised', // unit: 挂牌督办
  // Letters to the complainant only (messages/letters.ts): each step that changes what they were told.
  'accepted', // the unit accepted the case
  'moved', // the office moved the case to another unit
  'extended', // the close deadline was extended
  'sent-back', // the closure was not accepted; the unit works on
  'officer-letter', // an officer or the desk writes to the complainant
  'co-assigned', // a co-handling unit (协办): its part of another unit's case
  'co-report', // the lead unit (主办): a co-handling unit reported its part
  'penalty-opened', // complainant/housing: 立案查处 with its two clocks
  'penalty', // complainant/housing: the penalty decided (处罚情况…反馈)
  'penalty-extended', // complainant/housing: the 90-day decision period extended by 30 days, approved by the unit's head
] as const;
export type EffectTemplate = (typeof EFFECT_TEMPLATES)[number];

/** An effect of a case that has no id yet (registration); the adapter adds it after the insert. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EffectDraft = DistributiveOmit<Effect, 'caseId'>;

export function withCaseId(drafts: readonly EffectDraft[], caseId: number): Effect[] {
  return drafts.map((d) => ({ ...d, caseId }) as Effect);
}

// ─── States ──────────────────────────────────────────────────────────────────────────────────────────────────

/** The unit is working the case: it may report progress, ask for time, close it. */
const WORKING: readonly Status[] = ACCEPTED_STATUSES;
/** Working, and no plan submitted yet (plan_submitted is always a complex case). */
const BEFORE_PLAN: readonly Status[] = ['accepted', 'in_progress', 'reopened'];
/** The unit's close clock runs. */
const OPEN: readonly Status[] = WORKING_STATUSES;
/** Closed by the unit; the complainant may still say it is not solved. */
const REOPENABLE: readonly Status[] = CLOSED_STATUSES;

const SYSTEM: Actor = { kind: 'system', name: 'intake' };

// ─── Registration ────────────────────────────────────────────────────────────────────────────────────────────

export interface RegisterInput {
  source: Source;
  county: string;
  complainant: Complainant;
  compound: string | null;
  address: string | null;
  company: string | null;
  subject: string;
  body: string;
  receivedAt: string;
  classification: ClassificationSummary;
  /** Co-handling units (协办) known at registration (the desk's /new, the classifier's second units). */
  coUnits?: UnitCode[];
  /** A transferred case (信访部门转办, 省厅转办): the transferring body and its reference number, kept in the audit. */
  transfer?: string;
}

export type NewCase = Omit<Case, 'id' | 'tracking'>;

export type RegisterResult =
  | { ok: true; case: NewCase; events: CaseEvent[]; effects: EffectDraft[] }
  | { ok: false; error: WorkflowError };

/**
 * Registers a classified clue (000 附件 一 受理登记, 二 高效分转):
 * - urgent (危及房屋使用和人身安全) with a unit: assigned at once; the unit and the township (first responsible
 *   party, 000 附件 二(十一)) — and the community too for housing matters — are told immediately, and the leaders
 *   at the same time (同步向同级党委政府报告). Urgent without a unit goes to the triage queue, flagged urgent.
 * - clear (a unit, no triage flag): assigned to that unit now; the transfer deadline is still recorded (met).
 * - unclear: the housing office's triage queue.
 * - no unit and nothing urgent: not a property complaint; intake should not call this (NOT_A_COMPLAINT).
 * 12345 cases follow the hotline procedure (000 附件 三(一)): the approval unit, which forwards hotline tickets
 * (000 附件 二(十) 1), is told of the registration and, at write-off, feeds the result back.
 */
export function register(input: RegisterInput, now: Date, cal: Calendar, actor: Actor = SYSTEM): RegisterResult {
  const bad = validateRegisterInput(input);
  if (bad) return { ok: false, error: bad };
  const cls = input.classification;
  const urgent = cls.urgent === true;
  if (!cls.unit && !urgent && !cls.triage) return fail('NOT_A_COMPLAINT');

  const at = now.toISOString();
  const unit: UnitCode | null = cls.unit && (urgent || !cls.triage) ? cls.unit : null;
  const transfer = transferDueAt(now, urgent, cal).toISOString();
  const deadlines: Deadlines = { transfer };
  if (unit) deadlines.close = dueAt('close', now, cal).toISOString();
  const status: Status = unit ? 'assigned' : 'triage';

  const c: NewCase = {
    county: input.county,
    source: input.source,
    status,
    unit,
    // Co-handling units only with a lead; never the lead itself.
    coUnits: unit ? [...new Set(input.coUnits ?? [])].filter((u) => u !== unit && isUnit(u)) : [],
    problem: cls.problem,
    urgent,
    complex: false,
    supervised: false,
    complainant: {
      name: capped(input.complainant.name, FIELD_LIMITS.name),
      phone: capped(input.complainant.phone, FIELD_LIMITS.phone),
      email: capped(input.complainant.email, FIELD_LIMITS.email),
    },
    compound: capped(input.compound, FIELD_LIMITS.compound),
    address: capped(input.address, FIELD_LIMITS.address),
    company: capped(input.company, FIELD_LIMITS.company),
    subject: capped(input.subject, FIELD_LIMITS.subject)!,
    body: capped(input.body, FIELD_LIMITS.body)!,
    classification: cls,
    receivedAt: input.receivedAt,
    assignedAt: unit ? at : null,
    acceptedAt: null,
    resolvedAt: null,
    writtenOffAt: null,
    finding: null,
    result: null,
    deadlines,
    extension: null,
    extended: false,
    penaltyExtended: false,
  };

  const events: CaseEvent[] = [
    {
      type: 'registered',
      at,
      actor,
      from: null,
      to: 'received',
      data: {
        source: input.source,
        ...(input.transfer ? { transfer: input.transfer } : {}),
        classification: { unit: cls.unit, problem: cls.problem, urgent, triage: cls.triage, score: cls.score },
        deadlines: { transfer: { old: null, new: transfer } },
      },
    },
    unit
      ? {
          type: 'assigned',
          at,
          actor,
          from: 'received',
          to: 'assigned',
          data: { unit, urgent, deadlines: { close: { old: null, new: deadlines.close } } },
        }
      : { type: 'triage', at, actor, from: 'received', to: 'triage', data: { urgent, suggested: cls.unit } },
  ];

  const county = input.county;
  const effects: EffectDraft[] = [];
  if (urgent) {
    // 000 附件 二: 住建职责 → 立即通知乡(镇)、社区(村); 其他部门 → 立即通知同级相关职能部门; 同步向同级党委政府报告.
    // Without a unit the housing office must route it at once; the township is the first responsible party.
    const told = new Set<UnitCode>([unit ?? 'housing', 'township']);
    if (unit === 'housing') told.add('community');
    for (const u of told) {
      const template = !unit && u === 'housing' ? 'triage' : 'urgent';
      effects.push({ kind: 'notify-unit', unit: u, county, template, urgent: true });
    }
    effects.push({ kind: 'escalate', level: 'leader', unit, county, template: 'urgent' });
  } else if (unit) {
    effects.push({ kind: 'notify-unit', unit, county, template: 'assigned', urgent: false });
  } else {
    effects.push({ kind: 'notify-unit', unit: 'housing', county, template: 'triage', urgent: false });
  }
  if (input.source === '12345') {
    effects.push({ kind: 'notify-unit', unit: 'approval', county, template: 'hotline-registered', urgent });
  }
  if (input.complainant.email) effects.push({ kind: 'email-complainant', template: 'ack' });

  return { ok: true, case: c, events, effects };
}

/**
 * The longest a stored field may be. A mail can carry a 1 MB subject; a register, a ledger cell (Excel holds 32,767
 * characters) and an officer's screen cannot. The raw mail keeps every byte.
 */
export const FIELD_LIMITS = { subject: 200, body: 20_000, name: 50, phone: 40, email: 254, compound: 100, address: 200, company: 100 } as const;

export function capped(s: string | null, max: number): string | null {
  if (s === null || s === undefined) return s;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function validateRegisterInput(input: RegisterInput): WorkflowError | null {
  if (!input || typeof input !== 'object') return workflowError('INVALID_INPUT');
  if (!(SOURCES as readonly string[]).includes(input.source)) return workflowError('INVALID_INPUT', `来源 ${String(input.source)}`);
  if (typeof input.county !== 'string' || !input.county.trim()) return workflowError('INVALID_INPUT', '县(市、区)');
  if (typeof input.receivedAt !== 'string' || Number.isNaN(Date.parse(input.receivedAt))) {
    return workflowError('INVALID_INPUT', '收到时间');
  }
  if (typeof input.subject !== 'string' || typeof input.body !== 'string') return workflowError('INVALID_INPUT', '内容');
  const cls = input.classification;
  if (!cls || typeof cls !== 'object') return workflowError('INVALID_INPUT', '分类');
  if (cls.unit !== null && !isUnit(cls.unit)) return workflowError('INVALID_INPUT', `单位 ${String(cls.unit)}`);
  if (cls.problem !== null && !isProblem(cls.problem)) return workflowError('INVALID_INPUT', `问题类型 ${String(cls.problem)}`);
  return null;
}

// ─── Transitions ─────────────────────────────────────────────────────────────────────────────────────────────

export type TransitionResult =
  | { ok: true; case: Case; events: CaseEvent[]; effects: Effect[] }
  | { ok: false; error: WorkflowError };

interface Ctx<C extends Command> {
  c: Case;
  cmd: C;
  actor: Actor;
  now: Date;
  at: string;
  cal: Calendar;
}

/** What one command does; `transition` turns it into the next case, one audited event and the effects. */
interface Step {
  type: string;
  to?: Status;
  patch?: Partial<Omit<Case, 'id' | 'tracking' | 'status'>>;
  data?: Record<string, unknown>;
  effects?: EffectDraft[];
}

type Handlers = { [K in CommandType]: (ctx: Ctx<Extract<Command, { type: K }>>) => Step | WorkflowError };

/**
 * Applies a command. Order of checks: the command's shape, then who may act (auth.ts), then the case's state,
 * then the command's content. Every success appends one event; any deadline that changed is listed in the
 * event's `data.deadlines` as `{ old, new }`.
 */
export function transition(c: Case, cmd: Command, actor: Actor, now: Date, cal: Calendar): TransitionResult {
  if (!cmd || typeof cmd !== 'object' || !(COMMAND_TYPES as readonly string[]).includes((cmd as { type?: string }).type ?? '')) {
    return fail('INVALID_INPUT', '未知操作');
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) return fail('INVALID_INPUT', '时间');
  const allowed = canAct(actor, cmd.type, c);
  if (!allowed.ok) return allowed;

  const handler = HANDLERS[cmd.type] as (ctx: Ctx<Command>) => Step | WorkflowError;
  const step = handler({ c, cmd, actor, now, at: now.toISOString(), cal });
  if ('code' in step) return { ok: false, error: step };

  const next: Case = { ...c, ...step.patch, status: step.to ?? c.status };
  const changed = deadlineChanges(c.deadlines, next.deadlines);
  const data = { ...step.data, ...(changed ? { deadlines: changed } : {}) };
  const event: CaseEvent = { type: step.type, at: now.toISOString(), actor, from: c.status, to: next.status, data };
  return { ok: true, case: next, events: [event], effects: withCaseId(step.effects ?? [], c.id) };
}

const HANDLERS: Handlers = {
  // 高效分转 from the housing office's triage queue (000 附件 二).
  assign({ c, cmd, now, cal }) {
    if (c.status !== 'triage') return wrongState(c);
    if (!isUnit(cmd.unit)) return workflowError('INVALID_INPUT', '承办单位');
    const co = coUnitList(cmd.coUnits ?? [], cmd.unit);
    if (!co) return workflowError('INVALID_INPUT', '协办单位');
    return {
      type: 'assigned',
      to: 'assigned',
      patch: {
        unit: cmd.unit,
        coUnits: co,
        assignedAt: now.toISOString(),
        acceptedAt: null,
        deadlines: { ...c.deadlines, close: iso(dueAt(closeRule(c), now, cal)) },
      },
      data: { unit: cmd.unit, ...(co.length ? { coUnits: co } : {}) },
      effects: [newTask(c, cmd.unit), ...co.map((u) => notifyUnit(c, u, 'co-assigned', c.urgent)), ...complainantMail(c, 'assigned')],
    };
  },

  // 主办/协办: the office names the units that handle a part of the case beside the lead (a falling façade is
  // housing's, the lift in it market regulation's). Each added unit is told, urgently when the case is.
  setCoUnits({ c, cmd }) {
    if (!OPEN.includes(c.status) || !c.unit) return wrongState(c);
    const co = coUnitList(cmd.units, c.unit);
    if (!co) return workflowError('INVALID_INPUT', '协办单位');
    const same = co.length === c.coUnits.length && co.every((u) => c.coUnits.includes(u));
    if (same) return workflowError('INVALID_INPUT', '未作任何变更');
    const added = co.filter((u) => !c.coUnits.includes(u));
    return {
      type: 'co-units',
      patch: { coUnits: co },
      data: { coUnits: { old: c.coUnits, new: co } },
      effects: added.map((u) => notifyUnit(c, u, 'co-assigned', c.urgent)),
    };
  },

  // A co-handling unit reports its part; the lead unit, which answers for the whole case, is told.
  contribute({ c, cmd, actor }) {
    if (!OPEN.includes(c.status) || !c.unit) return wrongState(c);
    const body = text(cmd.text);
    if (!body) return workflowError('INVALID_INPUT', '协办情况');
    const photos = photoList(cmd.photos);
    if (!photos) return workflowError('INVALID_INPUT', '照片');
    const unit = actor.kind === 'officer' && actor.unit && c.coUnits.includes(actor.unit) ? actor.unit : null;
    return {
      type: 'contributed',
      data: { unit, text: body, photos },
      effects: [notifyUnit(c, c.unit, 'co-report', c.urgent), ...complainantMail(c, 'progress', { text: body, photos: photos.length, byUnit: unit })],
    };
  },

  accept({ c, at }) {
    if (c.status !== 'assigned') return wrongState(c);
    return { type: 'accepted', to: 'accepted', patch: { acceptedAt: at }, effects: complainantMail(c, 'accepted') };
  },

  // A misrouted case goes back to the office's queue without a unit.
  return({ c, cmd }) {
    if (c.status !== 'assigned' && c.status !== 'accepted') return wrongState(c);
    const reason = text(cmd.reason);
    if (!reason) return workflowError('INVALID_INPUT', '退回理由');
    return {
      type: 'returned',
      to: 'triage',
      patch: { unit: null, coUnits: [], assignedAt: null, acceptedAt: null, complex: false, extension: null, extended: false },
      data: { unit: c.unit, reason, reset: { complex: c.complex, extension: c.extension, extended: c.extended, coUnits: c.coUnits } },
      // The complainant was told this unit handles it: now that it does not, and why, and that a new one is chosen.
      effects: [notifyUnit(c, 'housing', 'returned', c.urgent), ...complainantMail(c, 'returned', { fromUnit: c.unit, reason })],
    };
  },

  // 按月向投诉人、转办的住建部门反馈进展情况 (000 附件 三(一)); 挂牌督办 按月反馈 (正文 四(四)).
  progress({ c, cmd, now, cal }) {
    if (!WORKING.includes(c.status)) return wrongState(c);
    const body = text(cmd.text);
    if (!body) return workflowError('INVALID_INPUT', '进展情况');
    const photos = photoList(cmd.photos);
    if (!photos) return workflowError('INVALID_INPUT', '照片');
    const monthly = c.complex || c.supervised;
    return {
      type: 'progress',
      to: 'in_progress',
      patch: monthly ? { deadlines: { ...c.deadlines, progress: iso(dueAt('progress', now, cal)) } } : undefined,
      data: { text: body, photos },
      // The complainant hears every progress report in the officer's words (throttled to one letter a day).
      effects: [...complainantMail(c, 'progress', { text: body, photos: photos.length }), ...(monthly ? tellHousing(c, 'progress') : [])],
    };
  },

  // 重大问题包括一些复杂问题要在1个月内落实解决; 确实解决不了的，7日内拿出时间节点和方案 (000 附件 三(一)).
  // The deadline moves by a month, so the unit must say why; the complainant is told why and by when.
  markComplex({ c, cmd, now, cal }) {
    if (!BEFORE_PLAN.includes(c.status)) return wrongState(c);
    if (c.complex) return workflowError('ALREADY_COMPLEX');
    const reason = text(cmd.reason);
    if (!reason) return workflowError('INVALID_INPUT', '认定复杂问题的理由');
    const receipt = c.assignedAt ? new Date(c.assignedAt) : now;
    const close = later(c.deadlines.close, iso(dueAt('complex', receipt, cal)));
    return {
      type: 'marked-complex',
      patch: { complex: true, deadlines: { ...c.deadlines, close, plan: iso(dueAt('plan', now, cal)) } },
      data: { reason },
      effects: [...tellHousing(c, 'complex'), ...complainantMail(c, 'complex', { reason })],
    };
  },

  // 按照解决方案中确定的时限要求推进工作，并按月…反馈进展情况 (000 附件 三(一)).
  submitPlan({ c, cmd, now, cal }) {
    if (!BEFORE_PLAN.includes(c.status)) return wrongState(c);
    if (!c.complex) return workflowError('NOT_COMPLEX');
    const plan = text(cmd.text);
    if (!plan) return workflowError('INVALID_INPUT', '解决方案');
    const until = parseUntil(cmd.until, now);
    if (!until) return workflowError('INVALID_INPUT', '方案完成时限须为今后的日期');
    const { plan: _met, ...rest } = c.deadlines;
    return {
      type: 'plan-submitted',
      to: 'plan_submitted',
      patch: { deadlines: { ...rest, close: until, progress: iso(dueAt('progress', now, cal)) } },
      data: { text: plan, until },
      effects: [...complainantMail(c, 'plan', { text: plan, until }), ...tellHousing(c, 'plan')],
    };
  },

  requestExtension({ c, cmd, actor, now }) {
    if (!WORKING.includes(c.status)) return wrongState(c);
    if (c.extended) return workflowError('ALREADY_EXTENDED');
    if (c.extension) return workflowError('EXTENSION_PENDING');
    const reason = text(cmd.reason);
    if (!reason) return workflowError('INVALID_INPUT', '延期理由');
    const until = parseUntil(cmd.until, now);
    if (!until || (c.deadlines.close && until <= c.deadlines.close)) {
      return workflowError('INVALID_INPUT', '延期后的期限须晚于现办结期限');
    }
    return {
      type: 'extension-requested',
      patch: { extension: { until, reason, requestedBy: actor.officerId ?? 0 } },
      data: { until, reason, close: c.deadlines.close ?? null },
      effects: [notifyReviewers('extension-requested')],
    };
  },

  // Only one approved extension per case.
  decideExtension({ c, cmd }) {
    if (!WORKING.includes(c.status)) return wrongState(c);
    if (c.extended) return workflowError('ALREADY_EXTENDED');
    const request = c.extension;
    if (!request) return workflowError('NO_EXTENSION_REQUEST');
    if (typeof cmd.approve !== 'boolean') return workflowError('INVALID_INPUT', '请选择批准或不批准');
    const note = cmd.note === undefined ? null : text(cmd.note);
    const unit = c.unit as UnitCode; // WORKING cases always have a unit
    if (!cmd.approve) {
      return {
        type: 'extension-rejected',
        patch: { extension: null },
        data: { request, note },
        effects: [notifyUnit(c, unit, 'extension-rejected', false)],
      };
    }
    return {
      type: 'extension-approved',
      patch: { extension: null, extended: true, deadlines: { ...c.deadlines, close: request.until } },
      data: { request, note },
      effects: [notifyUnit(c, unit, 'extension-approved', false), ...complainantMail(c, 'extended', { until: request.until, reason: request.reason })],
    };
  },

  // 办结并反馈给投诉人 (000 附件 三(一)); housing-handled cases then need the township/community's co-signature.
  resolve({ c, cmd, at }) {
    if (!WORKING.includes(c.status)) return wrongState(c);
    if (!(FINDINGS as readonly string[]).includes(cmd.finding)) return workflowError('INVALID_INPUT', '核查结论');
    const result = text(cmd.result);
    if (!result) return workflowError('INVALID_INPUT', '办理结果');
    const photos = photoList(cmd.photos);
    if (!photos) return workflowError('INVALID_INPUT', '照片');
    const next: EffectDraft =
      c.unit === 'housing'
        ? { kind: 'notify-role', role: 'cosigner', county: c.county, template: 'cosign-needed', urgent: false }
        : notifyReviewers('review-needed');
    return {
      type: 'resolved',
      to: 'resolved',
      // A pending extension request is moot once the case is closed.
      patch: { resolvedAt: at, finding: cmd.finding, result, extension: null },
      data: { finding: cmd.finding, result, photos, ...(c.extension ? { withdrawnExtension: c.extension } : {}) },
      // The result reaches the complainant once, when it is final (writeOff); now only that it awaits sign-off.
      effects: [next, ...complainantMail(c, 'resolved')],
    };
  },

  // 属地乡(镇)、社区(村)协同属地住建部门签署办结意见 (000 附件 三(一)).
  cosign({ c, cmd }) {
    const bad = needsCosign(c);
    if (bad) return bad;
    const opinion = text(cmd.opinion);
    if (!opinion) return workflowError('INVALID_INPUT', '办结意见');
    return { type: 'cosigned', to: 'cosigned', data: { opinion }, effects: [notifyReviewers('review-needed')] };
  },

  rejectCosign({ c, cmd }) {
    const bad = needsCosign(c);
    if (bad) return bad;
    return sendBack(c, cmd.reason, 'cosign-rejected');
  },

  // 由市级住建部门审核后销号; 转办至其他部门的，由市级相关部门审核后销号 (000 附件 三(一)).
  review({ c, cmd }) {
    const bad = awaitingReview(c);
    if (bad) return bad;
    const note = cmd.note === undefined ? null : text(cmd.note);
    return { type: 'reviewed', to: 'reviewed', data: { note } };
  },

  rejectReview({ c, cmd }) {
    const bad = awaitingReview(c);
    if (bad) return bad;
    return sendBack(c, cmd.reason, 'review-rejected');
  },

  writeOff({ c, at }) {
    if (c.status !== 'reviewed') return wrongState(c);
    const effects: EffectDraft[] = [...complainantMail(c, 'result')];
    // 督促承办部门及时向诉求人和12345热线反馈办理情况 (000 附件 二(十) 2).
    if (c.source === '12345') effects.push(notifyUnit(c, 'approval', 'hotline-feedback', false));
    return { type: 'written-off', to: 'written_off', patch: { writtenOffAt: at }, effects };
  },

  // The complainant says it is not solved: the unit works it again, with a fresh close period.
  reopen({ c, cmd, now, cal }) {
    if (!REOPENABLE.includes(c.status)) return wrongState(c);
    const body = text(cmd.text);
    if (!body) return workflowError('INVALID_INPUT', '回复内容');
    const unit = c.unit as UnitCode; // resolved cases always have a unit
    return {
      type: 'reopened',
      to: 'reopened',
      patch: {
        resolvedAt: null,
        writtenOffAt: null,
        finding: null,
        result: null,
        deadlines: { ...c.deadlines, close: iso(dueAt(closeRule(c), now, cal)) },
      },
      data: { text: body, previous: { finding: c.finding, result: c.result, resolvedAt: c.resolvedAt, writtenOffAt: c.writtenOffAt } },
      effects: [notifyUnit(c, unit, 'reopened', c.urgent), ...tellHousing(c, 'reopened'), ...complainantMail(c, 'reopened')],
    };
  },

  // Any other reply of the complainant: recorded, and the people handling the case see it.
  reply({ c, cmd }) {
    const body = text(cmd.text);
    if (!body) return workflowError('INVALID_INPUT', '回复内容');
    return { type: 'reply', data: { text: body }, effects: [notifyUnit(c, c.unit ?? 'housing', 'reply', false)] };
  },

  // The company a case is about, set or corrected by the unit or the office (a mail names none, or the wrong one):
  // the company's counts (000 附件 一(三), 三(三)) follow the case.
  setCompany({ c, cmd }) {
    const company = cmd.company === null ? null : text(cmd.company);
    if (cmd.company !== null && !company) return workflowError('INVALID_INPUT', '物业服务企业名称');
    const next = company ? capped(company, FIELD_LIMITS.company) : null;
    if (next === c.company) return workflowError('INVALID_INPUT', '未作任何变更');
    return { type: 'company-set', patch: { company: next }, data: { company: { old: c.company, new: next } } };
  },

  // 立案查处 (000 附件 三(二)): 15 working days to verify, 90 days to decide, from the opening. The complainant and the
  // transferring housing office hear of it.
  openPenalty({ c, now, cal }) {
    if (!WORKING.includes(c.status)) return wrongState(c);
    if (c.deadlines.penalty) return workflowError('INVALID_INPUT', '本案已立案查处');
    return {
      type: 'penalty-opened',
      patch: { deadlines: { ...c.deadlines, verify: iso(dueAt('verify', now, cal)), penalty: iso(dueAt('penalty', now, cal)) } },
      effects: [...tellHousing(c, 'penalty-opened'), ...complainantMail(c, 'penalty-opened')],
    };
  },

  // 90日内完成处罚……经本单位负责人批准，可以延长三十日 (000 附件 三(二)): once, by the unit's head (workflow/auth.ts),
  // 30 days added to the end of the 90-day period. The complainant and the transferring housing office hear of it.
  extendPenalty({ c, cmd, cal }) {
    if (!WORKING.includes(c.status)) return wrongState(c);
    if (!c.deadlines.penalty) return workflowError('INVALID_INPUT', '本案未立案查处');
    if (c.penaltyExtended) return workflowError('INVALID_INPUT', '处罚期限只能延长一次');
    const reason = text(cmd.reason);
    if (!reason) return workflowError('INVALID_INPUT', '延长理由');
    const until = iso(extendedPenaltyDue(c.deadlines.penalty, cal));
    return {
      type: 'penalty-extended',
      patch: { penaltyExtended: true, deadlines: { ...c.deadlines, penalty: until } },
      data: { reason, until },
      effects: [...tellHousing(c, 'penalty-extended'), ...complainantMail(c, 'penalty-extended', { until, reason })],
    };
  },

  // 处罚情况要及时向投诉人、转办部门反馈 (000 附件 三(二)): the decision ends both clocks.
  decidePenalty({ c, cmd }) {
    if (!WORKING.includes(c.status)) return wrongState(c);
    if (!c.deadlines.penalty) return workflowError('INVALID_INPUT', '本案未立案查处');
    const decision = text(cmd.decision);
    if (!decision) return workflowError('INVALID_INPUT', '处罚决定');
    const { verify: _v, penalty: _p, ...rest } = c.deadlines;
    return {
      type: 'penalty-decided',
      patch: { deadlines: rest },
      data: { decision },
      effects: [...tellHousing(c, 'penalty'), ...complainantMail(c, 'penalty', { text: decision })],
    };
  },

  // The complainant answers the final letter with 满意 (不满意 reopens instead): recorded for the case and the
  // company's satisfaction rate (000 附件 三(三): 满意度). Only a closed case can be rated.
  rate({ c, cmd }) {
    if (!REOPENABLE.includes(c.status)) return wrongState(c);
    const body = text(cmd.text);
    if (!body) return workflowError('INVALID_INPUT', '回复内容');
    return { type: 'rated', data: { satisfied: true, text: body } };
  },

  // An officer of the unit, or the office, writes to the complainant (through the outbox, threaded to their mail).
  writeResident({ c, cmd }) {
    if (!c.complainant.email) return workflowError('INVALID_INPUT', '投诉人未留电子邮箱，请电话联系');
    const body = text(cmd.text);
    if (!body) return workflowError('INVALID_INPUT', '致投诉人的内容');
    return { type: 'wrote-resident', data: { text: body }, effects: complainantMail(c, 'officer-letter', { text: body }) };
  },

  // 挂牌督办: 按月反馈进展情况，直至销号清零 (正文 四(四)).
  supervise({ c, now, cal }) {
    if (!OPEN.includes(c.status)) return wrongState(c);
    if (c.supervised) return workflowError('ALREADY_SUPERVISED');
    return {
      type: 'supervised',
      patch: { supervised: true, deadlines: { ...c.deadlines, progress: iso(dueAt('progress', now, cal)) } },
      effects: [notifyUnit(c, c.unit as UnitCode, 'supervised', false)],
    };
  },

  // The office corrects the unit or problem type. A new unit is a new assignment: fresh close period from now.
  reclassify({ c, cmd, now, at, cal }) {
    if (!OPEN.includes(c.status)) return wrongState(c);
    if (!isUnit(cmd.unit)) return workflowError('INVALID_INPUT', '承办单位');
    if (cmd.problem !== null && !isProblem(cmd.problem)) return workflowError('INVALID_INPUT', '问题类型');
    const unitChanged = cmd.unit !== c.unit;
    if (!unitChanged && cmd.problem === c.problem) return workflowError('INVALID_INPUT', '未作任何变更');
    const reason = cmd.reason === undefined ? null : text(cmd.reason);
    const data = { unit: { old: c.unit, new: cmd.unit }, problem: { old: c.problem, new: cmd.problem }, ...(reason ? { reason } : {}) };
    if (!unitChanged) return { type: 'reclassified', patch: { problem: cmd.problem }, data };
    return {
      type: 'reclassified',
      to: 'assigned',
      patch: {
        unit: cmd.unit,
        coUnits: c.coUnits.filter((u) => u !== cmd.unit),
        problem: cmd.problem,
        assignedAt: at,
        acceptedAt: null,
        complex: false,
        extension: null,
        extended: false,
        deadlines: { ...c.deadlines, close: iso(dueAt('close', now, cal)) },
      },
      data: { ...data, reset: { complex: c.complex, extension: c.extension, extended: c.extended } },
      effects: [
        newTask(c, cmd.unit),
        notifyUnit(c, c.unit as UnitCode, 'reassigned', false),
        ...complainantMail(c, 'moved', { fromUnit: c.unit, ...(reason ? { reason } : {}) }),
      ],
    };
  },
};

// ─── Deadlines due (for the scheduler) ───────────────────────────────────────────────────────────────────────

export type DueState = 'upcoming' | 'due-today' | 'overdue';
export interface DueItem {
  deadline: keyof Deadlines;
  dueAt: string;
  state: DueState;
}

/**
 * The live deadlines of a case that are overdue, end today, or end within `horizonDays` Shanghai days after today.
 * A deadline is live while the work it measures is still owed:
 *   transfer — until the case is assigned;  close, verify, penalty — while the unit works the case;
 *   plan — complex cases until the plan is in (submitPlan removes it);
 *   progress — complex cases while worked, supervised cases until written off.
 * Sorted by due instant.
 */
export function due(c: Case, now: Date, horizonDays = 1): DueItem[] {
  const today = shanghaiDay(now);
  const open = OPEN.includes(c.status);
  const live: Record<keyof Deadlines, boolean> = {
    transfer: c.status === 'received' || c.status === 'triage',
    close: open,
    plan: open && c.complex,
    progress: (open && c.complex) || (c.supervised && c.status !== 'written_off' && c.unit !== null),
    verify: open,
    penalty: open,
  };
  const items: DueItem[] = [];
  for (const key of Object.keys(live) as (keyof Deadlines)[]) {
    const when = c.deadlines[key];
    if (!live[key] || !when) continue;
    const instant = new Date(when);
    if (Number.isNaN(instant.getTime())) continue;
    const dueDay = shanghaiDay(new Date(instant.getTime() - 1)); // 24:00 belongs to the day that ends
    let state: DueState | null = null;
    if (instant.getTime() <= now.getTime()) state = 'overdue';
    else if (dueDay === today) state = 'due-today';
    else if (daysBetween(today, dueDay) <= horizonDays) state = 'upcoming';
    if (state) items.push({ deadline: key, dueAt: when, state });
  }
  return items.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
}

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

function fail(code: WorkflowErrorCode, detail?: string): { ok: false; error: WorkflowError } {
  return { ok: false, error: workflowError(code, detail) };
}

function wrongState(c: Case): WorkflowError {
  return workflowError('WRONG_STATE', `当前状态为「${STATUS_NAMES[c.status]}」`);
}

/** Cosign applies to housing-handled cases only (000 附件 三(一)). */
function needsCosign(c: Case): WorkflowError | null {
  if (c.status !== 'resolved') return wrongState(c);
  if (c.unit !== 'housing') return workflowError('WRONG_STATE', '非住建部门直接办理的案件无需会签，由市级相关部门审核');
  return null;
}

function awaitingReview(c: Case): WorkflowError | null {
  if (c.unit === 'housing') {
    if (c.status === 'resolved') return workflowError('COSIGN_REQUIRED');
    return c.status === 'cosigned' ? null : wrongState(c);
  }
  return c.status === 'resolved' ? null : wrongState(c);
}

/** A refused closure goes back to the unit as work in progress. */
function sendBack(c: Case, reasonText: string, template: 'cosign-rejected' | 'review-rejected'): Step | WorkflowError {
  const reason = text(reasonText);
  if (!reason) return workflowError('INVALID_INPUT', '退回理由');
  return {
    type: template,
    to: 'in_progress',
    patch: { resolvedAt: null, finding: null, result: null },
    data: { reason, previous: { finding: c.finding, result: c.result, resolvedAt: c.resolvedAt } },
    effects: [notifyUnit(c, c.unit as UnitCode, template, false), ...complainantMail(c, 'sent-back')],
  };
}

/** A unit's new task; a danger case stays a danger case however often it is routed (the urgent notice, at once). */
function newTask(c: Case, unit: UnitCode): EffectDraft {
  return notifyUnit(c, unit, c.urgent ? 'urgent' : 'assigned', c.urgent);
}

function notifyUnit(c: Case, unit: UnitCode, template: EffectTemplate, urgent: boolean): EffectDraft {
  return { kind: 'notify-unit', unit, county: c.county, template, urgent };
}

/**
 * Reviewers are city level (county null). The adapter picks those of the case unit's counterpart
 * (auth.reviewingUnit): the effect type has no unit field for roles.
 */
function notifyReviewers(template: EffectTemplate): EffectDraft {
  return { kind: 'notify-role', role: 'reviewer', county: null, template, urgent: false };
}

/** 转办的住建部门 is kept informed when another unit handles the case (000 附件 三(一)). */
function tellHousing(c: Case, template: EffectTemplate): EffectDraft[] {
  return c.unit && c.unit !== 'housing' ? [notifyUnit(c, 'housing', template, false)] : [];
}

function complainantMail(c: Case, template: EffectTemplate, detail?: LetterDetail): EffectDraft[] {
  return c.complainant.email ? [{ kind: 'email-complainant', template, ...(detail ? { detail } : {}) }] : [];
}

function closeRule(c: Case): DeadlineRule {
  return c.complex ? 'complex' : 'close';
}

function deadlineChanges(a: Deadlines, b: Deadlines): Record<string, { old: string | null; new: string | null }> | null {
  const out: Record<string, { old: string | null; new: string | null }> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Deadlines>) {
    const old = a[key] ?? null;
    const now = b[key] ?? null;
    if (old !== now) out[key] = { old, new: now };
  }
  return Object.keys(out).length ? out : null;
}

/** A person's "until": a bare day means its 24:00 in Shanghai; must lie after `now`. */
function parseUntil(value: unknown, now: Date): string | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  let d: Date;
  try {
    d = isValidDay(s) ? endOfDayShanghai(s) : parseInstant(s);
  } catch {
    return null;
  }
  return d.getTime() > now.getTime() ? d.toISOString() : null;
}

function later(a: string | undefined, b: string): string {
  return a && Date.parse(a) > Date.parse(b) ? a : b;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function photoList(value: unknown): string[] | null {
  if (value === undefined) return [];
  return Array.isArray(value) && value.every((p) => typeof p === 'string' && p.length > 0) ? [...value] : null;
}

function iso(d: Date): string {
  return d.toISOString();
}

/** The co-handling units as given: known units, each once, never the lead; null when one is unknown. */
function coUnitList(units: unknown, lead: UnitCode): UnitCode[] | null {
  if (!Array.isArray(units) || !units.every(isUnit)) return null;
  return UNIT_CODES.filter((u) => u !== lead && units.includes(u));
}

function isUnit(u: unknown): u is UnitCode {
  return typeof u === 'string' && (UNIT_CODES as readonly string[]).includes(u);
}

function isProblem(p: unknown): p is ProblemType {
  return typeof p === 'string' && (PROBLEM_TYPES as readonly string[]).includes(p);
}
