import { describe, expect, it } from 'vitest';
import {
  STATUSES,
  type Actor,
  type CaseEvent,
  type ClassificationSummary,
  type Case,
  type Effect,
  type Status,
  type UnitCode,
} from '../../src/domain.ts';
import { createCalendar } from '../../src/workflow/calendar.ts';
import {
  COMMAND_TYPES,
  due,
  register,
  transition,
  withCaseId,
  type Command,
  type CommandType,
  type RegisterInput,
  type TransitionResult,
  FIELD_LIMITS,
} from '../../src/workflow/complaint.ts';
import { ERROR_MESSAGES_ZH } from '../../src/workflow/errors.ts';

const cal = createCalendar();
const COUNTY = 'yanhu';

// Deadlines are 24:00 Asia/Shanghai of the last day = 16:00Z of that day. Expected values are worked out by hand
// from the 2026 State Council schedule (National Day 1–7 Oct, make-up working Sat 10 Oct).
const MON_0302 = new Date('2026-03-02T02:00:00Z'); // Monday 10:00 in Shanghai
const at = (iso: string) => new Date(iso);

// ─── Actors ──────────────────────────────────────────────────────────────────────────────────────────────────
const officer = (unit: UnitCode, county = COUNTY, officerId = 11): Actor => ({ kind: 'officer', role: 'officer', unit, county, officerId });
const cosigner = (unit: UnitCode = 'township', county = COUNTY): Actor => ({ kind: 'officer', role: 'cosigner', unit, county, officerId: 21 });
const reviewer = (unit: UnitCode): Actor => ({ kind: 'officer', role: 'reviewer', unit, county: 'yuncheng', officerId: 31 });
const ADMIN: Actor = { kind: 'officer', role: 'admin', county: 'yuncheng', cityLevel: true, officerId: 1 };
/** A unit's 负责人: the only one who extends a penalty period (000 附件 三(二)). */
const head = (unit: UnitCode, county = COUNTY): Actor => ({ ...officer(unit, county, 12), unitHead: true });
const SUPERVISOR: Actor = { kind: 'officer', role: 'supervisor', county: 'yuncheng', officerId: 2 };
const SYSTEM: Actor = { kind: 'system' };
const COMPLAINANT: Actor = { kind: 'complainant' };

// ─── Fixtures ────────────────────────────────────────────────────────────────────────────────────────────────
function classification(over: Partial<ClassificationSummary> = {}): ClassificationSummary {
  return { unit: 'housing', units: [], problem: 'service-not-delivered', urgent: false, triage: false, score: 0.9, matched: ['电梯'], ...over };
}

function input(over: Partial<RegisterInput> = {}): RegisterInput {
  return {
    source: 'email',
    county: COUNTY,
    complainant: { name: '张三', phone: '13800000000', email: 'zhang@example.com' },
    compound: '盐湖花园',
    address: '3号楼2单元',
    company: '某某物业',
    subject: '电梯长期不维修',
    body: '小区电梯坏了一个月没人修。',
    receivedAt: '2026-03-02T01:30:00.000Z',
    classification: classification(),
    ...over,
  };
}

/** Registers and gives the case an id, as the store would. */
function registered(over: Partial<RegisterInput> = {}, now = MON_0302): Case {
  const r = register(input(over), now, cal);
  if (!r.ok) throw new Error(r.error.message);
  return { ...r.case, id: 7, tracking: 'YH-2026-000007' };
}

function caseIn(status: Status, over: Partial<Case> = {}): Case {
  const unit: UnitCode | null = status === 'triage' || status === 'received' ? null : 'fire';
  return {
    ...registered({ classification: classification({ unit: 'fire' }) }),
    status,
    unit,
    assignedAt: unit ? MON_0302.toISOString() : null,
    ...over,
  };
}

function ok(r: TransitionResult): Extract<TransitionResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r;
}
function code(r: TransitionResult | ReturnType<typeof register>): string {
  return r.ok ? 'ok' : r.error.code;
}

/** A command that is valid in content, for each type. */
function sample(type: CommandType): Command {
  switch (type) {
    case 'assign':
      return { type, unit: 'fire' };
    case 'return':
      return { type, reason: '不属于本单位职责' };
    case 'progress':
      return { type, text: '已约谈物业公司', photos: ['file-1'] };
    case 'submitPlan':
      return { type, text: '分三步解决', until: '2026-06-30' };
    case 'requestExtension':
      return { type, until: '2026-03-20', reason: '需等待配件' };
    case 'decideExtension':
      return { type, approve: true };
    case 'resolve':
      return { type, finding: 'substantiated', result: '已修复电梯' };
    case 'cosign':
      return { type, opinion: '同意办结' };
    case 'rejectCosign':
    case 'rejectReview':
      return { type, reason: '整改不到位' };
    case 'reopen':
      return { type, text: '不满意，没解决' };
    case 'reply':
      return { type, text: '谢谢' };
    case 'rate':
      return { type, text: '满意，谢谢' };
    case 'writeResident':
      return { type, text: '您好，我们已联系物业公司，将于本周内维修。' };
    case 'markComplex':
      return { type, reason: '涉及多个部门，需协调' };
    case 'setCoUnits':
      return { type, units: ['police'] };
    case 'contribute':
      return { type, text: '已对电梯维保单位立案检查' };
    case 'decidePenalty':
      return { type, decision: '对物业公司罚款五千元，责令限期整改' };
    case 'extendPenalty':
      return { type, reason: '需委托鉴定，情况复杂' };
    case 'setCompany':
      return { type, company: '运城市金盾物业服务有限公司' };
    case 'reclassify':
      return { type, unit: 'police', problem: 'security-not-provided' };
    default:
      return { type } as Command;
  }
}

/** A case in which `type` is legal, with the unit the command needs. */
function validCaseFor(type: CommandType): Case {
  const pending = { until: '2026-03-20T16:00:00.000Z', reason: '需等待配件', requestedBy: 11 };
  switch (type) {
    case 'assign':
      return caseIn('triage');
    case 'accept':
    case 'return':
      return caseIn('assigned');
    case 'progress':
    case 'markComplex':
      return caseIn('accepted');
    case 'submitPlan':
      return caseIn('in_progress', { complex: true });
    case 'decideExtension':
      return caseIn('in_progress', { extension: pending });
    case 'cosign':
    case 'rejectCosign':
      return caseIn('resolved', { unit: 'housing' });
    case 'review':
    case 'rejectReview':
    case 'reopen':
    case 'rate':
      return caseIn('resolved');
    case 'writeOff':
      return caseIn('reviewed');
    case 'contribute':
      return caseIn('in_progress', { coUnits: ['police'] });
    case 'decidePenalty':
    case 'extendPenalty':
      return caseIn('in_progress', { deadlines: { close: '2026-03-09T16:00:00.000Z', verify: '2026-03-24T16:00:00.000Z', penalty: '2026-06-02T16:00:00.000Z' } });
    default:
      return caseIn('in_progress');
  }
}

const NOW = at('2026-03-04T02:00:00Z');

// ─── Actor matrix through transition ─────────────────────────────────────────────────────────────────────────
type Want = 'ok' | 'NOT_YOUR_UNIT' | 'NOT_YOUR_COUNTY' | 'FORBIDDEN_ROLE';
const ACTOR_COLUMNS = [
  'own unit, own county',
  'other unit, own county',
  'own unit, other county',
  'housing office, own county',
  'cosigner, own county',
  'cosigner, other county',
  'reviewer of the unit',
  'reviewer of another unit',
  'supervisor',
  'admin',
  'system',
  'complainant',
] as const;

