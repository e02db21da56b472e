// 0014 — the case search of the web console (store/case-search.ts). The text of every case as tokens
// (store/search-tokens.ts: Chinese as overlapping bigrams, letters and digits as words, plus the case's county and
// units): SQLite, a contentless FTS5 table keyed by receipt and case id (case-text.ts; deletable, so a saved case is
// re-indexed); PostgreSQL, a tsvector per case under a GIN index. Existing cases are indexed here. And the indexes
// of the list: each case's nearest running deadline (the clocks of store/running-deadlines.ts) for the overdue
// filter and the deadline order, a county's cases by receipt, danger cases, co-handled cases. FROZEN once shipped.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';
import { SEARCHABLE_COLUMNS, indexCase, searchableOfRow } from '../case-text.ts';

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
        // detail=full keeps positions (phrases); contentless: the tokens are not stored twice; rowid: case-text.ts.
        await sql`CREATE VIRTUAL TABLE complaint_text USING fts5(doc, content='', contentless_delete=1, detail=full, tokenize='ascii')`.execute(db);
      }
      for (let after = 0; ; ) {
        const rows = await db.selectFrom('complaint').select([...SEARCHABLE_COLUMNS]).where('id', '>', after).orderBy('id').limit(BATCH).execute();
        for (const r of rows) await indexCase(db, r.id, searchableOfRow(r));
        if (rows.length < BATCH) break;
        after = rows[rows.length - 1]!.id;
      }
      if (pg) await sql`CREATE INDEX complaint_text_doc ON complaint_text USING gin (doc)`.execute(db);
      const nextDue = sql.raw(NEXT_DUE_SQL[dialect]);
      // The overdue filter and the deadline order, in a county and in all of them; with the receipt, so that the
      // overdue cases newest first are sorted from the index alone.
      await sql`CREATE INDEX complaint_county_next_due ON complaint (county, (${nextDue}), received_at)`.execute(db);
      await sql`CREATE INDEX complaint_next_due ON complaint ((${nextDue}), received_at)`.execute(db);
      // A county's list, newest first, and its count under the usual filters without reading the cases.
      await sql`CREATE INDEX complaint_county_received ON complaint (county, received_at, status, unit, source, urgent)`.execute(db);
      // Danger cases, and cases with co-handling units (a unit's own cases are lead OR co-handling), are few.
      await sql`CREATE INDEX complaint_urgent_received ON complaint (received_at, county, unit, status, source) WHERE urgent = 1`.execute(db);
      await sql`CREATE INDEX complaint_co_units ON complaint (county, co_units) WHERE co_units IS NOT NULL`.execute(db);
    },
  };
}
