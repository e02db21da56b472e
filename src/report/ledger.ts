// Annex 2 of the Yuncheng campaign plan (004 附件2): 登记办理台账. Pure: complaints → ledger rows → a sheet
// description; writers/xlsx.ts writes it. The title, the three filing lines, the ten column headings and the 说明
// note are the seed's words (the PDF's line breaks removed, its spacing around numbers kept).
import { FINDING_NAMES, SOURCE_NAMES, STATUS_NAMES, UNIT_NAMES, type Case, type UnitCode } from '../domain.ts';
import { maskComplainant, maskContactsInText } from './mask.ts';
import { formatMinute, shanghaiDate } from '../time.ts';
import {
  fitRowHeight,
  isClosed,
  plainRow,
  type CellStyle,
  type LedgerMeta,
  type LedgerRow,
  type SheetLayout,
  type SheetRow,
} from './types.ts';

export const LEDGER_TITLE = '整治物业服务不履约不到位、侵占业主利益等问题和建立完善物业企业退出机制专项行动登记办理台账';

export const LEDGER_HEADERS = [
  '序号',
  '投诉(举报)人及联系方式',
  '问题和舆情简要内容',
  '来源',
  '受理和收到时间',
  '承办科室',
  '办理进展和结果',
  '是否办结',
  '受理人',
  '备注',
] as const;

export const LEDGER_NOTE =
  '说明：1.该表每周五上午 12 点前报送一次，填专项行动开展以来的相关情况。2.“来源”包括本领域来信来访来电、信访部门的转办问题、12345 政务服务服务热线转办件等。';

const LEDGER_WIDTHS = [6, 20, 44, 13, 17, 12, 36, 8, 10, 18];
const BODY_STYLES: CellStyle[] = ['center', 'text', 'text', 'center', 'center', 'center', 'text', 'center', 'center', 'text'];

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Rows 1–4 are the title and the filing lines; row 5 is the column header. */
export const LEDGER_HEADER_ROW = 5;

/** 填报时间：2024 年 5 月 24 日 — spaced as the seed prints "2024 年 月 日". */
export function ledgerFiledLine(filledAt: Date): string {
  const { year, month, day } = shanghaiDate(filledAt);
  return `填报时间：${year} 年 ${month} 月 ${day} 日`;
}

export function ledgerLayout(meta: LedgerMeta): SheetLayout {
  const span = LEDGER_HEADERS.length;
  const line = (text: string): SheetRow => ({ cells: [{ value: text, style: 'label', colSpan: span }], height: 20 });
  return {
    sheetName: '登记办理台账',
    columnWidths: LEDGER_WIDTHS,
    head: [
      { cells: [{ value: LEDGER_TITLE, style: 'title', colSpan: span }], height: 48 },
      line(`单位（盖章）：${meta.unitName}`),
      line(`填报人：${meta.filler}`),
      line(ledgerFiledLine(meta.filledAt)),
      plainRow([...LEDGER_HEADERS], LEDGER_HEADERS.map(() => 'header'), 32),
    ],
    headerRows: { first: LEDGER_HEADER_ROW, last: LEDGER_HEADER_ROW },
    frozenColumns: 0,
    foot: [{ cells: [{ value: LEDGER_NOTE, style: 'note', colSpan: span }], height: fitRowHeight([LEDGER_NOTE], [sum(LEDGER_WIDTHS)]) }],
    orientation: 'landscape',
  };
}

export function ledgerSheetRow(r: LedgerRow): SheetRow {
  const values = [r.seq, r.complainant, r.summary, r.source, r.receivedAt, r.unit, r.progress, r.closed, r.officer, r.note];
  return plainRow(values, BODY_STYLES, fitRowHeight(values, LEDGER_WIDTHS));
}

