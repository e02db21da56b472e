// 0017 — the bot's one-time login links to the web console (issue 18, `/web`): each link's token stored as its
// SHA-256 (a database read gives no usable link), with its expiry and the moment it was used (once only); and the
// web account a bot officer logs in as, tied to the officer. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('web_login_link')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('officer_id', 'integer', (c) => c.notNull().references('officer.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.alterTable('web_user').addColumn('officer_id', 'integer').execute();
      // One web account per bot officer (NULL for the accounts `wuye user add` makes).
      await db.schema.createIndex('web_user_officer').on('web_user').column('officer_id').unique().execute();
    },
  };
}
