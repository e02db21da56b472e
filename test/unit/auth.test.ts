import { describe, expect, it } from 'vitest';
import { mayCompleteCompanyAction } from '../../src/bot/auth.ts';
import type { Officer } from '../../src/store/officers.ts';
import type { Actor, Case, UnitCode } from '../../src/domain.ts';
import { canAct, reviewingUnit, type Action } from '../../src/workflow/auth.ts';
import { COMMAND_TYPES } from '../../src/workflow/complaint.ts';
import { ERROR_MESSAGES_ZH, WORKFLOW_ERROR_CODES } from '../../src/workflow/errors.ts';

type Verdict = 'ok' | 'NOT_YOUR_UNIT' | 'NOT_YOUR_COUNTY' | 'FORBIDDEN_ROLE';

const COUNTY = 'yanhu';
const officer = (role: Actor['role'], unit: UnitCode | undefined, county = COUNTY): Actor => ({
  kind: 'officer',
  officerId: 1,
  role,
  unit,
  county,
});

/** Actors as seen from a case of `unit` in yanhu. */
function actors(unit: UnitCode) {
  return {
    unitOfficer: officer('officer', unit),
    otherUnitOfficer: officer('officer', unit === 'police' ? 'fire' : 'police'),
    unitOfficerOtherCounty: officer('officer', unit, 'yongji'),
    housingOffice: officer('officer', 'housing'),
    housingOfficeOtherCounty: officer('officer', 'housing', 'yongji'),
    township: officer('cosigner', 'township'),
    community: officer('cosigner', 'community'),
    cosignerOtherCounty: officer('cosigner', 'township', 'yongji'),
    reviewerCounterpart: officer('reviewer', reviewingUnit(unit), 'yuncheng'),
    reviewerOtherUnit: officer('reviewer', unit === 'police' ? 'fire' : 'police', 'yuncheng'),
    supervisor: officer('supervisor', undefined, 'yuncheng'),
    admin: { ...officer('admin', undefined, 'yuncheng'), cityLevel: true },
    system: { kind: 'system' } as Actor,
    complainant: { kind: 'complainant' } as Actor,
  };
}
type ActorKey = keyof ReturnType<typeof actors>;
const ACTOR_KEYS = Object.keys(actors('fire')) as ActorKey[];

const ok = 'ok' as const;
const U = 'NOT_YOUR_UNIT' as const;
const C = 'NOT_YOUR_COUNTY' as const;
const R = 'FORBIDDEN_ROLE' as const;

// Columns follow ACTOR_KEYS:
//          unitOff otherOff otherCty office officeCty town comm cosCty revCp revOth super admin system compl
const UNIT_WORK: Verdict[] = [ok, U, C, U, C, R, R, R, R, R, R, ok, R, R];
const OFFICE_WORK: Verdict[] = [U, U, C, ok, C, R, R, R, R, R, R, ok, R, R];
const COSIGN_WORK: Verdict[] = [R, R, R, R, R, ok, ok, C, R, R, R, ok, R, R];
const REVIEW_WORK: Verdict[] = [R, R, R, R, R, R, R, R, ok, U, R, ok, R, R];
const COMPLAINANT: Verdict[] = [R, R, R, R, R, R, R, R, R, R, R, ok, ok, ok];
/** Writing to the complainant: the unit working the case, and the county's office (it answers for the county). */
const WRITE: Verdict[] = [ok, U, C, ok, C, R, R, R, R, R, R, ok, R, R];
/** No actor in the matrix co-handles its case: the unit's own and other officers are refused, admins may. */
const CONTRIBUTE: Verdict[] = [U, U, C, U, C, R, R, R, R, R, R, ok, R, R];
const READ: Verdict[] = [ok, U, C, ok, C, ok, ok, C, ok, ok, ok, ok, ok, R];

/** The expected reach of every action, written from the brief and 000 附件 三(一). */
const MATRIX: Record<Action, Verdict[]> = {
  accept: UNIT_WORK,
  return: UNIT_WORK,
  progress: UNIT_WORK,
  markComplex: UNIT_WORK,
  submitPlan: UNIT_WORK,
  requestExtension: UNIT_WORK,
  resolve: UNIT_WORK,
  openPenalty: UNIT_WORK,
  decidePenalty: UNIT_WORK,
  // The unit head's own approval (000 附件 三(二)): no plain officer, office or admin (a head: its own test).
  extendPenalty: [R, U, C, U, C, R, R, R, R, R, R, R, R, R],
  assign: OFFICE_WORK,
  reclassify: OFFICE_WORK,
  setCoUnits: OFFICE_WORK,
  // Only a co-handling unit reports a part (none in this matrix's cases: see the co-handling test below).
  contribute: CONTRIBUTE,
  cosign: COSIGN_WORK,
  rejectCosign: COSIGN_WORK,
  decideExtension: REVIEW_WORK,
  review: REVIEW_WORK,
  rejectReview: REVIEW_WORK,
  writeOff: REVIEW_WORK,
  reopen: COMPLAINANT,
  reply: COMPLAINANT,
  rate: COMPLAINANT,
  writeResident: WRITE,
  setCompany: WRITE,
  supervise: OFFICE_WORK,
  read: READ,
};

