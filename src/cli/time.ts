// `wuye workdays add` and `wuye deadline`: thin wrappers over the calendar and the clock rules.
import type { Config } from '../config.ts';
import { loadCalendar } from '../runtime.ts';
import { deadlineJson } from '../workflow/rules.ts';

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
