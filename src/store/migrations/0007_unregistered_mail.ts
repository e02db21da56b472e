// 0007 — what a person needs to see of a mail that did not become a case (ignored, quarantined): its county, subject,
// sender and the start of its text, kept when the intake decides, so the desk's daily note and the bot can show it
// without parsing the raw bytes again. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('unregistered_mail')
        .addColumn('raw_mail_id', 'integer', (c) => c.primaryKey().references('raw_mail.id'))
        .addColumn('county', 'text')
        .addColumn('subject', 'text')
        .addColumn('sender', 'text')
        .addColumn('preview', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('unregistered_mail_created').on('unregistered_mail').column('created_at').execute();
    },
  };
}
