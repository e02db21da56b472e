// Annex 3 of the Yuncheng campaign plan (004 附件3): 情况汇总表, one row per county plus 合计. Pure: complaints
// (+ the office's manual figures) → rows → a sheet description; writers/xlsx.ts writes it.
//
// Reconstruction of the header. The seed's annex 3 is a PDF table flattened to text, in three pieces. Read column
// by column, it gives a 33-column table (A 县域, then 32 figures) with a four-row header:
//
//   row 2  县域(↓4) | 排查情况 (10)                               | 整改情况 (9)                        | 查处情况 (5)   | 督导检查情况 (4) | 投诉举报受理情况 (4)
//   row 3           | 全面排查 (2) | 排查存在问题情况涉及小区数 (8)  | 完成整改小区数(↓3) | 各类问题整改情况涉及小区数 (8) | 5 × (↓3)  | 4 × (↓3)         | 市级受理 (2) | 接收省厅转办 (2)
//   row 4           | 涉及企业数(↓2) 排查存在问题小区总数(↓2) | 物业服务不履约不到位行为 (4) | 物业服务企业侵害业主利益行为 (3) | 其他违法违规行为(↓2) | (same three under 整改) | 受理件数(↓2) 办结件数(↓2) ×2
//   row 5           | the 4 + 3 problem types, once under 排查 and once under 整改
//
// Choices, each where the flattened text is ambiguous:
// - 全面排查 spans 涉及企业数 and 排查存在问题小区总数 (it is printed on their line, left of them).
// - 物业服务企业侵害业主利益行为 is missing from the 排查 piece but heads the same three types in the 整改 piece;
//   the two halves are parallel, so it is restored over 擅自利用…/未公示…/违规侵占… in 排查 too.
// - The last group prints 市级受理受理件数 / 市级受理办结件数 / 接收省厅转办受理件数 / 接收省厅转办办结件数: a merged
//   parent cell read into each child. It is rebuilt as 市级受理 and 接收省厅转办 over 受理件数 / 办结件数.
// - The type headings keep each piece's own wording, typos included, because this is the official form: the 排查
//   piece has the full names (its 未公示公共收支收益情况 differs from 三(二)2's 未公示公共收益收支情况), the 整改
//   piece the shortened ones (未履行信息公开报告义务, 未按照合同约定安全防范工作, 未公示公共收益情况, …).
// - The 说明 note is the seed's text; its e-mail address is printed as the annex has it (CITY_WEEKLY_ADDRESS_ANNEX).
import { PROBLEM_TYPES, type Case, type ProblemType } from '../domain.ts';
import {
  fitRowHeight,
  isClosed,
  plainRow,
  type CellStyle,
  type SheetCell,
  type SheetLayout,
  type SheetRow,
  type SummaryCountyRow,
  type SummaryManualCounts,
} from './types.ts';

export const SUMMARY_TITLE = '整治物业服务不履约不到位、侵占业主利益等问题和建立完善物业企业退出机制情况汇总表';

/**
 * The city bureau's weekly address is printed two ways in 004: 五(五) of the body says fckwy2222907@163.com, annex 3's
 * 说明 says fckwy222907@163.com. The body's form is the default recipient (config reports.recipients.weekly);
 * the annex keeps its own text, as it is the official form; `wuye doctor` names both so the office can confirm.
 */
export const CITY_WEEKLY_ADDRESS_BODY = 'fckwy2222907@163.com';
export const CITY_WEEKLY_ADDRESS_ANNEX = 'fckwy222907@163.com';

export const SUMMARY_NOTE = `说明：1.本表由县级主管部门汇总后统一填报，数据为逐月累计数；2.“曝光企业”请附上典型案例；3.每周五上午12点前向市局报送工作台账；4.邮箱 ${CITY_WEEKLY_ADDRESS_ANNEX}`;

