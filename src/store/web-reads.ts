// What the web console reads beside the case list (store/case-search.ts): the letters a case sent to its resident,
// and the trail of audited reads (`viewed`) that supervisors and leaders may see.
import type { MailPayload } from '../domain.ts';
import type { Conn } from './db.ts';
import { rowToEvent } from './cases.ts';

export interface CaseLetter {
  id: number;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
  notBefore: string;
  sentAt: string | null;
  failedAt: string | null;
}

/** The mail the case sent (or holds) for its resident, oldest first. */
export async function lettersOfCase(db: Conn, caseId: number): Promise<CaseLetter[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'recipient', 'payload', 'created_at', 'not_before', 'sent_at', 'failed_at'])
    .where('complaint_id', '=', caseId)
    .where('kind', '=', 'email')
    .orderBy('id')
    .execute();
  return rows.map((r) => {
    const p = JSON.parse(r.payload) as MailPayload;
    return { id: r.id, to: r.recipient, subject: p.subject ?? '', text: p.text ?? '', createdAt: r.created_at, notBefore: r.not_before, sentAt: r.sent_at, failedAt: r.failed_at };
  });
}

/** The latest audited reads (`viewed` on the web, `read` in the bot), with the case they were about, newest first. */
export async function viewEvents(db: Conn, q: { counties: readonly string[] | null; limit: number }) {
  let query = db
    .selectFrom('complaint_event as e')
    .leftJoin('complaint as c', 'c.id', 'e.complaint_id')
    .selectAll('e')
    .select(['c.tracking', 'c.county'])
    .where('e.type', 'in', ['viewed', 'read']);
  if (q.counties) {
    const counties = [...q.counties];
    query = query.where((eb) => eb.or([eb('c.county', 'in', counties.length ? counties : ['']), eb('e.complaint_id', 'is', null)]));
  }
  const rows = await query.orderBy('e.id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({ ...rowToEvent(r), tracking: r.tracking, county: r.county }));
}

/** Mail that is still not a case (ignored, quarantined) in these counties (null = all), newest first: the inbox's. */
export async function unregisteredForDesk(db: Conn, q: { counties: readonly string[] | null; limit: number }) {
  let query = db
    .selectFrom('unregistered_mail as u')
    .innerJoin('raw_mail as r', 'r.id', 'u.raw_mail_id')
    .select(['u.raw_mail_id as id', 'u.county', 'u.subject', 'u.sender', 'u.preview', 'r.outcome', 'r.reason', 'r.received_at'])
    .where('r.outcome', 'in', ['ignored', 'quarantined']);
  if (q.counties) query = query.where('u.county', 'in', q.counties.length ? [...q.counties] : ['']);
  return query.orderBy('u.raw_mail_id', 'desc').limit(q.limit).execute();
}

/** A case's files for the case page: names, types and sizes, without the bytes. */
export async function attachmentsOfCase(db: Conn, caseId: number, limit: number) {
  return db
    .selectFrom('attachment')
    .select(['id', 'filename', 'content_type', 'size'])
    .select((eb) => eb('content', 'is not', null).as('stored'))
    .where('complaint_id', '=', caseId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** One file of a case with its bytes; undefined when the case has no such file. */
export async function attachmentOfCase(db: Conn, caseId: number, id: number) {
  return db
    .selectFrom('attachment')
    .select(['id', 'filename', 'content_type', 'content'])
    .where('complaint_id', '=', caseId)
    .where('id', '=', id)
    .executeTakeFirst();
}