export interface LedgerContext {
  /** Unit names as configured (config.units); UNIT_NAMES otherwise. */
  unitNames?: Partial<Record<UnitCode, string>>;
  /** 受理人: who registered/accepted the case; '' when unknown. */
  officerOf?: (c: Case) => string;
  /** Mask names and phones (for a copy that leaves the government network). Off: the ledger is an internal record. */
  mask?: boolean;
  /** Longest excerpt of the mail body kept in 问题和舆情简要内容. */
  excerptChars?: number;
  /** The latest progress reported on a case (its words and when), for 办理进展和结果 while there is no result. */
  progressOf?: (c: Case) => { text: string; at: string } | undefined;
  /** A transferred case's transferring body and reference number (信访部门转办, 省厅转办), for 来源. */
  transferOf?: (c: Case) => string | undefined;
}

/** Numbered in the order given: pass complaints sorted by receipt time. Lazy, so 100 000 rows stream. */
export function* ledgerRowsFromComplaints(cs: Iterable<Case>, ctx: LedgerContext = {}): Generator<LedgerRow> {
  let seq = 0;
  for (const c of cs) {
    seq += 1;
    yield ledgerRowFromComplaint(c, seq, ctx);
  }
}

export function ledgerRowFromComplaint(c: Case, seq: number, ctx: LedgerContext = {}): LedgerRow {
  const unitName = c.unit ? (ctx.unitNames?.[c.unit] ?? UNIT_NAMES[c.unit]) : '';
  return {
    seq,
    complainant: ctx.mask ? maskComplainant(c.complainant) : complainantLines(c),
    summary: complaintSummary(c, ctx.excerptChars ?? 120, ctx.mask),
    source: ctx.transferOf?.(c) ? `${SOURCE_NAMES[c.source]}（${ctx.transferOf(c)}）` : SOURCE_NAMES[c.source],
    receivedAt: formatMinute(c.receivedAt),
    unit: unitName,
    progress: ctx.mask ? maskContactsInText(progressText(c, ctx.progressOf?.(c)), [c.complainant.name]) : progressText(c, ctx.progressOf?.(c)),
    closed: isClosed(c) ? '是' : '否',
    officer: ctx.officerOf?.(c) ?? '',
    note: noteText(c),
  };
}

function complainantLines(c: Case): string {
  const { name, phone, email } = c.complainant;
  const lines = [name, phone, email].filter((v): v is string => !!v && v.trim() !== '');
  return lines.length > 0 ? lines.join('\n') : '匿名';
}

/**
 * 小区 / company / subject first, then the start of the mail: enough for a reader to know what it is about.
 * With `mask`, contacts are masked before the cut, so a truncated phone number cannot slip through.
 */
export function complaintSummary(c: Case, excerptChars: number, mask = false): string {
  const hide = (s: string) => (mask ? maskContactsInText(s, [c.complainant.name]) : s);
  const facts = [c.compound && `小区：${c.compound}`, c.company && `物业企业：${c.company}`].filter(Boolean).join('；');
  const chars = Array.from(hide(c.body.replace(/\s+/g, ' ').trim()));
  const excerpt = chars.length > excerptChars ? `${chars.slice(0, excerptChars).join('')}…` : chars.join('');
  return [facts, hide(c.subject.trim()), excerpt].filter((s) => s !== '').join('\n') || '（无内容）';
}

/** 办理进展和结果: the status, then the result when there is one, else the latest progress in the officer's words. */
function progressText(c: Case, latest?: { text: string; at: string }): string {
  const parts: string[] = [STATUS_NAMES[c.status]];
  if (c.finding) parts.push(`核查${FINDING_NAMES[c.finding]}`);
  if (c.result) parts.push(c.result.trim());
  else if (latest) parts.push(`最新进展（${formatMinute(latest.at).slice(0, 10)}）：${latest.text.trim()}`);
  return parts.join('；');
}

function noteText(c: Case): string {
  const flags = [
    c.urgent && '危及房屋使用和人身安全',
    c.complex && '重大复杂',
    c.supervised && '挂牌督办',
    c.extended && '已延期',
  ].filter(Boolean);
  return [c.tracking, ...flags].join('；');
}
