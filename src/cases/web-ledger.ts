// 导出 → 附件2 台账 on the web console: the filtered cases in the official ledger layout (004 附件2, report/ledger.ts),
// with the same 受理人, latest progress and transfer columns as the weekly report's annex 2 (cases/reports.ts).
import type { Case } from '../domain.ts';
import { unitNamesOf } from '../config.ts';
import { ledgerRowsFromComplaints } from '../report/ledger.ts';
import { streamToBuffer } from '../report/writers/buffer.ts';
import { writeLedgerXlsx } from '../report/writers/xlsx.ts';
import { findById } from '../store/cases.ts';
import { acceptedBy, latestProgress, transfersByCase } from '../store/reporting.ts';
import type { CaseDeps } from './deps.ts';

const byReceipt = (a: Case, b: Case) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.id - b.id;

/**
 * The ledger of these cases (ids the caller filtered within the user's scope), numbered in order of receipt; `filler`
 * is the person exporting (填报人). Not masked: the ledger is an internal record, as the weekly report's is.
 */
export async function ledgerOfCases(deps: CaseDeps, ids: readonly number[], filler: string): Promise<{ content: Buffer; rows: number }> {
  const { cfg, db } = deps;
  const cases: Case[] = [];
  for (const id of ids) {
    const c = await findById(db, id);
    if (c) cases.push(c);
  }
  cases.sort(byReceipt);
  const [officers, progress, transfers] = await Promise.all([acceptedBy(db), latestProgress(db), transfersByCase(db)]);
  let rows = 0;
  const content = await streamToBuffer(async (out) => {
    const r = await writeLedgerXlsx(
      ledgerRowsFromComplaints(cases, {
        unitNames: unitNamesOf(cfg),
        officerOf: (c) => officers.get(c.id) ?? '',
        progressOf: (c) => progress.get(c.id),
        transferOf: (c) => transfers.get(c.id),
      }),
      { unitName: cfg.reports.reportingUnit, filler, filledAt: deps.clock.now() },
      out,
    );
    rows = r.rows;
    return r;
  });
  return { content, rows };
}
