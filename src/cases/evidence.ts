// Photos officers send with progress and closing reports, and the files of a resident's mail: kept as attachment
// rows of the case in the transaction of the event they came with, linked to that audit event.
import { insertAttachment } from '../store/attachments.ts';
import { sha256 } from '../store/mail.ts';
import type { Tx } from '../store/db.ts';

/** A photo ready to be stored: bytes when the download worked, always Telegram's file id (still valid there). */
export interface Evidence {
  fileId: string;
  uniqueId: string;
  content: Buffer | null;
  /** sha256 of the bytes, or `tg:<file_unique_id>` when they could not be fetched; what the audit event lists. */
  ref: string;
}

/** A file that came with a mail. */
export interface MailFile {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

export function evidenceRef(content: Buffer | null, uniqueId: string): string {
  return content ? sha256(content) : `tg:${uniqueId}`;
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

export async function saveMailFiles(
  tx: Tx,
  files: readonly MailFile[],
  link: { complaintId: number; rawMailId: number; eventId?: number | null },
  now: string,
): Promise<void> {
  for (const a of files) {
    await insertAttachment(tx, {
      complaint_id: link.complaintId,
      raw_mail_id: link.rawMailId,
      event_id: link.eventId ?? null,
      filename: a.filename || 'attachment',
      content_type: a.contentType || 'application/octet-stream',
      size: a.size,
      sha256: sha256(a.content),
      content: a.content,
      telegram_file_id: null,
      created_at: now,
    });
  }
}
