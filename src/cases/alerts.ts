// Alerts to administrators about delivery problems: an officer who blocked the bot (403), a mail the relay refused
// for good (5xx). The outbox worker reports them here; they go back through the outbox like everything else, to
// admins in the bot and by mail. A full database is the exception: the outbox is in it, so that alert goes out
// directly through the transports main.ts hands in.
import { ALERT_MAIL_SUBJECT, alertText, blockedAlert, deliveryFailedAlert, STORE_FULL_SUBJECT, storeFullAlert } from '../messages/alerts.ts';
import { telegramMessage } from '../messages/telegram.ts';
import * as officers from '../store/officers.ts';
import type { Conn } from '../store/db.ts';
import type { OutboxMessage, OutboxRow } from '../store/outbox.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';

/** Sends without the outbox, for when the outbox cannot be written (a full database). */
export interface DirectSend {
  mail(to: string, subject: string, text: string): Promise<unknown>;
  telegram?(chatId: number, text: string): Promise<unknown>;
}

/** A full database is told at most this often (per process). */
const STORE_FULL_EVERY_MS = 30 * 60_000;

export function createAdminAlerts(deps: CaseDeps, direct?: DirectSend) {
  /** Who hears of a system problem: the admins linked in the bot, and the admin addresses of config. */
  const admins = async (db: Conn) => ({ officers: await officers.recipientsFor(db, { roles: ['admin'] }), emails: deps.cfg.reports.recipients.admin });

  async function alert(key: string, text: string): Promise<void> {
    await commit(deps, async (w) => {
      const who = await admins(w.tx);
      const rows: OutboxMessage[] = who.officers.map((a) => ({
        kind: 'telegram',
        recipient: String(a.chatId),
        payload: telegramMessage(a.chatId!, alertText(text)),
        key: `alert:${key}:${a.id}`,
      }));
      for (const to of who.emails) {
        rows.push({ kind: 'email', recipient: to.toLowerCase(), payload: { to, subject: ALERT_MAIL_SUBJECT, text }, key: `alert:${key}:${to}` });
      }
      await w.send(rows);
    });
  }

  let lastStoreFull = Number.NEGATIVE_INFINITY;
  async function storeFullDirect(error: Error): Promise<void> {
    if (!direct) return;
    const text = storeFullAlert(error.message);
    const who = await admins(deps.db).catch(() => ({ officers: [], emails: deps.cfg.reports.recipients.admin }));
    for (const to of who.emails) {
      await direct.mail(to, STORE_FULL_SUBJECT, text).catch((e: unknown) => deps.log.warn({ err: (e as Error).message, to }, 'store-full alert mail failed'));
    }
    for (const a of who.officers) {
      await direct.telegram?.(a.chatId!, text).catch((e: unknown) => deps.log.warn({ err: (e as Error).message }, 'store-full alert message failed'));
    }
  }

  return {
    async onBlocked(chatId: string, error: string): Promise<void> {
      await officers.setReachable(deps.db, Number(chatId), false);
      const o = await officers.officerByChat(deps.db, Number(chatId));
      await alert(`blocked:${chatId}`, blockedAlert(o, error));
    },
    async onPermanentFailure(row: OutboxRow, error: string): Promise<void> {
      if (row.key.startsWith('alert:')) return; // never alert about alerts
      await alert(`failed:${row.id}`, deliveryFailedAlert(row.kind, row.recipient, error));
    },
    /** The database (or its disk) is full: logged every time, the admins told directly at most every half hour. */
    storeFull(error: Error): void {
      deps.log.error({ err: error.message, code: (error as { code?: string }).code }, '数据库或磁盘已满：新邮件暂不能保存，请立即清理磁盘 / database or disk is full');
      const now = deps.clock.now().getTime();
      if (now - lastStoreFull < STORE_FULL_EVERY_MS) return;
      lastStoreFull = now;
      void storeFullDirect(error);
    },
  };
}
