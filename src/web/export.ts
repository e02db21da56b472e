// 导出: the filtered case list as an XLSX sheet (the case list's columns), written by the report writer.
import type { CaseListItem } from '../store/case-search.ts';
import { PROBLEM_NAMES, SOURCE_NAMES, STATUS_NAMES, UNIT_NAMES, type ProblemType, type Source } from '../domain.ts';
import { plainRow, type SheetLayout, type SheetRow } from '../report/types.ts';
import { formatMinute, deadlineText } from '../time.ts';
import { DEADLINE_NAMES } from './labels.ts';

/** At most this many rows in one export: beyond, the sheet says so and the filters should narrow it. */
export const MAX_EXPORT_ROWS = 10_000;

const HEADERS = ['受理编号', '县区', '来源', '状态', '承办单位', '问题类型', '紧急', '主题', '小区', '物业企业', '收到时间', '最近期限', '是否超期'];
const WIDTHS = [18, 12, 14, 12, 12, 24, 6, 36, 18, 24, 18, 30, 8];

export function exportLayout(title: string, filters: string, total: number, written: number): SheetLayout {
  const span = (value: string, style: 'title' | 'label' | 'note') => ({ cells: [{ value, style, colSpan: HEADERS.length }] });
  return {
    sheetName: '案件',
    columnWidths: WIDTHS,
    head: [span(title, 'title'), span(filters, 'label'), plainRow(HEADERS, HEADERS.map(() => 'header'))],
    headerRows: { first: 3, last: 3 },
    frozenColumns: 1,
    foot: written < total ? [span(`共 ${total} 件，仅导出前 ${written} 件；请缩小筛选范围后分批导出。`, 'note')] : [],
    orientation: 'landscape',
  };
}

export function exportRow(i: CaseListItem, countyName: (code: string) => string): SheetRow {
  return plainRow(
    [
      i.tracking,
      countyName(i.county),
      SOURCE_NAMES[i.source as Source] ?? i.source,
      STATUS_NAMES[i.status],
      i.unit ? UNIT_NAMES[i.unit] : '待分转',
      i.problem ? PROBLEM_NAMES[i.problem as ProblemType] : '',
      i.urgent ? '是' : '',
      i.subject,
      i.compound ?? '',
      i.company ?? '',
      formatMinute(i.receivedAt),
      i.nextDue ? `${DEADLINE_NAMES[i.nextDue.kind]?.name ?? i.nextDue.kind} ${deadlineText(i.nextDue.at)}` : '',
      i.overdue ? '是' : '',
    ],
    ['text', 'center', 'center', 'center', 'center', 'text', 'center', 'text', 'text', 'text', 'center', 'text', 'center'],
  );
}
