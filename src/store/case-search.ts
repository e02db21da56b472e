// The case list of the web console and its JSON API: one query with the user's scope, the filters, free-text
// search, an order and a page, and the exact number of matches.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { ProblemType, Status, UnitCode } from '../domain.ts';
import type { Conn } from './db.ts';
import { ID_OF_KEY_SQL, dialectOfConn, type SqlDialect } from './case-text.ts';
import { NEXT_DUE_SQL } from './migrations/0014_case_search.ts';
import { nextRunningDeadline, type DeadlineKind } from './running-deadlines.ts';
import { ftsMatch, queryPhrases, scopeToken, tsQuery, type TextQuery } from './search-tokens.ts';

export type CaseStatus = Status;

export interface CaseQuery {
  /** ISO instant, for `overdue`. */
  now: string;
  /** Free text: Chinese words (1+ chars), a tracking number, a phone, an e-mail; words separated by spaces must all match. */
  text?: string;
  /** The user's scope; null/undefined = all counties. */
  counties?: readonly string[] | null;
  /** An officer of a unit (not housing): only cases whose lead unit or a co-handling unit is this one. */
  ownUnit?: UnitCode | null;
  county?: string | null;
  /** Lead unit; 'none' = not yet assigned. */
  unit?: UnitCode | 'none' | null;
  status?: readonly CaseStatus[] | null;
  /** Any running deadline at or before `now` (as the scheduler counts a deadline overdue). */
  overdue?: boolean;
  urgent?: boolean;
  source?: string | null;
  companyId?: number | null;
  /** Substring of the compound name. */
  compound?: string | null;
  /** ISO instants, [from, to). */
  receivedFrom?: string | null;
  receivedTo?: string | null;
  /** Default '-received' (newest first); 'deadline' = nearest running deadline first, none last. */
  sort?: 'deadline' | 'received' | '-received';
  /** 1-based, default 1. */
  page?: number;
  /** Default 50, at most 200. */
  pageSize?: number;
}

