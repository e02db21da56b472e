// The case list of the web console and its JSON API: one query with the user's scope, the filters, free-text
// search, an order and a page, and the exact number of matches.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { ProblemType, Status, UnitCode } from '../domain.ts';
import type { Conn } from './db.ts';
import { DOCUMENT_COLUMNS, ID_OF_KEY_SQL, KEY_OF_ROW_SQL, dialectOfConn, type SqlDialect } from './case-text.ts';
import { NEXT_DUE_SQL } from './migrations/0014_case_search.ts';
import { NFKC_HAN_SQL } from './migrations/0018_case_search_nfkc.ts';
import { nextRunningDeadline, type DeadlineKind } from './running-deadlines.ts';
import { ftsMatch, phraseTokens, queryPhrases, scopeToken, tsAllOf, tsQuery, type QueryPhrase, type QueryToken, type TextQuery } from './search-tokens.ts';

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
  /**
   * Count the matches only up to this many (the total is then a floor, `totalExact` false): a word in most cases
   * costs a count of most cases, which on PostgreSQL means reading a tsvector for each of them, and beyond a page or
   * twenty nobody reads the number, only "more than". Default: the exact number.
   */
  countUpTo?: number;
}

/** What the console's list counts up to: a list (indexes count it cheaply), a search (each match is checked). */
export const LIST_COUNT_CAP = 10_000;
export const SEARCH_COUNT_CAP = 1_000;

