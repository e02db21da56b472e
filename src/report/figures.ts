// The annex 3 figures that no complaint record carries — 查处情况 and 督导检查情况 (004 附件3) — are entered by the
// office per county (`wuye figures set`). Annex 3 is cumulative (附件3 说明1 "数据为逐月累计数"), so an entry is the
// county's running total as of a day, and a report uses, per county and figure, the latest entry on or before its
// own day. Entries are kept, never overwritten: a report for an earlier week gives the same figures again. Pure.
import type { FigureEntry } from '../domain.ts';
import type { Day } from '../time.ts';
export type { FigureEntry } from '../domain.ts';
import type { SummaryManualCounts } from './types.ts';

/** The hand-entered figures in annex 3's column order, with the CLI flag and the heading officers know them by. */
export const MANUAL_FIGURES = [
  { key: 'orderedToRectify', flag: 'ordered-to-rectify', label: '查处·责令整改小区数' },
  { key: 'regraded', flag: 'regraded', label: '查处·重新核级小区数' },
  { key: 'penalisedCompanies', flag: 'penalised-companies', label: '查处·行政处罚企业数' },
  { key: 'exitedCompounds', flag: 'exited-compounds', label: '查处·物业服务退出小区数' },
  { key: 'exposedCompanies', flag: 'exposed-companies', label: '查处·媒体曝光企业数' },
  { key: 'inspections', flag: 'inspections', label: '督导检查·督导检查次数' },
  { key: 'inspectedCompounds', flag: 'inspected-compounds', label: '督导检查·督导检查小区数' },
  { key: 'inspectionProblemCompounds', flag: 'inspection-problem-compounds', label: '督导检查·发现问题小区数' },
  { key: 'inspectionRectified', flag: 'inspection-rectified', label: '督导检查·完成整改小区数' },
] as const satisfies readonly { key: keyof SummaryManualCounts; flag: string; label: string }[];

export type ManualFigureKey = (typeof MANUAL_FIGURES)[number]['key'];

export const MANUAL_FIGURE_KEYS: readonly ManualFigureKey[] = MANUAL_FIGURES.map((f) => f.key);

export function isManualFigure(key: string): key is ManualFigureKey {
  return (MANUAL_FIGURE_KEYS as readonly string[]).includes(key);
}

/**
 * Per county code, the figures a report of `day` shows: for each figure the entry with the latest `asOf` on or before
 * `day` (a correction entered later for the same day wins: higher id). Unknown figure names are ignored.
 */
export function latestFigures(entries: Iterable<FigureEntry>, day: Day): Record<string, SummaryManualCounts> {
  const best = new Map<string, FigureEntry>();
  for (const e of entries) {
    if (e.asOf > day || !isManualFigure(e.figure)) continue;
    const k = `${e.county}\n${e.figure}`;
    const cur = best.get(k);
    if (!cur || e.asOf > cur.asOf || (e.asOf === cur.asOf && e.id > cur.id)) best.set(k, e);
  }
  const out: Record<string, SummaryManualCounts> = {};
  for (const e of best.values()) (out[e.county] ??= {})[e.figure as ManualFigureKey] = e.value;
  return out;
}
