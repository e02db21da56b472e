// IMAP intake against a real Dovecot: IDLE push (not polling), a server outage, a UIDVALIDITY change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSource } from '../../src/ingest/imap.ts';
import { startDovecot, type DovecotPeer } from '../support/dovecot.ts';
import { DIALECTS, freshDatabaseUrl } from '../support/stores.ts';
import { testConfig } from '../support/service.ts';
import { complaintMail, intakeKit, type IntakeKit } from '../support/intake-kit.ts';
import { until } from '../support/wait.ts';

const BOX = 'yhqzjjwy@163.com';
const waitUntil = <T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string) => until(fn, what, timeoutMs);

describe.each(DIALECTS)('IMAP intake on %s', (dialect) => {
  let dovecot: DovecotPeer;
  let kit: IntakeKit;
  let source: ImapSource;
  let cleanup: () => Promise<void>;
  let sourceLines: string[];
  /** How often the source has (re)connected: a mail fetched without a new connection came by IDLE's EXISTS push. */
  const connections = () => sourceLines.filter((l) => l.includes('imap: connected')).length;

  const count = async (table: 'complaint' | 'raw_mail') =>
    Number((await kit.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [BOX] });
    const db = await freshDatabaseUrl(dialect, 'imap');
    cleanup = db.cleanup;
    const cfg = testConfig({ db: db.url, imap: { host: dovecot.host, port: dovecot.port, addresses: [BOX] } });
    kit = await intakeKit(cfg);
    await kit.addOfficer('housing', 'yanhu', 5001);
    const logger = (await import('../support/service.ts')).memoryLogger();
    sourceLines = logger.lines;
    source = new ImapSource(cfg.mailboxes.find((m) => m.address === BOX)!, {
      db: kit.store.db,
      log: logger.log,
      intake: kit.intake,
      env: { WUYE_TEST_IMAP_PASSWORD: 'secret' },
      minBackoffMs: 100,
      maxBackoffMs: 500,
    });
    source.start();
    await waitUntil(async () => source.connected, 10_000, 'IMAP connect');
  });

  afterAll(async () => {
    await source?.stop();
    await kit?.close();
    await dovecot?.close();
    await cleanup?.();
  });

  it('registers a delivered mail pushed by IDLE, with the officer notice in the outbox', async () => {
    // Let the connection settle into IDLE first.
    await new Promise((r) => setTimeout(r, 300));
    const before = connections();
    await dovecot.deliver(BOX, complaintMail({ to: BOX }));
    const row = await waitUntil(
      () => kit.store.db.selectFrom('complaint').select(['id', 'tracking', 'unit', 'county']).executeTakeFirst(),
      60_000,
      'the case',
    );
    expect(row.tracking).toMatch(/^YH-\d{4}-000001$/);
    expect(row.county).toBe('yanhu');
    const notices = await kit.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'telegram').where('complaint_id', '=', row.id).execute();
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices[0]!.recipient).toBe('5001');
    // The source never polls: without a reconnect (and its catch-up), only the EXISTS pushed during IDLE fetches.
    // How fast that is belongs to the benchmark (mail → officer message), not to this test.
    expect(before).toBeGreaterThanOrEqual(1);
    expect(connections()).toBe(before);
  });

  it('ingests mail delivered around a server outage exactly once', async () => {
    const before = await count('complaint');
    await dovecot.stop();
    await waitUntil(async () => !source.connected, 10_000, 'disconnect');
    await dovecot.start();
    // Delivered while our client is still backing off: found by the catch-up on reconnect.
    for (let i = 0; i < 3; i++) await dovecot.deliver(BOX, complaintMail({ to: BOX, from: `r${i}@example.com`, subject: `楼道灯坏了 第${i}封` }));
    await waitUntil(async () => (await count('complaint')) === before + 3 && source.connected, 15_000, '3 new cases');
    await new Promise((r) => setTimeout(r, 500));
    expect(await count('complaint')).toBe(before + 3);
  });

  it('survives a UIDVALIDITY change without duplicates', async () => {
    const cases = await count('complaint');
    const raws = await count('raw_mail');
    await dovecot.resetMailbox(BOX);
    await dovecot.start();
    await waitUntil(async () => source.connected, 15_000, 'reconnect');
    const state = await waitUntil(
      async () => {
        const s = await kit.store.db.selectFrom('mailbox_state').selectAll().executeTakeFirst();
        return s && Number(s.uidvalidity) === (await dovecot.uidValidity(BOX)) && Number(s.last_uid) >= 4 ? s : undefined;
      },
      15_000,
      'rescan under the new UIDVALIDITY',
    );
    expect(Number(state.last_uid)).toBeGreaterThanOrEqual(4);
    expect(await count('complaint')).toBe(cases);
    expect(await count('raw_mail')).toBe(raws);
    await dovecot.deliver(BOX, complaintMail({ to: BOX, from: 'after@example.com', subject: '绿化没人管' }));
    await waitUntil(async () => (await count('complaint')) === cases + 1, 10_000, 'the next mail');
  });
});