/** The cap the console counts a list (or a search, when `text` has words) up to. */
export function consoleCountCap(text: string | null | undefined): number {
  return queryPhrases(text ?? '').length ? SEARCH_COUNT_CAP : LIST_COUNT_CAP;
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

/**
 * A column as a condition names it. On SQLite, a danger-case list (few cases) should start from its partial index;
 * without statistics the planner starts from the unit's or the county's, and reads half the table: a column written
 * `+col` cannot lead a plan. Likewise the overdue cases and a span of receipt dates have their own indexes (with the
 * county first in each, so the county may still lead): a unit's or a status's cases are a twelfth or most of the table
 * (the dashboard's closed cases of one week, 300,000 cases: 365 ms from the status index, 1 ms from the dates').
 */
function columnsOf(q: CaseQuery, dialect: SqlDialect) {
  const narrow = q.overdue === true || !!q.receivedFrom || !!q.receivedTo;
  return (name: 'county' | 'unit' | 'status' | 'source') => {
    const plus = dialect === 'sqlite' && (q.urgent === true || (narrow && name !== 'county'));
    return sql.raw(plus ? `+${name}` : name);
  };
}

/** The scope (counties, a unit's own cases, the county filter): in a search, also tokens of the text index. */
function scopeConditions(q: CaseQuery, dialect: SqlDialect): Where[] {
  const col = columnsOf(q, dialect);
  const w: Where[] = [];
  if (q.counties != null) w.push(sql<SqlBool>`${col('county')} IN (${sql.join([...q.counties])})`);
  // Co-handled cases are few (partial index complaint_co_units): their ids are listed once, not looked for case by case.
  if (q.ownUnit) {
    w.push(sql<SqlBool>`(${col('unit')} = ${q.ownUnit} OR id IN (SELECT id FROM complaint WHERE co_units IS NOT NULL AND co_units LIKE ${`%"${q.ownUnit}"%`}))`);
  }
  if (q.county) w.push(sql<SqlBool>`${col('county')} = ${q.county}`);
  return w;
}

/** The filters that are also tokens of the text index: lead unit, status, danger, source. */
function tokenFilterConditions(q: CaseQuery, dialect: SqlDialect): Where[] {
  const col = columnsOf(q, dialect);
  const w: Where[] = [];
  if (q.unit === 'none') w.push(sql<SqlBool>`${col('unit')} IS NULL`);
  else if (q.unit) w.push(sql<SqlBool>`${col('unit')} = ${q.unit}`);
  if (q.status?.length) w.push(sql<SqlBool>`${col('status')} IN (${sql.join([...q.status])})`);
  if (q.urgent) w.push(sql<SqlBool>`urgent = 1`);
  if (q.source) w.push(sql<SqlBool>`${col('source')} = ${q.source}`);
  return w;
}

/** The filters only the case row answers (unqualified: the deadline expression must read as its index does). */
function rowFilterConditions(q: CaseQuery, now: string, dialect: SqlDialect): Where[] {
  const w: Where[] = [];
  if (q.overdue) w.push(sql<SqlBool>`${nextDue(dialect)} <= ${now}`);
  if (q.companyId != null) w.push(sql<SqlBool>`company_id = ${q.companyId}`);
  if (q.compound) w.push(dialect === 'postgres' ? sql<SqlBool>`strpos(compound, ${q.compound}) > 0` : sql<SqlBool>`instr(compound, ${q.compound}) > 0`);
  if (q.receivedFrom) w.push(sql<SqlBool>`received_at >= ${iso(q.receivedFrom)}`);
  if (q.receivedTo) w.push(sql<SqlBool>`received_at < ${iso(q.receivedTo)}`);
  return w;
}

/** The words of `text` as phrases, and the scope and token filters as groups of tokens (one of each group must be there); null without words. */
function textQueryOf(q: CaseQuery): TextQuery | null {
  const phrases = queryPhrases(q.text ?? '');
  if (!phrases.length) return null;
  const anyOf: string[][] = [];
  if (q.counties != null) anyOf.push(q.counties.map(scopeToken.county));
  if (q.county) anyOf.push([scopeToken.county(q.county)]);
  if (q.ownUnit) anyOf.push([scopeToken.unit(q.ownUnit)]);
  if (q.unit) anyOf.push([scopeToken.lead(q.unit)]);
  if (q.status?.length) anyOf.push(q.status.map(scopeToken.status));
  if (q.urgent) anyOf.push([scopeToken.urgent]);
  if (q.source) anyOf.push([scopeToken.source(q.source)]);
  return { phrases, anyOf };
}

/** Every filter of a query without words, as the case row answers it (the counts; the list builds the same). */
function allConditions(q: CaseQuery, dialect: SqlDialect): Where[] {
  return [...scopeConditions(q, dialect), ...tokenFilterConditions(q, dialect), ...rowFilterConditions(q, iso(q.now), dialect)];
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

/** A page of rows, and the number of all matches: exact, or (`exact` false) the cap it was counted up to. */
type Page = { total: number; exact: boolean; rows: ItemRow[] };

/** The total of a count made by countSql. */
function counted(n: unknown, upTo: number | undefined): { total: number; exact: boolean } {
  const total = Number(n ?? 0);
  return upTo !== undefined && total > upTo ? { total: upTo, exact: false } : { total, exact: true };
}

/** `SELECT count(*) FROM <rest>`, or the count of at most `upTo + 1` rows of it (so that "more" can be told). */
function countSql(rest: RawBuilder<unknown>, upTo: number | undefined) {
  return upTo === undefined
    ? sql<{ n: number }>`SELECT count(*) AS n FROM ${rest}`
    : sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 AS one FROM ${rest} LIMIT ${upTo + 1}) AS capped`;
}

/**
 * A search on SQLite. When only the scope and the token filters go with the words, the text index answers alone: the
 * count is the index's, the page is read off it in receipt order (case-text.ts) and only the page's cases are
 * fetched. Otherwise the matches' ids are one set, and the list query below tests its candidates against it.
 */
async function sqliteSearch(db: Conn, q: CaseQuery, tq: TextQuery, rowFilters: Where[], limit: number, offset: number): Promise<Page> {
  const match = ftsMatch(tq);
  const inIndex = sql`complaint_text WHERE complaint_text MATCH ${match}`;
  const scope = [...scopeConditions(q, 'sqlite'), ...tokenFilterConditions(q, 'sqlite')];
  if (!rowFilters.length && q.sort !== 'deadline') {
    const keyOrder = q.sort === 'received' ? sql.raw('ASC') : sql.raw('DESC');
    const [count, keys] = await Promise.all([
      countSql(inIndex, q.countUpTo).execute(db),
      sql<{ id: number }>`SELECT ${sql.raw(ID_OF_KEY_SQL)} AS id FROM complaint_text WHERE complaint_text MATCH ${match} ORDER BY rowid ${keyOrder} LIMIT ${limit} OFFSET ${offset}`.execute(db),
    ]);
    const ids = keys.rows.map((r) => r.id);
    const rows = ids.length ? (await sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM complaint WHERE id IN (${sql.join(ids)})`.execute(db)).rows : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { ...counted(count.rows[0]?.n, q.countUpTo), rows: ids.map((id) => byId.get(id)).filter((r): r is ItemRow => r !== undefined) };
  }
  let few = false;
  if (!rowFilters.length) {
    // By deadline with nothing but the scope and the token filters: the text index counts (as above). Many matches:
    // the deadline index is walked and each case looked up in the text index by its key (a seek), instead of the set
    // of every match (物业公司 in a county at 1,000,000 cases: 157 ms p50 that way, 25 ms this way). Few: they lead.
    // Counted up to FEW_MATCHES at least, so that "many" is dense enough for the walk to fill a page soon.
    const upTo = q.countUpTo === undefined ? undefined : Math.max(q.countUpTo, FEW_MATCHES);
    const n = Number((await countSql(inIndex, upTo).execute(db)).rows[0]?.n ?? 0);
    const { total, exact } = counted(n, q.countUpTo);
    if (!total || (exact && offset >= total)) return { total, exact, rows: [] };
    few = n <= FEW_MATCHES;
    if (!few) {
      const inText = sql<SqlBool>`EXISTS (SELECT 1 FROM complaint_text WHERE complaint_text MATCH ${match} AND rowid = ${sql.raw(KEY_OF_ROW_SQL)})`;
      const page = await sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM complaint WHERE ${and([...scope, inText])} ORDER BY ${orderOf(q, 'sqlite')} LIMIT ${limit} OFFSET ${offset}`.execute(db);
      return { total, exact, rows: page.rows };
    }
  }
  // With an indexed filter or order (overdue, company, dates, deadline) the list walks that index and tests each
  // candidate against the set (`+id`: the set is not to lead), unless the matches are known to be few; a compound name
  // alone has no index, so the matches lead.
  const indexed = !few && (q.overdue || q.companyId != null || q.receivedFrom || q.receivedTo || q.sort === 'deadline');
  const inSet = sql<SqlBool>`${sql.raw(indexed ? '+id' : 'id')} IN (SELECT ${sql.raw(ID_OF_KEY_SQL)} FROM complaint_text WHERE complaint_text MATCH ${match})`;
  return listQuery(db, q, 'sqlite', [...scope, ...rowFilters, inSet], limit, offset);
}

function orderOf(q: CaseQuery, dialect: SqlDialect) {
  // Receipt before id among equal deadlines (every case without one is equal): the deadline indexes hold
  // (deadline, received_at), so a walk in this order needs no sort of the cases without a deadline.
  if (q.sort === 'deadline') return sql`${nextDue(dialect)} ASC, received_at ASC, complaint.id ASC`;
  return q.sort === 'received' ? sql`received_at ASC, complaint.id ASC` : sql`received_at DESC, complaint.id DESC`;
}

/**
 * The list query: the count, and the page's ids found first (from an index alone where one holds the conditions and
 * the order) and then their cases.
 */
async function listQuery(db: Conn, q: CaseQuery, dialect: SqlDialect, conds: Where[], limit: number, offset: number): Promise<Page> {
  const order = orderOf(q, dialect);
  const [n, page] = await Promise.all([
    countSql(sql`complaint WHERE ${and(conds)}`, q.countUpTo).execute(db),
    sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM complaint WHERE id IN (SELECT id FROM complaint WHERE ${and(conds)} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}) ORDER BY ${order}`.execute(db),
  ]);
  return { ...counted(n.rows[0]?.n, q.countUpTo), rows: page.rows };
}

