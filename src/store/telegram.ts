// Telegram bookkeeping: update ids seen (updates are at-least-once) and per-chat dialogue state.
import type { Conn } from './db.ts';
import { isUniqueViolation } from './db.ts';

/** Records an update id; false when it was seen before (a repeated delivery to ignore). */
export async function firstSeen(db: Conn, updateId: number, now: string): Promise<boolean> {
  try {
    await db.insertInto('telegram_update').values({ update_id: updateId, received_at: now }).execute();
    return true;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

export async function getSession<T>(db: Conn, chatId: number): Promise<T | undefined> {
  const r = await db.selectFrom('bot_session').select('state').where('chat_id', '=', chatId).executeTakeFirst();
  return r ? (JSON.parse(r.state) as T) : undefined;
}

export async function setSession(db: Conn, chatId: number, state: unknown, now: string): Promise<void> {
  const s = JSON.stringify(state);
  await db
    .insertInto('bot_session')
    .values({ chat_id: chatId, state: s, updated_at: now })
    .onConflict((oc) => oc.column('chat_id').doUpdateSet({ state: s, updated_at: now }))
    .execute();
}

export async function clearSession(db: Conn, chatId: number): Promise<void> {
  await db.deleteFrom('bot_session').where('chat_id', '=', chatId).execute();
}

/** Housekeeping: forgets update ids received and dialogues left untouched before the given instants. */
export async function expireTelegramState(db: Conn, o: { updatesBefore: string; dialoguesBefore: string }): Promise<void> {
  await db.deleteFrom('telegram_update').where('received_at', '<', o.updatesBefore).execute();
  await db.deleteFrom('bot_session').where('updated_at', '<', o.dialoguesBefore).execute();
}
