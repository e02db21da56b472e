// Table types for kysely. Times are ISO-8601 UTC text; booleans are 0/1 integers on both dialects;
// JSON columns are text (portable) and parsed by the repositories.
import type { Generated } from 'kysely';

export interface RawMailTable {
  id: Generated<number>;
  source: string; // imap | smtp | dropdir | file
  mailbox: string;
  uidvalidity: number | null;
  uid: number | null;
  sha256: string;
  size: number;
  message_id: string | null;
  received_at: string;
  outcome: string | null; // null = not processed yet (a crash resumes from here)
  reason: string | null;
  complaint_id: number | null;
  processed_at: string | null;
}

/** What the desk sees of a mail that did not become a case (0007). */
export interface UnregisteredMailTable {
  raw_mail_id: number;
  county: string | null;
  subject: string | null;
  sender: string | null;
  preview: string | null;
  created_at: string;
}

/** The bytes of a raw mail, apart from its row so that recording the outcome does not rewrite them (0005). */
export interface RawMailBodyTable {
  raw_mail_id: number;
  raw: Buffer;
}

export interface MailboxStateTable {
  mailbox: string;
  uidvalidity: number;
  last_uid: number;
  updated_at: string;
}

export interface TrackingSeqTable {
  prefix: string;
  year: number;
  next: number;
}