/**
 * Runs a query of the GIN index even when most cases match: the planner would rather read every tsvector (a seq
 * scan, ~7 µs a case), not knowing that the bitmap scan skips the heap pages vacuum marked all-visible. Nor is a
 * walk down the list split among workers: each would test its own share of cases until the page is full, several
 * times the work of one. Inside the caller's transaction the settings would outlive the query, so there they are
 * left alone.
 */
async function indexedQuery<T>(db: Conn, query: RawBuilder<T>) {
  if (db.isTransaction) return query.execute(db);
  return db.transaction().execute(async (tx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(tx);
    await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(tx);
    return query.execute(tx);
  });
}

/** Up to this many candidates the matches are fetched, counted and sorted; beyond it, the list is walked in its order. */
export const FEW_MATCHES = 5000;
/**
 * A token in more than this share of the cases is common: its GIN posting list is long (at 1,000,000 cases 物业 has
 * 850,000 entries, ~100 ms to decode however few the results), so the index is not asked for it when a rarer token
 * of the query can find the candidates; the words are then checked on each candidate, after the filters of the case
 * row: a Chinese word in the row's text, any other on the case's tsvector (which costs more to read).
 */
const COMMON_SHARE = 0.05;
/** The cases a Chinese word of common bigrams is first looked for in, to tell "more than the cap" without the index. */
const PROBE_ROWS = 20_000;
/** A count estimated at this many times the cap or more is not made: the list says "more than the cap". */
const ESTIMATE_TRUSTED = 10;

