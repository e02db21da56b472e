// The report builders: annex 2 ledger and annex 3 summary (XLSX), the weekly brief and the other mailed reports
// (HTML + text), the brief's chart (PNG). Layout and aggregation are pure; xlsx.ts and chart.ts do the I/O.
export * from './types.ts';
export * from './mask.ts';
export * from './ledger.ts';
export * from './summary.ts';
export * from './brief.ts';
export { chartOption, renderChartSvg, renderChartPng, findCjkFontFiles, cjkFontCandidates, type ChartOptions } from './chart.ts';
export { writeSheetXlsx, writeLedgerXlsx, writeSummaryXlsx, writeProvinceWeeklyXlsx, type XlsxOptions } from './xlsx.ts';
export * from './rollup.ts';
