// Working-day calendar for Asia/Shanghai: the State Council's yearly holiday schedule with its make-up working
// weekends (调休), as shipped by `chinese-days`, plus local overrides from config/holidays.yaml. Pure: the YAML text
// comes in as an argument; nothing here reads files or the clock.
//
// Why the library's JSON and not its functions: `chinese-days` builds its lookup tables at load time with the
// process's local time zone, so in a zone west of UTC every date shifts by one day. Its shipped JSON
// (`dist/chinese-days.json`, the same tables generated once) is zone-free; the unit tests check it agrees with the
// library's own `isWorkday` for every day the library covers.
import YAML from 'yaml';
import { z } from 'zod';
import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, isValidDay, isWeekend, parseDay, type Day } from '../time.ts';
import { STATUTORY_RULES_SINCE, statutoryHolidays } from './statutory-holidays.ts';

export interface HolidayOverrides {
  off: string[]; // YYYY-MM-DD days off added on top of the library (local holiday, or a year it lacks)
  work: string[]; // YYYY-MM-DD working days added (调休 make-up days of a year the library lacks)
}

export interface Calendar {
  /** Is this Asia/Shanghai day a working day (weekday not on holiday, or a make-up working weekend)? */
  isWorkday(day: string): boolean;
  /** Is this day a statutory holiday (放假), not merely a plain weekend? Weekends inside a holiday run count. */
  isHoliday(day: string): boolean;
  /** The n-th working day after `day` (the day itself is not counted); n = 0 returns `day`; negative n goes back. */
  addWorkdays(day: string, n: number): string;
  addDays(day: string, n: number): string;
  /** Does the data (library or overrides) hold the State Council schedule for this year? */
  hasYear(year: number): boolean;
  /** Where this year's days off come from: the State Council's notice (library or config), else the law alone. */
  sourceOf(year: number): HolidaySource;
  /** What is in force for a year: its days off (with names where known) and make-up working days (调休). */
  yearInForce(year: number): { source: HolidaySource; off: { day: string; name: string | null }[]; work: string[] };
}

/**
 * `library`: the State Council notice as `chinese-days` ships it; `config`: typed into config/holidays.yaml;
 * `statutory`: no notice loaded — the law's statutory days (statutory-holidays.ts) without 调休; `none`: a year
 * before the 2024 rules with no data (weekdays only).
 */
export type HolidaySource = 'library' | 'config' | 'statutory' | 'none';

interface LibraryTables {
  holidays: Record<string, string>; // day → "National Day,国庆节,3"
  workdays: Record<string, string>; // make-up working days
}
const LIBRARY = holidayData as unknown as LibraryTables;
const LIBRARY_YEARS = new Set(Object.keys(LIBRARY.holidays).map((d) => Number(d.slice(0, 4))));

/** Years the installed `chinese-days` covers (for `wuye doctor`). */
export function libraryYears(): number[] {
  return [...LIBRARY_YEARS].sort((a, b) => a - b);
}

/** The library's statutory holiday names for a day, e.g. "国庆节", or null. */
export function holidayName(day: string): string | null {
  const entry = LIBRARY.holidays[day];
  return entry ? (entry.split(',')[1] ?? entry) : null;
}

// Memo maps are bounded so a long-running service cannot grow them without limit.
const MEMO_LIMIT = 50_000;
function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

