// Child process of figure 6: writes the annex 2 ledger of every case in a SQLite database, so its peak RSS is its
// own. Usage: node --import tsx bench/ledger-child.ts <stream|weekly> <db file> <out.xlsx>
//   stream — cases read page by page (allComplaints) and streamed row by row into the XLSX file;
//   weekly — the weekly job's path: every campaign case loaded (campaignComplaints), sorted by receipt, 受理人 looked
//            up (acceptedBy), the XLSX built in memory (streamToBuffer) as the mail attachment, then written out.
// Prints one JSON line: { ms, rows, bytes, peakRssMb, rssMb }.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { ledgerRowFromComplaint, ledgerRowsFromComplaints, type LedgerMeta } from '../src/report/index.ts';
import { writeLedgerXlsx } from '../src/report/writers/xlsx.ts';
import { campaignComplaints } from '../src/cases/reports.ts';
import { streamToBuffer } from '../src/report/writers/buffer.ts';
import { acceptedBy } from '../src/store/reporting.ts';
import { allCases } from '../src/store/cases.ts';
import { openStore } from '../src/store/db.ts';
import { UNIT_NAMES, type Case } from '../src/domain.ts';
import { procStatusMb } from './lib.ts';

async function main(): Promise<void> {
  const [mode, file, out] = process.argv.slice(2);
  if ((mode !== 'stream' && mode !== 'weekly') || !file || !out) {
    process.stderr.write('usage: ledger-child.ts <stream|weekly> <db file> <out.xlsx>\n');
    process.exit(2);
  }
  const cfg = loadConfig({ env: { WUYE_DB: `sqlite:${file}`, WUYE_DATA_DIR: path.dirname(file) } });
  const unitNames = { ...UNIT_NAMES, ...Object.fromEntries(cfg.units.map((u) => [u.code, u.name])) };
  const meta: LedgerMeta = { unitName: cfg.reports.reportingUnit, filler: cfg.reports.filler ?? cfg.reports.reportingUnit, filledAt: new Date() };
  const t0 = performance.now();
  const store = await openStore(`sqlite:${file}`, { migrate: false });
  let rows: number;
  if (mode === 'stream') {
    async function* ledgerRows() {
      let seq = 0;
      for await (const c of allCases(store.db)) yield ledgerRowFromComplaint(c, ++seq, { unitNames });
    }
    rows = (await writeLedgerXlsx(ledgerRows(), meta, out)).rows;
  } else {
    const all = await campaignComplaints(store.db, cfg, new Date());
    const officers = await acceptedBy(store.db);
    const byReceipt = (a: Case, b: Case) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.id - b.id;
    const sorted = [...all].sort(byReceipt);
    let n = 0;
    const buffer = await streamToBuffer(async (sink) => {
      n = (await writeLedgerXlsx(ledgerRowsFromComplaints(sorted, { unitNames, officerOf: (c) => officers.get(c.id) ?? '' }), meta, sink)).rows;
    });
    writeFileSync(out, buffer);
    rows = n;
  }
  await store.close();
  const ms = performance.now() - t0;
  const mem = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1024 / 1024);
  process.stdout.write(
    `${JSON.stringify({ ms, rows, bytes: statSync(out).size, peakRssMb: procStatusMb('self', 'VmHWM'), rssMb: procStatusMb('self', 'VmRSS'), heapTotalMb: mb(mem.heapTotal), heapUsedMb: mb(mem.heapUsed), externalMb: mb(mem.external) })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