function actorFor(column: (typeof ACTOR_COLUMNS)[number], c: Case): Actor {
  const unit = c.unit ?? 'fire';
  switch (column) {
    case 'own unit, own county':
      return officer(unit);
    case 'other unit, own county':
      return officer('police');
    case 'own unit, other county':
      return officer(unit, 'yongji');
    case 'housing office, own county':
      return officer('housing');
    case 'cosigner, own county':
      return cosigner('community');
    case 'cosigner, other county':
      return cosigner('township', 'yongji');
    case 'reviewer of the unit':
      return reviewer(c.unit ?? 'housing');
    case 'reviewer of another unit':
      return reviewer('police');
    case 'supervisor':
      return SUPERVISOR;
    case 'admin':
      return ADMIN;
    case 'system':
      return SYSTEM;
    case 'complainant':
      return COMPLAINANT;
  }
}

const o = 'ok' as const;
const U = 'NOT_YOUR_UNIT' as const;
const C = 'NOT_YOUR_COUNTY' as const;
const R = 'FORBIDDEN_ROLE' as const;
// Cases are the fire brigade's (unit 'fire'), except cosign/rejectCosign (housing-handled) and assign (triage, no unit).
//                          own   other otherCty office cos  cosCty revU revO super admin system compl
const MATRIX: Record<CommandType, Want[]> = {
  assign:           /**/ [U,    U,    C,       o,     R,   R,     R,   R,   R,    o,    R,     R],
  accept:           /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  return:           /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  progress:         /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  markComplex:      /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  submitPlan:       /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  requestExtension: /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  resolve:          /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  decideExtension:  /**/ [R,    R,    R,       R,     R,   R,     o,   U,   R,    o,    R,     R],
  cosign:           /**/ [R,    R,    R,       R,     o,   C,     R,   R,   R,    o,    R,     R],
  rejectCosign:     /**/ [R,    R,    R,       R,     o,   C,     R,   R,   R,    o,    R,     R],
  review:           /**/ [R,    R,    R,       R,     R,   R,     o,   U,   R,    o,    R,     R],
  rejectReview:     /**/ [R,    R,    R,       R,     R,   R,     o,   U,   R,    o,    R,     R],
  writeOff:         /**/ [R,    R,    R,       R,     R,   R,     o,   U,   R,    o,    R,     R],
  reopen:           /**/ [R,    R,    R,       R,     R,   R,     R,   R,   R,    o,    o,     o],
  reply:            /**/ [R,    R,    R,       R,     R,   R,     R,   R,   R,    o,    o,     o],
  rate:             /**/ [R,    R,    R,       R,     R,   R,     R,   R,   R,    o,    o,     o],
  writeResident:    /**/ [o,    U,    C,       o,     R,   R,     R,   R,   R,    o,    R,     R],
  setCompany:       /**/ [o,    U,    C,       o,     R,   R,     R,   R,   R,    o,    R,     R],
  supervise:        /**/ [U,    U,    C,       o,     R,   R,     R,   R,   R,    o,    R,     R],
  reclassify:       /**/ [U,    U,    C,       o,     R,   R,     R,   R,   R,    o,    R,     R],
  setCoUnits:       /**/ [U,    U,    C,       o,     R,   R,     R,   R,   R,    o,    R,     R],
  openPenalty:      /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  decidePenalty:    /**/ [o,    U,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
  // Only the unit's 负责人 (below), not its officers, nor the office, nor an admin.
  extendPenalty:    /**/ [R,    U,    C,       U,     R,   R,     R,   R,   R,    R,    R,     R],
  // The case is fire's with police co-handling: police reports its part, fire (the lead) does not "contribute".
  contribute:       /**/ [U,    o,    C,       U,     R,   R,     R,   R,   R,    o,    R,     R],
};

describe('transition: command × actor matrix', () => {
  it('lists every command', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...COMMAND_TYPES].sort());
  });
  const rows = COMMAND_TYPES.flatMap((type) => ACTOR_COLUMNS.map((column, i) => ({ type, column, want: MATRIX[type][i] as Want })));
  it.each(rows)('$type by $column → $want', ({ type, column, want }) => {
    const c = validCaseFor(type);
    const r = transition(c, sample(type), actorFor(column, c), NOW, cal);
    expect(code(r)).toBe(want);
    if (!r.ok) {
      expect(r.error.message.startsWith(ERROR_MESSAGES_ZH[r.error.code])).toBe(true);
    } else {
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({ type: expect.any(String), at: NOW.toISOString(), from: c.status, to: r.case.status });
    }
  });
});

// ─── State matrix (admin, so only the state decides) ─────────────────────────────────────────────────────────
const WORKING: Status[] = ['accepted', 'in_progress', 'plan_submitted', 'reopened'];
const LEGAL_FROM: Record<CommandType, Status[]> = {
  assign: ['triage'],
  accept: ['assigned'],
  return: ['assigned', 'accepted'],
  progress: WORKING,
  markComplex: ['accepted', 'in_progress', 'reopened'],
  submitPlan: ['accepted', 'in_progress', 'reopened'],
  requestExtension: WORKING,
  decideExtension: WORKING,
  resolve: WORKING,
  cosign: ['resolved'],
  rejectCosign: ['resolved'],
  review: ['resolved'],
  rejectReview: ['resolved'],
  writeOff: ['reviewed'],
  reopen: ['resolved', 'cosigned', 'reviewed', 'written_off'],
  reply: [...STATUSES],
  rate: ['resolved', 'cosigned', 'reviewed', 'written_off'],
  writeResident: [...STATUSES],
  setCompany: [...STATUSES],
  setCoUnits: ['assigned', ...WORKING],
  contribute: ['assigned', ...WORKING],
  openPenalty: WORKING,
  decidePenalty: WORKING,
  extendPenalty: WORKING,
  supervise: ['assigned', ...WORKING],
  reclassify: ['assigned', ...WORKING],
};
const NEXT: Partial<Record<CommandType, Status | 'same'>> = {
  assign: 'assigned',
  accept: 'accepted',
  return: 'triage',
  progress: 'in_progress',
  markComplex: 'same',
  submitPlan: 'plan_submitted',
  requestExtension: 'same',
  decideExtension: 'same',
  resolve: 'resolved',
  cosign: 'cosigned',
  rejectCosign: 'in_progress',
  review: 'reviewed',
  rejectReview: 'in_progress',
  writeOff: 'written_off',
  reopen: 'reopened',
  reply: 'same',
  rate: 'same',
  writeResident: 'same',
  setCompany: 'same',
  setCoUnits: 'same',
  contribute: 'same',
  openPenalty: 'same',
  decidePenalty: 'same',
  extendPenalty: 'same',
  supervise: 'same',
  reclassify: 'assigned',
};

