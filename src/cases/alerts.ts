// Alerts to administrators about delivery problems: an officer who blocked the bot (403), a mail the relay refused
// for good (5xx). The outbox worker reports them here; they go back through the outbox like everything else, to
// admins in the bot and by mail.
import { ALERT_MAIL_SUBJECT, alertText, blockedAlert, deliveryFailedAlert } from '../messages/alerts.ts';
import { telegramMessage } from '../messages/telegram.ts';
import * as officers from '../store/officers.ts';
import type { OutboxMessage, OutboxRow } from '../store/outbox.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';

export function createAdminAlerts(deps: CaseDeps) {
  async function alert(key: string, text: string): Promise<void> {
    await commit(deps, async (w) => {
      const admins = await officers.recipientsFor(w.tx, { roles: ['admin'] });
      const rows: OutboxMessage[] = admins.map((a) => ({
        kind: 'telegram',
        recipient: String(a.chatId),
        payload: telegramMessage(a.chatId!, alertText(text)),
        key: `alert:${key}:${a.id}`,
      }));
      for (const to of deps.cfg.reports.recipients.admin) {
        rows.push({ kind: 'email', recipient: to.toLowerCase(), payload: { to, subject: ALERT_MAIL_SUBJECT, text }, key: `alert:${key}:${to}` });
      }
      await w.send(rows);
    });
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
  };
}