interface LexemeStats {
  rows: number;
  /** Share of the cases holding a token (or, prefix, any token it begins); undefined: not among the most common. */
  share(t: QueryToken): number | undefined;
  /** The smallest share kept: a token not kept is rarer than this. */
  floor: number;
}

/**
 * What ANALYZE keeps of complaint_text's tokens: the most common ones with their shares (pg_stats, the statistics
 * the planner estimates with). Without statistics (a new or small database) every token counts as rare.
 */
async function lexemeStats(db: Conn): Promise<LexemeStats> {
  const r = await sql<{ elems: string[] | null; freqs: number[] | null; rows: number }>`
    SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs, c.reltuples AS rows
    FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = to_regnamespace(s.schemaname)
    WHERE s.schemaname = current_schema() AND s.tablename = 'complaint_text' AND s.attname = 'doc'`.execute(db);
  const row = r.rows[0];
  const shares = new Map<string, number>();
  (row?.elems ?? []).forEach((e, i) => shares.set(e, Number(row!.freqs![i])));
  return {
    rows: Math.max(0, Number(row?.rows ?? 0)),
    floor: shares.size ? Math.min(...shares.values()) : 0,
    share(t) {
      if (!t.prefix) return shares.get(t.token);
      let sum = 0;
      for (const [e, f] of shares) if (e.startsWith(t.token)) sum += f;
      return sum > 0 ? Math.min(1, sum) : undefined;
    },
  };
}

/**
 * Phrases checked on a case's tsvector without the index (ts_match_vq is the function behind @@: no index matches
 * it), as a scalar subquery, which the planner neither turns into a join nor runs before the row's filters.
 */
const checked = (phrases: readonly QueryPhrase[]) =>
  sql<SqlBool>`(SELECT ts_match_vq(t.doc, ${tsQuery({ phrases, anyOf: [] })}::tsquery) FROM complaint_text t WHERE t.complaint_id = complaint.id)`;

/**
 * A word of Han characters found in the case row's own text: where a column holds it, its normalised text holds it
 * too (a Han character neither changes nor composes under NFKC), so the index would match. The few cases with a
 * character NFKC turns into a Han one (a Kangxi radical ⽔ for 水; migration 0018's partial index lists them, read once
 * a query) are normalised first, as the index was; normalising every case would cost more than the rest of the
 * check (its full-width punctuation makes nearly every text not NFKC-normal). Reading the row the filters read
 * anyway costs a fraction of reading the case's tsvector (~25 µs a candidate, toasted: at 1,000,000 cases a
 * four-character word in a county took 240 ms that way).
 */