/** Type headings as printed in annex 3's 排查 piece, in PROBLEM_TYPES order (the last, 其他, is row-spanned). */
export const INSPECTION_TYPE_HEADERS: Record<ProblemType, string> = {
  'service-not-delivered': '未按照合同约定提供服务',
  'no-disclosure': '未履行信息公开和报告义务',
  'security-not-provided': '未按照合同约定提供安全防范工作',
  'handover-refused': '未履行物业服务企业的移交义务',
  'common-parts-business': '擅自利用小区公共部位经营',
  'public-income-unpublished': '未公示公共收支收益情况',
  'public-income-taken': '违规侵占小区公共收益',
  other: '其他违法违规行为',
};

/** Type headings as printed in annex 3's 整改 piece. */
export const RECTIFICATION_TYPE_HEADERS: Record<ProblemType, string> = {
  'service-not-delivered': '未按照合同约定提供服务',
  'no-disclosure': '未履行信息公开报告义务',
  'security-not-provided': '未按照合同约定安全防范工作',
  'handover-refused': '未履行物业企业的移交义务',
  'common-parts-business': '擅自占用公共部位经营',
  'public-income-unpublished': '未公示公共收益情况',
  'public-income-taken': '违规侵占公共收益',
  other: '其他违法违规行为',
};

const NON_PERFORMANCE: ProblemType[] = ['service-not-delivered', 'no-disclosure', 'security-not-provided', 'handover-refused'];
const INFRINGEMENT: ProblemType[] = ['common-parts-business', 'public-income-unpublished', 'public-income-taken'];

/** The 32 figures of a row, in column order B…AG. */
export function summaryFigures(r: SummaryCountyRow): number[] {
  return [
    r.companies,
    r.compoundsWithProblems,
    ...PROBLEM_TYPES.map((t) => r.byType[t]),
    r.rectifiedCompounds,
    ...PROBLEM_TYPES.map((t) => r.rectifiedByType[t]),
    r.orderedToRectify,
    r.regraded,
    r.penalisedCompanies,
    r.exitedCompounds,
    r.exposedCompanies,
    r.inspections,
    r.inspectedCompounds,
    r.inspectionProblemCompounds,
    r.inspectionRectified,
    r.cityReceived,
    r.cityClosed,
    r.provinceReceived,
    r.provinceClosed,
  ];
}

export const SUMMARY_COLUMN_COUNT = 33;
/** Row 1 is the title, rows 2–5 the header; data start on row 6. */
export const SUMMARY_HEADER_ROWS = { first: 2, last: 5 } as const;

function h(value: string, colSpan = 1, rowSpan = 1): SheetCell {
  const cell: SheetCell = { value, style: 'header' };
  if (colSpan > 1) cell.colSpan = colSpan;
  if (rowSpan > 1) cell.rowSpan = rowSpan;
  return cell;
}

function typeGroups(): SheetCell[] {
  return [h('物业服务不履约不到位行为', NON_PERFORMANCE.length), h('物业服务企业侵害业主利益行为', INFRINGEMENT.length), h('其他违法违规行为', 1, 2)];
}

export function summaryHeaderRows(): SheetRow[] {
  const row2 = [h('县域', 1, 4), h('排查情况', 10), h('整改情况', 9), h('查处情况', 5), h('督导检查情况', 4), h('投诉举报受理情况', 4)];
  const row3 = [
    h('全面排查', 2),
    h('排查存在问题情况涉及小区数', 8),
    h('完成整改小区数', 1, 3),
    h('各类问题整改情况涉及小区数', 8),
    ...['责令整改小区数', '重新核级小区数', '行政处罚企业数', '物业服务退出小区数', '媒体曝光企业数'].map((t) => h(t, 1, 3)),
    ...['督导检查次数', '督导检查小区数', '发现问题小区数', '完成整改小区数'].map((t) => h(t, 1, 3)),
    h('市级受理', 2),
    h('接收省厅转办', 2),
  ];
  const row4 = [
    h('涉及企业数', 1, 2),
    h('排查存在问题小区总数', 1, 2),
    ...typeGroups(),
    ...typeGroups(),
    ...['受理件数', '办结件数', '受理件数', '办结件数'].map((t) => h(t, 1, 2)),
  ];
  const typed = [...NON_PERFORMANCE, ...INFRINGEMENT];
  const row5 = [...typed.map((t) => h(INSPECTION_TYPE_HEADERS[t])), ...typed.map((t) => h(RECTIFICATION_TYPE_HEADERS[t]))];
  return [
    { cells: row2, height: 24 },
    { cells: row3, height: 40 },
    { cells: row4, height: 40 },
    { cells: row5, height: 96 },
  ];
}

