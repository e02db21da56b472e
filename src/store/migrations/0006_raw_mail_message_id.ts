// 0006 — an index on raw_mail.message_id: the same mail arriving twice under different bytes (cc'd to two
// published addresses, resent by a relay with a new Received: line) is found by its Message-ID. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('raw_mail_message_id').on('raw_mail').column('message_id').execute();
    },
  };
}
