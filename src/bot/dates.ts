// Dates as officers type them on a phone: 2026-10-15, 2026/10/15, 2026.10.15, 2026年10月15日, 10月15日, 10-15.
// Pure: "now" comes in. A day without a year is the next such day from today (Asia/Shanghai). The workflow reads a
// bare day as its 24:00 and checks it lies in the future; this only turns text into YYYY-MM-DD.
import { isValidDay, shanghaiDay } from '../time.ts';

const FULL = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$/;
const SHORT = /^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$/;

const pad = (n: number) => String(n).padStart(2, '0');

export function parseOfficerDate(text: string, now: Date): string | null {
  const s = text.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  const full = FULL.exec(s);
  if (full) {
    const day = `${full[1]}-${pad(Number(full[2]))}-${pad(Number(full[3]))}`;
    return isValidDay(day) ? day : null;
  }
  const short = SHORT.exec(s);
  if (!short) return null;
  const today = shanghaiDay(now);
  const year = Number(today.slice(0, 4));
  for (const y of [year, year + 1]) {
    const day = `${y}-${pad(Number(short[1]))}-${pad(Number(short[2]))}`;
    if (isValidDay(day) && day >= today) return day;
  }
  return null;
}
