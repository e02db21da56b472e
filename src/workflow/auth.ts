// Who may do what to which case. Pure: the actor and the case come in, a verdict goes out.
// Reach (000 附件 三(一), 六(一)):
//   officer    — the case's own unit in the case's own county (its 负责人, unitHead, also extends a penalty period
//                once, 000 附件 三(二)); housing officers of the county also work the
//                office's triage queue (assign, reclassify, co-handling units: 联席会议办公室设在住建部门); a
//                co-handling unit (协办) of the county reads the case and reports its part (contribute).
//   cosigner   — township/community of the case's county: sign the closing opinion of housing-handled cases.
//   reviewer   — city level, any county, but only the case unit's city-level counterpart (市级相关部门审核后销号);
//                township/community have no city-level counterpart, so city housing (the lead) reviews theirs.
//   supervisor — reads everything, changes nothing (纪检监察机关可实时监督检查; the adapter audits reads).
//   admin      — a county's admin: everything in that county; the city's (市本级) admin: everything everywhere.
// A system actor (the mail intake) registers cases and turns complainant replies into reopen/reply.
import type { Actor, Case, UnitCode } from '../domain.ts';
import type { CommandType } from './complaint.ts';
import { workflowError, type WorkflowError } from './errors.ts';

export type Action = CommandType | 'read';
export type AuthResult = { ok: true } | { ok: false; error: WorkflowError };

/** Work the owning unit does on its own case. */
const UNIT_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'accept',
  'return',
  'progress',
  'markComplex',
  'submitPlan',
  'requestExtension',
  'resolve',
  'writeResident',
  'setCompany',
  'openPenalty',
  'decidePenalty',
]);
/** The housing office's triage queue (高效分转). */
/** The housing office's desk work: routing (高效分转), co-handling units, and 挂牌督办 of a case (正文 四(四)). */
const OFFICE_ACTIONS: ReadonlySet<Action> = new Set<Action>(['assign', 'reclassify', 'setCoUnits', 'supervise']);
const COSIGNER_ACTIONS: ReadonlySet<Action> = new Set<Action>(['cosign', 'rejectCosign']);
const REVIEWER_ACTIONS: ReadonlySet<Action> = new Set<Action>(['decideExtension', 'review', 'rejectReview', 'writeOff']);
/** What arrives from the complainant by mail. */
const COMPLAINANT_ACTIONS: ReadonlySet<Action> = new Set<Action>(['reopen', 'reply', 'rate']);
const COSIGNER_UNITS: ReadonlySet<UnitCode> = new Set<UnitCode>(['township', 'community']);

const OK: AuthResult = { ok: true };
const deny = (code: WorkflowError['code'], detail?: string): AuthResult => ({ ok: false, error: workflowError(code, detail) });

/** The city-level unit that reviews and writes off a case handled by `unit` (000 附件 三(一)). */
export function reviewingUnit(unit: UnitCode): UnitCode {
  return COSIGNER_UNITS.has(unit) ? 'housing' : unit;
}

/** What reach is decided on: the case's county, its lead unit and its co-handling units (协办). */
export type Reach = Pick<Case, 'county' | 'unit'> & { coUnits?: readonly UnitCode[] };

export function canAct(actor: Actor, action: Action, c: Reach): AuthResult {
  if (actor.kind === 'system') {
    return action === 'read' || COMPLAINANT_ACTIONS.has(action) ? OK : deny('FORBIDDEN_ROLE');
  }
  if (actor.kind === 'complainant') {
    return COMPLAINANT_ACTIONS.has(action) ? OK : deny('FORBIDDEN_ROLE');
  }
  switch (actor.role) {
    case 'admin':
      // A county's admin runs that county (its cases carry residents' contact details); the city's admin all.
      // …but the penalty extension is the unit head's own approval (000 附件 三(二)), not the administrator's.
      if (action === 'extendPenalty') return deny('FORBIDDEN_ROLE', '须经本单位负责人批准');
      if (!actor.cityLevel && actor.county && actor.county !== c.county) return deny('NOT_YOUR_COUNTY');
      return OK;
    case 'supervisor':
      return action === 'read' ? OK : deny('FORBIDDEN_ROLE', '督导只能查阅');
    case 'reviewer':
      if (action === 'read') return OK;
      if (!REVIEWER_ACTIONS.has(action)) return deny('FORBIDDEN_ROLE');
      if (!c.unit || actor.unit !== reviewingUnit(c.unit)) return deny('NOT_YOUR_UNIT', '应由承办单位的市级部门审核');
      return OK;
    case 'cosigner':
      if (action !== 'read' && !COSIGNER_ACTIONS.has(action)) return deny('FORBIDDEN_ROLE');
      if (actor.county !== c.county) return deny('NOT_YOUR_COUNTY');
      if (!actor.unit || !COSIGNER_UNITS.has(actor.unit)) return deny('NOT_YOUR_UNIT', '会签人须为乡镇(街道)或社区');
      return OK;
    case 'officer':
      return officerCan(actor, action, c);
    default:
      return deny('FORBIDDEN_ROLE');
  }
}

function officerCan(actor: Actor, action: Action, c: Reach): AuthResult {
  // 经本单位负责人批准，可以延长三十日 (000 附件 三(二)): the unit's own head, nobody else, not even the office.
  if (action === 'extendPenalty') {
    if (actor.county !== c.county) return deny('NOT_YOUR_COUNTY');
    if (!actor.unit || c.unit !== actor.unit) return deny('NOT_YOUR_UNIT');
    return actor.unitHead ? OK : deny('FORBIDDEN_ROLE', '须经本单位负责人批准');
  }
  // A co-handling unit (协办) sees the case and reports its part; the lead unit does the rest.
  const coHandles = !!actor.unit && (c.coUnits ?? []).includes(actor.unit);
  if (action === 'contribute') {
    if (actor.county !== c.county) return deny('NOT_YOUR_COUNTY');
    return coHandles ? OK : deny('NOT_YOUR_UNIT', '仅协办单位报送协办情况');
  }
  if (action === 'read' && coHandles && actor.county === c.county) return OK;
  const office = OFFICE_ACTIONS.has(action);
  if (!office && !UNIT_ACTIONS.has(action) && action !== 'read') return deny('FORBIDDEN_ROLE');
  if (actor.county !== c.county) return deny('NOT_YOUR_COUNTY');
  const isHousingOffice = actor.unit === 'housing';
  if (office) return isHousingOffice ? OK : deny('NOT_YOUR_UNIT', '分转由住建部门办理');
  // Reading: the office sees its whole county (it keeps the ledger); a unit sees its own cases. The office also
  // writes to any complainant of the county (it receives every complaint and answers for the county).
  if ((action === 'read' || action === 'writeResident' || action === 'setCompany') && isHousingOffice) return OK;
  if (!actor.unit || c.unit !== actor.unit) return deny('NOT_YOUR_UNIT');
  return OK;
}
