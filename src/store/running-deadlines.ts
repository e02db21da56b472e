// Which of a case's deadlines still run, as data: one table read by the SQL of the case list (overdue filter,
// deadline order, its expression index) and by the TypeScript that labels a listed case's next deadline. It states
// in the store's terms the rule of `workflow/complaint.ts` `due()` — the one the scheduler reminds by (the store may
// not import workflow/); test/integration/case-search.test.ts checks the two agree on every status and flag.
import { TRIAGE_STATUSES, WORKING_STATUSES, type Deadlines, type Status, type UnitCode } from '../domain.ts';

export type DeadlineKind = keyof Deadlines;

/** The columns the rule reads. */
export interface ClockFacts {
  status: Status;
  complex: boolean;
  supervised: boolean;
  unit: UnitCode | null;
}

interface Clock {
  kind: DeadlineKind;
  column: `due_${DeadlineKind}`;
  /** Whether the clock runs, in TypeScript … */
  runs(c: ClockFacts): boolean;
  /** … and the same as a SQL condition over the complaint row (constants only: it is part of an index). */
  sql: string;
}

const list = (xs: readonly string[]) => xs.map((s) => `'${s}'`).join(', ');
const triage = (s: Status) => (TRIAGE_STATUSES as readonly Status[]).includes(s);
const working = (s: Status) => (WORKING_STATUSES as readonly Status[]).includes(s);
const TRIAGE_SQL = `status IN (${list(TRIAGE_STATUSES)})`;
const WORKING_SQL = `status IN (${list(WORKING_STATUSES)})`;

/**
 * In due()'s order (its sort is stable, so on equal instants the first kind here is the one named). Transfer runs
 * until a unit is named (分转, 000 附件 二); close, verify and penalty while a unit works the case (000 附件 三(一),
 * 三(二)); plan for a complex case (三(一)); progress for a complex case, and for a supervised one until written
 * off (正文 四(四): monthly progress until 销号).
 */
export const CLOCKS: readonly Clock[] = [
  { kind: 'transfer', column: 'due_transfer', runs: (c) => triage(c.status), sql: TRIAGE_SQL },
  { kind: 'close', column: 'due_close', runs: (c) => working(c.status), sql: WORKING_SQL },
  { kind: 'plan', column: 'due_plan', runs: (c) => working(c.status) && c.complex, sql: `${WORKING_SQL} AND complex = 1` },
  {
    kind: 'progress',
    column: 'due_progress',
    runs: (c) => (working(c.status) && c.complex) || (c.supervised && c.status !== 'written_off' && c.unit !== null),
    sql: `(${WORKING_SQL} AND complex = 1) OR (supervised = 1 AND status <> 'written_off' AND unit IS NOT NULL)`,
  },
  { kind: 'verify', column: 'due_verify', runs: (c) => working(c.status), sql: WORKING_SQL },
  { kind: 'penalty', column: 'due_penalty', runs: (c) => working(c.status), sql: WORKING_SQL },
];

/** A case with no running deadline sorts after every instant. */
export const NO_DEADLINE = '9999';

/**
 * The nearest running deadline of a complaint row as one SQL expression (NO_DEADLINE when none runs): `min()` of
 * SQLite and `least()` of PostgreSQL over every clock. SQLite's multi-argument min() is NULL when any argument is,
 * hence the coalesce on each.
 */
export function nextDueSql(dialect: 'sqlite' | 'postgres'): string {
  const terms = CLOCKS.map((k) => `coalesce(CASE WHEN ${k.sql} THEN ${k.column} END, '${NO_DEADLINE}')`);
  return `${dialect === 'postgres' ? 'least' : 'min'}(${terms.join(', ')})`;
}

/** The nearest running deadline of a case (the earliest instant; on a tie, the first clock in CLOCKS). */
export function nextRunningDeadline(c: ClockFacts, deadlines: Deadlines): { kind: DeadlineKind; at: string } | null {
  let best: { kind: DeadlineKind; at: string } | null = null;
  for (const k of CLOCKS) {
    const at = deadlines[k.kind];
    if (!at || !k.runs(c)) continue;
    if (!best || Date.parse(at) < Date.parse(best.at)) best = { kind: k.kind, at };
  }
  return best;
}