describe('transition: command × state matrix', () => {
  const rows = COMMAND_TYPES.flatMap((type) => STATUSES.map((status) => ({ type, status, legal: LEGAL_FROM[type].includes(status) })));
  it.each(rows)('$type from $status → legal: $legal', ({ type, status, legal }) => {
    const base = validCaseFor(type);
    // The penalty extension is the unit head's alone, so its head acts (on a case of that unit in every state).
    const byHead = type === 'extendPenalty';
    const needsUnit = byHead || (status !== 'triage' && status !== 'received');
    const c: Case = {
      ...base,
      status,
      unit: needsUnit ? (base.unit ?? 'fire') : null,
      complex: base.complex || status === 'plan_submitted',
    };
    const r = transition(c, sample(type), byHead ? head(c.unit!) : ADMIN, NOW, cal);
    if (legal) {
      const next = NEXT[type] === 'same' ? status : NEXT[type];
      expect(ok(r).case.status).toBe(next);
    } else {
      expect(code(r)).toBe('WRONG_STATE');
    }
  });

  it('a housing-handled case must be co-signed before review; other units skip co-signing', () => {
    const housing = caseIn('resolved', { unit: 'housing' });
    expect(code(transition(housing, { type: 'review' }, reviewer('housing'), NOW, cal))).toBe('COSIGN_REQUIRED');
    expect(code(transition(housing, { type: 'rejectReview', reason: 'x' }, reviewer('housing'), NOW, cal))).toBe('COSIGN_REQUIRED');
    const cosigned = ok(transition(housing, { type: 'cosign', opinion: '同意' }, cosigner(), NOW, cal)).case;
    expect(ok(transition(cosigned, { type: 'review' }, reviewer('housing'), NOW, cal)).case.status).toBe('reviewed');

    const fire = caseIn('resolved');
    expect(code(transition(fire, { type: 'cosign', opinion: '同意' }, cosigner(), NOW, cal))).toBe('WRONG_STATE');
    expect(code(transition({ ...fire, status: 'cosigned' }, { type: 'review' }, reviewer('fire'), NOW, cal))).toBe('WRONG_STATE');
  });
});

// ─── Registration ────────────────────────────────────────────────────────────────────────────────────────────
describe('register', () => {
  it('caps what it stores: a 1 MB subject does not become a 1 MB field (the raw mail keeps every byte)', () => {
    const r = register(
      input({ subject: '电梯'.repeat(500_000), compound: '小区'.repeat(1000), complainant: { name: '王'.repeat(500), phone: null, email: null }, classification: classification({ unit: 'fire' }) }),
      MON_0302,
      cal,
    );
    if (!r.ok) throw new Error(r.error.code);
    expect(r.case.subject.length).toBe(FIELD_LIMITS.subject);
    expect(r.case.subject.endsWith('…')).toBe(true);
    expect(r.case.compound!.length).toBe(FIELD_LIMITS.compound);
    expect(r.case.complainant.name!.length).toBe(FIELD_LIMITS.name);
    // What fits is kept as it is.
    const small = register(input({ subject: '电梯坏了', classification: classification({ unit: 'fire' }) }), MON_0302, cal);
    expect(small.ok && small.case.subject).toBe('电梯坏了');
  });

  it('clear classification: assigned now, transfer (7 working days) and close (7 days) deadlines from the calendar', () => {
    const r = register(input({ classification: classification({ unit: 'fire' }) }), MON_0302, cal);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.case).toMatchObject({ status: 'assigned', unit: 'fire', assignedAt: MON_0302.toISOString(), urgent: false });
    // Mon 2 Mar: 7 working days → Wed 11 Mar; 7 days → Mon 9 Mar.
    expect(r.case.deadlines).toEqual({ transfer: '2026-03-11T16:00:00.000Z', close: '2026-03-09T16:00:00.000Z' });
    expect(r.events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['registered', null, 'received'],
      ['assigned', 'received', 'assigned'],
    ]);
    expect(r.events[1]?.data).toMatchObject({ deadlines: { close: { old: null, new: '2026-03-09T16:00:00.000Z' } } });
    expect(r.effects).toEqual([
      { kind: 'notify-unit', unit: 'fire', county: COUNTY, template: 'assigned', urgent: false },
      { kind: 'email-complainant', template: 'ack' },
    ]);
  });

  it('counts across National Day and the make-up working Saturday', () => {
    const c = registered({}, at('2026-09-28T02:00:00Z'));
    // Working days after Mon 28 Sep: 29, 30 Sep, 8, 9, 10 (Sat, 调休), 12, 13 Oct.
    expect(c.deadlines.transfer).toBe('2026-10-13T16:00:00.000Z');
    // 7 days end on Mon 5 Oct, a holiday: moved to the first working day after the run, Thu 8 Oct.
    expect(c.deadlines.close).toBe('2026-10-08T16:00:00.000Z');
  });

  it('urgent with a unit: assigned at once; unit and township told urgently; leaders informed; transfer due now', () => {
    const r = register(input({ classification: classification({ unit: 'fire', urgent: true }) }), MON_0302, cal);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.case).toMatchObject({ status: 'assigned', unit: 'fire', urgent: true });
    expect(r.case.deadlines.transfer).toBe(MON_0302.toISOString());
    expect(r.effects).toEqual([
      { kind: 'notify-unit', unit: 'fire', county: COUNTY, template: 'urgent', urgent: true },
      { kind: 'notify-unit', unit: 'township', county: COUNTY, template: 'urgent', urgent: true },
      { kind: 'escalate', level: 'leader', unit: 'fire', county: COUNTY, template: 'urgent' },
      { kind: 'email-complainant', template: 'ack' },
    ]);
  });

  it('urgent housing matter: township and community told (立即通知乡(镇)、社区(村))', () => {
    const r = register(input({ classification: classification({ unit: 'housing', urgent: true, triage: true }) }), MON_0302, cal);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.case.status).toBe('assigned');
    const told = r.effects.filter((e) => e.kind === 'notify-unit').map((e) => (e.kind === 'notify-unit' ? [e.unit, e.urgent] : null));
    expect(told).toEqual([
      ['housing', true],
      ['township', true],
      ['community', true],
    ]);
  });

  it('urgent without a unit: triage queue flagged urgent, leaders informed', () => {
    const r = register(input({ classification: classification({ unit: null, urgent: true, triage: true }) }), MON_0302, cal);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.case).toMatchObject({ status: 'triage', unit: null, urgent: true });
    expect(r.effects).toContainEqual({ kind: 'notify-unit', unit: 'housing', county: COUNTY, template: 'triage', urgent: true });
    expect(r.effects).toContainEqual({ kind: 'escalate', level: 'leader', unit: null, county: COUNTY, template: 'urgent' });
  });

  it('unclear classification: triage queue of the housing office, no unit, no close deadline', () => {
    const r = register(
      input({ classification: classification({ unit: 'fire', triage: true }), complainant: { name: null, phone: null, email: null } }),
      MON_0302,
      cal,
    );
    if (!r.ok) throw new Error(r.error.code);
    expect(r.case).toMatchObject({ status: 'triage', unit: null, assignedAt: null });
    expect(r.case.deadlines).toEqual({ transfer: '2026-03-11T16:00:00.000Z' });
    expect(r.events.map((e) => e.type)).toEqual(['registered', 'triage']);
    // No email address: no acknowledgement.
    expect(r.effects).toEqual([{ kind: 'notify-unit', unit: 'housing', county: COUNTY, template: 'triage', urgent: false }]);
  });

  it('not a complaint (no unit, not urgent, not triage) is refused', () => {
    expect(code(register(input({ classification: classification({ unit: null }) }), MON_0302, cal))).toBe('NOT_A_COMPLAINT');
  });

  it('12345 cases also notify the approval unit', () => {
    const r = register(input({ source: '12345' }), MON_0302, cal);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.effects).toContainEqual({ kind: 'notify-unit', unit: 'approval', county: COUNTY, template: 'hotline-registered', urgent: false });
  });

  it.each([
    ['bad source', { source: 'fax' as never }],
    ['empty county', { county: ' ' }],
    ['bad receivedAt', { receivedAt: 'yesterday' }],
    ['unknown unit', { classification: classification({ unit: 'army' as never }) }],
  ])('rejects %s', (_name, over) => {
    expect(code(register(input(over), MON_0302, cal))).toBe('INVALID_INPUT');
  });

  it('withCaseId gives every effect the new id', () => {
    const r = register(input(), MON_0302, cal);
    if (!r.ok) throw new Error(r.error.code);
    expect(withCaseId(r.effects, 42).every((e) => e.caseId === 42)).toBe(true);
  });
});

