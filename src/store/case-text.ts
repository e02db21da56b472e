// The search index of a case's text (migration 0014), kept in the transaction that writes the case: SQLite, an
// FTS5 table whose rowid is the case id; PostgreSQL, a tsvector per case under a GIN index. Both hold the tokens of
// search-tokens.ts.
import { CompiledQuery, PostgresAdapter } from 'kysely';
import type { Case } from '../domain.ts';
import type { Conn } from './db.ts';
import { documentTokens, ftsDocument, tsVector } from './search-tokens.ts';

export type SqlDialect = 'sqlite' | 'postgres';

export function dialectOfConn(db: Conn): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** What a case is found by. */
export type SearchableCase = Pick<Case, 'tracking' | 'subject' | 'body' | 'compound' | 'address' | 'company' | 'complainant'>;

export function caseTokens(c: SearchableCase): string[] {
  return documentTokens([c.tracking, c.subject, c.compound, c.address, c.company, c.complainant.name, c.complainant.phone, c.complainant.email, c.body]);
}

/** The fields of a case that saveCase may change and the index holds (subject, body and tracking never change). */
export function changedSearchFields(before: SearchableCase, after: SearchableCase): boolean {
  return (
    before.compound !== after.compound ||
    before.address !== after.address ||
    before.company !== after.company ||
    before.complainant.name !== after.complainant.name ||
    before.complainant.phone !== after.complainant.phone ||
    before.complainant.email !== after.complainant.email
  );
}

const WRITE: Record<SqlDialect, { insert: string; replace: string[] }> = {
  sqlite: {
    insert: 'INSERT INTO complaint_text (rowid, doc) VALUES (?, ?)',
    replace: ['DELETE FROM complaint_text WHERE rowid = ?', 'INSERT INTO complaint_text (rowid, doc) VALUES (?, ?)'],
  },
  postgres: {
    insert: 'INSERT INTO complaint_text (complaint_id, doc) VALUES ($1, $2::tsvector)',
    replace: ['INSERT INTO complaint_text (complaint_id, doc) VALUES ($1, $2::tsvector) ON CONFLICT (complaint_id) DO UPDATE SET doc = excluded.doc'],
  },
};

function docOf(dialect: SqlDialect, tokens: string[]): string {
  return dialect === 'postgres' ? tsVector(tokens) : ftsDocument(tokens);
}

/** Indexes a new case (its row was just inserted, in the same transaction). */
export async function indexNewCase(tx: Conn, id: number, c: SearchableCase): Promise<void> {
  const dialect = dialectOfConn(tx);
  await tx.executeQuery(CompiledQuery.raw(WRITE[dialect].insert, [id, docOf(dialect, caseTokens(c))]));
}

/** Re-indexes a case whose searchable fields changed (in the transaction that saves it). */
export async function reindexCase(tx: Conn, id: number, c: SearchableCase): Promise<void> {
  const dialect = dialectOfConn(tx);
  const doc = docOf(dialect, caseTokens(c));
  const [first, second] = WRITE[dialect].replace;
  if (dialect === 'sqlite') {
    await tx.executeQuery(CompiledQuery.raw(first!, [id]));
    await tx.executeQuery(CompiledQuery.raw(second!, [id, doc]));
  } else await tx.executeQuery(CompiledQuery.raw(first!, [id, doc]));
}
