// Raw mail: kept byte-exact before anything else happens to it, with its dedupe keys.
import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import { inTransaction, isUniqueViolation, type Conn, type Db } from './db.ts';
import { hotQuery } from './hot-query.ts';
import type { RawMailTable } from './schema.ts';

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
 * The row and its bytes are one short transaction of their own: after this returns, a crash loses nothing —
 * processing resumes from rows whose outcome is still null.
 */
type RawMailKeys = Omit<Insertable<RawMailTable>, 'id' | 'outcome' | 'reason' | 'complaint_id' | 'processed_at'>;
const insertRawMail = hotQuery((tx, p: Required<RawMailKeys>) =>
  tx
    .insertInto('raw_mail')
    .values({ ...p, outcome: null, reason: null, complaint_id: null, processed_at: null })
    .returning('id'),
);
const insertRawBody = hotQuery((tx, p: { id: number; raw: Buffer }) => tx.insertInto('raw_mail_body').values({ raw_mail_id: p.id, raw: p.raw }));
const rawBySha = hotQuery((db, p: { sha256: string }) => db.selectFrom('raw_mail').select('id').where('sha256', '=', p.sha256));
const rawByUid = hotQuery((db, p: { mailbox: string; uidvalidity: number; uid: number }) =>
  db.selectFrom('raw_mail').select('id').where('mailbox', '=', p.mailbox).where('uidvalidity', '=', p.uidvalidity).where('uid', '=', p.uid),
);

