// The case aggregate: the case row (table `complaint`), its tracking number, and its audit trail (complaint_event).
import { sql } from 'kysely';
import { LIVE_STATUSES, OPEN_STATUSES, SIGN_OFF_STATUSES, type UnitCode, type Actor, type CaseEvent, type ClassificationSummary, type Case, type Deadlines, type UnitStats } from '../domain.ts';
import type { Conn } from './db.ts';
import type { ComplaintTable, ComplaintEventTable } from './schema.ts';
import type { Insertable, Selectable } from 'kysely';
import { hotQuery } from './hot-query.ts';
import { SEARCHABLE_COLUMNS, changedSearchFields, indexCase, searchableOfRow } from './case-text.ts';

export type NewCase = Omit<Case, 'id' | 'tracking'>;

type Row = Selectable<ComplaintTable>;

const bool = (n: number | null | undefined) => n === 1;
const int = (b: boolean) => (b ? 1 : 0);
const json = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

export function rowToCase(r: Row): Case {
  const deadlines: Deadlines = {};
  if (r.due_transfer) deadlines.transfer = r.due_transfer;
  if (r.due_close) deadlines.close = r.due_close;
  if (r.due_plan) deadlines.plan = r.due_plan;
  if (r.due_progress) deadlines.progress = r.due_progress;
  if (r.due_verify) deadlines.verify = r.due_verify;
  if (r.due_penalty) deadlines.penalty = r.due_penalty;
  return {
    id: r.id,
    tracking: r.tracking,
    county: r.county,
    source: r.source as Case['source'],
    status: r.status as Case['status'],
    unit: r.unit as Case['unit'],
    coUnits: json<UnitCode[]>(r.co_units ?? null) ?? [],
    problem: r.problem as Case['problem'],
    urgent: bool(r.urgent),
    complex: bool(r.complex),
    supervised: bool(r.supervised),
    complainant: { name: r.complainant_name, phone: r.complainant_phone, email: r.complainant_email },
    compound: r.compound,
    address: r.address,
    company: r.company,
    subject: r.subject,
    body: r.body,
    classification: json<ClassificationSummary>(r.classification),
    receivedAt: r.received_at,
    assignedAt: r.assigned_at,
    acceptedAt: r.accepted_at,
    resolvedAt: r.resolved_at,
    writtenOffAt: r.written_off_at,
    finding: r.finding as Case['finding'],
    result: r.result,
    deadlines,
    extension: json<Case['extension']>(r.extension),
    extended: bool(r.extended),
    penaltyExtended: bool(r.penalty_extended),
  };
}

function stateColumns(c: NewCase) {
  return {
    status: c.status,
    unit: c.unit,
    co_units: c.coUnits.length ? JSON.stringify(c.coUnits) : null,
    problem: c.problem,
    urgent: int(c.urgent),
    complex: int(c.complex),
    supervised: int(c.supervised),
    complainant_name: c.complainant.name,
    complainant_phone: c.complainant.phone,
    complainant_email: c.complainant.email,
    compound: c.compound,
    address: c.address,
    company: c.company,
    classification: c.classification ? JSON.stringify(c.classification) : null,
    assigned_at: c.assignedAt,
    accepted_at: c.acceptedAt,
    resolved_at: c.resolvedAt,
    written_off_at: c.writtenOffAt,
    finding: c.finding,
    result: c.result,
    due_transfer: c.deadlines.transfer ?? null,
    due_close: c.deadlines.close ?? null,
    due_plan: c.deadlines.plan ?? null,
    due_progress: c.deadlines.progress ?? null,
    due_verify: c.deadlines.verify ?? null,
    due_penalty: c.deadlines.penalty ?? null,
    extension: c.extension ? JSON.stringify(c.extension) : null,
    extended: int(c.extended),
    penalty_extended: int(c.penaltyExtended),
  };
}

/**
 * Allocates the next tracking number for a county prefix and year (`YH-2026-000123`). Runs inside the caller's
 * transaction: the UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite, BEGIN IMMEDIATE), so
 * concurrent writers never get the same number, and a rolled-back number is simply skipped, never reused.
 */
const ensureTrackingRow = hotQuery((tx, p: { prefix: string; year: number }) =>
  tx
    .insertInto('tracking_seq')
    .values({ prefix: p.prefix, year: p.year, next: 0 })
    .onConflict((oc) => oc.columns(['prefix', 'year']).doNothing()),
);
const bumpTracking = hotQuery((tx, p: { prefix: string; year: number }) =>
  tx
    .updateTable('tracking_seq')
    .set({ next: sql<number>`next + 1` })
    .where('prefix', '=', p.prefix)
    .where('year', '=', p.year)
    .returning('next'),
);

