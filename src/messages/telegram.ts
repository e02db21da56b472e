// A text (and its keyboard) as one Bot API call for the outbox. Plain text, no parse_mode: whatever a complainant
// wrote can never break the message or pass for markup.
import type { TelegramPayload } from '../domain.ts';

export function telegramMessage(chatId: number, text: string, keyboard?: unknown): TelegramPayload {
  return { method: 'sendMessage', params: { chat_id: chatId, text, ...(keyboard ? { reply_markup: keyboard } : {}) } };
}
