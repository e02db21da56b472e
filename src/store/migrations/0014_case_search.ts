// 0014 — the case search of the web console (store/case-search.ts). The text of every case as tokens
// (store/search-tokens.ts: Chinese as overlapping bigrams, letters and digits as words): SQLite, a contentless FTS5
// table keyed by the case id (deletable, so a saved case is re-indexed); PostgreSQL, a tsvector per case under a
// GIN index. Existing cases are indexed here. And an index on each case's nearest running deadline (the clocks of
// store/running-deadlines.ts), which the overdue filter and the deadline order read. FROZEN once shipped.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';
import { caseTokens } from '../case-text.ts';
import { ftsDocument, tsVector } from '../search-tokens.ts';

/**
 * A case's nearest running deadline ('9999' when no clock runs), as indexed. The case list must write the same
 * expression for the index to serve it; test/integration/case-search.test.ts checks it is still what
 * running-deadlines.ts derives from the clocks (a change there needs a new migration with a new index).
 */
const RUNNING = "'assigned', 'accepted', 'in_progress', 'plan_submitted', 'reopened'";
const TERMS = [
  "coalesce(CASE WHEN status IN ('received', 'triage') THEN due_transfer END, '9999')",
  `coalesce(CASE WHEN status IN (${RUNNING}) THEN due_close END, '9999')`,
  `coalesce(CASE WHEN status IN (${RUNNING}) AND complex = 1 THEN due_plan END, '9999')`,
  `coalesce(CASE WHEN (status IN (${RUNNING}) AND complex = 1) OR (supervised = 1 AND status <> 'written_off' AND unit IS NOT NULL) THEN due_progress END, '9999')`,
  `coalesce(CASE WHEN status IN (${RUNNING}) THEN due_verify END, '9999')`,
  `coalesce(CASE WHEN status IN (${RUNNING}) THEN due_penalty END, '9999')`,
].join(', ');
export const NEXT_DUE_SQL = { sqlite: `min(${TERMS})`, postgres: `least(${TERMS})` } as const;

const BATCH = 1000;

export function migration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>) {
      if (pg) {
        await sql`CREATE TABLE complaint_text (complaint_id integer PRIMARY KEY REFERENCES complaint (id) ON DELETE CASCADE, doc tsvector NOT NULL)`.execute(db);
      } else {
        // detail=full keeps positions (phrases); contentless: the tokens are not stored twice.
        await sql`CREATE VIRTUAL TABLE complaint_text USING fts5(doc, content='', contentless_delete=1, detail=full, tokenize='ascii')`.execute(db);
      }
      for (let after = 0; ; ) {
        const rows = await db
          .selectFrom('complaint')
          .select(['id', 'tracking', 'subject', 'body', 'compound', 'address', 'company', 'complainant_name', 'complainant_phone', 'complainant_email'])
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute();
        for (const r of rows) {
          const tokens = caseTokens({ ...r, complainant: { name: r.complainant_name, phone: r.complainant_phone, email: r.complainant_email } });
          if (pg) await sql`INSERT INTO complaint_text (complaint_id, doc) VALUES (${r.id}, ${tsVector(tokens)}::tsvector)`.execute(db);
          else await sql`INSERT INTO complaint_text (rowid, doc) VALUES (${r.id}, ${ftsDocument(tokens)})`.execute(db);
        }
        if (rows.length < BATCH) break;
        after = rows[rows.length - 1]!.id;
      }
      if (pg) await sql`CREATE INDEX complaint_text_doc ON complaint_text USING gin (doc)`.execute(db);
      await sql`CREATE INDEX complaint_next_due ON complaint ((${sql.raw(NEXT_DUE_SQL[dialect])}), id)`.execute(db);
    },
  };
}