const caseOf = (unit: UnitCode | null): Pick<Case, 'county' | 'unit'> => ({ county: COUNTY, unit });

describe('the penalty extension: the unit head only (000 附件 三(二) 经本单位负责人批准)', () => {
  const c = { county: 'yanhu', unit: 'market-regulation' as const };
  it.each([
    [{ kind: 'officer', role: 'officer', unit: 'market-regulation', county: 'yanhu', unitHead: true }, 'ok'],
    [{ kind: 'officer', role: 'officer', unit: 'market-regulation', county: 'yanhu' }, 'FORBIDDEN_ROLE'],
    [{ kind: 'officer', role: 'officer', unit: 'market-regulation', county: 'yongji', unitHead: true }, 'NOT_YOUR_COUNTY'],
    [{ kind: 'officer', role: 'officer', unit: 'housing', county: 'yanhu', unitHead: true }, 'NOT_YOUR_UNIT'],
    [{ kind: 'officer', role: 'admin', county: 'yanhu', unitHead: true }, 'FORBIDDEN_ROLE'],
  ] as const)('%j → %s', (actor, want) => {
    const r = canAct(actor as Actor, 'extendPenalty', c);
    expect(r.ok ? 'ok' : r.error.code).toBe(want);
  });
});

describe('canAct matrix: action × actor (own/other unit, own/other county)', () => {
  it('covers every command', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...COMMAND_TYPES, 'read'].sort());
    for (const row of Object.values(MATRIX)) expect(row).toHaveLength(ACTOR_KEYS.length);
  });

  for (const unit of ['fire', 'housing', 'market-regulation'] as UnitCode[]) {
    const who = actors(unit);
    const rows = (Object.keys(MATRIX) as Action[]).flatMap((action) =>
      ACTOR_KEYS.map((key, i) => ({ action, key, expected: MATRIX[action][i] as Verdict })),
    );
    it.each(rows)(`${unit} case: $action by $key → $expected`, ({ action, key, expected }) => {
      let want: Verdict = expected;
      // For a housing case the unit's own officer *is* the housing office.
      if (unit === 'housing' && key === 'unitOfficer' && OFFICE_WORK === MATRIX[action]) want = 'ok';
      if (unit === 'housing' && key === 'housingOffice' && UNIT_WORK === MATRIX[action]) want = 'ok';
      if (unit === 'housing' && key === 'housingOffice' && action === 'extendPenalty') want = 'FORBIDDEN_ROLE'; // an officer, not the head
      const r = canAct(who[key], action, caseOf(unit));
      if (want === 'ok') expect(r).toEqual({ ok: true });
      else {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe(want);
      }
    });
  }
});

describe('canAct special cases', () => {
  it('a co-handling unit (协办) of the county reads the case and reports its part, nothing else', () => {
    const c = { county: COUNTY, unit: 'housing' as UnitCode, coUnits: ['market-regulation'] as UnitCode[] };
    const mr = officer('officer', 'market-regulation');
    expect(canAct(mr, 'read', c).ok).toBe(true);
    expect(canAct(mr, 'contribute', c).ok).toBe(true);
    expect(canAct(mr, 'resolve', c)).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_UNIT' } });
    expect(canAct(officer('officer', 'market-regulation', 'yongji'), 'contribute', c)).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_COUNTY' } });
    expect(canAct(officer('officer', 'housing'), 'contribute', c)).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_UNIT' } });
  });

  it('triage cases (no unit): only the housing office of the county and admins route them', () => {
    const triage = caseOf(null);
    expect(canAct(officer('officer', 'housing'), 'assign', triage).ok).toBe(true);
    expect(canAct(officer('officer', 'fire'), 'assign', triage)).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_UNIT' } });
    expect(canAct(officer('officer', 'housing', 'yongji'), 'assign', triage)).toMatchObject({
      ok: false,
      error: { code: 'NOT_YOUR_COUNTY' },
    });
    expect(canAct(officer('officer', 'fire'), 'accept', triage)).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_UNIT' } });
    expect(canAct(officer('officer', 'fire'), 'read', triage)).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_UNIT' } });
    expect(canAct(officer('officer', 'housing'), 'read', triage).ok).toBe(true);
  });

  it('township and community cases are reviewed by city housing, the lead (no city-level township)', () => {
    expect(reviewingUnit('township')).toBe('housing');
    expect(reviewingUnit('community')).toBe('housing');
    expect(reviewingUnit('fire')).toBe('fire');
    expect(canAct(officer('reviewer', 'housing', 'yuncheng'), 'review', caseOf('township')).ok).toBe(true);
    expect(canAct(officer('reviewer', 'fire', 'yuncheng'), 'review', caseOf('township'))).toMatchObject({
      ok: false,
      error: { code: 'NOT_YOUR_UNIT' },
    });
  });

  it('a reviewer reaches every county but not a case without a unit', () => {
    for (const county of ['yanhu', 'yongji', 'ruicheng']) {
      expect(canAct(officer('reviewer', 'fire', 'yuncheng'), 'writeOff', { county, unit: 'fire' }).ok).toBe(true);
    }
    expect(canAct(officer('reviewer', 'housing', 'yuncheng'), 'review', caseOf(null)).ok).toBe(false);
  });

  it('a cosigner must belong to the township or community', () => {
    expect(canAct(officer('cosigner', 'fire'), 'cosign', caseOf('housing'))).toMatchObject({
      ok: false,
      error: { code: 'NOT_YOUR_UNIT' },
    });
    expect(canAct(officer('cosigner', undefined), 'cosign', caseOf('housing')).ok).toBe(false);
  });

  it('an officer without a role or unit is refused', () => {
    expect(canAct({ kind: 'officer', county: COUNTY, unit: 'fire' }, 'accept', caseOf('fire'))).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_ROLE' },
    });
    expect(canAct(officer('officer', undefined), 'accept', caseOf('fire'))).toMatchObject({
      ok: false,
      error: { code: 'NOT_YOUR_UNIT' },
    });
  });

  it('refusals carry the Chinese text', () => {
    const r = canAct(officer('supervisor', undefined), 'resolve', caseOf('fire'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message.startsWith(ERROR_MESSAGES_ZH.FORBIDDEN_ROLE)).toBe(true);
  });
});

