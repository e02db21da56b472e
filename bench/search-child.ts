// Child process of the case search figures: runs the console's queries against a seeded database, so its peak RSS
// is its own. Usage: node --import tsx bench/search-child.ts <database url> <plan.json>
// The plan names the queries of each figure; every round runs one query of each figure in turn (round-robin over
// its variants), after `warmup` untimed rounds. Prints one JSON line: { samples, variants, totals, peakRssMb }.
import { readFileSync } from 'node:fs';
import { searchCases, type CaseQuery } from '../src/store/case-search.ts';
import { eventsOf, findByTracking } from '../src/store/cases.ts';
import { openStore } from '../src/store/db.ts';
import type { WebUser } from '../src/store/users.ts';
import { dashboardNumbers } from '../src/web/routes-dashboard.ts';
import { testConfig } from '../test/support/service.ts';
import { procStatusMb } from './lib.ts';

export interface SearchPlan {
  rounds: number;
  warmup: number;
  /** figure → its query variants (a CaseQuery, or a tracking number for the case page). */
  figures: Record<string, ({ kind: 'list'; label: string; q: CaseQuery } | { kind: 'page'; label: string; trackings: string[] } | { kind: 'dashboard'; label: string; now: string; user: DashboardUser })[]>;
}

/** Who opens the dashboard: its scope (every county, one county, a unit's own cases). */
export type DashboardUser = Pick<WebUser, 'role' | 'county' | 'unit'>;

export interface ChildReport {
  /** figure → milliseconds of each timed query. */
  samples: Record<string, number[]>;
  /** figure → variant label → milliseconds. */
  variants: Record<string, Record<string, number[]>>;
  /** variant label → total matches (list and search) or events (case page). */
  totals: Record<string, number>;
  /** variant labels whose total is a floor (counted up to the console's cap). */
  capped?: string[];
  peakRssMb: number | null;
}

async function main(): Promise<void> {
  const [url, planFile] = process.argv.slice(2);
  if (!url || !planFile) {
    process.stderr.write('usage: search-child.ts <database url> <plan.json>\n');
    process.exit(2);
  }
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as SearchPlan;
  const store = await openStore(url, { migrate: false, checkpointer: false });
  const report: ChildReport = { samples: {}, variants: {}, totals: {}, peakRssMb: null };
  const cfg = testConfig({ db: url }); // the counties the bench's cases were made for
  try {
    for (let round = 0; round < plan.warmup + plan.rounds; round++) {
      for (const [figure, variants] of Object.entries(plan.figures)) {
        const v = variants[round % variants.length]!;
        const t0 = performance.now();
        if (v.kind === 'list') {
          const r = await searchCases(store.db, v.q);
          report.totals[v.label] = r.total;
          if (!r.totalExact && !(report.capped ??= []).includes(v.label)) report.capped.push(v.label);
        } else if (v.kind === 'dashboard') {
          const d = await dashboardNumbers(store.db, cfg, { id: 0, login: 'bench', name: null, active: true, failedLogins: 0, lockedUntil: null, totp: false, ...v.user }, new Date(v.now));
          report.totals[v.label] = d.figures[1]!; // 累计受理: the cases it covers
        } else {
          const c = await findByTracking(store.db, v.trackings[round % v.trackings.length]!);
          if (!c) throw new Error(`case page: no case ${v.trackings[round % v.trackings.length]}`);
          const events = await eventsOf(store.db, c.id);
          report.totals[v.label] = Math.max(report.totals[v.label] ?? 0, events.length);
        }
        const ms = performance.now() - t0;
        if (round < plan.warmup) continue;
        (report.samples[figure] ??= []).push(ms);
        ((report.variants[figure] ??= {})[v.label] ??= []).push(ms);
      }
    }
  } finally {
    await store.close();
  }
  report.peakRssMb = procStatusMb('self', 'VmHWM');
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
