// 0001 — the initial schema. FROZEN: never edit a migration that has shipped; add a new one.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function migration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const id = pg ? 'serial' : 'integer';
  const bytes = pg ? 'bytea' : 'blob';
  const big = pg ? 'bigint' : 'integer';
  const pk = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('unit')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('county')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull().unique())
        .execute();

      await db.schema
        .createTable('raw_mail')
        .addColumn('id', id, pk)
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('mailbox', 'text', (c) => c.notNull())
        .addColumn('uidvalidity', big)
        .addColumn('uid', big)
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('raw', bytes, (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('reason', 'text')
        .addColumn('complaint_id', 'integer')
        .addColumn('processed_at', 'text')
        .execute();
      // Dedupe: the same bytes are one mail wherever they came from; an IMAP message is one per UIDVALIDITY+UID.
      await db.schema.createIndex('raw_mail_sha256').on('raw_mail').column('sha256').unique().execute();
      await db.schema
        .createIndex('raw_mail_imap_uid')
        .on('raw_mail')
        .columns(['mailbox', 'uidvalidity', 'uid'])
        .unique()
        .execute();
      await db.schema.createIndex('raw_mail_pending').on('raw_mail').column('outcome').execute();

      await db.schema
        .createTable('mailbox_state')
        .addColumn('mailbox', 'text', (c) => c.primaryKey())
        .addColumn('uidvalidity', big, (c) => c.notNull())
        .addColumn('last_uid', big, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('tracking_seq')
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('next', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('tracking_seq_pk', ['prefix', 'year'])
        .execute();

      await db.schema
        .createTable('company')
        .addColumn('id', id, pk)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('county', 'text')
        .addColumn('key_supervision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('satisfaction', 'real')
        .addColumn('refused_to_fix', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('credit_low', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('compound')
        .addColumn('id', id, pk)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('county', 'text', (c) => c.notNull())
        .addColumn('company_id', 'integer', (c) => c.references('company.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('compound_name_county', ['name', 'county'])
        .execute();
      await db.schema
        .createTable('company_action')
        .addColumn('id', id, pk)
        .addColumn('company_id', 'integer', (c) => c.notNull().references('company.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('done_at', 'text')
        .addUniqueConstraint('company_action_once', ['company_id', 'type', 'rule'])
        .execute();

      await db.schema
        .createTable('complaint')
        .addColumn('id', id, pk)
        .addColumn('tracking', 'text', (c) => c.notNull().unique())
        .addColumn('county', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('unit', 'text')
        .addColumn('problem', 'text')
        .addColumn('urgent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('complex', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('supervised', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('complainant_name', 'text')
        .addColumn('complainant_phone', 'text')
        .addColumn('complainant_email', 'text')
        .addColumn('complainant_key', 'text')
        .addColumn('compound', 'text')
        .addColumn('address', 'text')
        .addColumn('company', 'text')
        .addColumn('company_id', 'integer', (c) => c.references('company.id'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('classification', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('assigned_at', 'text')
        .addColumn('accepted_at', 'text')
        .addColumn('resolved_at', 'text')
        .addColumn('written_off_at', 'text')
        .addColumn('finding', 'text')
        .addColumn('result', 'text')
        .addColumn('due_transfer', 'text')
        .addColumn('due_close', 'text')
        .addColumn('due_plan', 'text')
        .addColumn('due_progress', 'text')
        .addColumn('due_verify', 'text')
        .addColumn('due_penalty', 'text')
        .addColumn('extension', 'text')
        .addColumn('extended', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('raw_mail_id', 'integer', (c) => c.references('raw_mail.id'))
        .addColumn('ack_message_id', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('complaint_unit_county_status').on('complaint').columns(['unit', 'county', 'status']).execute();
      await db.schema.createIndex('complaint_status').on('complaint').column('status').execute();
      await db.schema.createIndex('complaint_received').on('complaint').column('received_at').execute();
      await db.schema.createIndex('complaint_company').on('complaint').column('company_id').execute();
      await db.schema.createIndex('complaint_ack_mid').on('complaint').column('ack_message_id').execute();

      await db.schema
        .createTable('complaint_event')
        .addColumn('id', id, pk)
        .addColumn('complaint_id', 'integer', (c) => c.references('complaint.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('actor_officer_id', 'integer')
        .addColumn('actor_role', 'text')
        .addColumn('actor_name', 'text')
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text')
        .addColumn('data', 'text')
        .execute();
      await db.schema.createIndex('complaint_event_case').on('complaint_event').columns(['complaint_id', 'id']).execute();

      // The audit trail is append-only on both dialects: UPDATE and DELETE are refused by the database itself.
      if (pg) {
        await sql`CREATE FUNCTION complaint_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'complaint_event is append-only (审计记录不可修改或删除)'; END $$`.execute(db);
        await sql`CREATE TRIGGER complaint_event_no_change BEFORE UPDATE OR DELETE ON complaint_event
          FOR EACH ROW EXECUTE FUNCTION complaint_event_append_only()`.execute(db);
        await sql`CREATE TRIGGER complaint_event_no_truncate BEFORE TRUNCATE ON complaint_event
          FOR EACH STATEMENT EXECUTE FUNCTION complaint_event_append_only()`.execute(db);
      } else {
        await sql`CREATE TRIGGER complaint_event_no_update BEFORE UPDATE ON complaint_event
          BEGIN SELECT RAISE(ABORT, 'complaint_event is append-only (审计记录不可修改或删除)'); END`.execute(db);
        await sql`CREATE TRIGGER complaint_event_no_delete BEFORE DELETE ON complaint_event
          BEGIN SELECT RAISE(ABORT, 'complaint_event is append-only (审计记录不可修改或删除)'); END`.execute(db);
      }

      await db.schema
        .createTable('officer')
        .addColumn('id', id, pk)
        .addColumn('chat_id', big)
        .addColumn('name', 'text')
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('county', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('reachable', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('linked_at', 'text')
        .execute();
      await db.schema.createIndex('officer_chat').on('officer').column('chat_id').execute();
      await db.schema.createIndex('officer_unit_county').on('officer').columns(['unit', 'county']).execute();
      await db.schema
        .createTable('officer_invite')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('county', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('officer_id', 'integer')
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('attachment')
        .addColumn('id', id, pk)
        .addColumn('complaint_id', 'integer')
        .addColumn('raw_mail_id', 'integer')
        .addColumn('event_id', 'integer')
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content', bytes)
        .addColumn('telegram_file_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('attachment_case').on('attachment').column('complaint_id').execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', id, pk)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('complaint_id', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('failed_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('result', 'text')
        .execute();
      await db.schema.createIndex('outbox_pending').on('outbox').columns(['sent_at', 'failed_at', 'next_attempt_at']).execute();
      await db.schema.createIndex('outbox_recipient').on('outbox').columns(['recipient', 'id']).execute();

      await db.schema
        .createTable('job_run')
        .addColumn('id', id, pk)
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('period_key', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('owner', 'text')
        .addColumn('detail', 'text')
        .addUniqueConstraint('job_run_once', ['job', 'period_key'])
        .execute();

      await db.schema
        .createTable('telegram_update')
        .addColumn('update_id', big, (c) => c.primaryKey())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('bot_session')
        .addColumn('chat_id', big, (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
