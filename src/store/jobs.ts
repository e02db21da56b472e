// Job runs: (job, period_key) is unique, so a period is claimed by exactly one process, once.
import type { Conn } from './db.ts';
import { isUniqueViolation } from './db.ts';

/** Claims a period for a job; false when another run (now or earlier, here or in another process) has it. */
export async function claimPeriod(db: Conn, job: string, periodKey: string, now: string, owner: string, late: boolean): Promise<boolean> {
  try {
    await db
      .insertInto('job_run')
      .values({ job, period_key: periodKey, started_at: now, finished_at: null, late: late ? 1 : 0, owner, detail: null })
      .execute();
    return true;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

export async function finishPeriod(db: Conn, job: string, periodKey: string, now: string, detail?: string): Promise<void> {
  await db
    .updateTable('job_run')
    .set({ finished_at: now, detail: detail ?? null })
    .where('job', '=', job)
    .where('period_key', '=', periodKey)
    .execute();
}

export async function listRuns(db: Conn, job?: string, limit = 50) {
  let q = db.selectFrom('job_run').selectAll();
  if (job) q = q.where('job', '=', job);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** The run of a job's period, if any. */
export async function periodRun(db: Conn, job: string, key: string) {
  return db.selectFrom('job_run').selectAll().where('job', '=', job).where('period_key', '=', key).executeTakeFirst();
}

/**
 * Records reminder keys as sent in their digest rows; returns the keys that were new. A key recorded before (an
 * earlier run, or a concurrent one) is left out, so nothing is reminded twice.
 */
export async function logReminders(tx: Conn, entries: readonly { key: string; sentIn: string }[], now: string): Promise<Set<string>> {
  const fresh = new Set<string>();
  for (let i = 0; i < entries.length; i += 500) {
    const chunk = entries.slice(i, i + 500);
    const rows = await tx
      .insertInto('reminder_log')
      .values(chunk.map((e) => ({ key: e.key, sent_in: e.sentIn, at: now })))
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const r of rows) fresh.add(r.key);
  }
  return fresh;
}
