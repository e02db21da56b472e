// A complainant's mail that races an officer's tap on the same case, on PostgreSQL (where two transactions really
// run at once). The officer's transaction takes the case row and is held open; the complainant's reply, read
// before that commit, then waits on the row lock — seen in pg_stat_activity — and, once the officer commits, finds
// the version changed (ConcurrentUpdateError). The use case decides again on the fresh case: the mail is applied,
// never quarantined, and both the officer's progress and the resident's words are on the case. Later letters thread
// under the resident's first mail.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/cases/apply.ts';
import type { CaseDeps } from '../../src/cases/deps.ts';
import { systemClock } from '../../src/clock.ts';
import type { Actor } from '../../src/domain.ts';
import { loadCalendar } from '../../src/runtime.ts';
import * as caseStore from '../../src/store/cases.ts';
import * as mailStore from '../../src/store/mail.ts';
import { complaintMail, intakeKit, type IntakeKit } from '../support/intake-kit.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { freshDatabaseUrl } from '../support/stores.ts';
import { until } from '../support/wait.ts';

const BOX = 'yhqzjjwy@163.com';
const RESIDENT = 'wang@example.com';

describe('a complainant reply racing an officer action on postgres', () => {
  let kit: IntakeKit;
  let deps: CaseDeps;
  let cleanup: () => Promise<void>;
  let officer: Actor;

  beforeAll(async () => {
    const db = await freshDatabaseUrl('postgres', 'race');
    cleanup = db.cleanup;
    kit = await intakeKit(testConfig({ db: db.url }));
    const officerId = await kit.addOfficer('housing', 'yanhu', 9100);
    officer = { kind: 'officer', officerId, role: 'officer', unit: 'housing', county: 'yanhu', name: '测试9100' };
    deps = { cfg: kit.cfg, db: kit.store.db, cal: loadCalendar(kit.cfg), clock: systemClock, log: memoryLogger().log, wakeOutbox: () => undefined };
  });
  afterAll(async () => {
    await kit?.close();
    await cleanup?.();
  });

  /** Backends of this database waiting for a lock. */
  async function lockWaiters(): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(kit.store.db);
    return Number(r.rows[0]!.n);
  }

  it('applies the reply after a retry instead of quarantining the mail', async () => {
    const residentMid = '<first-mail.race@example.com>';
    const first = await kit.intake.ingest(complaintMail({ to: BOX, from: RESIDENT, messageId: residentMid }), { source: 'file', mailbox: BOX });
    expect(first.outcome).toBe('registered');
    const caseId = first.complaintId!;
    const initial = await caseStore.findById(kit.store.db, caseId);
    expect(initial?.unit).toBe('housing');
    const accepted = await applyCommand(deps, officer, caseId, { type: 'accept' });
    expect(accepted.ok).toBe(true);

    // The officer's progress report: its transaction holds the updated row until `release` is called.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const officerTap = applyCommand(deps, officer, caseId, { type: 'progress', text: '已约物业经理现场查看电梯' }, {
      async alsoWrite() {
        holding();
        await gate;
      },
    });
    await held;

    // The resident's reply, read before the officer's commit: its own UPDATE must wait on the row lock.
    const tracking = first.tracking!;
    const reply = kit.intake.ingest(
      complaintMail({ to: BOX, from: RESIDENT, subject: `Re: 【受理回执】${tracking}`, body: '补充一下：电梯今天又把人困住了十分钟。', extraHeaders: `In-Reply-To: <ack.${tracking}@wuye-desk>` }),
      { source: 'file', mailbox: BOX },
    );
    await until(async () => (await lockWaiters()) > 0, 'the reply to wait on the officer’s row lock', 60_000);
    release();

    const [tap, r] = await Promise.all([officerTap, reply]);
    expect(tap.ok).toBe(true);
    expect(r.outcome).toBe('reply');
    expect(r.complaintId).toBe(caseId);
    const raw = await mailStore.getRaw(kit.store.db, r.rawMailId!);
    expect(raw?.outcome).toBe('reply');

    const events = (await caseStore.eventsOf(kit.store.db, caseId)).map((e) => e.type);
    expect(events.indexOf('progress')).toBeGreaterThan(-1);
    expect(events.lastIndexOf('reply')).toBeGreaterThan(events.indexOf('progress'));
    const after = await caseStore.findById(kit.store.db, caseId);
    // registered → accepted → progress → reply: every write bumped the version once, none was lost.
    expect(after!.version).toBe(initial!.version + 3);

    // The day's letter (accepted, progress, resolved) threads under the resident's own first mail (its Message-ID is
    // kept with the raw mail).
    const resolved = await applyCommand(deps, officer, caseId, { type: 'resolve', finding: 'substantiated', result: '电梯已修复并通过检验' });
    expect(resolved.ok).toBe(true);
    const letters = await kit.store.db.selectFrom('outbox').select(['payload']).where('complaint_id', '=', caseId).where('kind', '=', 'email').execute();
    const result = letters.map((l) => JSON.parse(l.payload) as { subject: string; inReplyTo?: string }).find((p) => p.subject.startsWith('【办理进展】'));
    expect(result?.inReplyTo).toBe(residentMid);
  });
});
