// Shared types of the domain. No logic and no I/O: every other module speaks in these words.
// Times are ISO-8601 UTC strings (`2026-11-23T08:01:50.000Z`) wherever they are stored or passed as data;
// pure functions that need "now" take it as a `Date` argument.

/** The 12 units that share the handling of cases, each with its duties (000 附件 二 (一)–(十二)). */
export const UNIT_CODES = [
  'housing',
  'development-reform',
  'market-regulation',
  'fire',
  'natural-resources',
  'police',
  'energy',
  'health',
  'civil-defence',
  'approval',
  'township',
  'community',
] as const;
export type UnitCode = (typeof UNIT_CODES)[number];

/** Chinese names as officers and residents read them. */
export const UNIT_NAMES: Record<UnitCode, string> = {
  housing: '住建',
  'development-reform': '发改',
  'market-regulation': '市场监管',
  fire: '消防',
  'natural-resources': '自然资源',
  police: '公安',
  energy: '能源',
  health: '卫健',
  'civil-defence': '人防',
  approval: '行政审批',
  township: '乡镇(街道)',
  community: '社区',
};

/** What a unit is called in full in a county (盐湖区 + 住房和城乡建设局): the words letters to residents use. */
export const UNIT_FULL_NAMES: Record<UnitCode, string> = {
  housing: '住房和城乡建设局',
  'development-reform': '发展和改革局',
  'market-regulation': '市场监督管理局',
  fire: '消防救援大队',
  'natural-resources': '自然资源局',
  police: '公安局',
  energy: '能源局',
  health: '卫生健康局',
  'civil-defence': '人民防空办公室',
  approval: '行政审批服务管理局',
  township: '乡镇人民政府（街道办事处）',
  community: '社区居民委员会',
};

/** The 7 problem types of Yuncheng's annex 3 plus "other" (004 三 (一)(二), 附件3 columns). */
export const PROBLEM_TYPES = [
  'service-not-delivered', // 未按照合同约定提供服务
  'no-disclosure', // 未履行信息公开和报告义务
  'security-not-provided', // 未按照合同约定提供安全防范工作
  'handover-refused', // 未履行物业服务企业的移交义务
  'common-parts-business', // 擅自利用小区公共部位经营
  'public-income-unpublished', // 未公示公共收益收支情况
  'public-income-taken', // 违规侵占小区公共收益
  'other', // 其他违法违规行为
] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

export const PROBLEM_NAMES: Record<ProblemType, string> = {
  'service-not-delivered': '未按照合同约定提供服务',
  'no-disclosure': '未履行信息公开和报告义务',
  'security-not-provided': '未按照合同约定提供安全防范工作',
  'handover-refused': '未履行物业服务企业的移交义务',
  'common-parts-business': '擅自利用小区公共部位经营',
  'public-income-unpublished': '未公示公共收益收支情况',
  'public-income-taken': '违规侵占小区公共收益',
  other: '其他违法违规行为',
};

/**
 * Where a complaint came from; the ledger's 来源 column. 004 附件2 说明2 names 来信来访来电, 信访部门转办 and 12345;
 * `email` is our reading of 来信, `province` (省厅转办) comes from annex 3's 受理情况 columns.
 */
export const SOURCES = ['email', 'phone', 'visit', 'letter', '12345', 'petition', 'province'] as const;
export type Source = (typeof SOURCES)[number];
export const SOURCE_NAMES: Record<Source, string> = {
  email: '来信(邮件)',
  phone: '来电',
  visit: '来访',
  letter: '来信',
  '12345': '12345政务服务热线转办',
  petition: '信访部门转办',
  province: '省厅转办',
};

/**
 * Case states (000 附件 二, 三(一)). `returned` is not a resting state: a returned case goes back to `triage`
 * with a `returned` event. A pending extension request is a flag on the case, not a state, because the
 * unit keeps working while it waits.
 */
export const STATUSES = [
  'received',
  'triage',
  'assigned',
  'accepted',
  'in_progress',
  'plan_submitted',
  'resolved',
  'cosigned',
  'reviewed',
  'written_off',
  'reopened',
] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_NAMES: Record<Status, string> = {
  received: '已登记',
  triage: '待分转',
  assigned: '已分转',
  accepted: '已接收',
  in_progress: '办理中',
  plan_submitted: '已报方案',
  resolved: '已办结待会签',
  cosigned: '已会签待审核',
  reviewed: '已审核待销号',
  written_off: '已销号',
  reopened: '重新办理',
};

