// The store on both dialects: raw bytes kept exactly, the audit trail append-only, tracking numbers unique
// under concurrent writers, the outbox idempotent and ordered.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as caseStore from '../../src/store/cases.ts';
import * as mail from '../../src/store/mail.ts';
import * as outbox from '../../src/store/outbox.ts';
import * as jobs from '../../src/store/jobs.ts';
import { inTransaction, openStore, type Conn } from '../../src/store/db.ts';
import { hotQuery } from '../../src/store/hot-query.ts';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.ts';
import { DIALECTS, freshDatabaseUrl, openTestStore } from '../support/stores.ts';

const run = promisify(execFile);

function gbkMail(size: number): Buffer {
  const head = Buffer.from('From: =?gbk?B?zfXFrsq/?= <wang@example.com>\r\nTo: yhqzjjwy@163.com\r\nSubject: test\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n');
  const line = iconv.encode('小区电梯坏了三个月没人修，物业不管。鎔堃字也要保留。\r\n', 'gbk');
  const parts: Buffer[] = [head];
  let n = head.length;
  for (let i = 0; n < size; i++) {
    parts.push(line);
    n += line.length;
  }
  // Every byte value once, including NUL and invalid GBK lead bytes: the store must not care.
  parts.push(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  return Buffer.concat(parts);
}

describe.each(DIALECTS)('store on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    store = await openTestStore(dialect, 'store');
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('keeps a 100 KB GBK raw mail byte-exact and dedupes it by content and by IMAP uid', async () => {
    const raw = gbkMail(100 * 1024);
    expect(raw.length).toBeGreaterThan(100 * 1024);
    const first = await mail.storeRaw(store.db, { source: 'imap', mailbox: 'yhqzjjwy@163.com', uidvalidity: 7, uid: 1, raw, receivedAt: new Date().toISOString() });
    expect(first.stored).toBe(true);
    const row = await mail.getRaw(store.db, (first as { id: number }).id);
    expect(Buffer.compare(Buffer.from(row!.raw), raw)).toBe(0);
    expect(row!.sha256).toBe(mail.sha256(raw));
    const again = await mail.storeRaw(store.db, { source: 'smtp', mailbox: 'yhqzjjwy@163.com', raw, receivedAt: new Date().toISOString() });
    expect(again).toMatchObject({ stored: false, duplicateOf: (first as { id: number }).id });
    const sameUid = await mail.storeRaw(store.db, { source: 'imap', mailbox: 'YHQZJJWY@163.com', uidvalidity: 7, uid: 1, raw: Buffer.from('other bytes'), receivedAt: new Date().toISOString() });
    expect(sameUid.stored).toBe(false);
    const newValidity = await mail.storeRaw(store.db, { source: 'imap', mailbox: 'yhqzjjwy@163.com', uidvalidity: 8, uid: 1, raw: Buffer.from('other bytes'), receivedAt: new Date().toISOString() });
    expect(newValidity.stored).toBe(true);
  });

  it('moves the bytes of mails stored before migration 0005 into raw_mail_body, byte-exact and under the same id', async () => {
    const db = await freshDatabaseUrl(dialect, 'migrate-0005');
    const old = await openStore(db.url, { migrate: false });
    try {
      await migrateTo(old.db, dialect, '0004_company_lists');
      const raw = gbkMail(40 * 1024);
      await sql`insert into raw_mail (source, mailbox, sha256, size, raw, received_at) values ('file', 'yhqzjjwy@163.com', ${mail.sha256(raw)}, ${raw.length}, ${raw}, '2026-11-20T00:00:00.000Z')`.execute(old.db);
      // Every later migration runs, in order (the list grows; the first ones are these).
      const applied = await migrateToLatest(old.db, dialect);
      expect(applied.slice(0, 8)).toEqual(['0005_raw_mail_body', '0006_raw_mail_message_id', '0007_unregistered_mail', '0008_reminder_log', '0009_co_units', '0010_company_facts', '0011_report_notes', '0012_compound_register']);
      expect(applied).toEqual([...applied].sort());
      expect(applied).toContain('0015_penalty_extension');
      const id = (await old.db.selectFrom('raw_mail').select('id').executeTakeFirstOrThrow()).id;
      const row = await mail.getRaw(old.db, id);
      expect(Buffer.compare(Buffer.from(row!.raw), raw)).toBe(0);
      // The outcome is recorded on the row alone; the bytes are no longer part of it.
      expect(await mail.claimOutcome(old.db, { id, outcome: 'ignored', reason: 'test', complaintId: null, now: '2026-11-20T00:00:01.000Z' })).toBe(true);
      expect(await mail.claimOutcome(old.db, { id, outcome: 'registered', reason: null, complaintId: null, now: '2026-11-20T00:00:02.000Z' })).toBe(false);
      expect(Object.keys(await old.db.selectFrom('raw_mail').selectAll().executeTakeFirstOrThrow())).not.toContain('raw');
    } finally {
      await old.close();
      await db.cleanup();
    }
  });

  it('runs a hot query compiled once per set of names, binding each call\'s values, in and out of transactions', async () => {
    let builds = 0;
    const find = hotQuery((conn, p: Record<string, string>) => {
      builds++;
      let q = conn.selectFrom('county').select('code').where('name', '!=', 'never');
      if ('code' in p) q = q.where('code', '=', p.code!);
      if ('prefix' in p) q = q.where('prefix', '=', p.prefix!);
      return q.orderBy('code');
    });
    await sql`insert into county (code, name, prefix) values ('hq1', '甲县', 'HQA'), ('hq2', '乙县', 'HQB') on conflict do nothing`.execute(store.db);
    const codes = async (conn: Conn, v: Record<string, string>) => (await find(conn, v)).rows.map((r) => r.code);
    const before = builds;
    expect(await codes(store.db, { code: 'hq1' })).toEqual(['hq1']);
    expect(await codes(store.db, { code: 'hq2' })).toEqual(['hq2']);
    expect(await inTransaction(store.db, (tx) => codes(tx, { code: 'hq2' }))).toEqual(['hq2']);
    expect(builds - before).toBe(1);
    expect(await codes(store.db, { prefix: 'HQB' })).toEqual(['hq2']);
    expect(await codes(store.db, { code: 'hq1', prefix: 'HQB' })).toEqual([]);
    expect(builds - before).toBe(3);
    await expect(find(store.db, { code: undefined as unknown as string })).rejects.toThrow(/no value for "code"/);
  });

  it('refuses UPDATE and DELETE on the audit table', async () => {
    const c = await inTransaction(store.db, async (tx) => {
      const tracking = await caseStore.nextTrackingNumber(tx, 'YC', 2026);
      const now = new Date().toISOString();
      const created = await caseStore.insertCase(
        tx,
        {
          county: 'yuncheng', source: 'email', status: 'triage', unit: null, problem: null, urgent: false, complex: false, supervised: false,
          complainant: { name: '王女士', phone: '13912345678', email: null }, compound: null, address: null, company: null,
          subject: 's', body: 'b', classification: null, receivedAt: now, assignedAt: null, acceptedAt: null, resolvedAt: null,
          writtenOffAt: null, finding: null, result: null, deadlines: { transfer: now }, extension: null, extended: false, penaltyExtended: false, coUnits: [],
        },
        tracking,
        now,
      );
      await caseStore.appendEvents(tx, created.id, [{ type: 'registered', at: now, actor: { kind: 'system' }, to: 'triage' }]);
      return created;
    });
    const events = await caseStore.eventsOf(store.db, c.id);
    expect(events).toHaveLength(1);
    await expect(store.db.updateTable('complaint_event').set({ type: 'forged' }).where('complaint_id', '=', c.id).execute()).rejects.toThrow(/append-only/);
    await expect(store.db.deleteFrom('complaint_event').where('complaint_id', '=', c.id).execute()).rejects.toThrow(/append-only/);
    if (dialect === 'postgres') await expect(sql`TRUNCATE complaint_event CASCADE`.execute(store.db)).rejects.toThrow(/append-only/);
    expect((await caseStore.eventsOf(store.db, c.id))[0]!.type).toBe('registered');
  });

  it('saves a case optimistically: a stale version is refused', async () => {
    const c = (await caseStore.findByTracking(store.db, 'YC-2026-000001'))!;
    const now = new Date().toISOString();
    await caseStore.saveCase(store.db, { ...c, status: 'assigned', unit: 'housing' }, c.version, now);
    await expect(caseStore.saveCase(store.db, { ...c, status: 'assigned', unit: 'fire' }, c.version, now)).rejects.toBeInstanceOf(caseStore.ConcurrentUpdateError);
    expect((await caseStore.findById(store.db, c.id))!.unit).toBe('housing');
  });

  it('writes outbox rows once per idempotency key and claims one row per recipient in order', async () => {
    const now = new Date().toISOString();
    const msgs = [
      { kind: 'email' as const, recipient: 'a@x.cn', payload: { n: 1 }, key: 'k1' },
      { kind: 'email' as const, recipient: 'a@x.cn', payload: { n: 2 }, key: 'k2' },
      { kind: 'email' as const, recipient: 'b@x.cn', payload: { n: 3 }, key: 'k3' },
    ];
    expect(await outbox.enqueue(store.db, msgs, now)).toBe(3);
    expect(await outbox.enqueue(store.db, msgs, now)).toBe(0);
    const w1 = await outbox.claim(store.db, 'w1', now, 60_000, 10);
    expect(w1.map((r) => r.key).sort()).toEqual(['k1', 'k3']);
    const w2 = await outbox.claim(store.db, 'w2', now, 60_000, 10);
    expect(w2).toEqual([]); // k2 waits behind k1 (same recipient); k1/k3 are leased
    await outbox.markSent(store.db, w1.find((r) => r.key === 'k1')!.id, now);
    const w3 = await outbox.claim(store.db, 'w2', now, 60_000, 10);
    expect(w3.map((r) => r.key)).toEqual(['k2']);
  });

  it('claims a job period once', async () => {
    const now = new Date().toISOString();
    expect(await jobs.claimPeriod(store.db, 'weekly', '2026-W48', now, 'a', false)).toBe(true);
    expect(await jobs.claimPeriod(store.db, 'weekly', '2026-W48', now, 'b', false)).toBe(false);
  });

  it('gives unique tracking numbers to 8 concurrent writer processes', async () => {
    const { url, cleanup } = await freshDatabaseUrl(dialect, 'seq');
    try {
      // Migrate once up front so the writers race on numbers, not on the schema.
      const s = await import('../../src/store/db.ts').then((m) => m.openStore(url));
      await s.close();
      const outs = await Promise.all(
        Array.from({ length: 8 }, () => run(process.execPath, ['--import', 'tsx', 'test/support/tracking-writer.ts', url, '25'], { cwd: process.cwd() })),
      );
      const all = outs.flatMap((o) => o.stdout.trim().split('\n'));
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      expect(all.every((t) => /^YH-2026-\d{6}$/.test(t))).toBe(true);
      const nums = all.map((t) => Number(t.slice(-6))).sort((a, b) => a - b);
      expect(nums[0]).toBe(1);
      expect(nums[199]).toBe(200);
    } finally {
      await cleanup();
    }
  });
});