export function createCalendar(overrides: HolidayOverrides = { off: [], work: [] }): Calendar {
  const off = new Set(overrides.off);
  const work = new Set(overrides.work);
  for (const d of [...off, ...work]) parseDay(d);
  const clash = [...off].filter((d) => work.has(d));
  if (clash.length) throw new RangeError(`同一天既放假又上班 day both off and work: ${clash.join(', ')}`);
  const overrideYears = new Set([...off, ...work].map((d) => Number(d.slice(0, 4))));

  const sourceOf = (year: number): HolidaySource =>
    LIBRARY_YEARS.has(year) ? 'library' : overrideYears.has(year) ? 'config' : year >= STATUTORY_RULES_SINCE && year <= 2099 ? 'statutory' : 'none';
  // A year without a notice still rests on the law's statutory days (元旦, 春节 …), only the 调休 swaps are unknown.
  const statutoryOff = new Map<number, ReadonlySet<string>>();
  function isStatutoryOff(day: Day): boolean {
    const year = Number(day.slice(0, 4));
    if (sourceOf(year) !== 'statutory') return false;
    let set = statutoryOff.get(year);
    if (!set) statutoryOff.set(year, (set = new Set(statutoryHolidays(year).map((d) => d.day))));
    return set.has(day);
  }

  const workdayMemo = new Map<string, boolean>();
  const addMemo = new Map<string, string>();

  function isWorkday(day: Day): boolean {
    const known = workdayMemo.get(day);
    if (known !== undefined) return known;
    parseDay(day);
    let answer: boolean;
    if (work.has(day)) answer = true;
    else if (off.has(day)) answer = false;
    else if (LIBRARY.workdays[day]) answer = true; // 调休: a weekend made a working day
    else if (LIBRARY.holidays[day]) answer = false;
    else if (isStatutoryOff(day)) answer = false;
    else answer = !isWeekend(day);
    return remember(workdayMemo, day, answer);
  }

  function isHoliday(day: Day): boolean {
    parseDay(day);
    if (work.has(day)) return false;
    if (off.has(day)) return true;
    return LIBRARY.holidays[day] !== undefined || isStatutoryOff(day);
  }

  function addWorkdays(day: Day, n: number): Day {
    if (!Number.isInteger(n)) throw new RangeError(`工作日数须为整数 workday count must be an integer: ${n}`);
    const key = `${day}|${n}`;
    const known = addMemo.get(key);
    if (known !== undefined) return known;
    parseDay(day);
    const step = n < 0 ? -1 : 1;
    let left = Math.abs(n);
    let d = day;
    while (left > 0) {
      d = addDays(d, step);
      if (isWorkday(d)) left--;
    }
    return remember(addMemo, key, d);
  }

  return {
    isWorkday,
    isHoliday,
    addWorkdays,
    addDays,
    hasYear: (year) => LIBRARY_YEARS.has(year) || overrideYears.has(year),
    sourceOf,
    yearInForce(year) {
      const source = sourceOf(year);
      const inYear = (d: string) => d.startsWith(`${year}-`);
      const byDay = (a: { day: string }, b: { day: string }) => a.day.localeCompare(b.day);
      switch (source) {
        case 'library':
          return {
            source,
            off: Object.keys(LIBRARY.holidays).filter(inYear).sort().map((day) => ({ day, name: holidayName(day) })),
            work: Object.keys(LIBRARY.workdays).filter(inYear).sort(),
          };
        case 'config':
          return { source, off: [...off].filter(inYear).map((day) => ({ day, name: null })).sort(byDay), work: [...work].filter(inYear).sort() };
        case 'statutory':
          return { source, off: statutoryHolidays(year).map((d) => ({ ...d })), work: [] };
        default:
          return { source, off: [], work: [] };
      }
    },
  };
}

/**
 * Years between two days (inclusive) that the calendar has no schedule for: deadlines there fall back to plain
 * Monday–Friday and may be wrong. The service warns, `wuye doctor` shows ✗.
 */
export function uncoveredYears(cal: Calendar, fromDay: string, toDay: string): number[] {
  const out: number[] = [];
  for (let y = parseDay(fromDay).year; y <= parseDay(toDay).year; y++) if (!cal.hasYear(y)) out.push(y);
  return out;
}

export class HolidayFileError extends Error {
  constructor(
    readonly problems: string[],
    readonly file: string,
  ) {
    super(`节假日文件无效 invalid holiday file (${file}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'HolidayFileError';
  }
}

// YAML 1.1 documents turn unquoted dates into Date objects; accept them as their calendar day.
const dayValue = z.preprocess(
  (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v),
  z.string().refine(isValidDay, { message: '应为有效日期 YYYY-MM-DD / expected a real date YYYY-MM-DD' }),
);

const overridesSchema = z
  .object({
    off: z.array(dayValue).nullable().default([]),
    work: z.array(dayValue).nullable().default([]),
  })
  .strict()
  .transform((o) => ({ off: o.off ?? [], work: o.work ?? [] }))
  .superRefine((o, ctx) => {
    const off = new Set(o.off);
    o.work.forEach((d, i) => {
      if (off.has(d)) ctx.addIssue({ code: 'custom', path: ['work', i], message: `${d} 同时列在 off 中 / also listed under off` });
    });
  });

function issuePath(p: PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(根 root)';
}

/** Parses config/holidays.yaml text. Errors name the file and each bad key (e.g. `off[2]`). */
export function parseHolidayOverrides(yamlText: string, fileName: string): HolidayOverrides {
  const doc = YAML.parseDocument(yamlText, { prettyErrors: true });
  if (doc.errors.length) throw new HolidayFileError(doc.errors.map((e) => `YAML: ${e.message}`), fileName);
  const raw: unknown = doc.toJS() ?? {};
  const r = overridesSchema.safeParse(raw);
  if (!r.success) {
    throw new HolidayFileError(
      r.error.issues.map((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => `${issuePath([...i.path, k])}: 未知字段(只允许 off, work) / unknown key (only off, work)`).join('\n  ')
          : i.code === 'invalid_type'
            ? `${issuePath(i.path)}: 类型不对,应为 ${i.expected === 'array' ? '日期列表' : String(i.expected)} / expected ${String(i.expected)}`
            : `${issuePath(i.path)}: ${i.message}`,
      ),
      fileName,
    );
  }
  return r.data;
}
