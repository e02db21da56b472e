// 0008 — the reminders already sent. Reminders go out as one digest message per person per run, so a reminder's
// own key can no longer be the outbox row's key: this log holds every reminder key (and the digest row it went in),
// and a key found here is never sent again. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('reminder_log')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('sent_in', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reminder_log_at').on('reminder_log').column('at').execute();
    },
  };
}
