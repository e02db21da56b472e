// The case list of the web console and its JSON API: one query with the user's scope, the filters, free-text
// search, an order and a page, and the exact number of matches.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { ProblemType, Status, UnitCode } from '../domain.ts';
import type { Conn } from './db.ts';
import { dialectOfConn, type SqlDialect } from './case-text.ts';
import { NEXT_DUE_SQL } from './migrations/0014_case_search.ts';
import { nextRunningDeadline, type DeadlineKind } from './running-deadlines.ts';
import { ftsMatch, queryPhrases, tsQuery } from './search-tokens.ts';

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

/** The filters and the scope, as conditions on the complaint row (unqualified: the deadline expression must read as its index does). */
function conditions(q: CaseQuery, now: string, dialect: SqlDialect): Where[] {
  const w: Where[] = [];
  if (q.counties != null) {
    if (!q.counties.length) w.push(sql<SqlBool>`1 = 0`);
    else w.push(sql<SqlBool>`county IN (${sql.join([...q.counties])})`);
  }
  if (q.ownUnit) w.push(sql<SqlBool>`(unit = ${q.ownUnit} OR co_units LIKE ${`%"${q.ownUnit}"%`})`);
  if (q.county) w.push(sql<SqlBool>`county = ${q.county}`);
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
  const text = q.text ? textMatch(q.text, dialect) : null;
  if (text) w.push(text);
  return w;
}

/** Cases whose indexed text (case-text.ts, migration 0014) holds every word of `text` as a phrase. */
function textMatch(text: string, dialect: SqlDialect): Where | null {
  const phrases = queryPhrases(text);
  if (!phrases.length) return null;
  return dialect === 'postgres'
    ? sql<SqlBool>`id IN (SELECT complaint_id FROM complaint_text WHERE doc @@ ${tsQuery(phrases)}::tsquery)`
    : sql<SqlBool>`id IN (SELECT rowid FROM complaint_text WHERE complaint_text MATCH ${ftsMatch(phrases)})`;
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

export async function searchCases(db: Conn, q: CaseQuery): Promise<{ total: number; items: CaseListItem[] }> {
  const dialect = dialectOfConn(db);
  const now = iso(q.now);
  const where = conditions(q, now, dialect);
  const { limit, offset } = clampPage(q);
  const filtered = db.selectFrom('complaint').where((eb) => eb.and(where));
  const order =
    q.sort === 'deadline'
      ? sql`${nextDue(dialect)} ASC, id ASC`
      : q.sort === 'received'
        ? sql`received_at ASC, id ASC`
        : sql`received_at DESC, id DESC`;
  const [count, rows] = await Promise.all([
    filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    filtered
      .select([
        'id', 'tracking', 'county', 'status', 'unit', 'problem', 'urgent', 'complex', 'supervised', 'source',
        'subject', 'compound', 'company', 'received_at',
        'due_transfer', 'due_close', 'due_plan', 'due_progress', 'due_verify', 'due_penalty',
      ])
      .orderBy(order)
      .limit(limit)
      .offset(offset)
      .execute(),
  ]);
  const items = rows.map((r): CaseListItem => {
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
  });
  return { total: Number(count.n), items };
}
