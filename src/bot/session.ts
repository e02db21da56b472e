// Dialogue state of a chat (waiting for a reason, a report with photos, a date, or the /new questions), kept in
// bot_session so a restart of the service keeps every half-finished dialogue.
import type { Finding, UnitCode } from '../domain.ts';
import type { Conn } from '../store/db.ts';
import { clearSession, getSession, setSession } from '../store/telegram.ts';
import type { NewCaseSource } from '../messages/callback.ts';

export interface PhotoRef {
  fileId: string;
  uniqueId: string;
}

/** Where the case card was, so it can be redrawn when the dialogue ends. */
interface OnCase {
  caseId: number;
  cardMessageId?: number;
}

export type Dialogue =
  // `text`: for actions confirmed after typing (认定复杂问题, 致投诉人), what was typed, awaiting 确认.
  | (OnCase & { kind: 'reason'; action: 'return' | 'rejectCosign' | 'rejectReview' | 'cosign' | 'complex' | 'letter' | 'contribute' | 'decidePenalty' | 'extendPenalty' | 'company' | 'move'; text?: string; unit?: UnitCode })
  | (OnCase & { kind: 'report'; action: 'progress'; text: string | null; photos: PhotoRef[] })
  | (OnCase & { kind: 'report'; action: 'resolve'; finding: Finding | null; text: string | null; photos: PhotoRef[] })
  | (OnCase & { kind: 'dated'; action: 'plan' | 'extend'; text: string | null })
  | {
      kind: 'new';
      step: 'source' | 'transfer' | 'name' | 'phone' | 'compound' | 'content';
      source?: NewCaseSource;
      /** 信访/省厅 transfers: the transferring body and its reference number. */
      transfer?: string;
      name?: string | null;
      phone?: string | null;
      compound?: string;
    };

export const MAX_PHOTOS = 10;

const KINDS = new Set(['reason', 'report', 'dated', 'new']);

export async function loadDialogue(db: Conn, chatId: number): Promise<Dialogue | undefined> {
  const s = await getSession<Dialogue>(db, chatId);
  // A row written by an older version of the bot that this one does not know is dropped rather than misread.
  return s && typeof s === 'object' && KINDS.has((s as { kind?: string }).kind ?? '') ? s : undefined;
}

export async function saveDialogue(db: Conn, chatId: number, d: Dialogue, now: Date): Promise<void> {
  await setSession(db, chatId, d, now.toISOString());
}

export async function endDialogue(db: Conn, chatId: number): Promise<void> {
  await clearSession(db, chatId);
}
