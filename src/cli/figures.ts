// `wuye figures set|show`: the annex 3 figures the office enters by hand (查处情况, 督导检查情况), as running totals
// per county (see src/report/figures.ts). The weekly digest's annex 3 uses the latest entry on or before its day.
import type { Config } from '../config.ts';
import { countyByCode } from '../config.ts';
import { latestFigures, MANUAL_FIGURES, type ManualFigureKey } from '../report/figures.ts';
import { figureEntries, recordFigures } from '../store/figures.ts';
import { shanghaiDay, type Day } from '../time.ts';
import { operatorName, printJson, withStore } from './common.ts';

export interface FiguresSetOptions extends Partial<Record<ManualFigureKey, number>> {
  county: string;
  asOf?: Day;
  by?: string;
}

export async function figuresSet(cfg: Config, o: FiguresSetOptions, now = new Date()): Promise<number> {
  const problems: string[] = [];
  const county = countyByCode(cfg, o.county);
  if (!county) problems.push(`--county: 未知县区 unknown county "${o.county}" (${cfg.counties.map((c) => c.code).join('|')})`);
  const today = shanghaiDay(now);
  const asOf = o.asOf ?? today;
  if (asOf > today) problems.push(`--as-of: 不能晚于今天 ${today} / cannot be in the future`);
  const values: Partial<Record<ManualFigureKey, number>> = {};
  for (const f of MANUAL_FIGURES) if (o[f.key] !== undefined) values[f.key] = o[f.key];
  if (!Object.keys(values).length) {
    problems.push(`至少给出一项 give at least one figure: ${MANUAL_FIGURES.map((f) => `--${f.flag}`).join(' ')}`);
  }
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return 2;
  }
  return withStore(cfg, async ({ db }) => {
    // Running totals only grow; a smaller number is allowed (a correction) but said out loud.
    const before = latestFigures(await figureEntries(db, asOf), asOf)[county!.code] ?? {};
    for (const f of MANUAL_FIGURES) {
      const was = before[f.key];
      const now = values[f.key];
      if (was !== undefined && now !== undefined && now < was) {
        process.stderr.write(`注意 note: ${f.label} ${was} → ${now}，累计数减少（按更正处理） / a running total went down (taken as a correction)\n`);
      }
    }
    await recordFigures(db, { county: county!.code, asOf, values, enteredBy: operatorName(o.by), enteredAt: now.toISOString() });
    const list = MANUAL_FIGURES.filter((f) => values[f.key] !== undefined).map((f) => `${f.label} ${values[f.key]}`);
    process.stdout.write(`✓ 已录入 recorded: ${county!.name} 截至 ${asOf}：${list.join('，')}\n`);
    return 0;
  });
}

export async function figuresShow(cfg: Config, o: { at?: Day; json?: boolean }, now = new Date()): Promise<number> {
  const day = o.at ?? shanghaiDay(now);
  return withStore(cfg, async ({ db }) => {
    const latest = latestFigures(await figureEntries(db, day), day);
    if (o.json) {
      printJson({ asOf: day, counties: latest });
      return 0;
    }
    process.stdout.write(`附件3 手填数据（截至 ${day}，逐月累计数）\n`);
    process.stdout.write(`县区\t${MANUAL_FIGURES.map((f) => f.label).join('\t')}\n`);
    for (const c of cfg.counties) {
      const v = latest[c.code] ?? {};
      process.stdout.write(`${c.name}\t${MANUAL_FIGURES.map((f) => (v[f.key] === undefined ? '—' : String(v[f.key]))).join('\t')}\n`);
    }
    return 0;
  });
}