export async function storeRaw(db: Db, m: RawMailInput): Promise<StoreRawResult> {
  const hash = sha256(m.raw);
  try {
    return await inTransaction(db, async (tx): Promise<StoreRawResult> => {
      const existing = await findDuplicate(tx, m, hash);
      if (existing) return { stored: false, duplicateOf: existing, sha256: hash };
      const { rows } = await insertRawMail(tx, {
        source: m.source,
        mailbox: m.mailbox.toLowerCase(),
        uidvalidity: m.uidvalidity ?? null,
        uid: m.uid ?? null,
        sha256: hash,
        size: m.raw.length,
        message_id: m.messageId ?? null,
        received_at: m.receivedAt,
      });
      const id = rows[0]!.id;
      await insertRawBody(tx, { id, raw: m.raw });
      return { stored: true, id, sha256: hash };
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Lost a race with another process storing the same mail.
    const again = await findDuplicate(db, m, hash);
    if (again) return { stored: false, duplicateOf: again, sha256: hash };
    throw e;
  }
}

async function findDuplicate(db: Conn, m: RawMailInput, hash: string): Promise<number | undefined> {
  const bySha = (await rawBySha(db, { sha256: hash })).rows[0];
  if (bySha) return bySha.id;
  if (m.uid != null && m.uidvalidity != null) {
    const byUid = (await rawByUid(db, { mailbox: m.mailbox.toLowerCase(), uidvalidity: m.uidvalidity, uid: m.uid })).rows[0];
    if (byUid) return byUid.id;
  }
  return undefined;
}

const setOutcomeOnce = hotQuery((db, p: { id: number; outcome: string; reason: string | null; complaintId: number | null; messageId: string | null; now: string }) =>
  db
    .updateTable('raw_mail')
    // The Message-ID is known only once the mail is parsed: kept with the outcome so letters thread under it.
    .set({ outcome: p.outcome, reason: p.reason, complaint_id: p.complaintId, message_id: p.messageId, processed_at: p.now })
    .where('id', '=', p.id)
    .where('outcome', 'is', null),
);

/** Records a mail's outcome unless it has one already; false when another process (or an earlier run) did. */
export async function claimOutcome(
  db: Conn,
  o: { id: number; outcome: string; reason: string | null; complaintId: number | null; messageId?: string | null; now: string },
): Promise<boolean> {
  const res = await setOutcomeOnce(db, { ...o, messageId: o.messageId ?? null });
  return Number(res.numAffectedRows ?? 0) === 1;
}

export async function getRaw(db: Conn, id: number) {
  return db
    .selectFrom('raw_mail as r')
    .innerJoin('raw_mail_body as b', 'b.raw_mail_id', 'r.id')
    .selectAll('r')
    .select('b.raw')
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/** Keeps what the desk needs to see of a mail that did not become a case (written once, when it is decided). */
const insertUnregistered = hotQuery((db, p: { id: number; county: string | null; subject: string | null; sender: string | null; preview: string | null; now: string }) =>
  db
    .insertInto('unregistered_mail')
    .values({ raw_mail_id: p.id, county: p.county, subject: p.subject, sender: p.sender, preview: p.preview, created_at: p.now })
    .onConflict((oc) => oc.column('raw_mail_id').doNothing()),
);

export async function recordUnregistered(db: Conn, m: { rawMailId: number; county: string | null; subject: string | null; sender: string | null; preview: string | null; now: string }): Promise<void> {
  await insertUnregistered(db, { id: m.rawMailId, county: m.county, subject: m.subject, sender: m.sender, preview: m.preview, now: m.now });
}

/** The mails decided in [since, until) that are still not a case, with what the desk needs to see. */
export async function unregisteredBetween(db: Conn, since: string, until: string) {
  return db
    .selectFrom('unregistered_mail as u')
    .innerJoin('raw_mail as r', 'r.id', 'u.raw_mail_id')
    .select(['u.raw_mail_id as id', 'u.county', 'u.subject', 'u.sender', 'r.outcome', 'r.reason'])
    .where('u.created_at', '>=', since)
    .where('u.created_at', '<', until)
    .where('r.outcome', 'in', ['ignored', 'quarantined'])
    .orderBy('u.raw_mail_id')
    .execute();
}

/** One unregistered mail as the desk sees it; undefined when unknown (or no longer unregistered). */
export async function unregisteredOne(db: Conn, rawMailId: number) {
  return db
    .selectFrom('unregistered_mail as u')
    .innerJoin('raw_mail as r', 'r.id', 'u.raw_mail_id')
    .select(['u.raw_mail_id as id', 'u.county', 'u.subject', 'u.sender', 'u.preview', 'r.outcome', 'r.reason', 'r.received_at'])
    .where('u.raw_mail_id', '=', rawMailId)
    .executeTakeFirst();
}

/** Mail that did not become a case (ignored, quarantined), newest first: what the desk reviews. */
export async function unregisteredMail(db: Conn, q: { outcome?: 'ignored' | 'quarantined'; since?: string; limit: number }) {
  // Subject and sender as kept when the mail was decided (0007); `noted` is null for mail decided before that.
  let query = db
    .selectFrom('raw_mail as r')
    .leftJoin('unregistered_mail as u', 'u.raw_mail_id', 'r.id')
    .select(['r.id', 'r.received_at', 'r.mailbox', 'r.outcome', 'r.reason', 'r.source', 'u.raw_mail_id as noted', 'u.subject', 'u.sender'])
    .where('r.outcome', 'in', q.outcome ? [q.outcome] : ['ignored', 'quarantined']);
  if (q.since) query = query.where('r.received_at', '>=', q.since);
  return query.orderBy('r.id', 'desc').limit(q.limit).execute();
}

/**
 * A mail the desk decided is a complaint after all: its outcome moves from `from` (ignored, quarantined) to
 * registered, once — false when it is no longer `from` (someone promoted it meanwhile).
 */
export async function reclaimOutcome(db: Conn, o: { id: number; from: string; complaintId: number; messageId: string | null; now: string; reason: string }): Promise<boolean> {
  const res = await db
    .updateTable('raw_mail')
    .set({ outcome: 'registered', reason: o.reason, complaint_id: o.complaintId, message_id: o.messageId, processed_at: o.now })
    .where('id', '=', o.id)
    .where('outcome', '=', o.from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function getOutcome(db: Conn, id: number) {
  return db
    .selectFrom('raw_mail as r')
    .leftJoin('complaint as c', 'c.id', 'r.complaint_id')
    .select(['r.id', 'r.outcome', 'r.reason', 'c.tracking'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/**
 * The case an earlier mail with this Message-ID registered, with what identifies the sender and the subject: the
 * same mail again under other bytes (another published address on Cc, a relay's new Received: line).
 */
const byMessageId = hotQuery((db, p: { messageId: string; except: number }) =>
  db
    .selectFrom('raw_mail as r')
    .innerJoin('complaint as c', 'c.id', 'r.complaint_id')
    .select(['r.id as rawMailId', 'c.id as caseId', 'c.tracking', 'c.complainant_email', 'c.subject'])
    .where('r.message_id', '=', p.messageId)
    .where('r.outcome', '=', 'registered')
    .where('r.id', '!=', p.except)
    .orderBy('r.id')
    .limit(1),
);

export async function registeredByMessageId(db: Conn, messageId: string, exceptRawMailId: number) {
  return (await byMessageId(db, { messageId, except: exceptRawMailId })).rows[0];
}

/** Mails stored but not processed (a crash between storing and processing). */
export async function pendingRaw(db: Conn, limit = 100, receivedBefore?: string, afterId = 0): Promise<number[]> {
  let q = db.selectFrom('raw_mail').select('id').where('outcome', 'is', null).where('id', '>', afterId);
  if (receivedBefore) q = q.where('received_at', '<', receivedBefore);
  const rows = await q.orderBy('id').limit(limit).execute();
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