export interface CaseListItem {
  id: number;
  tracking: string;
  county: string;
  status: CaseStatus;
  unit: UnitCode | null;
  problem: ProblemType | null;
  urgent: boolean;
  complex: boolean;
  supervised: boolean;
  source: string;
  subject: string;
  compound: string | null;
  company: string | null;
  receivedAt: string;
  /** Nearest running deadline. */
  nextDue: { kind: DeadlineKind; at: string } | null;
  overdue: boolean;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

type Where = Expression<SqlBool>;

/** The scope (counties, a unit's own cases, the county filter) apart from the other filters: a search indexes the scope as tokens. */
function scopeConditions(q: CaseQuery): Where[] {
  const w: Where[] = [];
  if (q.counties != null) w.push(sql<SqlBool>`county IN (${sql.join([...q.counties])})`);
  if (q.ownUnit) w.push(sql<SqlBool>`(unit = ${q.ownUnit} OR (co_units IS NOT NULL AND co_units LIKE ${`%"${q.ownUnit}"%`}))`);
  if (q.county) w.push(sql<SqlBool>`county = ${q.county}`);
  return w;
}

/** The filters other than the scope, as conditions on the complaint row (unqualified: the deadline expression must read as its index does). */
function filterConditions(q: CaseQuery, now: string, dialect: SqlDialect): Where[] {
  const w: Where[] = [];
  if (q.unit === 'none') w.push(sql<SqlBool>`unit IS NULL`);
  else if (q.unit) w.push(sql<SqlBool>`unit = ${q.unit}`);
  if (q.status?.length) w.push(sql<SqlBool>`status IN (${sql.join([...q.status])})`);
  if (q.overdue) w.push(sql<SqlBool>`${nextDue(dialect)} <= ${now}`);
  if (q.urgent) w.push(sql<SqlBool>`urgent = 1`);
  if (q.source) w.push(sql<SqlBool>`source = ${q.source}`);
  if (q.companyId != null) w.push(sql<SqlBool>`company_id = ${q.companyId}`);
  if (q.compound) w.push(dialect === 'postgres' ? sql<SqlBool>`strpos(compound, ${q.compound}) > 0` : sql<SqlBool>`instr(compound, ${q.compound}) > 0`);
  if (q.receivedFrom) w.push(sql<SqlBool>`received_at >= ${iso(q.receivedFrom)}`);
  if (q.receivedTo) w.push(sql<SqlBool>`received_at < ${iso(q.receivedTo)}`);
  return w;
}

/** The words of `text` as phrases, and the scope as groups of tokens (one of each group must be there); null without words. */
function textQueryOf(q: CaseQuery): TextQuery | null {
  const phrases = queryPhrases(q.text ?? '');
  if (!phrases.length) return null;
  const anyOf: string[][] = [];
  if (q.counties != null) anyOf.push(q.counties.map(scopeToken.county));
  if (q.county) anyOf.push([scopeToken.county(q.county)]);
  if (q.ownUnit) anyOf.push([scopeToken.unit(q.ownUnit)]);
  return { phrases, anyOf };
}

function nextDue(dialect: SqlDialect) {
  return sql<string>`${sql.raw(NEXT_DUE_SQL[dialect])}`;
}

function iso(s: string): string {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an instant: ${s}`);
  return d.toISOString();
}

function clampPage(q: CaseQuery): { limit: number; offset: number } {
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(q.pageSize ?? DEFAULT_PAGE_SIZE)));
  const page = Math.max(1, Math.floor(q.page ?? 1));
  return { limit: size, offset: (page - 1) * size };
}

const ITEM_COLUMNS = sql.raw(
  ['id', 'tracking', 'county', 'status', 'unit', 'problem', 'urgent', 'complex', 'supervised', 'source', 'subject', 'compound', 'company', 'received_at',
    'due_transfer', 'due_close', 'due_plan', 'due_progress', 'due_verify', 'due_penalty'].map((c) => `complaint.${c}`).join(', '),
);

interface ItemRow {
  id: number; tracking: string; county: string; status: string; unit: string | null; problem: string | null; urgent: number; complex: number;
  supervised: number; source: string; subject: string; compound: string | null; company: string | null; received_at: string;
  due_transfer: string | null; due_close: string | null; due_plan: string | null; due_progress: string | null; due_verify: string | null; due_penalty: string | null;
}

function and(conds: Where[]) {
  return conds.length ? sql`${sql.join(conds, sql` AND `)}` : sql`1 = 1`;
}

type Page = { total: number; rows: ItemRow[] };

/**
 * A search on SQLite. The text index answers alone when only the scope goes with the words: the count is the index's,
 * the page is read off it in receipt order (case-text.ts) and only the page's cases are fetched. With other filters,
 * or by deadline, the index's matches are joined with their cases — still newest first off the index, so a page stops
 * once it is full; only the count reads every match.
 */
async function sqliteSearch(db: Conn, q: CaseQuery, tq: TextQuery, filters: Where[], limit: number, offset: number): Promise<Page> {
  const match = ftsMatch(tq);
  const keyOrder = q.sort === 'received' ? sql.raw('ASC') : sql.raw('DESC');
  if (!filters.length && q.sort !== 'deadline') {
    const [count, keys] = await Promise.all([
      sql<{ n: number }>`SELECT count(*) AS n FROM complaint_text WHERE complaint_text MATCH ${match}`.execute(db),
      sql<{ id: number }>`SELECT ${sql.raw(ID_OF_KEY_SQL)} AS id FROM complaint_text WHERE complaint_text MATCH ${match} ORDER BY rowid ${keyOrder} LIMIT ${limit} OFFSET ${offset}`.execute(db),
    ]);
    const ids = keys.rows.map((r) => r.id);
    const rows = ids.length ? (await sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM complaint WHERE id IN (${sql.join(ids)})`.execute(db)).rows : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { total: Number(count.rows[0]?.n ?? 0), rows: ids.map((id) => byId.get(id)).filter((r): r is ItemRow => r !== undefined) };
  }
  const from = sql`complaint_text JOIN complaint ON complaint.id = (complaint_text.${sql.raw(ID_OF_KEY_SQL)}) WHERE complaint_text MATCH ${match} AND ${and(filters)}`;
  const order = q.sort === 'deadline' ? sql`${nextDue('sqlite')} ASC, complaint.id ASC` : sql`complaint_text.rowid ${keyOrder}`;
  const [count, page] = await Promise.all([
    sql<{ n: number }>`SELECT count(*) AS n FROM ${from}`.execute(db),
    sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM ${from} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`.execute(db),
  ]);
  return { total: Number(count.rows[0]?.n ?? 0), rows: page.rows };
}

/** Everything else: the list without words (both dialects), and PostgreSQL's search (its planner picks GIN or an order scan). */
async function plainSearch(db: Conn, q: CaseQuery, dialect: SqlDialect, tq: TextQuery | null, where: Where[], limit: number, offset: number): Promise<Page> {
  const conds = tq ? [...where, sql<SqlBool>`id IN (SELECT complaint_id FROM complaint_text WHERE doc @@ ${tsQuery(tq)}::tsquery)`] : where;
  const order =
    q.sort === 'deadline'
      ? sql`${nextDue(dialect)} ASC, id ASC`
      : q.sort === 'received'
        ? sql`received_at ASC, id ASC`
        : sql`received_at DESC, id DESC`;
  const [count, page] = await Promise.all([
    sql<{ n: number }>`SELECT count(*) AS n FROM complaint WHERE ${and(conds)}`.execute(db),
    sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM complaint WHERE ${and(conds)} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`.execute(db),
  ]);
  return { total: Number(count.rows[0]?.n ?? 0), rows: page.rows };
}

