// The statutory public holidays of a year, from the law itself: 《全国年节及纪念日放假办法》 第二条 as revised by the
// State Council on 2024-11-10 (in force from 2025): 元旦 1 day (1 January); 春节 4 days (除夕 and 正月初一 to 初三);
// 清明节 1 day (the solar term's day); 劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day (八月十五);
// 国庆节 3 days (1–3 October).
//
// Why: the State Council's yearly notice (with its 调休 make-up working weekends) arrives late in the year before, and
// `chinese-days` ships it later still. Until then deadlines would count 1 January and Spring Festival as working
// days. These days are certain; only the 调休 swaps are not, so `wuye doctor` keeps saying the notice is missing.
//
// Lunar dates and the solar term come from `chinese-days`. Its lunar conversion of a YYYY-MM-DD string is zone-free,
// but the day strings it formats are rendered in the process's local zone (west of UTC they come out one day early).
// So lunar days are found by asking what each solar day is (zone-free), and the solar term's printed day is
// corrected by the offset measured on a known day.
import chineseDays from 'chinese-days';
import { addDays, parseDay } from '../time.ts';

// The package is CommonJS (UMD); its default export carries every function, whichever loader reads it.
const { getLunarDate, getSolarTermDate } = chineseDays;

/** First year the 2024 revision governs; earlier years are in the library's tables. */
export const STATUTORY_RULES_SINCE = 2025;

export interface StatutoryDay {
  day: string; // YYYY-MM-DD
  name: string; // 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayOf = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** How many days `chinese-days` shifts the days it prints (0 at or east of UTC, -1 west of it). */
function printedShift(): number {
  const probe = '2000-06-15';
  const printed = getLunarDate(probe).date;
  return Math.round((Date.parse(`${printed}T00:00:00Z`) - Date.parse(`${probe}T00:00:00Z`)) / 86_400_000);
}

/** The day the solar term 清明 (pure brightness) falls on, in Beijing's calendar. */
function qingming(year: number): string {
  return addDays(getSolarTermDate(year, 4, 'pure_brightness'), -printedShift());
}

/** Solar days of the lunar dates wanted, found by walking the solar year (365 zone-free conversions). */
function lunarDays(year: number): { newYear: string; duanwu: string; midAutumn: string } {
  const found: Record<string, string> = {};
  for (let d = dayOf(year, 1, 1); d <= dayOf(year, 12, 31); d = addDays(d, 1)) {
    const l = getLunarDate(d);
    if (l.isLeap) continue; // 闰五月初五 is not 端午
    const key = `${l.lunarMon}-${l.lunarDay}`;
    if ((key === '1-1' || key === '5-5' || key === '8-15') && !found[key]) found[key] = d;
  }
  const newYear = found['1-1'];
  const duanwu = found['5-5'];
  const midAutumn = found['8-15'];
  if (!newYear || !duanwu || !midAutumn) throw new RangeError(`无法计算 ${year} 年农历节日 lunar dates unavailable for ${year}`);
  return { newYear, duanwu, midAutumn };
}

const memo = new Map<number, readonly StatutoryDay[]>();

/** The statutory holidays of `year` (≥ 2025), in date order. Weekend days are listed too: the law counts them. */
export function statutoryHolidays(year: number): readonly StatutoryDay[] {
  if (!Number.isInteger(year) || year < STATUTORY_RULES_SINCE || year > 2099) {
    throw new RangeError(`法定节假日只计算 ${STATUTORY_RULES_SINCE}–2099 年 statutory holidays are computed for ${STATUTORY_RULES_SINCE}–2099: ${year}`);
  }
  const known = memo.get(year);
  if (known) return known;
  parseDay(dayOf(year, 1, 1));
  const { newYear, duanwu, midAutumn } = lunarDays(year);
  const days: StatutoryDay[] = [
    { day: dayOf(year, 1, 1), name: '元旦' },
    // 除夕 is the day before 正月初一, whether the 12th month has 29 or 30 days.
    ...[-1, 0, 1, 2].map((k) => ({ day: addDays(newYear, k), name: '春节' })),
    { day: qingming(year), name: '清明节' },
    { day: dayOf(year, 5, 1), name: '劳动节' },
    { day: dayOf(year, 5, 2), name: '劳动节' },
    { day: duanwu, name: '端午节' },
    { day: midAutumn, name: '中秋节' },
    { day: dayOf(year, 10, 1), name: '国庆节' },
    { day: dayOf(year, 10, 2), name: '国庆节' },
    { day: dayOf(year, 10, 3), name: '国庆节' },
  ]
    // A late Spring Festival's 除夕 may fall in the year before; keep only this year's days.
    .filter((d) => d.day.startsWith(`${year}-`))
    .sort((a, b) => a.day.localeCompare(b.day));
  // Two holidays may meet on one day (中秋 on 3 October in 2028): one day off, both names.
  const merged: StatutoryDay[] = [];
  for (const d of days) {
    const last = merged[merged.length - 1];
    if (last?.day === d.day) last.name = `${last.name}、${d.name}`;
    else merged.push({ ...d });
  }
  memo.set(year, merged);
  return merged;
}
