// 0005 — a mail's raw bytes move to their own table. SQLite rewrites a whole row, overflow pages and all, when
// any column of it changes: recording a mail's outcome (one small update per mail) wrote its raw bytes a second
// time into the WAL. raw_mail keeps the keys and the outcome; raw_mail_body the bytes, written once. FROZEN once
// shipped.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('raw_mail_body')
        .addColumn('raw_mail_id', 'integer', (c) => c.primaryKey().references('raw_mail.id'))
        .addColumn('raw', pg ? 'bytea' : 'blob', (c) => c.notNull())
        .execute();
      await sql`insert into raw_mail_body (raw_mail_id, raw) select id, raw from raw_mail`.execute(db);
      await db.schema.alterTable('raw_mail').dropColumn('raw').execute();
    },
  };
}
