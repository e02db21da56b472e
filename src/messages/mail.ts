// Mail that did not become a case, as the desk (the county's housing office and admins) sees it in the bot: the
// daily note of yesterday's unregistered mail, one card per mail, and the button that registers it. Pure.
import { momentForPeople } from '../time.ts';
import { encodeCallback } from './callback.ts';
import { clip, MAX_TEXT, residentWords } from './case-texts.ts';
import type { InlineButton, InlineKeyboard } from './keyboards.ts';

export interface UnregisteredMailView {
  id: number;
  subject: string | null;
  sender: string | null;
  outcome: string | null;
  reason: string | null;
  preview?: string | null;
  receivedAt?: string;
}

/** Buttons for at most this many mails in one note; the rest are counted and left to `wuye mail list`. */
export const NOTE_BUTTONS = 10;

const OUTCOME_NAMES: Record<string, string> = { ignored: '未登记', quarantined: '已隔离' };

function line(m: UnregisteredMailView): string {
  return `#${m.id} ${clip((m.subject ?? '').replace(/\s+/g, ' ') || '（无主题）', 40)}　${OUTCOME_NAMES[m.outcome ?? ''] ?? m.outcome}：${clip(m.reason ?? '—', 60)}`;
}

/** 未登记来信 N 封: yesterday's mail of the county that no case came from, for a person to look over. */
export function unregisteredNote(countyName: string, day: string, mails: readonly UnregisteredMailView[]): string {
  const lines = [`📭 ${countyName} ${day} 未登记来信 ${mails.length} 封`, '系统判定这些来信不是物业投诉或无法读取，请逐封核看；确属投诉的，点开后「登记为投诉」。', ''];
  mails.slice(0, 30).forEach((m) => lines.push(line(m)));
  if (mails.length > 30) lines.push(`……另有 ${mails.length - 30} 封，请用 wuye mail list 查看。`);
  return lines.join('\n').slice(0, MAX_TEXT);
}

export function unregisteredNoteKeyboard(mails: readonly UnregisteredMailView[]): InlineKeyboard {
  const buttons: InlineButton[] = mails.slice(0, NOTE_BUTTONS).map((m) => ({ text: `查看 #${m.id}`, callback_data: encodeCallback({ kind: 'mail', action: 'view', rawMailId: m.id }) }));
  const rows: InlineButton[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return { inline_keyboard: rows };
}

/** One unregistered mail: who, what, why it was not registered, the start of its text (set apart). */
export function unregisteredMailCard(m: UnregisteredMailView): string {
  return [
    `📭 来信 #${m.id}（${OUTCOME_NAMES[m.outcome ?? ''] ?? m.outcome}）`,
    `收到：${m.receivedAt ? momentForPeople(m.receivedAt) : '—'}`,
    `发件人：${m.sender ?? '—'}`,
    `主题：${clip((m.subject ?? '').replace(/\s+/g, ' ') || '（无主题）', 100)}`,
    `未登记原因：${clip(m.reason ?? '—', 200)}`,
    '',
    residentWords(m.preview ?? '（无法读取正文）', 1000, '来信原文（前 1000 字）'),
  ]
    .join('\n')
    .slice(0, MAX_TEXT);
}

export function unregisteredMailKeyboard(id: number): InlineKeyboard {
  return { inline_keyboard: [[{ text: '登记为投诉', callback_data: encodeCallback({ kind: 'mail', action: 'promote', rawMailId: id }) }]] };
}