export async function nextTrackingNumber(tx: Conn, prefix: string, year: number): Promise<string> {
  await ensureTrackingRow(tx, { prefix, year });
  const row = (await bumpTracking(tx, { prefix, year })).rows[0];
  if (!row) throw new Error(`tracking_seq ${prefix}/${year} missing`);
  return `${prefix}-${year}-${String(row.next).padStart(6, '0')}`;
}

export interface InsertExtras {
  complainantKey?: string | null;
  companyId?: number | null;
  rawMailId?: number | null;
  ackMessageId?: string | null;
}

type ComplaintInsert = Required<Omit<Insertable<ComplaintTable>, 'id'>>;
const insertRow = hotQuery((tx, p: ComplaintInsert) => tx.insertInto('complaint').values(p).returningAll());

export async function insertCase(
  tx: Conn,
  c: NewCase,
  tracking: string,
  now: string,
  extras: InsertExtras = {},
): Promise<Case> {
  const { rows } = await insertRow(tx, {
    tracking,
    county: c.county,
    source: c.source,
    subject: c.subject,
    body: c.body,
    received_at: c.receivedAt,
    complainant_key: extras.complainantKey ?? null,
    company_id: extras.companyId ?? null,
    raw_mail_id: extras.rawMailId ?? null,
    ack_message_id: extras.ackMessageId ?? null,
    version: 0,
    created_at: now,
    updated_at: now,
    ...stateColumns(c),
  });
  const created = rowToCase(rows[0]!);
  await indexCase(tx, created.id, created);
  return created;
}

export class ConcurrentUpdateError extends Error {
  constructor(tracking: string) {
    super(`案件已被他人更新，请刷新后重试 case ${tracking} was changed meanwhile`);
    this.name = 'ConcurrentUpdateError';
  }
}

/**
 * Saves the new state of a case; optimistic: fails when someone else changed it since `expectedVersion`. When a
 * field the search index holds changed (a corrected company, the complainant's phone), the index follows in the
 * same transaction.
 */
