// 0018 — the cases whose text holds a character that NFKC turns into a Han character (a Kangxi radical ⽔ for 水, a
// compatibility ideograph, a circled or squared ideograph): PostgreSQL's search checks a Chinese word as a substring
// of the case row's own text (store/case-search.ts), and normalises only these few cases' text first, as the index
// of migration 0014 was made from normalised text. A partial index lists them: the search reads it once a query. On
// SQLite the FTS5 index answers the words: nothing to do. FROZEN once shipped.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

/**
 * Code points whose NFKC form differs and holds a Han character (Unicode 15; a few neighbours included, which only
 * makes a case's text normalised when it needn't be). test/unit/nfkc-han.test.ts checks every such code point is in.
 */
export const NFKC_HAN_RANGES: readonly (readonly [number, number])[] = [
  [0x2e9f, 0x2e9f], [0x2ef3, 0x2ef3], [0x2f00, 0x2fd5], [0x3038, 0x303a], [0x3192, 0x319f], [0x3220, 0x3247], [0x3280, 0x32b0],
  [0x32c0, 0x32cb], [0x32ff, 0x32ff], [0x3358, 0x3370], [0x337b, 0x337f], [0x33e0, 0x33fe], [0xf900, 0xfad9], [0x1f210, 0x1f23b],
  [0x1f240, 0x1f251], [0x2f800, 0x2fa1d],
];

const escape = (c: number) => (c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`);
const CLASS = `[${NFKC_HAN_RANGES.map(([a, b]) => (a === b ? escape(a) : `${escape(a)}-${escape(b)}`)).join('')}]`;

/** The complaint columns the search index is made of (case-text.ts DOCUMENT_COLUMNS, as of this migration). */
const COLUMNS = ['tracking', 'subject', 'compound', 'address', 'company', 'complainant_name', 'complainant_phone', 'complainant_email', 'body'];

/**
 * The partial index's predicate, which the search's query must write the same for the planner to use the index.
 * test/integration/case-search.test.ts checks the columns are still the ones the index is made of.
 */
export const NFKC_HAN_SQL = `(${COLUMNS.map((c) => `${c} ~ '${CLASS}'`).join(' OR ')})`;
export const NFKC_HAN_COLUMNS: readonly string[] = COLUMNS;

export function migration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      await sql`CREATE INDEX complaint_nfkc_han ON complaint (id) WHERE ${sql.raw(NFKC_HAN_SQL)}`.execute(db);
    },
  };
}