// ─── Happy paths ─────────────────────────────────────────────────────────────────────────────────────────────
/** Runs steps in order, checking each succeeds; returns the case and the whole audit trail. */
function run(c0: Case, steps: [Command, Actor, string][]) {
  let c = c0;
  const events: CaseEvent[] = [];
  const effects: Effect[] = [];
  for (const [cmd, actor, when] of steps) {
    const r = ok(transition(c, cmd, actor, at(when), cal));
    events.push(...r.events);
    effects.push(...r.effects);
    c = r.case;
  }
  return { c, events, effects };
}

describe('happy paths', () => {
  it('housing: register → accept → progress → resolve → cosign → review → writeOff', () => {
    const c0 = registered();
    const { c, events, effects } = run(c0, [
      [{ type: 'accept' }, officer('housing'), '2026-03-02T03:00:00Z'],
      [{ type: 'progress', text: '已约谈物业公司' }, officer('housing'), '2026-03-03T03:00:00Z'],
      [{ type: 'resolve', finding: 'substantiated', result: '电梯已修复' }, officer('housing'), '2026-03-05T03:00:00Z'],
      [{ type: 'cosign', opinion: '同意办结' }, cosigner('township'), '2026-03-06T03:00:00Z'],
      [{ type: 'review' }, reviewer('housing'), '2026-03-09T03:00:00Z'],
      [{ type: 'writeOff' }, reviewer('housing'), '2026-03-09T04:00:00Z'],
    ]);
    expect(c).toMatchObject({
      status: 'written_off',
      acceptedAt: '2026-03-02T03:00:00.000Z',
      resolvedAt: '2026-03-05T03:00:00.000Z',
      writtenOffAt: '2026-03-09T04:00:00.000Z',
      finding: 'substantiated',
      result: '电梯已修复',
    });
    expect(events.map((e) => `${e.type}:${e.from}→${e.to}`)).toEqual([
      'accepted:assigned→accepted',
      'progress:accepted→in_progress',
      'resolved:in_progress→resolved',
      'cosigned:resolved→cosigned',
      'reviewed:cosigned→reviewed',
      'written-off:reviewed→written_off',
    ]);
    // The complainant hears each step; the result itself only once, at write-off.
    expect(effects).toEqual([
      { kind: 'email-complainant', caseId: 7, template: 'accepted' },
      { kind: 'email-complainant', caseId: 7, template: 'progress', detail: { text: '已约谈物业公司', photos: 0 } },
      { kind: 'notify-role', role: 'cosigner', county: COUNTY, caseId: 7, template: 'cosign-needed', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'resolved' },
      { kind: 'notify-role', role: 'reviewer', county: null, caseId: 7, template: 'review-needed', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'result' },
    ]);
    // Deadlines did not move on this path.
    expect(c.deadlines).toEqual(c0.deadlines);
    expect(events.some((e) => e.data && 'deadlines' in e.data)).toBe(false);
  });

  it('non-housing (12345 hotline): … resolve → review → writeOff, result fed back through approval', () => {
    const c0 = registered({ source: '12345', classification: classification({ unit: 'market-regulation' }) });
    const unitOfficer = officer('market-regulation');
    const { c, events, effects } = run(c0, [
      [{ type: 'accept' }, unitOfficer, '2026-03-02T03:00:00Z'],
      [{ type: 'progress', text: '已立案调查', photos: ['p1', 'p2'] }, unitOfficer, '2026-03-03T03:00:00Z'],
      [{ type: 'resolve', finding: 'partly', result: '责令整改' }, unitOfficer, '2026-03-05T03:00:00Z'],
      [{ type: 'review', note: '同意' }, reviewer('market-regulation'), '2026-03-06T03:00:00Z'],
      [{ type: 'writeOff' }, ADMIN, '2026-03-06T04:00:00Z'],
    ]);
    expect(c.status).toBe('written_off');
    expect(events.map((e) => e.to)).toEqual(['accepted', 'in_progress', 'resolved', 'reviewed', 'written_off']);
    expect(events[1]?.data).toMatchObject({ photos: ['p1', 'p2'] });
    expect(effects).toContainEqual({ kind: 'notify-role', role: 'reviewer', county: null, caseId: 7, template: 'review-needed', urgent: false });
    expect(effects).toContainEqual({ kind: 'notify-unit', unit: 'approval', county: COUNTY, caseId: 7, template: 'hotline-feedback', urgent: false });
    expect(effects.some((e) => e.kind === 'notify-role' && e.role === 'cosigner')).toBe(false);
  });

  it('rejected co-signature and rejected review send the case back to work, clearing the resolution', () => {
    const c0 = caseIn('resolved', { unit: 'housing', finding: 'substantiated', result: 'x', resolvedAt: NOW.toISOString() });
    const back = ok(transition(c0, { type: 'rejectCosign', reason: '未整改到位' }, cosigner(), NOW, cal));
    expect(back.case).toMatchObject({ status: 'in_progress', finding: null, result: null, resolvedAt: null });
    expect(back.events[0]?.data).toMatchObject({ reason: '未整改到位', previous: { finding: 'substantiated', result: 'x' } });
    expect(back.effects).toEqual([
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'cosign-rejected', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'sent-back' },
    ]);

    const fire = caseIn('resolved', { finding: 'partly', result: 'y' });
    const r = ok(transition(fire, { type: 'rejectReview', reason: '证据不足' }, reviewer('fire'), NOW, cal));
    expect(r.case.status).toBe('in_progress');
    expect(r.events[0]?.type).toBe('review-rejected');
  });
});

// ─── Misroute ────────────────────────────────────────────────────────────────────────────────────────────────
describe('misroute: return → triage → assign', () => {
  it('the unit returns, the office reassigns, the new unit gets a fresh close period', () => {
    const c0 = registered({ classification: classification({ unit: 'fire' }) });
    const returned = ok(transition(c0, { type: 'return', reason: '非高层建筑，不属消防' }, officer('fire'), at('2026-03-03T02:00:00Z'), cal));
    expect(returned.case).toMatchObject({ status: 'triage', unit: null, assignedAt: null });
    expect(returned.events[0]).toMatchObject({ type: 'returned', from: 'assigned', to: 'triage', data: { unit: 'fire', reason: '非高层建筑，不属消防' } });
    expect(returned.effects).toEqual([
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'returned', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'returned', detail: { fromUnit: 'fire', reason: '非高层建筑，不属消防' } },
    ]);
    // The fire brigade no longer reaches the case.
    expect(code(transition(returned.case, { type: 'accept' }, officer('fire'), NOW, cal))).toBe('NOT_YOUR_UNIT');

    const assigned = ok(transition(returned.case, { type: 'assign', unit: 'police' }, officer('housing'), at('2026-03-04T02:00:00Z'), cal));
    expect(assigned.case).toMatchObject({ status: 'assigned', unit: 'police', assignedAt: '2026-03-04T02:00:00.000Z' });
    // Wed 4 Mar + 7 days = Wed 11 Mar.
    expect(assigned.case.deadlines.close).toBe('2026-03-11T16:00:00.000Z');
    expect(assigned.events[0]?.data).toMatchObject({
      unit: 'police',
      deadlines: { close: { old: '2026-03-09T16:00:00.000Z', new: '2026-03-11T16:00:00.000Z' } },
    });
    expect(assigned.effects).toEqual([
      { kind: 'notify-unit', unit: 'police', county: COUNTY, caseId: 7, template: 'assigned', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'assigned' },
    ]);
    expect(ok(transition(assigned.case, { type: 'accept' }, officer('police'), NOW, cal)).case.status).toBe('accepted');
  });

  it('a return needs a reason and an assignment a real unit', () => {
    expect(code(transition(caseIn('assigned'), { type: 'return', reason: '  ' }, officer('fire'), NOW, cal))).toBe('INVALID_INPUT');
    expect(code(transition(caseIn('triage'), { type: 'assign', unit: 'army' as never }, ADMIN, NOW, cal))).toBe('INVALID_INPUT');
  });

  it('return wipes complex flag and used extension so the next unit starts fresh', () => {
    const c = caseIn('accepted', { complex: true, extended: true });
    const r = ok(transition(c, { type: 'return', reason: '不属本单位' }, officer('fire'), NOW, cal));
    expect(r.case).toMatchObject({ complex: false, extended: false, extension: null });
    expect(r.events[0]?.data).toMatchObject({ reset: { complex: true, extended: true } });
  });
});