// One vocabulary of status groups; every list of statuses in the code is one of these.
/** Waiting for the housing office to name a unit (分转, 000 附件 二). */
export const TRIAGE_STATUSES = ['received', 'triage'] as const satisfies readonly Status[];
/** The unit has accepted the case (接收) and works it; a reopened case is worked again. */
export const ACCEPTED_STATUSES = ['accepted', 'in_progress', 'plan_submitted', 'reopened'] as const satisfies readonly Status[];
/** A unit has the case and has not finished it: its close clock runs. */
export const WORKING_STATUSES = ['assigned', ...ACCEPTED_STATUSES] as const satisfies readonly Status[];
/** 在办: not yet finished by a unit. */
export const OPEN_STATUSES = [...TRIAGE_STATUSES, ...WORKING_STATUSES] as const satisfies readonly Status[];
/** Finished by the unit, waiting for co-signing, review or the write-off (000 附件 三(一)). */
export const SIGN_OFF_STATUSES = ['resolved', 'cosigned', 'reviewed'] as const satisfies readonly Status[];
/** 办结: the unit has finished the case; every "closed" count and the ledger's 是否办结 use this. Reopened is open again. */
export const CLOSED_STATUSES = [...SIGN_OFF_STATUSES, 'written_off'] as const satisfies readonly Status[];
/** Not yet written off (销号): some clock may still run on the case. */
export const LIVE_STATUSES = [...OPEN_STATUSES, ...SIGN_OFF_STATUSES] as const satisfies readonly Status[];

export function isClosedByUnit(s: Status): boolean {
  return (CLOSED_STATUSES as readonly Status[]).includes(s);
}

/** What a company's thresholds trigger (000 附件 一(三), 三(三), 三(四)); workflow/companies.ts decides when. */
export const COMPANY_ACTION_TYPES = ['key-supervision', 'survey', 'regrade', 'fee-enforcement', 'refund-penalty', 'exit'] as const;
export type CompanyActionType = (typeof COMPANY_ACTION_TYPES)[number];

export function isCompanyActionType(t: string): t is CompanyActionType {
  return (COMPANY_ACTION_TYPES as readonly string[]).includes(t);
}

export const ROLES = ['officer', 'cosigner', 'reviewer', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A fact of the company chain a person records (000 附件 三(三)/(四)): the survey's satisfaction (and whether it was
 * publicised in the compound), a refusal to fix, the credit rating of 山西省信用信息共享平台, a refusal of the regraded
 * fee. The daily company check reads the current value of each.
 */
export type CompanyFactInput =
  | { fact: 'survey'; satisfaction: number; surveyedOn: string; publicised: boolean }
  | { fact: 'refused-to-fix'; on: boolean }
  | { fact: 'credit'; level: string; low: boolean }
  | { fact: 'refused-fee'; on: boolean };
export const ROLE_NAMES: Record<Role, string> = {
  officer: '承办人',
  cosigner: '会签人(乡镇/社区)',
  reviewer: '审核人(市级)',
  supervisor: '督导(只读)',
  admin: '管理员',
};

/** The unit's finding when it closes a case. */
export const FINDINGS = ['substantiated', 'partly', 'unsubstantiated'] as const;
export type Finding = (typeof FINDINGS)[number];
export const FINDING_NAMES: Record<Finding, string> = {
  substantiated: '属实',
  partly: '部分属实',
  unsubstantiated: '不属实',
};

/** Deadlines kept on a case (ISO UTC instants, end of the last day in Asia/Shanghai). */
export interface Deadlines {
  transfer?: string; // 分转: 7 working days from registration (000 附件 二)
  close?: string; // 办结: 7 days, or 1 month for complex cases (000 附件 三(一))
  plan?: string; // 方案: 7 days for complex cases (000 附件 三(一))
  progress?: string; // next monthly progress for complex / 挂牌督办 cases
  verify?: string; // 核查: 15 working days (000 附件 三(二))
  penalty?: string; // 处罚: 90 days (+30 once) (000 附件 三(二))
}

export interface Complainant {
  name: string | null;
  phone: string | null;
  email: string | null;
}

/**
 * A case (案件): what a resident's complaint (投诉) becomes once registered, and what officers work. The code says
 * "case" for the record and "complaint" only for what a resident sends (and what the reports count as 投诉件);
 * the table is still named `complaint`, as frozen by the first migration.
 */
export interface Case {
  id: number;
  tracking: string; // e.g. YH-2026-000123
  county: string; // county code, e.g. 'yanhu'
  source: Source;
  status: Status;
  unit: UnitCode | null; // owning unit once assigned (主办)
  coUnits: UnitCode[]; // co-handling units (协办): each sees the case and reports its part
  problem: ProblemType | null;
  urgent: boolean; // 危及房屋使用和人身安全
  complex: boolean; // 重大或复杂问题
  supervised: boolean; // 挂牌督办
  complainant: Complainant;
  compound: string | null; // 小区
  address: string | null; // building/unit/room
  company: string | null; // 物业服务企业
  subject: string;
  body: string;
  classification: ClassificationSummary | null;
  receivedAt: string;
  assignedAt: string | null;
  acceptedAt: string | null;
  resolvedAt: string | null;
  writtenOffAt: string | null;
  finding: Finding | null;
  result: string | null;
  deadlines: Deadlines;
  extension: { until: string; reason: string; requestedBy: number } | null;
  extended: boolean; // the single approved extension was used
  penaltyExtended: boolean; // the penalty period's one 30-day extension was used (000 附件 三(二))
}

