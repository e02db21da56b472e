// The annex 3 figures entered by hand (src/report/figures.ts names them): appended, never changed.
import type { FigureEntry } from '../domain.ts';
import type { Day } from '../time.ts';
import { inTransaction, type Conn, type Db } from './db.ts';

export interface FigureInput {
  county: string;
  asOf: Day;
  values: Partial<Record<string, number>>;
  enteredBy: string | null;
  enteredAt: string;
}

/** Records one entry per given figure, all or none. Returns how many were written. */
export async function recordFigures(db: Db, input: FigureInput): Promise<number> {
  const rows = Object.entries(input.values)
    .filter((kv): kv is [string, number] => kv[1] !== undefined)
    .map(([figure, value]) => ({ county: input.county, figure, value, as_of: input.asOf, entered_by: input.enteredBy, entered_at: input.enteredAt }));
  if (!rows.length) return 0;
  await inTransaction(db, (tx) => tx.insertInto('summary_figure').values(rows).execute());
  return rows.length;
}

/** Every entry as of `day` or earlier (all counties), oldest first. */
export async function figureEntries(db: Conn, day: Day): Promise<FigureEntry[]> {
  const rows = await db.selectFrom('summary_figure').selectAll().where('as_of', '<=', day).orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    county: r.county,
    figure: r.figure,
    value: Number(r.value),
    asOf: r.as_of,
    enteredBy: r.entered_by,
    enteredAt: r.entered_at,
  }));
}
