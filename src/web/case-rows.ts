// One row of a case list as the pages show it (案件 list, 待办 inbox): the list item with its words for people.
import type { Config } from '../config.ts';
import { SOURCE_NAMES, STATUS_NAMES, UNIT_NAMES } from '../domain.ts';
import type { CaseListItem } from '../store/case-search.ts';
import { deadlineForPeople, formatMinute } from '../time.ts';
import { DEADLINE_NAMES } from './labels.ts';

export const minuteOrDash = (iso: string | null | undefined) => (iso ? formatMinute(iso) : '—');

/** A county's name, its code when it is not configured, a dash for none. */
export function countyNameOf(cfg: Pick<Config, 'counties'>, code: string | null): string {
  return code ? (cfg.counties.find((c) => c.code === code)?.name ?? code) : '—';
}

export function caseRow(cfg: Pick<Config, 'counties'>, i: CaseListItem, now: Date) {
  return {
    ...i,
    countyName: countyNameOf(cfg, i.county),
    statusName: STATUS_NAMES[i.status],
    unitName: i.unit ? UNIT_NAMES[i.unit] : '待分转',
    sourceName: SOURCE_NAMES[i.source as keyof typeof SOURCE_NAMES] ?? i.source,
    received: minuteOrDash(i.receivedAt),
    due: i.nextDue ? `${DEADLINE_NAMES[i.nextDue.kind]?.name ?? i.nextDue.kind}：${deadlineForPeople(i.nextDue.at, now)}` : '—',
  };
}
