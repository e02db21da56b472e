// Attachment rows: a mail's files (intake) and the photos officers send (bot), linked to the case and, where
// there is one, to the audit event they came with.
import type { Insertable } from 'kysely';
import type { Conn } from './db.ts';
import { hotQuery } from './hot-query.ts';
import type { AttachmentTable } from './schema.ts';

type NewAttachment = Required<Omit<Insertable<AttachmentTable>, 'id'>>;

const insert = hotQuery((tx, p: NewAttachment) => tx.insertInto('attachment').values(p));

export async function insertAttachment(tx: Conn, a: NewAttachment): Promise<void> {
  await insert(tx, a);
}

/** A case's stored files for 查看原文 and the case page: the first `limit` (bytes included) and how many there are. */
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

/** One attachment's bytes, for the outbox to upload (sendPhoto/sendDocument of stored files). */
export async function attachmentContent(db: Conn, id: number): Promise<{ content: Buffer; filename: string } | undefined> {
  const a = await db.selectFrom('attachment').select(['content', 'filename']).where('id', '=', id).executeTakeFirst();
  return a?.content ? { content: Buffer.from(a.content), filename: a.filename } : undefined;
}