// ─── Extension ───────────────────────────────────────────────────────────────────────────────────────────────
describe('extension: request → decision, only one approved', () => {
  const start = () => ok(transition(caseIn('assigned'), { type: 'accept' }, officer('fire'), NOW, cal)).case;

  it('request then approval moves the close deadline to the requested day; a second one is refused', () => {
    const c0 = start();
    expect(c0.deadlines.close).toBe('2026-03-09T16:00:00.000Z');
    const req = ok(transition(c0, { type: 'requestExtension', until: '2026-03-20', reason: '需等待电梯配件' }, officer('fire', COUNTY, 99), NOW, cal));
    expect(req.case.status).toBe('accepted');
    expect(req.case.extension).toEqual({ until: '2026-03-20T16:00:00.000Z', reason: '需等待电梯配件', requestedBy: 99 });
    expect(req.case.deadlines).toEqual(c0.deadlines); // nothing moves before approval
    expect(req.effects).toEqual([{ kind: 'notify-role', role: 'reviewer', county: null, caseId: 7, template: 'extension-requested', urgent: false }]);
    expect(code(transition(req.case, { type: 'requestExtension', until: '2026-03-25', reason: '再次' }, officer('fire'), NOW, cal))).toBe(
      'EXTENSION_PENDING',
    );

    const approved = ok(transition(req.case, { type: 'decideExtension', approve: true }, reviewer('fire'), NOW, cal));
    expect(approved.case).toMatchObject({ extended: true, extension: null });
    expect(approved.case.deadlines.close).toBe('2026-03-20T16:00:00.000Z');
    expect(approved.events[0]).toMatchObject({
      type: 'extension-approved',
      actor: reviewer('fire'),
      data: { deadlines: { close: { old: '2026-03-09T16:00:00.000Z', new: '2026-03-20T16:00:00.000Z' } } },
    });
    expect(approved.effects).toEqual([
      { kind: 'notify-unit', unit: 'fire', county: COUNTY, caseId: 7, template: 'extension-approved', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'extended', detail: { until: '2026-03-20T16:00:00.000Z', reason: '需等待电梯配件' } },
    ]);

    expect(code(transition(approved.case, { type: 'requestExtension', until: '2026-03-30', reason: '又延' }, officer('fire'), NOW, cal))).toBe(
      'ALREADY_EXTENDED',
    );
    // Even a request that slipped in is not approved a second time.
    const sneaked = { ...approved.case, extension: { until: '2026-03-30T16:00:00.000Z', reason: 'x', requestedBy: 1 } };
    expect(code(transition(sneaked, { type: 'decideExtension', approve: true }, reviewer('fire'), NOW, cal))).toBe('ALREADY_EXTENDED');
  });

  it('rejection clears the request and keeps the deadline; the unit may ask again', () => {
    const c0 = start();
    const req = ok(transition(c0, { type: 'requestExtension', until: '2026-03-20', reason: '等待' }, officer('fire'), NOW, cal)).case;
    const no = ok(transition(req, { type: 'decideExtension', approve: false, note: '理由不充分' }, ADMIN, NOW, cal));
    expect(no.case).toMatchObject({ extension: null, extended: false, deadlines: c0.deadlines });
    expect(no.events[0]).toMatchObject({ type: 'extension-rejected', data: { note: '理由不充分' } });
    expect(no.effects[0]).toMatchObject({ template: 'extension-rejected', unit: 'fire' });
    expect(transition(no.case, { type: 'requestExtension', until: '2026-03-20', reason: '补充理由' }, officer('fire'), NOW, cal).ok).toBe(true);
  });

  it.each([
    ['before the current close deadline', '2026-03-08', 'INVALID_INPUT'],
    ['on the close day itself', '2026-03-09', 'INVALID_INPUT'],
    ['not a date', 'next week', 'INVALID_INPUT'],
    ['an impossible date', '2026-02-30', 'INVALID_INPUT'],
    ['an ISO instant after close', '2026-03-12T10:00:00+08:00', 'ok'],
  ])('request until %s → %s', (_name, until, want) => {
    expect(code(transition(start(), { type: 'requestExtension', until, reason: '等待' }, officer('fire'), NOW, cal))).toBe(want);
  });

  it('deciding without a request is refused', () => {
    expect(code(transition(start(), { type: 'decideExtension', approve: true }, reviewer('fire'), NOW, cal))).toBe('NO_EXTENSION_REQUEST');
  });

  it('resolving withdraws a pending request', () => {
    const req = ok(transition(start(), { type: 'requestExtension', until: '2026-03-20', reason: '等待' }, officer('fire'), NOW, cal)).case;
    const r = ok(transition(req, { type: 'resolve', finding: 'unsubstantiated', result: '经核查不属实' }, officer('fire'), NOW, cal));
    expect(r.case.extension).toBeNull();
    expect(r.events[0]?.data).toMatchObject({ withdrawnExtension: { reason: '等待' } });
  });
});

