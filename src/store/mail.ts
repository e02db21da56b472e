// Raw mail: kept byte-exact before anything else happens to it, with its dedupe keys.
import { createHash } from 'node:crypto';
import type { Conn } from './db.ts';
import { isUniqueViolation } from './db.ts';

export interface RawMailInput {
  source: 'imap' | 'smtp' | 'dropdir' | 'file';
  mailbox: string;
  uidvalidity?: number | null;
  uid?: number | null;
  raw: Buffer;
  messageId?: string | null;
  receivedAt: string;
}

export type StoreRawResult = { stored: true; id: number; sha256: string } | { stored: false; duplicateOf: number; sha256: string };

export function sha256(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * Keeps the raw bytes. A mail seen before (same bytes, or same mailbox+UIDVALIDITY+UID) is not stored again.
 * Runs in its own short transaction: after this returns, a crash loses nothing — processing resumes from
 * rows whose outcome is still null.
 */
export async function storeRaw(db: Conn, m: RawMailInput): Promise<StoreRawResult> {
  const hash = sha256(m.raw);
  const existing = await findDuplicate(db, m, hash);
  if (existing) return { stored: false, duplicateOf: existing, sha256: hash };
  try {
    const row = await db
      .insertInto('raw_mail')
      .values({
        source: m.source,
        mailbox: m.mailbox.toLowerCase(),
        uidvalidity: m.uidvalidity ?? null,
        uid: m.uid ?? null,
        sha256: hash,
        size: m.raw.length,
        raw: m.raw,
        message_id: m.messageId ?? null,
        received_at: m.receivedAt,
        outcome: null,
        reason: null,
        complaint_id: null,
        processed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { stored: true, id: row.id, sha256: hash };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Lost a race with another process storing the same mail.
    const again = await findDuplicate(db, m, hash);
    if (again) return { stored: false, duplicateOf: again, sha256: hash };
    throw e;
  }
}

async function findDuplicate(db: Conn, m: RawMailInput, hash: string): Promise<number | undefined> {
  const bySha = await db.selectFrom('raw_mail').select('id').where('sha256', '=', hash).executeTakeFirst();
  if (bySha) return bySha.id;
  if (m.uid != null && m.uidvalidity != null) {
    const byUid = await db
      .selectFrom('raw_mail')
      .select('id')
      .where('mailbox', '=', m.mailbox.toLowerCase())
      .where('uidvalidity', '=', m.uidvalidity)
      .where('uid', '=', m.uid)
      .executeTakeFirst();
    if (byUid) return byUid.id;
  }
  return undefined;
}

export async function setOutcome(
  db: Conn,
  id: number,
  outcome: string,
  reason: string | null,
  complaintId: number | null,
  now: string,
): Promise<void> {
  await db
    .updateTable('raw_mail')
    .set({ outcome, reason, complaint_id: complaintId, processed_at: now })
    .where('id', '=', id)
    .execute();
}

export async function getRaw(db: Conn, id: number) {
  return db.selectFrom('raw_mail').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getOutcome(db: Conn, id: number) {
  return db
    .selectFrom('raw_mail as r')
    .leftJoin('complaint as c', 'c.id', 'r.complaint_id')
    .select(['r.id', 'r.outcome', 'r.reason', 'c.tracking'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/** Mails stored but not processed (a crash between storing and processing). */
export async function pendingRaw(db: Conn, limit = 100): Promise<number[]> {
  const rows = await db.selectFrom('raw_mail').select('id').where('outcome', 'is', null).orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function mailboxState(db: Conn, mailbox: string) {
  return db.selectFrom('mailbox_state').selectAll().where('mailbox', '=', mailbox.toLowerCase()).executeTakeFirst();
}

export async function saveMailboxState(db: Conn, mailbox: string, uidvalidity: number, lastUid: number, now: string) {
  await db
    .insertInto('mailbox_state')
    .values({ mailbox: mailbox.toLowerCase(), uidvalidity, last_uid: lastUid, updated_at: now })
    .onConflict((oc) => oc.column('mailbox').doUpdateSet({ uidvalidity, last_uid: lastUid, updated_at: now }))
    .execute();
}