export interface ComplaintTable {
  id: Generated<number>;
  tracking: string;
  county: string;
  source: string;
  status: string;
  unit: string | null;
  problem: string | null;
  urgent: number;
  complex: number;
  supervised: number;
  complainant_name: string | null;
  complainant_phone: string | null;
  complainant_email: string | null;
  complainant_key: string | null;
  compound: string | null;
  address: string | null;
  company: string | null;
  company_id: number | null;
  subject: string;
  body: string;
  classification: string | null;
  received_at: string;
  assigned_at: string | null;
  accepted_at: string | null;
  resolved_at: string | null;
  written_off_at: string | null;
  finding: string | null;
  result: string | null;
  due_transfer: string | null;
  due_close: string | null;
  due_plan: string | null;
  due_progress: string | null;
  due_verify: string | null;
  due_penalty: string | null;
  extension: string | null;
  extended: number;
  penalty_extended: Generated<number>; // the penalty period's one 30-day extension was used (migration 0015)
  co_units: string | null; // JSON array of unit codes (协办), migration 0009
  raw_mail_id: number | null;
  ack_message_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ComplaintEventTable {
  id: Generated<number>;
  complaint_id: number | null; // null for reads that are not about one case (supervisor lists)
  type: string;
  at: string;
  actor_kind: string;
  actor_officer_id: number | null;
  actor_role: string | null;
  actor_name: string | null;
  actor_login: string | null; // a web console user's login (0013)
  from_status: string | null;
  to_status: string | null;
  data: string | null;
}

/** A web console account (0013): role desk | admin | supervisor | leader | officer, bound to a county (and unit). */
export interface WebUserTable {
  id: Generated<number>;
  login: string;
  password_hash: string; // scrypt$N$r$p$salt$hash (base64)
  role: string;
  county: string;
  unit: string | null;
  name: string | null;
  active: number;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  totp_secret: string | null; // base32; set = a code is asked at login (0016)
  totp_last_step: number | null; // the last 30-second step accepted: no code is accepted twice (0016)
  officer_id: number | null; // the bot officer this account is, made by a /web login link (0017)
}

/** A one-time login link to the console, asked for in the bot with /web (0017); stored by its token's SHA-256. */
export interface WebLoginLinkTable {
  token_hash: string;
  officer_id: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A web console session (0013), stored by the SHA-256 of its id. */
export interface WebSessionTable {
  id_hash: string;
  user_id: number;
  csrf: string;
  created_at: string;
  expires_at: string;
}

export interface UnitTable {
  code: string;
  name: string;
}

export interface CountyTable {
  code: string;
  name: string;
  prefix: string;
}

export interface OfficerTable {
  id: Generated<number>;
  chat_id: number | null;
  name: string | null;
  unit: string;
  county: string;
  role: string;
  active: number;
  reachable: number;
  created_at: string;
  linked_at: string | null;
  unit_head: Generated<number>; // the unit's 负责人 (migration 0015): approves the penalty extension
}

export interface OfficerInviteTable {
  code: string;
  unit: string;
  county: string;
  role: string;
  name: string | null;
  unit_head: Generated<number>; // migration 0015
  created_at: string;
  expires_at: string;
  used_at: string | null;
  officer_id: number | null;
  revoked_at: string | null;
}

export interface CompanyTable {
  id: Generated<number>;
  name: string;
  county: string | null;
  key_supervision: number;
  satisfaction: number | null;
  refused_to_fix: number;
  credit_low: number;
  refused_fee_standard: Generated<number>; // migration 0010, default 0
  facts_at: string | null; // when the latest company fact was recorded (0010)
  created_at: string;
}

/** A fact of the company chain recorded by a person (000 附件 三(三)/(四)); append-only (migration 0010). */
export interface CompanyFactTable {
  id: Generated<number>;
  company_id: number;
  fact: string; // survey | refused-to-fix | credit | refused-fee
  value: string; // JSON
  evidence: string | null;
  recorded_by: string | null;
  recorded_at: string;
}

export interface CompoundTable {
  id: Generated<number>;
  name: string;
  county: string;
  company_id: number | null;
  township: string | null; // the register's (0012)
  community: string | null;
  registered_at: string | null; // imported into the register (null: only named in a complaint)
  created_at: string;
}

export interface CompanyActionTable {
  id: Generated<number>;
  company_id: number;
  type: string;
  rule: string;
  reason: string;
  due_at: string;
  created_at: string;
  done_at: string | null;
  done_by: string | null;
}

export interface AttachmentTable {
  id: Generated<number>;
  complaint_id: number | null;
  raw_mail_id: number | null;
  event_id: number | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  content: Buffer | null;
  telegram_file_id: string | null;
  created_at: string;
}

export interface OutboxTable {
  id: Generated<number>;
  kind: string; // telegram | email
  recipient: string; // chat id or address, for per-recipient order
  payload: string; // JSON
  idempotency_key: string;
  complaint_id: number | null;
  created_at: string;
  not_before: string; // quiet hours hold non-urgent messages
  next_attempt_at: string;
  attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  sent_at: string | null;
  failed_at: string | null; // permanent failure
  last_error: string | null;
  result: string | null; // e.g. Telegram message id
}

/** The office's own words in a week's reports: 经验做法 (brief), 难点、堵点 (discipline report); migration 0011. */
export interface ReportNoteTable {
  id: Generated<number>;
  kind: string; // practice | obstacle
  week: string; // ISO week key, e.g. 2026-W49: the reports of that week's Friday
  text: string;
  entered_by: string | null;
  entered_at: string;
}

export interface ReminderLogTable {
  key: string; // remind:<caseId>:<deadline>:<step>:<dueIso>:<officerId>
  sent_in: string; // the outbox row (digest) it went out in
  at: string;
}

export interface JobRunTable {
  id: Generated<number>;
  job: string;
  period_key: string;
  started_at: string;
  finished_at: string | null;
  late: number;
  owner: string | null;
  detail: string | null;
}

export interface TelegramUpdateTable {
  update_id: number;
  received_at: string;
}

export interface BotSessionTable {
  chat_id: number;
  state: string;
  updated_at: string;
}

/** An annex 3 figure entered by hand: a county's running total as of a day (src/report/figures.ts). */
export interface SummaryFigureTable {
  id: Generated<number>;
  county: string;
  figure: string;
  value: number;
  as_of: string;
  entered_by: string | null;
  entered_at: string;
}

/** A company on a month's published red or black list (000 附件 五). */
export interface CompanyListTable {
  id: Generated<number>;
  month: string;
  company_id: number;
  list: 'red' | 'black';
  reasons: string;
  recorded_at: string;
}

export interface Database {
  raw_mail: RawMailTable;
  raw_mail_body: RawMailBodyTable;
  unregistered_mail: UnregisteredMailTable;
  mailbox_state: MailboxStateTable;
  tracking_seq: TrackingSeqTable;
  complaint: ComplaintTable;
  complaint_event: ComplaintEventTable;
  unit: UnitTable;
  county: CountyTable;
  officer: OfficerTable;
  officer_invite: OfficerInviteTable;
  company: CompanyTable;
  company_fact: CompanyFactTable;
  compound: CompoundTable;
  company_action: CompanyActionTable;
  attachment: AttachmentTable;
  outbox: OutboxTable;
  job_run: JobRunTable;
  reminder_log: ReminderLogTable;
  report_note: ReportNoteTable;
  telegram_update: TelegramUpdateTable;
  bot_session: BotSessionTable;
  summary_figure: SummaryFigureTable;
  company_list: CompanyListTable;
  web_user: WebUserTable;
  web_session: WebSessionTable;
  web_login_link: WebLoginLinkTable;
}
