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