export function summaryLayout(): SheetLayout {
  return {
    sheetName: '情况汇总表',
    columnWidths: [14, ...Array.from({ length: SUMMARY_COLUMN_COUNT - 1 }, () => 7)],
    head: [{ cells: [{ value: SUMMARY_TITLE, style: 'title', colSpan: SUMMARY_COLUMN_COUNT }], height: 40 }, ...summaryHeaderRows()],
    headerRows: SUMMARY_HEADER_ROWS,
    frozenColumns: 1,
    foot: [{ cells: [{ value: SUMMARY_NOTE, style: 'note', colSpan: SUMMARY_COLUMN_COUNT }], height: fitRowHeight([SUMMARY_NOTE], [14 + 7 * (SUMMARY_COLUMN_COUNT - 1)]) }],
    orientation: 'landscape',
  };
}

const BODY_STYLES: CellStyle[] = ['center', ...Array.from({ length: SUMMARY_COLUMN_COUNT - 1 }, (): CellStyle => 'number')];
const TOTAL_STYLES: CellStyle[] = ['total', ...Array.from({ length: SUMMARY_COLUMN_COUNT - 1 }, (): CellStyle => 'totalNumber')];

/** The county rows, then 合计. */
export function summarySheetRows(rows: SummaryCountyRow[]): SheetRow[] {
  const out = rows.map((r) => plainRow([r.county, ...summaryFigures(r)], BODY_STYLES, 20));
  out.push(plainRow(['合计', ...summaryFigures(summaryTotal(rows))], TOTAL_STYLES, 20));
  return out;
}

function zeroByType(): Record<ProblemType, number> {
  return Object.fromEntries(PROBLEM_TYPES.map((t) => [t, 0])) as Record<ProblemType, number>;
}

export function emptySummaryRow(county: string): SummaryCountyRow {
  return {
    county,
    companies: 0,
    compoundsWithProblems: 0,
    byType: zeroByType(),
    rectifiedCompounds: 0,
    rectifiedByType: zeroByType(),
    orderedToRectify: 0,
    regraded: 0,
    penalisedCompanies: 0,
    exitedCompounds: 0,
    exposedCompanies: 0,
    inspections: 0,
    inspectedCompounds: 0,
    inspectionProblemCompounds: 0,
    inspectionRectified: 0,
    cityReceived: 0,
    cityClosed: 0,
    provinceReceived: 0,
    provinceClosed: 0,
  };
}

/** Column sums. Counts of distinct compounds add up across counties because a compound lies in one county. */
export function summaryTotal(rows: SummaryCountyRow[]): SummaryCountyRow {
  const total = emptySummaryRow('合计');
  for (const r of rows) {
    for (const key of Object.keys(total) as (keyof SummaryCountyRow)[]) {
      if (key === 'county' || key === 'byType' || key === 'rectifiedByType') continue;
      total[key] += r[key];
    }
    for (const t of PROBLEM_TYPES) {
      total.byType[t] += r.byType[t];
      total.rectifiedByType[t] += r.rectifiedByType[t];
    }
  }
  return total;
}

/**
 * A complaint shows a problem (存在问题) when it has a problem type and was not found unsubstantiated: cases still
 * being verified count, because annex 3 is a picture of what the 排查 has surfaced so far.
 */