// ─── Complex path ────────────────────────────────────────────────────────────────────────────────────────────
describe('complex: markComplex → plan → monthly progress', () => {
  it('moves the clocks as 000 附件 三(一) says and keeps complainant and housing informed', () => {
    const c0 = ok(transition(registered({ classification: classification({ unit: 'township' }) }), { type: 'accept' }, officer('township'), MON_0302, cal)).case;

    const marked = ok(transition(c0, { type: 'markComplex', reason: '涉及多个部门，需协调' }, officer('township'), at('2026-03-04T02:00:00Z'), cal));
    expect(marked.case.complex).toBe(true);
    // 1 month from receipt (Mon 2 Mar) → Thu 2 Apr; plan within 7 days of the decision (Wed 4 Mar) → Wed 11 Mar.
    expect(marked.case.deadlines).toMatchObject({ close: '2026-04-02T16:00:00.000Z', plan: '2026-03-11T16:00:00.000Z' });
    expect(marked.events[0]).toMatchObject({
      type: 'marked-complex',
      from: 'accepted',
      to: 'accepted',
      data: {
        deadlines: {
          close: { old: '2026-03-09T16:00:00.000Z', new: '2026-04-02T16:00:00.000Z' },
          plan: { old: null, new: '2026-03-11T16:00:00.000Z' },
        },
      },
    });
    expect(marked.effects).toEqual([
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'complex', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'complex', detail: { reason: '涉及多个部门，需协调' } },
    ]);
    expect(marked.events[0]?.data).toMatchObject({ reason: '涉及多个部门，需协调' });
    expect(code(transition(c0, { type: 'markComplex', reason: '  ' }, officer('township'), NOW, cal))).toBe('INVALID_INPUT');
    expect(code(transition(marked.case, { type: 'markComplex', reason: '涉及多个部门，需协调' }, officer('township'), NOW, cal))).toBe('ALREADY_COMPLEX');

    const planned = ok(
      transition(marked.case, { type: 'submitPlan', text: '分三步：协调、维修、验收', until: '2026-06-30' }, officer('township'), at('2026-03-10T02:00:00Z'), cal),
    );
    expect(planned.case.status).toBe('plan_submitted');
    expect(planned.case.deadlines.plan).toBeUndefined();
    // The plan's own timeline becomes the close deadline; monthly progress starts: Tue 10 Mar → Fri 10 Apr.
    expect(planned.case.deadlines).toMatchObject({ close: '2026-06-30T16:00:00.000Z', progress: '2026-04-10T16:00:00.000Z' });
    expect(planned.events[0]?.data).toMatchObject({
      deadlines: {
        plan: { old: '2026-03-11T16:00:00.000Z', new: null },
        close: { old: '2026-04-02T16:00:00.000Z', new: '2026-06-30T16:00:00.000Z' },
        progress: { old: null, new: '2026-04-10T16:00:00.000Z' },
      },
    });
    expect(planned.effects.map((e) => e.template)).toEqual(['plan', 'plan']);

    const reported = ok(transition(planned.case, { type: 'progress', text: '已完成协调' }, officer('township'), at('2026-04-08T02:00:00Z'), cal));
    expect(reported.case.status).toBe('in_progress');
    // Wed 8 Apr + 1 month → Fri 8 May.
    expect(reported.case.deadlines.progress).toBe('2026-05-08T16:00:00.000Z');
    expect(reported.events[0]?.data).toMatchObject({ deadlines: { progress: { old: '2026-04-10T16:00:00.000Z', new: '2026-05-08T16:00:00.000Z' } } });
    expect(reported.effects).toEqual([
      { kind: 'email-complainant', caseId: 7, template: 'progress', detail: { text: '已完成协调', photos: 0 } },
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'progress', urgent: false },
    ]);

    // A township case is reviewed by city housing, with no co-signature step (it is not housing-handled).
    const resolved = ok(transition(reported.case, { type: 'resolve', finding: 'substantiated', result: '已解决' }, officer('township'), NOW, cal)).case;
    expect(ok(transition(resolved, { type: 'review' }, reviewer('housing'), NOW, cal)).case.status).toBe('reviewed');
  });

  it('progress on a general case moves no deadline and tells only the complainant, in the officer\'s words', () => {
    const r = ok(transition(caseIn('accepted'), { type: 'progress', text: '处理中', photos: ['f1', 'f2'] }, officer('fire'), NOW, cal));
    expect(r.case.deadlines).toEqual(caseIn('accepted').deadlines);
    expect(r.effects).toEqual([{ kind: 'email-complainant', caseId: 7, template: 'progress', detail: { text: '处理中', photos: 2 } }]);
  });

  it('markComplex never shortens an extended close deadline', () => {
    const c = caseIn('in_progress', { extended: true, deadlines: { close: '2026-05-01T16:00:00.000Z' } });
    expect(ok(transition(c, { type: 'markComplex', reason: '涉及多个部门，需协调' }, officer('fire'), NOW, cal)).case.deadlines.close).toBe('2026-05-01T16:00:00.000Z');
  });

  it.each([
    ['a general case', { complex: false }, { until: '2026-06-30', text: '方案' }, 'NOT_COMPLEX'],
    ['a past until', { complex: true }, { until: '2026-03-01', text: '方案' }, 'INVALID_INPUT'],
    ['an empty plan', { complex: true }, { until: '2026-06-30', text: '' }, 'INVALID_INPUT'],
  ])('submitPlan on %s → %s', (_n, over, cmd, want) => {
    expect(code(transition(caseIn('in_progress', over), { type: 'submitPlan', ...cmd }, officer('fire'), NOW, cal))).toBe(want);
  });
});

// ─── Reopen, reply, supervise, reclassify ────────────────────────────────────────────────────────────────────
describe('complainant replies', () => {
  it('dissatisfaction reopens even a written-off case, with a fresh close period', () => {
    const c = caseIn('written_off', { finding: 'substantiated', result: '已修', resolvedAt: NOW.toISOString(), writtenOffAt: NOW.toISOString() });
    const r = ok(transition(c, { type: 'reopen', text: '不满意，电梯又坏了' }, SYSTEM, at('2026-03-16T02:00:00Z'), cal));
    expect(r.case).toMatchObject({ status: 'reopened', finding: null, result: null, resolvedAt: null, writtenOffAt: null, unit: 'fire' });
    expect(r.case.deadlines.close).toBe('2026-03-23T16:00:00.000Z'); // Mon 16 Mar + 7 days
    expect(r.events[0]).toMatchObject({ type: 'reopened', from: 'written_off', to: 'reopened', data: { previous: { result: '已修' } } });
    expect(r.effects).toEqual([
      { kind: 'notify-unit', unit: 'fire', county: COUNTY, caseId: 7, template: 'reopened', urgent: false },
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'reopened', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'reopened' },
    ]);
    // The unit works it again.
    expect(ok(transition(r.case, { type: 'progress', text: '重新维修' }, officer('fire'), NOW, cal)).case.status).toBe('in_progress');
  });

  it('a plain reply is an event and a notice to the unit (or the office while in triage)', () => {
    const c = caseIn('in_progress');
    const r = ok(transition(c, { type: 'reply', text: '补充照片' }, COMPLAINANT, NOW, cal));
    expect(r.case).toEqual(c);
    expect(r.events[0]).toMatchObject({ type: 'reply', from: 'in_progress', to: 'in_progress', data: { text: '补充照片' } });
    expect(r.effects).toEqual([{ kind: 'notify-unit', unit: 'fire', county: COUNTY, caseId: 7, template: 'reply', urgent: false }]);
    const t = ok(transition(caseIn('triage'), { type: 'reply', text: '补充' }, SYSTEM, NOW, cal));
    expect(t.effects[0]).toMatchObject({ unit: 'housing', template: 'reply' });
  });
});

describe('supervise (挂牌督办)', () => {
  it('starts the monthly progress clock once', () => {
    const r = ok(transition(caseIn('in_progress'), { type: 'supervise' }, ADMIN, NOW, cal));
    expect(r.case.supervised).toBe(true);
    expect(r.case.deadlines.progress).toBe('2026-04-07T16:00:00.000Z'); // Wed 4 Mar + 1 month = Sat 4 Apr; Qingming 4–6 Apr → Tue 7 Apr
    expect(r.events[0]).toMatchObject({ type: 'supervised', data: { deadlines: { progress: { old: null, new: '2026-04-07T16:00:00.000Z' } } } });
    expect(code(transition(r.case, { type: 'supervise' }, ADMIN, NOW, cal))).toBe('ALREADY_SUPERVISED');
    // Progress on a supervised (not complex) case moves the monthly clock.
    const p = ok(transition(r.case, { type: 'progress', text: '推进中' }, officer('fire'), at('2026-04-01T02:00:00Z'), cal));
    expect(p.case.deadlines.progress).toBe('2026-05-06T16:00:00.000Z'); // 1 May is in the Labour Day run 1–5 May
  });
});

