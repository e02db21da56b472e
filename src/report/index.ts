// The report builders: annex 2 ledger and annex 3 summary (XLSX), the weekly brief and the other mailed reports
// (HTML + text from one section list, render.ts), the brief's chart (PNG). Layouts and tallies are pure; the
// writers (writers/xlsx.ts, writers/chart.ts) do the I/O and are imported from there, not through this index.
export * from './types.ts';
export * from './mask.ts';
export * from './ledger.ts';
export * from './summary.ts';
export { defaultIsOverdue, periodLabel, tallyComplaints, type Period, type Tallies, type Tally, type TallyContext } from './tally.ts';
export { overdueCasesOf, pickTypicalCases, publicTypicalCaseOf, typicalCaseOf, type KeyCompany, type ListedCompany, type OverdueCase, type TypicalCase } from './cases.ts';
export { layoutToHtml, renderMail, type MailBody, type Section, type Sections } from './render.ts';
export * from './brief.ts';
export * from './monthly.ts';
export * from './discipline.ts';
export * from './province.ts';
export * from './rollup.ts';