function hanInRow(han: string) {
  const cols = DOCUMENT_COLUMNS.map((c) => sql.ref(`complaint.${c}`));
  const anyOf = (f: (c: (typeof cols)[number]) => RawBuilder<unknown>) => sql.join(cols.map(f), sql` OR `);
  return sql<SqlBool>`(${anyOf((c) => sql`strpos(${c}, ${han}) > 0`)} OR (complaint.id IN (SELECT id FROM complaint WHERE ${sql.raw(NFKC_HAN_SQL)})
    AND (${anyOf((c) => sql`strpos(normalize(${c}, NFKC), ${han}) > 0`)})))`;
}

/**
 * What the index left open of a query's words, as conditions on the case row: a word of Han characters as a
 * substring of the row's text, any other word (letters, digits, mixed) on the tsvector. `answered`: the tokens the
 * index was asked for — a word of one of them needs no check. The scope groups are the row's own filters.
 */
function openWords(tq: TextQuery, answered: readonly QueryToken[]): Where[] {
  const left = tq.phrases.filter((p) => !(p.tokens.length === 1 && answered.some((t) => t.token === p.tokens[0] && t.prefix === p.prefix)));
  const others = left.filter((p) => p.han === undefined);
  return [...left.flatMap((p) => (p.han === undefined ? [] : [hanInRow(p.han)])), ...(others.length ? [checked(others)] : [])];
}

/**
 * PostgreSQL's search. The candidates come from the GIN index asked only for the query's uncommon tokens (ANALYZE's
 * statistics tell which); the case row's filters come next, then what the index left open (a common token, the order
 * of a word's bigrams): a Chinese word as a substring of the row's text, any other on the case's tsvector. Few
 * candidates (as the statistics tell), or few matches once counted: the matches are fetched, counted and sorted.
 * Many: the matches are counted up to `countUpTo` and the page is found by walking the list in the order asked for
 * (the deadline order too: its indexes hold it), testing each case on its row, which stops once the page is full.
 * When every token is common, a one-token word the statistics put at 10 times the cap or more, or a Chinese word
 * found more than the cap times among the list's first cases, is "more than the cap" without the index (a short
 * first page is counted whatever the estimate); anything else is counted.
 */