describe('reclassify', () => {
  it('a new unit is a new assignment with a fresh close period', () => {
    const c = caseIn('in_progress', { complex: true, problem: 'other' });
    const r = ok(transition(c, { type: 'reclassify', unit: 'police', problem: 'security-not-provided' }, officer('housing'), NOW, cal));
    expect(r.case).toMatchObject({ status: 'assigned', unit: 'police', problem: 'security-not-provided', complex: false, acceptedAt: null });
    expect(r.case.deadlines.close).toBe('2026-03-11T16:00:00.000Z');
    expect(r.events[0]).toMatchObject({
      type: 'reclassified',
      data: { unit: { old: 'fire', new: 'police' }, problem: { old: 'other', new: 'security-not-provided' }, deadlines: { close: expect.any(Object) } },
    });
    expect(r.effects.map((e) => (e.kind === 'notify-unit' ? `${e.unit}:${e.template}` : e.kind))).toEqual(['police:assigned', 'fire:reassigned', 'email-complainant']);
    // The complainant is told where it went, from where, and why when the office gave a reason.
    const why = ok(transition(c, { type: 'reclassify', unit: 'police', problem: null, reason: '涉及治安，属公安职责' }, officer('housing'), NOW, cal));
    expect(why.effects.at(-1)).toEqual({ kind: 'email-complainant', caseId: 7, template: 'moved', detail: { fromUnit: 'fire', reason: '涉及治安，属公安职责' } });
    expect(why.events[0]?.data).toMatchObject({ reason: '涉及治安，属公安职责' });
  });

  it('主办/协办: the office names co-handling units; each added one is told; they report their part to the lead', () => {
    const c = caseIn('in_progress', { unit: 'housing', urgent: true });
    const r = ok(transition(c, { type: 'setCoUnits', units: ['market-regulation', 'housing', 'market-regulation'] }, officer('housing'), NOW, cal));
    expect(r.case.coUnits).toEqual(['market-regulation']); // once each, never the lead
    expect(r.events[0]).toMatchObject({ type: 'co-units', data: { coUnits: { old: [], new: ['market-regulation'] } } });
    expect(r.effects).toEqual([{ kind: 'notify-unit', unit: 'market-regulation', county: COUNTY, caseId: 7, template: 'co-assigned', urgent: true }]);
    expect(code(transition(r.case, { type: 'setCoUnits', units: ['market-regulation'] }, officer('housing'), NOW, cal))).toBe('INVALID_INPUT');
    expect(code(transition(c, { type: 'setCoUnits', units: ['nobody' as UnitCode] }, officer('housing'), NOW, cal))).toBe('INVALID_INPUT');
    const part = ok(transition(r.case, { type: 'contribute', text: '电梯已停用并责令维保单位检修' }, officer('market-regulation'), NOW, cal));
    expect(part.case).toEqual(r.case);
    expect(part.events[0]).toMatchObject({ type: 'contributed', data: { unit: 'market-regulation', text: '电梯已停用并责令维保单位检修' } });
    expect(part.effects).toEqual([
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'co-report', urgent: true },
      { kind: 'email-complainant', caseId: 7, template: 'progress', detail: { text: '电梯已停用并责令维保单位检修', photos: 0, byUnit: 'market-regulation' } },
    ]);
    // Routing from triage names them at once; a return clears them with the lead.
    const t = ok(transition(caseIn('triage', { unit: null }), { type: 'assign', unit: 'housing', coUnits: ['market-regulation'] }, officer('housing'), NOW, cal));
    expect(t.case.coUnits).toEqual(['market-regulation']);
    expect(t.effects.map((e) => (e.kind === 'notify-unit' ? `${e.unit}:${e.template}` : e.kind))).toEqual(['housing:assigned', 'market-regulation:co-assigned', 'email-complainant']);
    const back = ok(transition(ok(transition(t.case, { type: 'accept' }, officer('housing'), NOW, cal)).case, { type: 'return', reason: '不属本单位' }, officer('housing'), NOW, cal));
    expect(back.case.coUnits).toEqual([]);
  });

  it('立案查处: 15 working days to verify and 90 days to decide; the decision goes to the complainant and housing', () => {
    const c = caseIn('in_progress', { unit: 'market-regulation' });
    const opened = ok(transition(c, { type: 'openPenalty' }, officer('market-regulation'), NOW, cal));
    // Wed 4 Mar + 15 working days → Wed 25 Mar (Qingming is later); + 90 days → Tue 2 Jun.
    expect(opened.case.deadlines).toMatchObject({ verify: '2026-03-25T16:00:00.000Z', penalty: '2026-06-02T16:00:00.000Z' });
    expect(opened.effects.map((e) => e.template)).toEqual(['penalty-opened', 'penalty-opened']);
    expect(code(transition(opened.case, { type: 'openPenalty' }, officer('market-regulation'), NOW, cal))).toBe('INVALID_INPUT');
    expect(code(transition(c, { type: 'decidePenalty', decision: '罚款' }, officer('market-regulation'), NOW, cal))).toBe('INVALID_INPUT');
    const decided = ok(transition(opened.case, { type: 'decidePenalty', decision: '罚款五千元' }, officer('market-regulation'), NOW, cal));
    expect(decided.case.deadlines.verify).toBeUndefined();
    expect(decided.case.deadlines.penalty).toBeUndefined();
    expect(decided.effects).toEqual([
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'penalty', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'penalty', detail: { text: '罚款五千元' } },
    ]);
  });

  it('处罚期限: the unit head extends the 90 days by 30 once; the complainant and housing hear of it', () => {
    const c = caseIn('in_progress', { unit: 'market-regulation' });
    const opened = ok(transition(c, { type: 'openPenalty' }, officer('market-regulation'), NOW, cal)).case;
    // Not before 立案查处, not by the unit's officer, not without a reason.
    expect(code(transition(c, { type: 'extendPenalty', reason: '需鉴定' }, head('market-regulation'), NOW, cal))).toBe('INVALID_INPUT');
    expect(code(transition(opened, { type: 'extendPenalty', reason: '需鉴定' }, officer('market-regulation'), NOW, cal))).toBe('FORBIDDEN_ROLE');
    expect(code(transition(opened, { type: 'extendPenalty', reason: '需鉴定' }, head('fire'), NOW, cal))).toBe('NOT_YOUR_UNIT');
    expect(code(transition(opened, { type: 'extendPenalty', reason: ' ' }, head('market-regulation'), NOW, cal))).toBe('INVALID_INPUT');
    const r = ok(transition(opened, { type: 'extendPenalty', reason: '需委托鉴定' }, head('market-regulation'), NOW, cal));
    // The 90-day period ends Tue 2 Jun; + 30 days → Thu 2 Jul (a working day), at 24:00.
    expect(r.case.deadlines.penalty).toBe('2026-07-02T16:00:00.000Z');
    expect(r.case.deadlines.verify).toBe(opened.deadlines.verify);
    expect(r.case.penaltyExtended).toBe(true);
    expect(r.events[0]).toMatchObject({ type: 'penalty-extended', data: { reason: '需委托鉴定', until: '2026-07-02T16:00:00.000Z' } });
    expect(r.effects).toEqual([
      { kind: 'notify-unit', unit: 'housing', county: COUNTY, caseId: 7, template: 'penalty-extended', urgent: false },
      { kind: 'email-complainant', caseId: 7, template: 'penalty-extended', detail: { until: '2026-07-02T16:00:00.000Z', reason: '需委托鉴定' } },
    ]);
    // Once only (可以延长三十日, one time).
    expect(code(transition(r.case, { type: 'extendPenalty', reason: '再延' }, head('market-regulation'), NOW, cal))).toBe('INVALID_INPUT');
  });

  it('an urgent case stays urgent when it is routed again', () => {
    const c = caseIn('in_progress', { urgent: true });
    const r = ok(transition(c, { type: 'reclassify', unit: 'police', problem: null }, officer('housing'), NOW, cal));
    expect(r.effects[0]).toMatchObject({ kind: 'notify-unit', unit: 'police', template: 'urgent', urgent: true });
    const t = ok(transition(caseIn('triage', { urgent: true, unit: null }), { type: 'assign', unit: 'fire' }, officer('housing'), NOW, cal));
    expect(t.effects[0]).toMatchObject({ kind: 'notify-unit', unit: 'fire', template: 'urgent', urgent: true });
  });

  it('rate: 满意 on a closed case is recorded; on an open case it is refused (the intake files it as a reply)', () => {
    const r = ok(transition(caseIn('written_off'), { type: 'rate', text: '满意，谢谢' }, SYSTEM, NOW, cal));
    expect(r.events[0]).toMatchObject({ type: 'rated', data: { satisfied: true, text: '满意，谢谢' } });
    expect(r.effects).toEqual([]);
    expect(code(transition(caseIn('in_progress'), { type: 'rate', text: '满意' }, SYSTEM, NOW, cal))).toBe('WRONG_STATE');
  });

  it('writeResident: a letter through the effects; refused without an address or text', () => {
    const r = ok(transition(caseIn('in_progress'), { type: 'writeResident', text: '本周五上门维修' }, officer('fire'), NOW, cal));
    expect(r.events[0]).toMatchObject({ type: 'wrote-resident', data: { text: '本周五上门维修' } });
    expect(r.effects).toEqual([{ kind: 'email-complainant', caseId: 7, template: 'officer-letter', detail: { text: '本周五上门维修' } }]);
    expect(code(transition(caseIn('in_progress'), { type: 'writeResident', text: ' ' }, officer('fire'), NOW, cal))).toBe('INVALID_INPUT');
    const noMail = caseIn('in_progress', { complainant: { name: null, phone: '13800000000', email: null } });
    expect(code(transition(noMail, { type: 'writeResident', text: '您好' }, officer('fire'), NOW, cal))).toBe('INVALID_INPUT');
  });

  it('only the problem type: status and deadlines stay', () => {
    const c = caseIn('in_progress', { problem: 'other' });
    const r = ok(transition(c, { type: 'reclassify', unit: 'fire', problem: 'no-disclosure' }, ADMIN, NOW, cal));
    expect(r.case).toMatchObject({ status: 'in_progress', unit: 'fire', problem: 'no-disclosure', deadlines: c.deadlines });
    expect(r.effects).toEqual([]);
  });

  it('no change, or an unknown problem type, is refused', () => {
    const c = caseIn('in_progress', { problem: 'other' });
    expect(code(transition(c, { type: 'reclassify', unit: 'fire', problem: 'other' }, ADMIN, NOW, cal))).toBe('INVALID_INPUT');
    expect(code(transition(c, { type: 'reclassify', unit: 'fire', problem: 'noise' as never }, ADMIN, NOW, cal))).toBe('INVALID_INPUT');
  });
});

