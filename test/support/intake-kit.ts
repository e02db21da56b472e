// A small kit wiring the real intake pieces (store, intake, outbox worker) for integration tests, without the
// whole service (the service test in the stress suite starts `wuye start` itself).
import type { Config } from '../../src/config.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { Intake } from '../../src/ingest/intake.ts';
import { loadCalendar, loadClassifier } from '../../src/runtime.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import type { Role, UnitCode } from '../../src/domain.ts';
import { memoryLogger } from './service.ts';

export interface IntakeKit {
  cfg: Config;
  store: Store;
  intake: Intake;
  lines: string[];
  addOfficer(unit: UnitCode, county: string, chatId: number, role?: Role): Promise<number>;
  close(): Promise<void>;
}

export async function intakeKit(cfg: Config, clock: Clock = systemClock): Promise<IntakeKit> {
  const store = await openStore(cfg.db);
  await syncReferenceData(store.db, cfg);
  const { log, lines } = memoryLogger('debug');
  const intake = new Intake({ cfg, db: store.db, log, clock, cal: loadCalendar(cfg), classify: loadClassifier(cfg), wakeOutbox: () => undefined });
  return {
    cfg,
    store,
    intake,
    lines,
    async addOfficer(unit, county, chatId, role = 'officer') {
      const r = await store.db
        .insertInto('officer')
        .values({ chat_id: chatId, name: `测试${chatId}`, unit, county, role, active: 1, reachable: 1, created_at: new Date().toISOString(), linked_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    close: async () => {
      await intake.close();
      await store.close();
    },
  };
}

/** A realistic complaint mail (UTF-8, quoted-printable by nodemailer) for IMAP/SMTP delivery tests. */
export function complaintMail(opts: { to: string; from?: string; subject?: string; body?: string; messageId?: string; extraHeaders?: string }): Buffer {
  const subject = opts.subject ?? '小区电梯坏了一个月没人修';
  const body =
    opts.body ??
    '我是阳光花园小区3号楼2单元501的业主王女士，电话13912345678。小区电梯坏了一个月了，物业一直不修，楼道卫生也没人打扫。阳光物业服务有限公司根本不管。';
  const mid = opts.messageId ?? `<${Math.random().toString(36).slice(2)}@example.com>`;
  const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
  return Buffer.from(
    [
      `From: ${b64('王女士')} <${opts.from ?? 'wang@example.com'}>`,
      `To: ${opts.to}`,
      `Subject: ${b64(subject)}`,
      `Message-ID: ${mid}`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      ...(opts.extraHeaders ? [opts.extraHeaders] : []),
      '',
      Buffer.from(body).toString('base64').replace(/.{76}/g, '$&\r\n'),
      '',
    ].join('\r\n'),
  );
}
