// The search index of a case's text (migration 0014), kept in the transaction that writes the case: SQLite, an
// FTS5 table; PostgreSQL, a tsvector per case under a GIN index. Both hold the tokens of search-tokens.ts and the
// case's scope tokens (county, lead and co-handling units).
//
// SQLite's FTS5 rows are keyed by receipt: rowid = (second of receipt since 2020) · 2³¹ + case id. A search then
// reads its newest (or oldest) matches straight off the text index — FTS5 walks a term's list in rowid order — instead
// of fetching every match to sort it, which at a million cases is the difference between 1 ms and a second for a
// word in most cases. The case id is the key's low 31 bits.
import { CompiledQuery, PostgresAdapter } from 'kysely';
import type { Case } from '../domain.ts';
import type { Conn } from './db.ts';
import { documentTokens, ftsDocument, scopeToken, tsVector } from './search-tokens.ts';

export type SqlDialect = 'sqlite' | 'postgres';

export function dialectOfConn(db: Conn): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

const EPOCH_S = Date.UTC(2020, 0, 1) / 1000;
const ID_BITS = 2n ** 31n;
/** The case id of an FTS5 rowid, in SQL. */
export const ID_OF_KEY_SQL = 'rowid & 2147483647';

/** The FTS5 rowid of the case row `complaint`, in SQL (SQLite): textKey's formula, checked against it in the tests. */
export const KEY_OF_ROW_SQL = `((CAST(strftime('%s', complaint.received_at) AS INTEGER) - ${EPOCH_S}) * ${ID_BITS} + complaint.id)`;

/** The FTS5 rowid of a case: receipt order, then id (ids stay below 2³¹: PostgreSQL's serial is int4 too). */
export function textKey(id: number, receivedAt: string): bigint {
  const seconds = Math.floor(Date.parse(receivedAt) / 1000) - EPOCH_S;
  if (!Number.isFinite(seconds)) throw new RangeError(`case ${id}: received_at is not an instant: ${receivedAt}`);
  return BigInt(seconds) * ID_BITS + BigInt(id);
}

/** What a case is found by. */
export type SearchableCase = Pick<
  Case,
  'tracking' | 'county' | 'status' | 'source' | 'urgent' | 'unit' | 'coUnits' | 'subject' | 'body' | 'compound' | 'address' | 'company' | 'complainant'
>;

export function caseTokens(c: SearchableCase): string[] {
  const units = new Set([...(c.unit ? [c.unit] : []), ...c.coUnits]);
  return [
    scopeToken.county(c.county),
    scopeToken.status(c.status),
    scopeToken.source(c.source),
    scopeToken.lead(c.unit ?? 'none'),
    ...(c.urgent ? [scopeToken.urgent] : []),
    ...[...units].map(scopeToken.unit),
    ...documentTokens([c.tracking, c.subject, c.compound, c.address, c.company, c.complainant.name, c.complainant.phone, c.complainant.email, c.body]),
  ];
}

/** The complaint columns of the fields caseTokens reads its text from (the same fields, as the case row holds them). */
export const DOCUMENT_COLUMNS = [
  'tracking', 'subject', 'compound', 'address', 'company', 'complainant_name', 'complainant_phone', 'complainant_email', 'body',
] as const;

/** Whether saveCase changed what the index holds (subject, body, tracking, county and source never change). */
export function changedSearchFields(before: SearchableCase, after: SearchableCase): boolean {
  return (
    before.status !== after.status ||
    before.urgent !== after.urgent ||
    before.unit !== after.unit ||
    before.coUnits.join() !== after.coUnits.join() ||
    before.compound !== after.compound ||
    before.address !== after.address ||
    before.company !== after.company ||
    before.complainant.name !== after.complainant.name ||
    before.complainant.phone !== after.complainant.phone ||
    before.complainant.email !== after.complainant.email
  );
}

/** The complaint columns a case's index entry is made of. */
export const SEARCHABLE_COLUMNS = [
  'id', 'tracking', 'county', 'status', 'source', 'urgent', 'unit', 'co_units', 'subject', 'body', 'compound', 'address', 'company',
  'complainant_name', 'complainant_phone', 'complainant_email', 'received_at',
] as const;
export type SearchableRow = Record<(typeof SEARCHABLE_COLUMNS)[number], unknown>;

/** A complaint row (of SEARCHABLE_COLUMNS) as what the index is made of. */
export function searchableOfRow(r: SearchableRow): SearchableCase & { receivedAt: string } {
  const text = (v: unknown) => (v == null ? null : String(v));
  return {
    tracking: String(r.tracking),
    county: String(r.county),
    status: String(r.status) as Case['status'],
    source: String(r.source) as Case['source'],
    urgent: Number(r.urgent) === 1,
    unit: text(r.unit) as Case['unit'],
    coUnits: r.co_units ? (JSON.parse(String(r.co_units)) as Case['coUnits']) : [],
    subject: String(r.subject),
    body: String(r.body),
    compound: text(r.compound),
    address: text(r.address),
    company: text(r.company),
    complainant: { name: text(r.complainant_name), phone: text(r.complainant_phone), email: text(r.complainant_email) },
    receivedAt: String(r.received_at),
  };
}

const SQLITE_INSERT = 'INSERT INTO complaint_text (rowid, doc) VALUES (?, ?)';
const SQLITE_DELETE = 'DELETE FROM complaint_text WHERE rowid = ?';
const PG_UPSERT = 'INSERT INTO complaint_text (complaint_id, doc) VALUES ($1, $2::tsvector) ON CONFLICT (complaint_id) DO UPDATE SET doc = excluded.doc';

/** Indexes a case (its row written in the same transaction); `replace` when it was indexed before. */
export async function indexCase(tx: Conn, id: number, c: SearchableCase & { receivedAt: string }, replace = false): Promise<void> {
  const tokens = caseTokens(c);
  if (dialectOfConn(tx) === 'postgres') {
    await tx.executeQuery(CompiledQuery.raw(PG_UPSERT, [id, tsVector(tokens)]));
    return;
  }
  const key = textKey(id, c.receivedAt);
  if (replace) await tx.executeQuery(CompiledQuery.raw(SQLITE_DELETE, [key]));
  await tx.executeQuery(CompiledQuery.raw(SQLITE_INSERT, [key, ftsDocument(tokens)]));
}