/** What the classifier decided, kept on the case as 分类依据. */
export interface ClassificationSummary {
  unit: UnitCode | null;
  units: { unit: UnitCode; score: number }[];
  problem: ProblemType | null;
  urgent: boolean;
  triage: boolean;
  score: number;
  matched: string[];
}

/** Who acts. `unit`/`county` bound an officer's reach; supervisors and admins reach everything. */
export interface Actor {
  kind: 'officer' | 'system' | 'complainant';
  officerId?: number;
  role?: Role;
  unit?: UnitCode;
  county?: string;
  /** A city-level (市本级) officer: an admin there reaches every county, a county's admin only its own. */
  cityLevel?: boolean;
  /** The unit's 负责人: approves what the seeds reserve to the unit's head (the penalty extension, 000 附件 三(二)). */
  unitHead?: boolean;
  name?: string;
  /** A web console user's login: who acted (or read) through the web. */
  login?: string;
}

/** One audit row: who, when, what changed, from → to. Append-only. */
export interface CaseEvent {
  type: string; // e.g. 'registered', 'assigned', 'accepted', 'returned', 'progress', 'resolved', …
  at: string;
  actor: Actor;
  from?: Status | null;
  to?: Status | null;
  data?: Record<string, unknown>;
}

/**
 * Effects are data: the workflow says what must reach whom, the adapter turns each into outbox rows in the
 * same transaction as the state change. Nothing is sent inside a transaction.
 */
export type Effect =
  | { kind: 'notify-unit'; unit: UnitCode; county: string; caseId: number; template: string; urgent: boolean }
  | { kind: 'notify-officer'; officerId: number; caseId: number; template: string }
  | { kind: 'notify-role'; role: Role; county: string | null; caseId: number; template: string; urgent: boolean }
  | { kind: 'email-complainant'; caseId: number; template: string; detail?: LetterDetail }
  | { kind: 'escalate'; level: 'leader' | 'city'; unit: UnitCode | null; county: string; caseId: number; template: string };

/**
 * What a letter to the complainant says beyond the case itself: the officer's words, the reason given, the date
 * promised, the unit the case came from. Filled by the workflow from the command; worded by messages/letters.
 */
export interface LetterDetail {
  text?: string;
  reason?: string;
  until?: string;
  fromUnit?: UnitCode | null;
  /** A co-handling unit's report: whose words they are (the lead's when absent). */
  byUnit?: UnitCode | null;
  photos?: number;
}

/** Which open cases make up someone's task list (我的任务), in deadline order. */
export type TaskScope =
  | { kind: 'unit'; unit: UnitCode; county: string; triage: boolean }
  | { kind: 'cosign'; county: string }
  | { kind: 'review'; units: UnitCode[] }
  | { kind: 'county'; county: string }
  | { kind: 'all' };

/**
 * An annex 3 figure entered by hand (查处情况, 督导检查情况; 004 附件3): a county's running total of one figure as of
 * a day. Appended, never changed (report/figures.ts picks the latest).
 */
export interface FigureEntry {
  id: number;
  county: string;
  figure: string;
  value: number;
  asOf: string; // YYYY-MM-DD, Asia/Shanghai
  enteredBy: string | null;
  enteredAt: string;
}

/** A unit's (or county's) workload at a glance: the bot's /stats. */
export interface UnitStats {
  open: number;
  overdue: number;
  closedThisWeek: number;
}

// ─── What goes out: outbox payloads ──────────────────────────────────────────────────────────────────────────
// The contract between the use cases (which write outbox rows in their transaction) and the outbox transports
// (which deliver them after commit): plain data, stored as JSON.

/** A mail as the mailer sends it (nodemailer's fields, attachments as base64). */
export interface MailPayload {
  from?: string;
  to: string | string[];
  cc?: string[];
  subject: string;
  text?: string;
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  attachments?: { filename: string; contentBase64: string; contentType?: string; cid?: string }[];
}

/** One Bot API call as the Telegram transport makes it. */
export interface TelegramPayload {
  method: 'sendMessage' | 'editMessageText' | 'sendPhoto' | 'sendDocument' | 'answerCallbackQuery' | 'editMessageReplyMarkup';
  params: Record<string, unknown>;
  /** For sendPhoto/sendDocument of stored bytes: the attachment id whose content is uploaded. */
  attachmentId?: number;
}
