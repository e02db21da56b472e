// workflow/offers: what an actor is offered on a case is what a dry run of the workflow accepts.
import { describe, expect, it } from 'vitest';
import type { Actor, Case } from '../../src/domain.ts';
import { createCalendar } from '../../src/workflow/calendar.ts';
import { transition } from '../../src/workflow/complaint.ts';
import { offeredCommands, precheckCommand, PROBES } from '../../src/workflow/offers.ts';

const cal = createCalendar();
const NOW = new Date('2026-03-05T02:00:00Z');

function complaint(over: Partial<Case> = {}): Case {
  return {
    id: 42, tracking: 'YH-2026-000042', county: 'yanhu', source: 'email', status: 'assigned', unit: 'fire',
    problem: 'service-not-delivered', urgent: false, complex: false, supervised: false,
    complainant: { name: '张三', phone: null, email: 'z@example.com' }, compound: null, address: null, company: null,
    subject: '楼道电动车充电', body: '楼道里天天有人给电动车充电。', classification: null,
    receivedAt: '2026-03-02T01:30:00.000Z', assignedAt: '2026-03-02T02:00:00.000Z', acceptedAt: null, resolvedAt: null,
    writtenOffAt: null, finding: null, result: null, deadlines: { close: '2026-03-09T16:00:00.000Z' }, extension: null,
    extended: false, penaltyExtended: false, coUnits: [], ...over,
  };
}
const desk: Actor = { kind: 'officer', role: 'officer', unit: 'housing', county: 'yanhu' };
const fire: Actor = { kind: 'officer', role: 'officer', unit: 'fire', county: 'yanhu' };
const supervisor: Actor = { kind: 'officer', role: 'supervisor', county: 'yuncheng' };

describe('offers: the workflow’s dry run', () => {
  it.each([
    ['housing office, triage', desk, { status: 'triage', unit: null }, ['assign', 'writeResident', 'setCompany']],
    ['housing office, a unit’s case', desk, { status: 'accepted' }, ['reclassify', 'writeResident', 'supervise', 'setCompany', 'setCoUnits']],
    ['unit officer, assigned', fire, {}, ['accept', 'return', 'writeResident', 'setCompany']],
    ['unit officer, other county', { ...fire, county: 'yongji' }, {}, []],
    ['supervisor reads only', supervisor, { status: 'accepted' }, []],
  ] as const)('%s', (_name, actor, over, expected) => {
    expect(offeredCommands(complaint(over as Partial<Case>), actor, NOW, cal)).toEqual(expected);
  });

  it('offers a command only when its probe passes, and every probe is a command of its own type', () => {
    for (const [type, probe] of PROBES) expect(probe(NOW, complaint()).type).toBe(type);
    const c = complaint({ status: 'accepted' });
    for (const type of offeredCommands(c, fire, NOW, cal)) {
      const probe = PROBES.find(([t]) => t === type)![1];
      expect(transition(c, probe(NOW, c), fire, NOW, cal).ok).toBe(true);
    }
  });

  it('prechecks with the workflow’s Chinese reason', () => {
    expect(precheckCommand(complaint({ status: 'accepted' }), { ...fire, unit: 'police' }, 'return', NOW, cal)).toEqual({ ok: false, message: '该案件不属于您所在单位承办' });
    expect(precheckCommand(complaint({ status: 'accepted' }), fire, 'progress', NOW, cal)).toEqual({ ok: true });
    expect(precheckCommand(complaint({ status: 'accepted' }), supervisor, 'progress', NOW, cal).ok).toBe(false);
  });
});
