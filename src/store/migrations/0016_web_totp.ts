// 0016 — optional TOTP for web console accounts (issue 18: supervisors and admins): the shared secret (base32) and
// the last time step accepted, so one code is never accepted twice. FROZEN once shipped.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('web_user').addColumn('totp_secret', 'text').execute();
      await db.schema.alterTable('web_user').addColumn('totp_last_step', 'integer').execute();
    },
  };
}