async function postgresSearch(db: Conn, q: CaseQuery, tq: TextQuery, rowFilters: Where[], limit: number, offset: number): Promise<Page> {
  const query = sql`${tsQuery(tq)}::tsquery`;
  const conds = [...scopeConditions(q, 'postgres'), ...tokenFilterConditions(q, 'postgres'), ...rowFilters];
  const order = orderOf(q, 'postgres');
  const stats = await lexemeStats(db);
  const tokens = phraseTokens(tq);
  const rare = tokens.filter((t) => (stats.share(t) ?? 0) <= COMMON_SHARE);
  // The list in its order, each case tested on its own row (the index's candidates, many, would all be fetched to sort).
  const walk = async (total: number, exact: boolean): Promise<Page> => {
    const page = sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM complaint WHERE ${and([...conds, ...openWords(tq, [])])} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
    const rows = (await indexedQuery(db, page)).rows;
    // A short first page is the whole list: its number is known.
    return !offset && rows.length < limit ? { total: rows.length, exact: true, rows } : { total, exact, rows };
  };

  // The matches of `index` in the scope, fetched whole (MATERIALIZED: left to itself, the planner walks the order and
  // tests each case for a rare word), counted and sorted: for few candidates, or a known small number of matches
  // (walking the list for a handful of matches would read all of it).
  const fetched = async (index: RawBuilder<unknown>, check: RawBuilder<unknown>): Promise<Page> => {
    const hits = sql`WITH hits AS MATERIALIZED (SELECT complaint_id FROM complaint_text WHERE doc @@ ${index})`;
    const joined = sql`complaint JOIN hits ON hits.complaint_id = complaint.id WHERE ${and(conds)}${check}`;
    const rows = (
      await indexedQuery(db, sql<ItemRow & { total: number }>`${hits} SELECT ${ITEM_COLUMNS}, count(*) OVER () AS total FROM ${joined} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`)
    ).rows;
    // Counted exactly, told as the other paths tell it (up to the cap: the list reads the same whichever path ran).
    if (rows.length) return { ...counted(rows[0]!.total, q.countUpTo), rows };
    if (!offset) return { total: 0, exact: true, rows: [] };
    const n = await indexedQuery(db, sql<{ n: number }>`${hits} SELECT count(*) AS n FROM ${joined}`);
    return { ...counted(n.rows[0]?.n, q.countUpTo), rows: [] };
  };

  const cap = q.countUpTo;
  // Only a word of one token (two characters, or one as a prefix) is estimated well: ANALYZE keeps its share (of a
  // token it does not keep only a bound is known: not trusted). A phrase's bigrams are each common in far more cases
  // than the phrase (噪音, 音扰, 扰民 vs 噪音扰民): counted. Rare or common, a word estimated well over the cap is
  // walked at once: counting its candidates would only tell "more than the cap" after reading thousands of them.
  if (cap !== undefined && tq.phrases.every((p) => p.tokens.length === 1)) {
    // Words and scope groups taken as independent (a county's share of a word is the county's share of cases).
    let estimate = stats.rows;
    for (const p of tq.phrases) estimate *= stats.share({ token: p.tokens[0]!, prefix: p.prefix }) ?? 0;
    for (const group of tq.anyOf) estimate *= Math.min(1, group.reduce((sum, t) => sum + (stats.share({ token: t, prefix: false }) ?? stats.floor), 0));
    if (cap > 0 && estimate >= ESTIMATE_TRUSTED * cap) return walk(cap, false);
  }
  if (!rare.length) {
    // Chinese words of common bigrams are often common themselves (物业公司): more than the cap among the list's first
    // PROBE_ROWS cases, each tested on its row, is "more than the cap" for certain, in ~15 ms at 1,000,000 cases where
    // the index's count decodes each bigram's long posting list (40–70 ms). Fewer: counted by the index.
    if (cap !== undefined && tq.phrases.every((p) => p.han !== undefined)) {
      const head = sql`(SELECT ${and(openWords(tq, []))} AS hit FROM complaint WHERE ${and(conds)} ORDER BY ${order} LIMIT ${PROBE_ROWS}) AS head`;
      const probe = await indexedQuery(db, sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM ${head} WHERE hit LIMIT ${cap + 1}) AS capped`);
      if (Number(probe.rows[0]?.n ?? 0) > cap) return walk(cap, false);
    }
    const count = rowFilters.length
      ? countSql(sql`complaint WHERE ${and(conds)} AND id IN (SELECT complaint_id FROM complaint_text WHERE doc @@ ${query})`, q.countUpTo)
      : countSql(sql`complaint_text WHERE doc @@ ${query}`, q.countUpTo);
    const { total, exact } = counted((await indexedQuery(db, count)).rows[0]?.n, q.countUpTo);
    if (!total || (exact && offset >= total)) return { total, exact, rows: [] };
    return exact && total <= FEW_MATCHES ? fetched(query, sql``) : walk(total, exact);
  }

  // The candidates: the cases with the uncommon tokens.
  const index = sql`${tsAllOf(rare)}::tsquery`;
  // Few for certain when the statistics keep a token of them with a small share (at most its cases); otherwise
  // counted (a token the statistics do not keep is only known to be rarer than the least common kept, ~2 % here).
  const bound = stats.rows * Math.min(...rare.map((t) => stats.share(t) ?? Infinity));
  let few = bound <= FEW_MATCHES;
  if (!few) {
    const candidates = Number((await indexedQuery(db, countSql(sql`complaint_text WHERE doc @@ ${index}`, FEW_MATCHES))).rows[0]?.n ?? 0);
    if (!candidates) return { total: 0, exact: true, rows: [] };
    few = candidates <= FEW_MATCHES;
  }
  // The scope and filters are the case row's conditions; the tsvector is read only for what the index did not
  // answer: a common token left out, or the order of a phrase's tokens.
  const open = openWords(tq, rare);
  const check = open.length ? sql` AND ${and(open)}` : sql``;
  const matches = sql`${and(conds)} AND id IN (SELECT complaint_id FROM complaint_text WHERE doc @@ ${index})${check}`;
  if (few) return fetched(index, check);
  const { total, exact } = counted((await indexedQuery(db, countSql(sql`complaint WHERE ${matches}`, q.countUpTo))).rows[0]?.n, q.countUpTo);
  if (!total || (exact && offset >= total)) return { total, exact, rows: [] };
  return exact && total <= FEW_MATCHES ? fetched(index, check) : walk(total, exact);
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

export interface CaseList {
  /** The number of matches; or, `totalExact` false, the `countUpTo` it was counted up to (there are more). */
  total: number;
  totalExact: boolean;
  items: CaseListItem[];
}

/**
 * The console's case list: the cases in the user's scope that pass the filters and hold every word of the text, in
 * the order asked for, one page of them, with the number of all (or "more than countUpTo"). Newest first is by receipt, then by
 * registration; in a search on SQLite by the second of receipt, then by registration (the text index's key).
 */
/**
 * How many cases match, without a page of them (the dashboard's figures): exact unless `countUpTo` caps it. A search
 * with words is counted the way the list counts it.
 */
export async function countCases(db: Conn, q: Omit<CaseQuery, 'page' | 'pageSize' | 'sort'>): Promise<{ total: number; exact: boolean }> {
  if (q.counties != null && !q.counties.length) return { total: 0, exact: true };
  if (textQueryOf(q)) {
    const r = await searchCases(db, { ...q, pageSize: 1 });
    return { total: r.total, exact: r.totalExact };
  }
  const dialect = dialectOfConn(db);
  const conds = allConditions(q, dialect);
  return counted((await countSql(sql`complaint WHERE ${and(conds)}`, q.countUpTo).execute(db)).rows[0]?.n, q.countUpTo);
}

/**
 * The matches counted by lead unit, by county, or by both, in one pass (the dashboard's overdue cases per unit: one
 * read of the overdue cases instead of one per unit, 300,000 cases: 0.8 s → 70 ms; the inbox's open cases per county
 * and unit). The key is the group's values joined by ':'; groups with no match are absent; no lead unit is ''. On
 * SQLite an overdue count groups by `+unit`/`+county` so that it cannot walk a unit index (the whole table in unit
 * order, the deadline tested on every case: 3 s): the deadline index finds the cases, a small sort groups them.
 */
export async function countCasesBy(
  db: Conn,
  q: Omit<CaseQuery, 'page' | 'pageSize' | 'sort' | 'text' | 'countUpTo'>,
  by: readonly ('county' | 'unit')[],
): Promise<Map<string, number>> {
  if (q.counties != null && !q.counties.length) return new Map();
  const dialect = dialectOfConn(db);
  const conds = allConditions(q, dialect);
  const keys = by.map((c) => sql.raw(dialect === 'sqlite' && q.overdue ? `+${c}` : c));
  const { rows } = await sql<Record<string, string | number | null>>`SELECT ${sql.join(keys.map((k, i) => sql`${k} AS ${sql.ref(`k${i}`)}`))}, count(*) AS n FROM complaint WHERE ${and(conds)} GROUP BY ${sql.join(keys)}`.execute(db);
  return new Map(rows.map((r) => [by.map((_, i) => r[`k${i}`] ?? '').join(':'), Number(r.n)]));
}

/**
 * The cases of some (county, lead unit) pairs that have one of `status` — danger first, then by nearest running
 * deadline — at most `limit` (the inbox's cases whose unit nobody in their county receives in the bot).
 */
export async function casesOfUnits(
  db: Conn,
  q: Pick<CaseQuery, 'now' | 'counties' | 'ownUnit'> & { status: readonly Status[] },
  pairs: readonly { county: string; units: readonly UnitCode[] }[],
  limit: number,
): Promise<CaseListItem[]> {
  const wanted = pairs.filter((p) => p.units.length);
  if (!wanted.length || !q.status.length || (q.counties != null && !q.counties.length)) return [];
  const dialect = dialectOfConn(db);
  const now = iso(q.now);
  const anyPair = sql.join(
    wanted.map((p) => sql`(county = ${p.county} AND unit IN (${sql.join([...p.units])}))`),
    sql` OR `,
  );
  const scope = scopeConditions({ now, counties: q.counties ?? null, ownUnit: q.ownUnit ?? null }, dialect);
  const { rows } = await sql<ItemRow>`SELECT ${ITEM_COLUMNS} FROM complaint WHERE ${and([...scope, sql<SqlBool>`status IN (${sql.join([...q.status])})`, sql<SqlBool>`(${anyPair})`])}
    ORDER BY urgent DESC, ${nextDue(dialect)}, received_at, id LIMIT ${limit}`.execute(db);
  return rows.map((r) => toItem(r, now));
}

/**
 * The cases received in each of the spans [bounds[i], bounds[i + 1]), and of those how many have one of `closed`'s
 * statuses and how many are overdue now: one read of the spans' cases (the dashboard's 8 weeks) instead of three
 * counts a span.
 */
export async function countByReceiptSpans(
  db: Conn,
  q: Omit<CaseQuery, 'page' | 'pageSize' | 'sort' | 'text' | 'countUpTo' | 'receivedFrom' | 'receivedTo' | 'overdue'>,
  bounds: readonly string[],
  closed: readonly string[],
): Promise<{ received: number; closed: number; overdue: number }[]> {
  const spans = bounds.slice(1).map(() => ({ received: 0, closed: 0, overdue: 0 }));
  if (!spans.length || (q.counties != null && !q.counties.length)) return spans;
  const dialect = dialectOfConn(db);
  const edges = bounds.map(iso);
  const ranged = { ...q, receivedFrom: edges[0]!, receivedTo: edges[edges.length - 1]! };
  const conds = allConditions(ranged, dialect);
  const span = sql`CASE ${sql.join(
    edges.slice(1, -1).map((e, i) => sql`WHEN received_at < ${e} THEN ${sql.lit(i)}`),
    sql` `,
  )} ELSE ${sql.lit(spans.length - 1)} END`;
  const { rows } = await sql<{ span: number; n: number; closed: number; overdue: number }>`
    SELECT ${span} AS span, count(*) AS n,
      sum(CASE WHEN status IN (${sql.join([...closed])}) THEN 1 ELSE 0 END) AS closed,
      sum(CASE WHEN ${nextDue(dialect)} <= ${iso(q.now)} THEN 1 ELSE 0 END) AS overdue
    FROM complaint WHERE ${and(conds)} GROUP BY 1`.execute(db);
  for (const r of rows) spans[Number(r.span)] = { received: Number(r.n), closed: Number(r.closed), overdue: Number(r.overdue) };
  return spans;
}

export async function searchCases(db: Conn, q: CaseQuery): Promise<CaseList> {
  if (q.counties != null && !q.counties.length) return { total: 0, totalExact: true, items: [] };
  const dialect = dialectOfConn(db);
  const now = iso(q.now);
  const { limit, offset } = clampPage(q);
  const rowFilters = rowFilterConditions(q, now, dialect);
  const tq = textQueryOf(q);
  const page = !tq
    ? await listQuery(db, q, dialect, allConditions(q, dialect), limit, offset)
    : dialect === 'sqlite'
      ? await sqliteSearch(db, q, tq, rowFilters, limit, offset)
      : await postgresSearch(db, q, tq, rowFilters, limit, offset);
  return { total: page.total, totalExact: page.exact, items: page.rows.map((r) => toItem(r, now)) };
}