describe('ERROR_MESSAGES_ZH', () => {
  it('has a Chinese text for every code', () => {
    for (const code of WORKFLOW_ERROR_CODES) expect(ERROR_MESSAGES_ZH[code]).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('a county admin reaches its own county only; the city admin every county', () => {
  const yanhuCase = { county: 'yanhu', unit: 'housing' as UnitCode };
  const cityCase = { county: 'yuncheng', unit: 'housing' as UnitCode };
  it.each<[string, Actor, Pick<Case, 'county' | 'unit'>, 'ok' | 'NOT_YOUR_COUNTY']>([
    ['盐湖 admin on a 盐湖 case', officer('admin', undefined, 'yanhu'), yanhuCase, 'ok'],
    ['盐湖 admin on a 市本级 case', officer('admin', undefined, 'yanhu'), cityCase, 'NOT_YOUR_COUNTY'],
    ['永济 admin on a 盐湖 case', officer('admin', undefined, 'yongji'), yanhuCase, 'NOT_YOUR_COUNTY'],
    ['city admin on a 盐湖 case', { ...officer('admin', undefined, 'yuncheng'), cityLevel: true }, yanhuCase, 'ok'],
    ['city admin on a 市本级 case', { ...officer('admin', undefined, 'yuncheng'), cityLevel: true }, cityCase, 'ok'],
  ])('%s → %s', (_name, actor, c, want) => {
    for (const action of ['read', 'assign', 'writeOff'] as Action[]) {
      const r = canAct(actor, action, c);
      expect(r.ok ? 'ok' : r.error.code, action).toBe(want);
    }
  });
});

describe('who may record a company action done (the ✅ 已完成 button)', () => {
  const o = (role: Officer['role'], unit: UnitCode, county = 'yanhu'): Officer => ({ id: 1, chatId: 1, name: null, unit, county, role, active: true, reachable: true });
  const survey = { doer: 'housing' as UnitCode, county: 'yanhu' };
  const fee = { doer: 'development-reform' as UnitCode, county: 'yanhu' };
  it.each<[string, Officer, { doer: UnitCode; county: string }, boolean]>([
    ['the housing officer of the county, a survey', o('officer', 'housing'), survey, true],
    ['the county admin, a survey', o('admin', 'housing'), survey, true],
    ['another county’s admin', o('admin', 'housing', 'yongji'), survey, false],
    ['the city admin', { ...o('admin', 'housing', 'yuncheng'), cityLevel: true }, survey, true],
    ['a housing officer of another county', o('officer', 'housing', 'yongji'), survey, false],
    ['another unit’s officer of the county', o('officer', 'police'), survey, false],
    ['the housing officer, the fee standard (发改’s step)', o('officer', 'housing'), fee, false],
    ['the 发改 officer of the county, the fee standard', o('officer', 'development-reform'), fee, true],
    ['a city supervisor', o('supervisor', 'housing', 'yuncheng'), survey, false],
    ['a county cosigner', o('cosigner', 'township'), survey, false],
    ['a reviewer', o('reviewer', 'housing'), survey, false],
  ])('%s → %s', (_name, officer, action, want) => {
    expect(mayCompleteCompanyAction(officer, action)).toBe(want);
  });
});