export function showsProblem(c: Case): boolean {
  return c.problem !== null && c.finding !== 'unsubstantiated';
}

/** Compounds are told apart by name; a case without one stands for its own compound (by address, else by case). */
function compoundKey(c: Case): string {
  const name = c.compound?.trim() || c.address?.trim();
  return name ? `n:${name}` : `c:${c.id}`;
}

export interface SummaryContext {
  /** Counties in table order (config.counties); complaints of a county not listed get a row of their own at the end. */
  counties: { code: string; name: string }[];
  /** Figures the office enters by hand, per county code; they replace the computed ones. */
  manual?: Record<string, SummaryManualCounts>;
}

/**
 * Counts from the complaints the caller selected (normally every complaint since the campaign start):
 * - 涉及企业数: distinct companies named in cases that show a problem;
 * - 排查存在问题小区总数 / per type: distinct compounds with at least one such case (of that type);
 * - 完成整改小区数 / per type: of those compounds, the ones whose such cases (of that type) are all closed;
 * - 市级 / 接收省厅转办 受理件数, 办结件数: all cases, split by source 'province', closed as isClosed;
 * - 查处情况 and 督导检查情况 come from `manual` (no complaint record carries them), 0 when not given.
 */
export function summaryRowsFromComplaints(cs: Iterable<Case>, ctx: SummaryContext): SummaryCountyRow[] {
  interface Acc {
    companies: Set<string>;
    open: Map<string, Set<ProblemType>>; // compound → types with an open case
    seen: Map<string, Set<ProblemType>>; // compound → types with any case
    received: { city: number; cityClosed: number; province: number; provinceClosed: number };
  }
  const accs = new Map<string, Acc>();
  const accOf = (county: string): Acc => {
    let a = accs.get(county);
    if (!a) {
      a = { companies: new Set(), open: new Map(), seen: new Map(), received: { city: 0, cityClosed: 0, province: 0, provinceClosed: 0 } };
      accs.set(county, a);
    }
    return a;
  };
  for (const c of cs) {
    const a = accOf(c.county);
    const closed = isClosed(c);
    if (c.source === 'province') {
      a.received.province += 1;
      if (closed) a.received.provinceClosed += 1;
    } else {
      a.received.city += 1;
      if (closed) a.received.cityClosed += 1;
    }
    if (!showsProblem(c) || c.problem === null) continue;
    if (c.company?.trim()) a.companies.add(c.company.trim());
    const key = compoundKey(c);
    addTo(a.seen, key, c.problem);
    if (!closed) addTo(a.open, key, c.problem);
  }

  const known = new Set(ctx.counties.map((k) => k.code));
  const order = [...ctx.counties, ...[...accs.keys()].filter((code) => !known.has(code)).map((code) => ({ code, name: code }))];
  return order.map(({ code, name }) => {
    const row = emptySummaryRow(name);
    const a = accs.get(code);
    if (a) {
      row.companies = a.companies.size;
      row.compoundsWithProblems = a.seen.size;
      for (const [compound, types] of a.seen) {
        const open = a.open.get(compound);
        if (!open) row.rectifiedCompounds += 1;
        for (const t of types) {
          row.byType[t] += 1;
          if (!open?.has(t)) row.rectifiedByType[t] += 1;
        }
      }
      row.cityReceived = a.received.city;
      row.cityClosed = a.received.cityClosed;
      row.provinceReceived = a.received.province;
      row.provinceClosed = a.received.provinceClosed;
    }
    return withManual(row, ctx.manual?.[code]);
  });
}

function withManual(row: SummaryCountyRow, manual: SummaryManualCounts | undefined): SummaryCountyRow {
  for (const [key, value] of Object.entries(manual ?? {}) as [keyof SummaryManualCounts, number | undefined][]) {
    if (value !== undefined) row[key] = value;
  }
  return row;
}

function addTo(m: Map<string, Set<ProblemType>>, key: string, t: ProblemType): void {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  s.add(t);
}
