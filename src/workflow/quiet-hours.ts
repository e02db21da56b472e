// Quiet hours: officers are not woken for ordinary work. A non-urgent message written during the quiet hours
// (default 21:00–08:00, config `schedule.quietHours`) is held in the outbox until they end; danger cases and
// escalations go at once (000 附件 二: 危及房屋使用和人身安全的 立即处置). Pure.
import { shanghaiMinutes } from '../time.ts';

export interface QuietHours {
  start: string; // 'HH:MM' Asia/Shanghai
  end: string;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** When a non-urgent message may go out: `now`, or the end of the quiet hours. */
export function quietHoursRelease(now: Date, quiet: QuietHours): Date {
  const m = shanghaiMinutes(now);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inQuiet = start > end ? m >= start || m < end : m >= start && m < end;
  if (!inQuiet) return now;
  const wait = (end - m + 24 * 60) % (24 * 60);
  const release = new Date(now.getTime() + wait * 60_000);
  release.setUTCSeconds(0, 0);
  return release;
}

/**
 * When the day's letter to a complainant goes out: today at `at` (Asia/Shanghai), or tomorrow's when that has
 * passed. Every step before it is told in that one letter, so one busy day is one mail.
 */
export function nextLetterTime(now: Date, at: string): Date {
  const wait = (minutesOf(at) - shanghaiMinutes(now) + 24 * 60) % (24 * 60) || 24 * 60;
  const send = new Date(now.getTime() + wait * 60_000);
  send.setUTCSeconds(0, 0);
  return send;
}