function toItem(r: ItemRow, now: string): CaseListItem {
  const facts = { status: r.status as Status, complex: r.complex === 1, supervised: r.supervised === 1, unit: r.unit as UnitCode | null };
  const nd = nextRunningDeadline(facts, {
    transfer: r.due_transfer ?? undefined,
    close: r.due_close ?? undefined,
    plan: r.due_plan ?? undefined,
    progress: r.due_progress ?? undefined,
    verify: r.due_verify ?? undefined,
    penalty: r.due_penalty ?? undefined,
  });
  return {
    id: r.id,
    tracking: r.tracking,
    county: r.county,
    status: r.status as Status,
    unit: r.unit as UnitCode | null,
    problem: r.problem as ProblemType | null,
    urgent: r.urgent === 1,
    complex: r.complex === 1,
    supervised: r.supervised === 1,
    source: r.source,
    subject: r.subject,
    compound: r.compound,
    company: r.company,
    receivedAt: r.received_at,
    nextDue: nd,
    overdue: nd !== null && nd.at <= now,
  };
}

/**
 * The console's case list: the cases in the user's scope that pass the filters and hold every word of the text, in
 * the order asked for, one page of them, with the exact number of all. Newest first is by receipt, then by
 * registration; in a search on SQLite by the second of receipt, then by registration (the text index's key).
 */
export async function searchCases(db: Conn, q: CaseQuery): Promise<{ total: number; items: CaseListItem[] }> {
  if (q.counties != null && !q.counties.length) return { total: 0, items: [] };
  const dialect = dialectOfConn(db);
  const now = iso(q.now);
  const { limit, offset } = clampPage(q);
  const filters = filterConditions(q, now, dialect);
  const tq = textQueryOf(q);
  const page =
    tq && dialect === 'sqlite'
      ? await sqliteSearch(db, q, tq, filters, limit, offset)
      : await plainSearch(db, q, dialect, tq, [...scopeConditions(q), ...filters], limit, offset);
  return { total: page.total, items: page.rows.map((r) => toItem(r, now)) };
}
