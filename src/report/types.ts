// Shared vocabulary of the report builders: the sheet description that layout code produces and writers/xlsx.ts
// writes, the input rows of each report, and the one fact every report reads the same way (closed). Pure.
import { isClosedByUnit, type Case, type ProblemType } from '../domain.ts';

// ---------------------------------------------------------------------------------------------------------------
// Sheet description. Rows are laid out like an HTML table: each cell takes the next free column of its row, and a
// cell with colSpan/rowSpan reserves the slots it covers (in later rows too). One description feeds both the XLSX
// writer and the HTML table renderer, so the mail body and the attachment cannot drift apart.

/** Named styles; writers/xlsx.ts and the HTML renderer (render.ts) each map them to their own formatting. */
export type CellStyle = 'title' | 'label' | 'header' | 'text' | 'center' | 'number' | 'total' | 'totalNumber' | 'note';

export interface SheetCell {
  value: string | number | null;
  style: CellStyle;
  colSpan?: number;
  rowSpan?: number;
}

export interface SheetRow {
  cells: SheetCell[];
  /** Row height in points; omitted → the spreadsheet default. */
  height?: number;
}

export interface SheetLayout {
  sheetName: string;
  /** Width of each column in characters; its length is the table's column count. */
  columnWidths: number[];
  /** Title, meta lines and the column header, in order. */
  head: SheetRow[];
  /** 1-based sheet rows of the column header: frozen above the data and repeated on every printed page. */
  headerRows: { first: number; last: number };
  /** Columns kept visible when scrolling right (0 = none). */
  frozenColumns: number;
  /** Rows after the data (the 说明 notes). */
  foot: SheetRow[];
  orientation: 'landscape' | 'portrait';
}

/** One cell per column, no spans: the shape of a data row. */
export function plainRow(values: (string | number | null)[], styles: CellStyle[], height?: number): SheetRow {
  const row: SheetRow = { cells: values.map((value, i) => ({ value, style: styles[i] ?? 'text' })) };
  if (height !== undefined) row.height = height;
  return row;
}

/**
 * A row height (points) that shows every line of wrapped text. Spreadsheet programs do not grow rows on opening a
 * file, so the writer has to: CJK and full-width characters take about 1.8 width units, others one; a column of width w
 * holds about w - 1 units per line; a line of 10 pt text takes 13.5 pt.
 */
export function fitRowHeight(values: (string | number | null)[], columnWidths: number[], minHeight = 20, lineHeight = 13.5): number {
  let lines = 1;
  values.forEach((v, i) => {
    if (typeof v !== 'string' || v === '') return;
    const perLine = Math.max(1, (columnWidths[i] ?? 10) - 1);
    let n = 0;
    for (const line of v.split('\n')) n += Math.max(1, Math.ceil(displayWidth(line) / perLine));
    if (n > lines) lines = n;
  });
  return Math.min(409, Math.max(minHeight, Math.ceil(lines * lineHeight + 6)));
}

function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0)! >= 0x2e80 ? 1.8 : 1;
  return w;
}

// ---------------------------------------------------------------------------------------------------------------
// Annex 2 ledger (004 附件2).

export type YesNo = '是' | '否';

export interface LedgerRow {
  seq: number;
  /** Name and phone/e-mail, one per line. */
  complainant: string;
  summary: string;
  /** SOURCE_NAMES wording. */
  source: string;
  /** Asia/Shanghai 'YYYY-MM-DD HH:mm'. */
  receivedAt: string;
  unit: string;
  progress: string;
  closed: YesNo;
  officer: string;
  note: string;
}

export interface LedgerMeta {
  /** 单位（盖章）, e.g. 运城市住房和城乡建设局 or a county bureau. */
  unitName: string;
  /** 填报人. */
  filler: string;
  /** 填报时间, shown as a Shanghai calendar date. */
  filledAt: Date;
}

// ---------------------------------------------------------------------------------------------------------------
// Annex 3 summary (004 附件3). One row per county; every figure is a cumulative count since the campaign began
// (附件3 说明1 "数据为逐月累计数").

export interface SummaryCountyRow {
  county: string;
  // 排查情况
  companies: number; // 全面排查·涉及企业数
  compoundsWithProblems: number; // 全面排查·排查存在问题小区总数
  byType: Record<ProblemType, number>; // 排查存在问题情况涉及小区数, per type
  // 整改情况
  rectifiedCompounds: number; // 完成整改小区数
  rectifiedByType: Record<ProblemType, number>; // 各类问题整改情况涉及小区数
  // 查处情况
  orderedToRectify: number; // 责令整改小区数
  regraded: number; // 重新核级小区数
  penalisedCompanies: number; // 行政处罚企业数
  exitedCompounds: number; // 物业服务退出小区数
  exposedCompanies: number; // 媒体曝光企业数
  // 督导检查情况
  inspections: number; // 督导检查次数
  inspectedCompounds: number; // 督导检查小区数
  inspectionProblemCompounds: number; // 发现问题小区数
  inspectionRectified: number; // 完成整改小区数
  // 投诉举报受理情况
  cityReceived: number; // 市级受理·受理件数
  cityClosed: number; // 市级受理·办结件数
  provinceReceived: number; // 接收省厅转办·受理件数
  provinceClosed: number; // 接收省厅转办·办结件数
}

/** The figures no complaint record carries (inspections, penalties, exposure…): entered by the office per county. */
export type SummaryManualCounts = Partial<Omit<SummaryCountyRow, 'county' | 'byType' | 'rectifiedByType'>>;

// ---------------------------------------------------------------------------------------------------------------
// The brief's chart (writers/chart.ts).

export interface ChartData {
  title: string;
  /** Oldest week first; label e.g. '5/20'. */
  trend: { label: string; received: number; closed: number }[];
  byUnit: { name: string; received: number; closed: number; overdue: number }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Shared facts.

/** 办结 (domain.ts CLOSED_STATUSES): the ledger's 是否办结 and every "closed" count of the reports. */
export function isClosed(c: Pick<Case, 'status'>): boolean {
  return isClosedByUnit(c.status);
}

