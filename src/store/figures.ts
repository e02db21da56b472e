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

export type ReportNoteKind = 'practice' | 'obstacle';

/** Appends one of the office's notes to a week's reports. */
export async function addReportNote(db: Conn, n: { kind: ReportNoteKind; week: string; text: string; by: string | null; at: string }): Promise<number> {
  const r = await db
    .insertInto('report_note')
    .values({ kind: n.kind, week: n.week, text: n.text, entered_by: n.by, entered_at: n.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** The notes of a kind for a week, in the order written. */
export async function reportNotes(db: Conn, kind: ReportNoteKind, week: string): Promise<string[]> {
  const rows = await db.selectFrom('report_note').select('text').where('kind', '=', kind).where('week', '=', week).orderBy('id').execute();
  return rows.map((r) => r.text);
}
