// Alerts to administrators about delivery problems: an officer who blocked the bot (403), a mail the relay
// refused for good (5xx). They go through the outbox like everything else, to admins in the bot and by mail.
import type { Config } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/db.ts';
import * as officers from '../store/officers.ts';
import { enqueue, type OutboxMessage, type OutboxRow } from '../store/outbox.ts';
import { telegramMessage } from './effects.ts';

export function createAdminAlerts(deps: { cfg: Config; db: Db; clock: Clock }) {
  const { cfg, db, clock } = deps;

  async function alert(key: string, text: string): Promise<void> {
    const now = clock.now().toISOString();
    const admins = await officers.recipientsFor(db, { roles: ['admin'] });
    const rows: OutboxMessage[] = admins.map((a) => ({
      kind: 'telegram',
      recipient: String(a.chatId),
      payload: telegramMessage(a.chatId!, `⚠️ ${text}`),
      key: `alert:${key}:${a.id}`,
    }));
    for (const to of cfg.reports.recipients.admin) {
      rows.push({ kind: 'email', recipient: to.toLowerCase(), payload: { to, subject: '【系统告警】物业投诉受理台', text }, key: `alert:${key}:${to}` });
    }
    await enqueue(db, rows, now);
  }

  return {
    async onBlocked(chatId: string, error: string): Promise<void> {
      await officers.setReachable(db, Number(chatId), false);
      const o = await officers.officerByChat(db, Number(chatId));
      await alert(`blocked:${chatId}`, `承办人${o ? ` ${o.name ?? ''}(${o.unit}/${o.county})` : ''} 已屏蔽机器人，消息无法送达，请电话联系并重新绑定。(${error})`);
    },
    async onPermanentFailure(row: OutboxRow, error: string): Promise<void> {
      if (row.key.startsWith('alert:')) return; // never alert about alerts
      await alert(`failed:${row.id}`, `发送失败（${row.kind} → ${row.recipient}）：${error}`);
    },
    async loadAttachment(id: number) {
      const a = await db.selectFrom('attachment').select(['content', 'filename']).where('id', '=', id).executeTakeFirst();
      return a?.content ? { content: Buffer.from(a.content), filename: a.filename } : undefined;
    },
  };
}
