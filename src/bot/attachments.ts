// Photos officers send with progress and closing reports, kept as attachment rows of the case and linked to the
// audit event they belong to; and the case's attachments for 查看原文.
import { createHash } from 'node:crypto';
import type { Conn, Tx } from '../store/db.ts';
import { insertAttachment } from '../store/attachments.ts';

/** A photo ready to be stored: bytes when the download worked, always Telegram's file id (still valid there). */
export interface Evidence {
  fileId: string;
  uniqueId: string;
  content: Buffer | null;
  /** sha256 of the bytes, or `tg:<file_unique_id>` when they could not be fetched; what the audit event lists. */
  ref: string;
}

export function evidenceRef(content: Buffer | null, uniqueId: string): string {
  return content ? createHash('sha256').update(content).digest('hex') : `tg:${uniqueId}`;
}

export async function saveEvidence(tx: Tx, caseId: number, eventId: number | null, tracking: string, kind: string, photos: readonly Evidence[], now: string): Promise<void> {
  let n = 0;
  for (const p of photos) {
    n++;
    await insertAttachment(tx, {
      complaint_id: caseId,
      raw_mail_id: null,
      event_id: eventId,
      filename: `${tracking}-${kind}-${n}.jpg`,
      content_type: 'image/jpeg', // Telegram re-encodes every photo as JPEG
      size: p.content?.length ?? 0,
      sha256: p.ref,
      content: p.content,
      telegram_file_id: p.fileId,
      created_at: now,
    });
  }
}

export interface CaseAttachment {
  id: number;
  filename: string;
  contentType: string;
  size: number;
  content: Buffer | null;
  telegramFileId: string | null;
}

export async function caseAttachments(db: Conn, caseId: number, limit: number): Promise<{ items: CaseAttachment[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('attachment')
      .select(['id', 'filename', 'content_type', 'size', 'content', 'telegram_file_id'])
      .where('complaint_id', '=', caseId)
      .orderBy('id')
      .limit(limit)
      .execute(),
    db
      .selectFrom('attachment')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('complaint_id', '=', caseId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      filename: r.filename,
      contentType: r.content_type,
      size: r.size,
      content: r.content,
      telegramFileId: r.telegram_file_id,
    })),
    total: Number(count.n),
  };
}