export async function saveCase(conn: Conn, c: Case, expectedVersion: number, now: string): Promise<number> {
  if (!conn.isTransaction) return conn.transaction().execute((tx) => saveCase(tx, c, expectedVersion, now));
  const tx = conn;
  const before = await searchFieldsOf(tx, c.id);
  const res = await tx
    .updateTable('complaint')
    .set({ ...stateColumns(c), version: expectedVersion + 1, updated_at: now })
    .where('id', '=', c.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new ConcurrentUpdateError(c.tracking);
  if (before && changedSearchFields(before, c)) await indexCase(tx, c.id, c, true);
  return expectedVersion + 1;
}

const searchFields = hotQuery((db, p: { id: number }) => db.selectFrom('complaint').select([...SEARCHABLE_COLUMNS]).where('id', '=', p.id));

async function searchFieldsOf(db: Conn, id: number) {
  const r = (await searchFields(db, { id })).rows[0];
  return r && searchableOfRow(r);
}

export async function findById(db: Conn, id: number): Promise<(Case & { version: number }) | undefined> {
  const r = await db.selectFrom('complaint').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { ...rowToCase(r), version: r.version } : undefined;
}

export async function findByTracking(db: Conn, tracking: string): Promise<(Case & { version: number }) | undefined> {
  const r = await db.selectFrom('complaint').selectAll().where('tracking', '=', tracking.toUpperCase()).executeTakeFirst();
  return r ? { ...rowToCase(r), version: r.version } : undefined;
}

export async function findByAckMessageId(db: Conn, messageIds: string[]): Promise<Case | undefined> {
  if (!messageIds.length) return undefined;
  const r = await db.selectFrom('complaint').selectAll().where('ack_message_id', 'in', messageIds).executeTakeFirst();
  return r ? rowToCase(r) : undefined;
}

const insertEvent = hotQuery((tx, p: Required<Omit<Insertable<ComplaintEventTable>, 'id'>>) => tx.insertInto('complaint_event').values(p).returning('id'));

/** Appends to the audit trail, one row per event in order; returns their ids. */
export async function appendEvents(tx: Conn, complaintId: number | null, events: CaseEvent[]): Promise<number[]> {
  const ids: number[] = [];
  for (const e of events) {
    const { rows } = await insertEvent(tx, {
      complaint_id: complaintId,
      type: e.type,
      at: e.at,
      actor_kind: e.actor.kind,
      actor_officer_id: e.actor.officerId ?? null,
      actor_role: e.actor.role ?? null,
      actor_name: e.actor.name ?? null,
      actor_login: e.actor.login ?? null,
      from_status: e.from ?? null,
      to_status: e.to ?? null,
      data: e.data ? JSON.stringify(e.data) : null,
    });
    ids.push(rows[0]!.id);
  }
  return ids;
}

export function rowToEvent(r: Selectable<ComplaintEventTable>): CaseEvent & { id: number } {
  const actor: Actor = { kind: r.actor_kind as Actor['kind'] };
  if (r.actor_officer_id != null) actor.officerId = r.actor_officer_id;
  if (r.actor_role) actor.role = r.actor_role as Actor['role'];
  if (r.actor_name) actor.name = r.actor_name;
  if (r.actor_login) actor.login = r.actor_login;
  return {
    id: r.id,
    type: r.type,
    at: r.at,
    actor,
    from: r.from_status as CaseEvent['from'],
    to: r.to_status as CaseEvent['to'],
    data: json<Record<string, unknown>>(r.data) ?? undefined,
  };
}

export async function eventsOf(db: Conn, complaintId: number): Promise<(CaseEvent & { id: number })[]> {
  const rows = await db
    .selectFrom('complaint_event')
    .selectAll()
    .where('complaint_id', '=', complaintId)
    .orderBy('id')
    .execute();
  return rows.map(rowToEvent);
}

/** The complainant's own Message-ID (of the mail that opened the case), so letters thread under it. */
export async function originalMessageIdOf(db: Conn, caseId: number): Promise<string | null> {
  const r = await db
    .selectFrom('complaint as c')
    .innerJoin('raw_mail as m', 'm.id', 'c.raw_mail_id')
    .select('m.message_id')
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  return r?.message_id ?? null;
}

export async function unitStats(db: Conn, unit: string | null, county: string | null, nowIso: string, weekStartIso: string): Promise<UnitStats> {
  let q = db.selectFrom('complaint');
  if (unit) q = q.where('unit', '=', unit);
  if (county) q = q.where('county', '=', county);
  const r = await q
    .select([
      sql<number>`sum(case when status in (${sql.join([...OPEN_STATUSES])}) then 1 else 0 end)`.as('open'),
      sql<number>`sum(case when status in (${sql.join([...OPEN_STATUSES])}) and due_close is not null and due_close < ${nowIso} then 1 else 0 end)`.as(
        'overdue',
      ),
      sql<number>`sum(case when resolved_at is not null and resolved_at >= ${weekStartIso} then 1 else 0 end)`.as('closed'),
    ])
    .executeTakeFirstOrThrow();
  return { open: Number(r.open ?? 0), overdue: Number(r.overdue ?? 0), closedThisWeek: Number(r.closed ?? 0) };
}

/** Streams every case (for reports and exports) in id order, in pages, so 100,000 rows never sit in memory at once. */
export async function* allCases(db: Conn, opts: { since?: string; until?: string; pageSize?: number } = {}): AsyncGenerator<Case> {
  let after = 0;
  const size = opts.pageSize ?? 2000;
  for (;;) {
    let q = db.selectFrom('complaint').selectAll().where('id', '>', after);
    if (opts.since) q = q.where('received_at', '>=', opts.since);
    if (opts.until) q = q.where('received_at', '<', opts.until);
    const rows = await q.orderBy('id').limit(size).execute();
    for (const r of rows) yield rowToCase(r);
    if (rows.length < size) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * One page (by id) of the cases with a clock still running, for the reminders: the open ones, and the supervised
 * ones until written off (挂牌督办 reports progress monthly until 销号, 000 正文 四(四)).
 */
export async function casesWithRunningClocks(db: Conn, afterId: number, limit: number): Promise<Case[]> {
  const rows = await db
    .selectFrom('complaint')
    .selectAll()
    .where('id', '>', afterId)
    .where('status', 'in', [...LIVE_STATUSES])
    .where((eb) => eb.or([eb('status', 'not in', [...SIGN_OFF_STATUSES]), eb('supervised', '=', 1)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(rowToCase);
}

/** Every audit row in id order, in pages (exports). */
export async function* allEvents(db: Conn, pageSize = 2000) {
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('complaint_event').selectAll().where('id', '>', after).orderBy('id').limit(pageSize).execute();
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** The latest audit event of a type on a case (e.g. the last progress reported), or undefined. */
export async function lastEventOf(db: Conn, caseId: number, type: string) {
  const r = await db.selectFrom('complaint_event').selectAll().where('complaint_id', '=', caseId).where('type', '=', type).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? rowToEvent(r) : undefined;
}

/** The complainant's latest words on a case (a 补充 or 不满意 mail) and how many files came with them, or null. */
export async function latestComplainantWords(db: Conn, caseId: number): Promise<{ text: string; at: string; files: number } | null> {
  const e = await db
    .selectFrom('complaint_event')
    .select(['id', 'at', 'data'])
    .where('complaint_id', '=', caseId)
    .where('type', 'in', ['reply', 'reopened', 'rated'])
    .where('actor_kind', '=', 'complainant')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const text = e?.data ? (JSON.parse(e.data) as { text?: unknown }).text : null;
  if (!e || typeof text !== 'string') return null;
  const n = await db.selectFrom('attachment').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', e.id).executeTakeFirstOrThrow();
  return { text, at: e.at, files: Number(n.n) };
}
