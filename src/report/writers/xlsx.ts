// Writes a SheetLayout with exceljs's streaming writer: the head is written and committed, then each data row is
// committed as it comes, so a 100 000-row ledger never sits in memory. A writer: it opens files; the layouts it
// writes (ledger.ts, summary.ts, province.ts) are pure.
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import { ledgerLayout, ledgerSheetRow } from '../ledger.ts';
import { provinceWeeklyLayout, provinceWeeklyRows, type ProvinceWeeklyData } from '../province.ts';
import { summaryLayout, summarySheetRows } from '../summary.ts';
import type { CellStyle, LedgerMeta, LedgerRow, SheetLayout, SheetRow, SummaryCountyRow } from '../types.ts';

// exceljs is loaded with the first spreadsheet, not at start: an idle service writes none.
let excel: typeof ExcelJS | null = null;
const exceljs = (): typeof ExcelJS => (excel ??= createRequire(import.meta.url)('exceljs') as typeof ExcelJS);

type Output = string | NodeJS.WritableStream;

const thin: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF000000' } };
const box: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const body = { name: '宋体', size: 10 };
const centre: Partial<ExcelJS.Alignment> = { horizontal: 'center', vertical: 'middle', wrapText: true };

// One object per style: exceljs caches style ids by object identity, which keeps 100 000 rows cheap.
const STYLES: Record<CellStyle, Partial<ExcelJS.Style>> = {
  title: { font: { name: '宋体', size: 16, bold: true }, alignment: centre },
  label: { font: { name: '宋体', size: 11 }, alignment: { horizontal: 'left', vertical: 'middle' } },
  header: { font: { ...body, bold: true }, alignment: centre, border: box },
  text: { font: body, alignment: { horizontal: 'left', vertical: 'top', wrapText: true }, border: box },
  center: { font: body, alignment: centre, border: box },
  number: { font: body, alignment: centre, border: box, numFmt: '0' },
  total: { font: { ...body, bold: true }, alignment: centre, border: box },
  totalNumber: { font: { ...body, bold: true }, alignment: centre, border: box, numFmt: '0' },
  note: { font: { name: '宋体', size: 10 }, alignment: { horizontal: 'left', vertical: 'top', wrapText: true } },
};

const YIELD_EVERY = 20;

