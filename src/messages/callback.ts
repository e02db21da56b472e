// Inline-button callback data: `<code>:<caseId>[:<arg>]`, `tk:<page>`, `ns:<source>`, `cd:<companyActionId>`, `cx`. Telegram caps
// callback_data at 64 bytes; every encoding here stays far below and `encodeCallback` refuses anything longer.
// Callback data comes from the client and can be forged: `parseCallback` accepts only the exact shapes below,
// and the handlers still check the officer's reach on the case (auth.ts) before anything is read or changed.
import { FINDINGS, UNIT_CODES, type Finding, type UnitCode } from '../domain.ts';

export const MAX_CALLBACK_BYTES = 64;

/** What a case button does. */
export const CASE_VERBS = {
  view: 'v', // open the case card as a new message
  refresh: 'rf', // redraw this card
  raw: 'raw', // 查看原文: original text and attachments
  accept: 'acc',
  return: 'ret',
  progress: 'prg',
  complex: 'cpx',
  plan: 'pln',
  extend: 'ext',
  resolve: 'res',
  finding: 'fnd', // arg: s | p | u
  submitProgress: 'dp', // 提交 a progress report
  submitResolve: 'dr', // 提交 a closing report
  cosign: 'cs',
  cosignAgree: 'csy',
  rejectCosign: 'csn',
  review: 'rv',
  rejectReview: 'rvn',
  writeOff: 'wo',
  approveExtension: 'exy',
  rejectExtension: 'exn',
  assign: 'asg', // arg: unit index; without it, show the unit choice
  move: 'mv', // 改派 an assigned case: arg: unit index; without it, show the unit choice
  letter: 'ltr', // 致投诉人: write to the complainant
  coUnits: 'co', // 协办单位: arg: unit index, toggled; without it, show the choice
  contribute: 'ctb', // 报送协办情况: a co-handling unit's report
  openPenalty: 'pno', // 立案查处
  decidePenalty: 'pnd', // 处罚决定 (typed)
  extendPenalty: 'pnx', // 延长处罚期限 (the unit head; reason typed)
  supervise: 'sv', // 挂牌督办
  company: 'cmp', // 物业企业: set or correct the case's company (typed)
  confirm: 'cf', // 确认 what was typed in a confirmed dialogue (认定复杂问题, 致投诉人)
} as const;
export type CaseVerb = keyof typeof CASE_VERBS;

const VERB_BY_CODE = new Map<string, CaseVerb>(Object.entries(CASE_VERBS).map(([verb, code]) => [code, verb as CaseVerb]));

export const FINDING_CODES: Record<Finding, string> = { substantiated: 's', partly: 'p', unsubstantiated: 'u' };
const FINDING_BY_CODE = new Map<string, Finding>(FINDINGS.map((f) => [FINDING_CODES[f], f]));

/** Sources an officer can register through /new (phone, visit, letter, 12345 hotline, 信访 and 省厅 transfers). */
export const NEW_CASE_SOURCES = ['phone', 'visit', 'letter', '12345', 'petition', 'province'] as const;
export type NewCaseSource = (typeof NEW_CASE_SOURCES)[number];

export type Callback =
  | { kind: 'case'; verb: Exclude<CaseVerb, 'finding' | 'assign' | 'coUnits' | 'move'>; caseId: number }
  | { kind: 'case'; verb: 'finding'; caseId: number; finding: Finding }
  | { kind: 'case'; verb: 'assign' | 'coUnits' | 'move'; caseId: number; unit: UnitCode | null }
  | { kind: 'tasks'; page: number }
  | { kind: 'source'; source: NewCaseSource }
  | { kind: 'companyDone'; actionId: number }
  | { kind: 'mail'; action: 'view' | 'promote'; rawMailId: number }
  | { kind: 'cancel' };

export function encodeCallback(cb: Callback): string {
  let data: string;
  switch (cb.kind) {
    case 'tasks':
      data = `tk:${cb.page}`;
      break;
    case 'source':
      data = `ns:${cb.source}`;
      break;
    case 'cancel':
      data = 'cx';
      break;
    case 'companyDone':
      data = `cd:${cb.actionId}`;
      break;
    case 'mail':
      data = `${cb.action === 'view' ? 'ml' : 'mp'}:${cb.rawMailId}`;
      break;
    case 'case': {
      const head = `${CASE_VERBS[cb.verb]}:${cb.caseId}`;
      if (cb.verb === 'finding') data = `${head}:${FINDING_CODES[cb.finding]}`;
      else if ((cb.verb === 'assign' || cb.verb === 'coUnits' || cb.verb === 'move') && cb.unit) data = `${head}:${UNIT_CODES.indexOf(cb.unit)}`;
      else data = head;
      break;
    }
  }
  if (Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_BYTES) throw new RangeError(`callback data too long: ${data}`);
  return data;
}

const CASE_RE = /^([a-z]{1,3}):([1-9]\d{0,15})(?::([a-z0-9]{1,2}))?$/;
const MAX_PAGE = 100_000;

/** The button's meaning, or null for anything malformed, unknown or oversized. */
export function parseCallback(data: unknown): Callback | null {
  if (typeof data !== 'string' || data.length === 0 || Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_BYTES) return null;
  if (data === 'cx') return { kind: 'cancel' };
  const tasks = /^tk:(0|[1-9]\d{0,5})$/.exec(data);
  if (tasks) {
    const page = Number(tasks[1]);
    return page <= MAX_PAGE ? { kind: 'tasks', page } : null;
  }
  const source = /^ns:([a-z0-9]{1,8})$/.exec(data);
  if (source) {
    const s = source[1] as NewCaseSource;
    return (NEW_CASE_SOURCES as readonly string[]).includes(s) ? { kind: 'source', source: s } : null;
  }
  const done = /^cd:([1-9]\d{0,15})$/.exec(data);
  if (done) {
    const actionId = Number(done[1]);
    return Number.isSafeInteger(actionId) ? { kind: 'companyDone', actionId } : null;
  }
  const mail = /^(ml|mp):([1-9]\d{0,15})$/.exec(data);
  if (mail) {
    const rawMailId = Number(mail[2]);
    return Number.isSafeInteger(rawMailId) ? { kind: 'mail', action: mail[1] === 'ml' ? 'view' : 'promote', rawMailId } : null;
  }
  const m = CASE_RE.exec(data);
  if (!m) return null;
  const verb = VERB_BY_CODE.get(m[1]!);
  const caseId = Number(m[2]);
  const arg = m[3];
  if (!verb || !Number.isSafeInteger(caseId)) return null;
  if (verb === 'finding') {
    const finding = arg === undefined ? undefined : FINDING_BY_CODE.get(arg);
    return finding ? { kind: 'case', verb, caseId, finding } : null;
  }
  if (verb === 'assign' || verb === 'coUnits' || verb === 'move') {
    if (arg === undefined) return { kind: 'case', verb, caseId, unit: null };
    if (!/^(0|[1-9]\d?)$/.test(arg)) return null;
    const unit = UNIT_CODES[Number(arg)];
    return unit ? { kind: 'case', verb, caseId, unit } : null;
  }
  if (arg !== undefined) return null;
  return { kind: 'case', verb, caseId };
}

/** Shorthand for the plain case buttons. */
export function caseCb(verb: Exclude<CaseVerb, 'finding' | 'assign' | 'coUnits' | 'move'>, caseId: number): string {
  return encodeCallback({ kind: 'case', verb, caseId });
}