// ─── Input checks and purity ─────────────────────────────────────────────────────────────────────────────────
describe('input checks', () => {
  it.each([
    ['unknown command', caseIn('in_progress'), { type: 'explode' } as unknown as Command],
    ['resolve without result', caseIn('in_progress'), { type: 'resolve', finding: 'partly', result: ' ' } as Command],
    ['resolve with a bad finding', caseIn('in_progress'), { type: 'resolve', finding: 'maybe', result: 'x' } as unknown as Command],
    ['progress with bad photos', caseIn('in_progress'), { type: 'progress', text: 'x', photos: [3] } as unknown as Command],
    ['cosign without opinion', caseIn('resolved', { unit: 'housing' }), { type: 'cosign', opinion: '' } as Command],
    ['decideExtension without a choice', caseIn('in_progress', { extension: { until: '2026-03-20T16:00:00.000Z', reason: 'x', requestedBy: 1 } }), { type: 'decideExtension' } as unknown as Command],
    ['reopen without text', caseIn('resolved'), { type: 'reopen', text: '' } as Command],
  ])('%s → INVALID_INPUT', (_n, c, cmd) => {
    expect(code(transition(c, cmd, ADMIN, NOW, cal))).toBe('INVALID_INPUT');
  });

  it('auth is checked before state: a stranger learns nothing about the case', () => {
    expect(code(transition(caseIn('written_off'), { type: 'accept' }, officer('police'), NOW, cal))).toBe('NOT_YOUR_UNIT');
  });

  it('never mutates its input', () => {
    const c = caseIn('in_progress', { extension: { until: '2026-03-20T16:00:00.000Z', reason: 'x', requestedBy: 1 } });
    const frozen = structuredClone(c);
    deepFreeze(c);
    for (const type of COMMAND_TYPES) transition(c, sample(type), ADMIN, NOW, cal);
    expect(c).toEqual(frozen);
  });
});

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object') {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

// ─── due() ───────────────────────────────────────────────────────────────────────────────────────────────────
describe('due (for the scheduler)', () => {
  const c = registered({ classification: classification({ unit: 'fire' }) }); // close 2026-03-09T16:00Z (end of Mon 9 Mar)

  it.each([
    ['a week before', '2026-03-02T03:00:00Z', []],
    ['the day before (upcoming)', '2026-03-08T10:00:00Z', [['close', 'upcoming']]],
    ['on the last day (due-today)', '2026-03-09T01:00:00Z', [['close', 'due-today']]],
    ['one minute before 24:00', '2026-03-09T15:59:00Z', [['close', 'due-today']]],
    ['at 24:00 (overdue)', '2026-03-09T16:00:00Z', [['close', 'overdue']]],
  ])('%s', (_n, now, want) => {
    expect(due(c, at(now)).map((d) => [d.deadline, d.state])).toEqual(want);
  });

  it('a wider horizon shows more upcoming deadlines', () => {
    expect(due(c, at('2026-03-06T02:00:00Z'), 3).map((d) => d.state)).toEqual(['upcoming']);
    expect(due(c, at('2026-03-06T02:00:00Z'), 1)).toEqual([]);
  });

  it('transfer counts only until assignment; close stops when the unit resolves', () => {
    const triage = { ...c, status: 'triage' as const, unit: null };
    expect(due(triage, at('2026-03-12T02:00:00Z'))).toEqual([{ deadline: 'transfer', dueAt: '2026-03-11T16:00:00.000Z', state: 'overdue' }]);
    expect(due(c, at('2026-03-12T02:00:00Z')).map((d) => d.deadline)).toEqual(['close']);
    expect(due({ ...c, status: 'resolved' }, at('2026-03-12T02:00:00Z'))).toEqual([]);
  });

  it('plan and progress of complex cases; supervised progress runs until write-off', () => {
    const complex = { ...c, status: 'in_progress' as const, complex: true, deadlines: { ...c.deadlines, plan: '2026-03-11T16:00:00.000Z' } };
    expect(due(complex, at('2026-03-12T02:00:00Z')).map((d) => d.deadline)).toEqual(['close', 'plan']);
    const supervised = { ...c, status: 'reviewed' as const, supervised: true, deadlines: { ...c.deadlines, progress: '2026-04-07T16:00:00.000Z' } };
    expect(due(supervised, at('2026-04-08T02:00:00Z'))).toEqual([{ deadline: 'progress', dueAt: '2026-04-07T16:00:00.000Z', state: 'overdue' }]);
    expect(due({ ...supervised, status: 'written_off' }, at('2026-04-08T02:00:00Z'))).toEqual([]);
  });
});
