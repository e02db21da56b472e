import { describe, expect, it } from 'vitest';
import { UNIT_CODES } from '../../src/domain.ts';
import { CASE_VERBS, encodeCallback, MAX_CALLBACK_BYTES, parseCallback, type Callback, type CaseVerb } from '../../src/messages/callback.ts';
import { parseOfficerDate } from '../../src/bot/dates.ts';

describe('callback data', () => {
  const valid: [string, Callback][] = [
    ['acc:17', { kind: 'case', verb: 'accept', caseId: 17 }],
    ['v:1', { kind: 'case', verb: 'view', caseId: 1 }],
    ['rf:1', { kind: 'case', verb: 'refresh', caseId: 1 }],
    ['raw:99', { kind: 'case', verb: 'raw', caseId: 99 }],
    ['ret:5', { kind: 'case', verb: 'return', caseId: 5 }],
    ['dp:5', { kind: 'case', verb: 'submitProgress', caseId: 5 }],
    ['dr:5', { kind: 'case', verb: 'submitResolve', caseId: 5 }],
    ['fnd:5:s', { kind: 'case', verb: 'finding', caseId: 5, finding: 'substantiated' }],
    ['fnd:5:p', { kind: 'case', verb: 'finding', caseId: 5, finding: 'partly' }],
    ['fnd:5:u', { kind: 'case', verb: 'finding', caseId: 5, finding: 'unsubstantiated' }],
    ['asg:8', { kind: 'case', verb: 'assign', caseId: 8, unit: null }],
    ['asg:8:0', { kind: 'case', verb: 'assign', caseId: 8, unit: 'housing' }],
    ['asg:8:11', { kind: 'case', verb: 'assign', caseId: 8, unit: 'community' }],
    ['exy:3', { kind: 'case', verb: 'approveExtension', caseId: 3 }],
    ['wo:999999999999999', { kind: 'case', verb: 'writeOff', caseId: 999999999999999 }],
    ['tk:0', { kind: 'tasks', page: 0 }],
    ['tk:12', { kind: 'tasks', page: 12 }],
    ['ns:12345', { kind: 'source', source: '12345' }],
    ['ns:phone', { kind: 'source', source: 'phone' }],
    ['cx', { kind: 'cancel' }],
    ['cd:7', { kind: 'companyDone', actionId: 7 }],
    ['cd:999999999999999', { kind: 'companyDone', actionId: 999999999999999 }],
  ];
  it.each(valid)('parses %s', (data, expected) => {
    expect(parseCallback(data)).toEqual(expected);
  });

  it.each(valid)('round-trips %s', (data, cb) => {
    expect(encodeCallback(cb)).toBe(data);
  });

  const forged = [
    '',
    'acc',
    'acc:',
    'acc:0',
    'acc:-1',
    'acc:01',
    'acc:1.5',
    'acc:abc',
    'ACC:1',
    'zzz:1',
    'acc:1:x', // plain verbs take no argument
    'fnd:1',
    'fnd:1:x',
    'asg:1:12', // only 12 units, 0..11
    'asg:1:01',
    'asg:1:s',
    'tk:-1',
    'tk:01',
    'tk:1000000',
    'ns:email', // mail is not registered by hand
    'ns:',
    'cx:1',
    'acc:1 ',
    ' acc:1',
    'acc:1\n',
    'acc:99999999999999999', // beyond a safe integer id
    'acc:9999999999999999',
    'dn:5',
    `acc:${'1'.repeat(70)}`,
    'x'.repeat(65),
    '{"a":1}',
    'cd:',
    'cd:0',
    'cd:01',
    'cd:-3',
    'cd:1:2', // takes no argument
    'cd:abc',
    'cd:9999999999999999', // beyond a safe integer id
    'CD:1',
  ];
  it.each(forged)('refuses %j', (data) => {
    expect(parseCallback(data)).toBeNull();
  });

  it('refuses non-strings', () => {
    expect(parseCallback(undefined)).toBeNull();
    expect(parseCallback(12)).toBeNull();
    expect(parseCallback(null)).toBeNull();
  });

  it('stays within 64 bytes for the largest ids and every verb and unit', () => {
    const id = Number.MAX_SAFE_INTEGER;
    for (const verb of Object.keys(CASE_VERBS) as CaseVerb[]) {
      let cb: Callback;
      if (verb === 'finding') cb = { kind: 'case', verb, caseId: id, finding: 'unsubstantiated' };
      else if (verb === 'assign' || verb === 'coUnits' || verb === 'move') cb = { kind: 'case', verb, caseId: id, unit: UNIT_CODES[11] };
      else cb = { kind: 'case', verb, caseId: id };
      const data = encodeCallback(cb);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(MAX_CALLBACK_BYTES);
    }
  });

  it('keeps verb codes unique', () => {
    const codes = Object.values(CASE_VERBS);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('dates officers type', () => {
  const now = new Date('2026-03-02T02:00:00Z'); // 2026-03-02 10:00 in Shanghai
  const table: [string, string | null][] = [
    ['2026-10-15', '2026-10-15'],
    ['2026/10/15', '2026-10-15'],
    ['2026.1.5', '2026-01-05'],
    ['2026年10月15日', '2026-10-15'],
    ['2026 年 3 月 9 号', '2026-03-09'],
    ['２０２６－１０－１５', null], // full-width dash is not a separator we accept
    ['２０２６/１０/１５', '2026-10-15'],
    ['10月15日', '2026-10-15'],
    ['3-2', '2026-03-02'], // today counts (the workflow checks "after now")
    ['3月1日', '2027-03-01'], // yesterday: next year's
    ['2/29', null], // neither this year nor the next has it
    ['2026-02-30', null],
    ['2026-13-01', null],
    ['明天', null],
    ['15', null],
    ['', null],
  ];
  it.each(table)('%j → %s', (text, expected) => {
    expect(parseOfficerDate(text, now)).toBe(expected);
  });
});
