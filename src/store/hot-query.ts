// Statements that run for every mail, built and compiled once per dialect instead of on every call. kysely builds
// an immutable query tree and compiles it to SQL each time a query runs (~30 µs); the dozen statements of a mail's
// registration spent more time there than SQLite spent executing them. The SQL text is the same every time —
// only the values change — so the query is built once with named stand-ins for its values, and each call binds
// the real values to the compiled text (kysely's own compile → executeQuery split).
import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import type { Conn } from './db.ts';

const MARK = '\u0000hot-query:';

type Slot = { name: string } | { value: unknown };

interface Compiled {
  sql: string;
  slots: Slot[];
}

/** 'dollar' ($1, PostgreSQL) or 'question' (?, SQLite), per connection. */
const styles = new WeakMap<Conn, string>();
/** A transaction's database, so that a transaction takes the style of its database instead of a probe each. */
const parents = new WeakMap<Conn, Conn>();

/** Called by inTransaction for each transaction it opens. */
export function noteTransaction(tx: Conn, db: Conn): void {
  parents.set(tx, db);
}

function placeholderStyle(conn: Conn): string {
  let style = styles.get(conn);
  if (!style) {
    const parent = parents.get(conn);
    if (parent) style = placeholderStyle(parent);
    else {
      const probe = conn.selectFrom('county').select('code').where('code', '=', '').compile().sql;
      style = probe.includes('$1') ? 'dollar' : 'question';
    }
    styles.set(conn, style);
  }
  return style;
}

/**
 * `build` receives stand-ins for the values (`p.name`, or all of `p` spread into `values(…)`) and must use each
 * as one plain value, never look at it to decide the query's shape. The set of names may decide it: each set of
 * names is compiled as its own variant (a list of n roles is passed as role0…role(n-1)). Constants in the query
 * stay constants. A name given as undefined is an error (kysely would leave the column out; a compiled text
 * cannot).
 */
export function hotQuery<P extends Record<string, unknown>, R>(build: (conn: Conn, p: P) => Compilable<R>): (conn: Conn, values: P) => Promise<QueryResult<R>> {
  const compiled = new Map<string, Compiled>();
  return async (conn, values) => {
    const names = Object.keys(values);
    const key = `${placeholderStyle(conn)}|${names.join(',')}`;
    let c = compiled.get(key);
    if (!c) {
      const standIns = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as P;
      const q = build(conn, standIns).compile();
      c = {
        sql: q.sql,
        slots: q.parameters.map((v) => (typeof v === 'string' && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v })),
      };
      compiled.set(key, c);
    }
    const params = c.slots.map((s) => {
      if (!('name' in s)) return s.value;
      const v = values[s.name];
      if (v === undefined) throw new Error(`hotQuery: no value for "${s.name}"`);
      return v;
    });
    return conn.executeQuery(CompiledQuery.raw(c.sql, params) as CompiledQuery<R>);
  };
}
