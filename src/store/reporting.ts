// Reporting queries: what the weekly, monthly, province and discipline reports read (cases/reports.ts builds them).
import type { Case } from '../domain.ts';
import { rowToCase } from './cases.ts';
import type { Conn } from './db.ts';
import type { ComplaintTable } from './schema.ts';
import type { Selectable } from 'kysely';

type Row = Selectable<ComplaintTable>;

async function* complaintRows(db: Conn, opts: { since?: string; until: string; withCompany?: boolean }, pageSize = 2000): AsyncGenerator<Row> {
  let after = 0;
  for (;;) {
    let q = db.selectFrom('complaint').selectAll().where('id', '>', after).where('received_at', '<', opts.until);
    if (opts.since) q = q.where('received_at', '>=', opts.since);
    if (opts.withCompany) q = q.where('company_id', 'is not', null);
    const rows = await q.orderBy('id').limit(pageSize).execute();
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** Every case received in [since, until), in id order. */
export async function complaintsReceived(db: Conn, since: string, until: string): Promise<Case[]> {
  const out: Case[] = [];
  for await (const r of complaintRows(db, { since, until })) out.push(rowToCase(r));
  return out;
}

/** Every case that names a company, received before `until`, with the company and the complainant's identity key. */
export async function* companyComplaints(db: Conn, until: string): AsyncGenerator<{ complaint: Case; companyId: number; complainantKey: string | null }> {
  for await (const r of complaintRows(db, { until, withCompany: true })) {
    yield { complaint: rowToCase(r), companyId: r.company_id!, complainantKey: r.complainant_key };
  }
}

/** 受理人 of the ledger: the officer who last accepted each case (接收), by name. */
export async function acceptedBy(db: Conn): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('complaint_event as e')
    .leftJoin('officer as o', 'o.id', 'e.actor_officer_id')
    .select(['e.complaint_id', 'e.actor_name', 'o.name as officer_name'])
    .where('e.type', '=', 'accepted')
    .orderBy('e.id')
    .execute();
  const out = new Map<number, string>();
  for (const r of rows) {
    const name = r.officer_name ?? r.actor_name;
    if (r.complaint_id != null && name) out.set(r.complaint_id, name);
  }
  return out;
}

/** Returns per unit in [start, end), from the `returned` audit events (their data names the unit that sent it back). */
export async function returnedByUnit(db: Conn, period: { start: Date; end: Date }): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('complaint_event')
    .select('data')
    .where('type', '=', 'returned')
    .where('at', '>=', period.start.toISOString())
    .where('at', '<', period.end.toISOString())
    .execute();
  const out = new Map<string, number>();
  for (const r of rows) {
    const unit = (r.data ? (JSON.parse(r.data) as { unit?: string }).unit : undefined) ?? 'unknown';
    out.set(unit, (out.get(unit) ?? 0) + 1);
  }
  return out;
}

/**
 * The complainants' last word on each closed case of each company: `rated` (满意, answering the final letter) or
 * `reopened` (不满意). Per company: how many cases were rated satisfied and how many not.
 */
export async function satisfactionByCompany(db: Conn): Promise<Map<number, { satisfied: number; unsatisfied: number }>> {
  const rows = await db
    .selectFrom('complaint_event as e')
    .innerJoin('complaint as c', 'c.id', 'e.complaint_id')
    .select(['c.company_id', 'e.complaint_id', 'e.type'])
    .where('e.type', 'in', ['rated', 'reopened'])
    .where('c.company_id', 'is not', null)
    .orderBy('e.id')
    .execute();
  const last = new Map<number, { company: number; satisfied: boolean }>();
  for (const r of rows) last.set(r.complaint_id!, { company: r.company_id!, satisfied: r.type === 'rated' });
  const out = new Map<number, { satisfied: number; unsatisfied: number }>();
  for (const { company, satisfied } of last.values()) {
    const s = out.get(company) ?? { satisfied: 0, unsatisfied: 0 };
    if (satisfied) s.satisfied++;
    else s.unsatisfied++;
    out.set(company, s);
  }
  return out;
}

/** The latest progress each case's unit reported (进展, a co-handling unit's part, the plan), in its own words. */
export async function latestProgress(db: Conn): Promise<Map<number, { text: string; at: string }>> {
  const rows = await db
    .selectFrom('complaint_event')
    .select(['complaint_id', 'at', 'data'])
    .where('type', 'in', ['progress', 'contributed', 'plan-submitted'])
    .orderBy('id')
    .execute();
  const out = new Map<number, { text: string; at: string }>();
  for (const r of rows) {
    const text = r.data ? (JSON.parse(r.data) as { text?: unknown }).text : null;
    if (r.complaint_id != null && typeof text === 'string') out.set(r.complaint_id, { text, at: r.at });
  }
  return out;
}

/**
 * Who has been reminded of each case so far, from the reminder log (key `remind:<caseId>:…:<officerId>`): the
 * officers' names (their unit when they have none), each once.
 */
export async function remindedByCase(db: Conn): Promise<Map<number, string[]>> {
  const keys = await db.selectFrom('reminder_log').select('key').where('key', 'like', 'remind:%').execute();
  const officerIds = new Set<number>();
  const pairs: [number, number][] = [];
  for (const { key } of keys) {
    const parts = key.split(':');
    const caseId = Number(parts[1]);
    const officerId = Number(parts[parts.length - 1]);
    if (Number.isSafeInteger(caseId) && Number.isSafeInteger(officerId)) {
      pairs.push([caseId, officerId]);
      officerIds.add(officerId);
    }
  }
  if (!pairs.length) return new Map();
  const rows = await db.selectFrom('officer').select(['id', 'name', 'unit']).where('id', 'in', [...officerIds]).execute();
  const label = new Map(rows.map((r) => [r.id, r.name ?? r.unit]));
  const out = new Map<number, string[]>();
  for (const [caseId, officerId] of pairs) {
    const who = label.get(officerId);
    if (!who) continue;
    const list = out.get(caseId) ?? [];
    if (!list.includes(who)) list.push(who);
    out.set(caseId, list);
  }
  return out;
}

/** Transferred cases' transferring body and reference number, as registered (信访部门转办, 省厅转办). */
export async function transfersByCase(db: Conn): Promise<Map<number, string>> {
  const rows = await db.selectFrom('complaint_event').select(['complaint_id', 'data']).where('type', '=', 'registered').where('data', 'like', '%"transfer"%').execute();
  const out = new Map<number, string>();
  for (const r of rows) {
    const t = r.data ? (JSON.parse(r.data) as { transfer?: unknown }).transfer : null;
    if (r.complaint_id != null && typeof t === 'string') out.set(r.complaint_id, t);
  }
  return out;
}
