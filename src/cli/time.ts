// `wuye workdays add`, `wuye deadline` and `wuye holidays show`: thin wrappers over the calendar and the clock rules.
import type { Config } from '../config.ts';
import { loadCalendar } from '../runtime.ts';
import { deadlineJson } from '../workflow/rules.ts';
import type { HolidaySource } from '../workflow/calendar.ts';

export async function workdaysAdd(cfg: Config, day: string, n: number): Promise<string> {
  return loadCalendar(cfg).addWorkdays(day, n);
}

export async function deadlineCommand(cfg: Config, from: string, rule: string): Promise<number> {
  try {
    process.stdout.write(`${JSON.stringify(deadlineJson(rule, from, loadCalendar(cfg)))}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
}

const SOURCE_LINES: Record<HolidaySource, string> = {
  library: '国务院放假安排（chinese-days 内置）',
  config: '国务院放假安排（config/holidays.yaml 录入）',
  statutory: '尚无国务院放假安排：按《全国年节及纪念日放假办法》法定节假日计算，调休未计入，请在 config/holidays.yaml 录入',
  none: '无节假日数据：按周一至周五计算',
};

/** `wuye holidays show <year>`: the days off and make-up working days in force for a year, and where they come from. */
export async function holidaysShow(cfg: Config, year: number): Promise<number> {
  const cal = loadCalendar(cfg);
  const y = cal.yearInForce(year);
  const lines = [
    `${year} 年  来源 source: ${y.source} — ${SOURCE_LINES[y.source]}`,
    `放假 days off (${y.off.length}):`,
    ...y.off.map((d) => `  ${d.day}${d.name ? `  ${d.name}` : ''}`),
    `调休上班 make-up working days (${y.work.length}):`,
    ...y.work.map((d) => `  ${d}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