/** Excel refuses a cell of more than 32,767 characters: a longer text is cut, and says so. */
export const MAX_CELL_CHARS = 32_767;
export function fitCell(text: string): string {
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 9)}…（已截断）` : text;
}

export interface XlsxOptions {
  /** Workbook creation time (document properties); defaults to the time of writing. */
  created?: Date;
  creator?: string;
}

/**
 * Streams `layout` with `body` rows between head and foot to a file path or a writable stream.
 * Returns the number of data rows written. The promise settles once the output is fully written.
 */
export async function writeSheetXlsx(
  layout: SheetLayout,
  body: Iterable<SheetRow> | AsyncIterable<SheetRow>,
  out: Output,
  opts: XlsxOptions = {},
): Promise<{ rows: number }> {
  const fileStream = typeof out === 'string' ? createWriteStream(out) : null;
  const workbook = new (exceljs().stream.xlsx.WorkbookWriter)({
    stream: (fileStream ?? out) as unknown as import('node:stream').Stream,
    useStyles: true,
    useSharedStrings: false, // shared strings are kept in memory until the end; inline strings stream
  });
  workbook.creator = opts.creator ?? 'Wuye Desk';
  if (opts.created) workbook.created = opts.created;

  const { first, last } = layout.headerRows;
  const sheet = workbook.addWorksheet(layout.sheetName, {
    views: [{ state: 'frozen', xSplit: layout.frozenColumns, ySplit: last, topLeftCell: cellAddress(last + 1, layout.frozenColumns + 1) }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: layout.orientation,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0, // as many pages tall as needed
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
      printTitlesRow: `${first}:${last}`,
      ...(layout.frozenColumns > 0 ? { printTitlesColumn: `A:${columnLetter(layout.frozenColumns)}` } : {}),
    },
    headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
  });
  sheet.columns = layout.columnWidths.map((width) => ({ width }));

  const width = layout.columnWidths.length;
  let rows = 0;
  try {
    let next = writeBlock(sheet, layout.head, 1, width);
    for await (const row of body) {
      next = writeBlock(sheet, [row], next, width);
      rows += 1;
      // A synchronous source never returns to the event loop on its own, and the zip stream only drains there:
      // without this pause every row would pile up in memory until the end.
      if (rows % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    writeBlock(sheet, layout.foot, next, width);
    sheet.commit();
    await workbook.commit();
    if (fileStream) await finished(fileStream);
  } catch (err) {
    // A half-written file is no report: close it so the caller can delete it, and let the error through.
    fileStream?.destroy();
    throw err;
  }
  return { rows };
}

/**
 * Places `rows` from sheet row `start` like an HTML table (each cell takes the next free column; spans reserve
 * slots), merges the spans, commits the rows, and returns the next free row. Spans stay inside the block.
 */
function writeBlock(sheet: ExcelJS.Worksheet, rows: SheetRow[], start: number, width: number): number {
  const taken = new Set<string>();
  const merges: [number, number, number, number][] = [];
  rows.forEach((row, i) => {
    const r = start + i;
    const sheetRow = sheet.getRow(r);
    if (row.height !== undefined) sheetRow.height = row.height;
    let c = 1;
    for (const cell of row.cells) {
      while (taken.has(`${r}:${c}`)) c += 1;
      const colSpan = cell.colSpan ?? 1;
      const rowSpan = cell.rowSpan ?? 1;
      if (c + colSpan - 1 > width) throw new RangeError(`row ${r}: cells overflow the ${width} columns`);
      if (i + rowSpan > rows.length) throw new RangeError(`row ${r}: rowSpan ${rowSpan} runs past its block`);
      const target = sheetRow.getCell(c);
      if (cell.value !== null) target.value = typeof cell.value === 'string' ? fitCell(cell.value) : cell.value;
      target.style = STYLES[cell.style];
      if (colSpan > 1 || rowSpan > 1) {
        merges.push([r, c, r + rowSpan - 1, c + colSpan - 1]);
        for (let dr = 0; dr < rowSpan; dr += 1) for (let dc = 0; dc < colSpan; dc += 1) taken.add(`${r + dr}:${c + dc}`);
      }
      c += colSpan;
    }
  });
  // Merging copies the master's style to the covered cells, so their borders are drawn too.
  for (const [top, left, bottom, right] of merges) sheet.mergeCells(top, left, bottom, right);
  for (let i = 0; i < rows.length; i += 1) sheet.getRow(start + i).commit();
  return start + rows.length;
}

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function cellAddress(row: number, col: number): string {
  return `${columnLetter(col)}${row}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The two annexes.

async function* mapRows<T>(rows: Iterable<T> | AsyncIterable<T>, f: (r: T) => SheetRow): AsyncGenerator<SheetRow> {
  for await (const r of rows) yield f(r);
}

/** Annex 2 登记办理台账 (004 附件2). */
export async function writeLedgerXlsx(
  rows: Iterable<LedgerRow> | AsyncIterable<LedgerRow>,
  meta: LedgerMeta,
  out: Output,
): Promise<{ rows: number }> {
  return writeSheetXlsx(ledgerLayout(meta), mapRows(rows, ledgerSheetRow), out, { created: meta.filledAt, creator: meta.unitName });
}

/** Annex 3 情况汇总表 (004 附件3): the county rows, then 合计. */
export async function writeSummaryXlsx(
  rows: SummaryCountyRow[],
  out: Output,
  opts: XlsxOptions = {},
): Promise<{ rows: number }> {
  return writeSheetXlsx(summaryLayout(), summarySheetRows(rows), out, opts);
}

/** The province weekly figures (000 附件 四) as a sheet, the same table as the mail body. */
export async function writeProvinceWeeklyXlsx(data: ProvinceWeeklyData, out: Output, opts: XlsxOptions = {}): Promise<{ rows: number }> {
  return writeSheetXlsx(provinceWeeklyLayout(data), provinceWeeklyRows(data), out, opts);
}
