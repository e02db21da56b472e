// The mailed reports' document model and its one renderer. A report builds its body once, as a list of sections;
// renderMail turns that list into the HTML mail body and its plain-text twin, so the two cannot drift apart.
// HTML: inline styles only (mail clients drop <style> blocks), every value escaped. Text: one block per section,
// tables as 'a | b | c' lines. Pure.
import type { CellStyle, SheetCell, SheetLayout, SheetRow } from './types.ts';

export interface MailBody {
  subject: string;
  html: string;
  text: string;
}

export type TableValue = string | number;

export type Section =
  /** The report's title, with an optional line under it (the sender, the period). */
  | { kind: 'title'; text: string; sub?: string }
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** Columns listed in `leftColumns` are left-aligned in HTML, the others centred (default: the first). */
  | { kind: 'table'; headers: string[]; rows: TableValue[][]; leftColumns?: number[] }
  /** A numbered list. */
  | { kind: 'list'; items: string[] }
  /** Small grey print at the foot of a report. */
  | { kind: 'note'; text: string }
  /** An inline image attached with this Content-ID; the text twin leaves it out (the image is attached). */
  | { kind: 'image'; cid: string; alt: string; width: number }
  /** A captioned record of label/value pairs (a typical case). */
  | { kind: 'record'; caption: string; fields: [string, string][] }
  /** A sheet description (the same one the XLSX writer reads), so the mail table matches the attachment. */
  | { kind: 'sheet'; layout: SheetLayout; rows: SheetRow[] };

/** `headers`/`rows` as a table, or `empty` as a paragraph when there are no rows. */
export function tableOr(headers: string[], rows: TableValue[][], empty: string, leftColumns?: number[]): Section {
  if (rows.length === 0) return { kind: 'paragraph', text: empty };
  return leftColumns ? { kind: 'table', headers, rows, leftColumns } : { kind: 'table', headers, rows };
}

/** `items` as a numbered list, or `empty` as a paragraph. */
export function listOr(items: string[], empty: string): Section {
  return items.length ? { kind: 'list', items } : { kind: 'paragraph', text: empty };
}

/** A report's body: null stands for a part this issue of the report leaves out. */
export type Sections = (Section | null)[];

/** `title` is the HTML document's <title>; the visible title is a 'title' section (or a sheet's title row). */
export function renderMail(subject: string, title: string, sections: Sections): MailBody {
  const present = sections.filter((s): s is Section => s !== null);
  return { subject, html: renderHtml(title, present), text: renderText(present) };
}

// ---------------------------------------------------------------------------------------------------------------
// HTML.

const FONT = "font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',SimSun,sans-serif";
const TABLE = 'border-collapse:collapse;margin:8px 0 16px 0;font-size:13px';
const TH = 'border:1px solid #999;background:#f0f3f7;padding:4px 8px;text-align:center;font-weight:bold';
const TD = 'border:1px solid #999;padding:4px 8px;text-align:center';
const TD_LEFT = 'border:1px solid #999;padding:4px 8px;text-align:left';

function escapeHtml(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

function renderHtml(title: string, sections: Section[]): string {
  return (
    `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="${FONT};color:#222;font-size:14px;line-height:1.6;margin:0;padding:16px">${sections.map(sectionHtml).join('')}</body></html>`
  );
}

function sectionHtml(s: Section): string {
  switch (s.kind) {
    case 'title':
      return (
        `<h1 style="font-size:20px;text-align:center;margin:8px 0">${escapeHtml(s.text)}</h1>` +
        (s.sub === undefined ? '' : `<p style="text-align:center;margin:0 0 12px 0;color:#555">${escapeHtml(s.sub)}</p>`)
      );
    case 'heading':
      return `<h2 style="font-size:16px;margin:16px 0 4px 0">${escapeHtml(s.text)}</h2>`;
    case 'paragraph':
      return `<p style="margin:4px 0">${escapeHtml(s.text)}</p>`;
    case 'table':
      return tableHtml(s.headers, s.rows, s.leftColumns ?? [0]);
    case 'list':
      return `<ol style="margin:4px 0">${s.items.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ol>`;
    case 'note':
      return `<p style="margin:16px 0 0 0;color:#777;font-size:12px">${escapeHtml(s.text)}</p>`;
    case 'image':
      return `<p style="margin:8px 0"><img src="cid:${escapeHtml(s.cid)}" alt="${escapeHtml(s.alt)}" width="${s.width}" style="max-width:100%;height:auto"></p>`;
    case 'record': {
      const rows = s.fields
        .map(([k, v]) => `<tr><th style="${TH};width:96px">${escapeHtml(k)}</th><td style="${TD_LEFT}">${escapeHtml(v)}</td></tr>`)
        .join('');
      return `<p style="margin:8px 0 0 0;font-weight:bold">${escapeHtml(s.caption)}</p><table style="${TABLE};width:100%">${rows}</table>`;
    }
    case 'sheet':
      return layoutToHtml(s.layout, s.rows);
  }
}

function tableHtml(headers: string[], rows: TableValue[][], leftColumns: number[]): string {
  const head = `<tr>${headers.map((h) => `<th style="${TH}">${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr>${r.map((v, i) => `<td style="${leftColumns.includes(i) ? TD_LEFT : TD}">${escapeHtml(v)}</td>`).join('')}</tr>`)
    .join('');
  return `<table style="${TABLE}">${head}${body}</table>`;
}

const HTML_CELL: Record<CellStyle, string> = {
  title: 'padding:8px;text-align:center;font-size:18px;font-weight:bold',
  label: 'padding:4px 0;text-align:left',
  header: TH,
  text: TD_LEFT,
  center: TD,
  number: TD,
  total: `${TD};font-weight:bold`,
  totalNumber: `${TD};font-weight:bold`,
  note: 'padding:6px 0;text-align:left;font-size:12px;color:#555',
};

/** A SheetLayout as an HTML table: head, `body`, foot, with the spans as colspan/rowspan. */
export function layoutToHtml(layout: SheetLayout, body: SheetRow[]): string {
  const cell = (c: SheetCell) => {
    const tag = c.style === 'header' ? 'th' : 'td';
    const span = `${c.colSpan && c.colSpan > 1 ? ` colspan="${c.colSpan}"` : ''}${c.rowSpan && c.rowSpan > 1 ? ` rowspan="${c.rowSpan}"` : ''}`;
    const value = c.value === null ? '' : escapeHtml(c.value).replace(/\n/g, '<br>');
    return `<${tag}${span} style="${HTML_CELL[c.style]}">${value}</${tag}>`;
  };
  const rows = [...layout.head, ...body, ...layout.foot].map((r) => `<tr>${r.cells.map(cell).join('')}</tr>`).join('');
  return `<table style="${TABLE}">${rows}</table>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Plain text: the sections' blocks separated by a blank line; a heading stays on the line above its first block.

function renderText(sections: Section[]): string {
  const out: string[] = [];
  let afterHeading = false;
  for (const s of sections) {
    const block = sectionText(s);
    if (block === null) continue;
    if (out.length > 0 && !afterHeading) out.push('');
    out.push(block);
    afterHeading = s.kind === 'heading';
  }
  return out.join('\n');
}

function sectionText(s: Section): string | null {
  switch (s.kind) {
    case 'title':
      return s.sub === undefined ? s.text : `${s.text}\n${s.sub}`;
    case 'heading':
    case 'paragraph':
    case 'note':
      return s.text;
    case 'table':
      return textTable(s.headers, s.rows);
    case 'list':
      return s.items.map((x, i) => `${i + 1}. ${x}`).join('\n');
    case 'image':
      return null;
    case 'record':
      return [s.caption, ...s.fields.map(([k, v]) => `${k}：${v}`)].join('\n');
    case 'sheet':
      return sheetText(s.layout, s.rows);
  }
}

function textTable(headers: string[], rows: TableValue[][]): string {
  return [headers.join(' | '), ...rows.map((r) => r.join(' | '))].join('\n');
}

/**
 * A sheet as text: one line per row, cells joined like textTable. Spans are not drawn, so this suits sheets with a
 * one-row column header. A blank line separates the full-width lines (title, 填报单位, 说明) from the table rows.
 */
function sheetText(layout: SheetLayout, body: SheetRow[]): string {
  const width = layout.columnWidths.length;
  const lines: string[] = [];
  let wasLine: boolean | null = null;
  for (const row of [...layout.head, ...body, ...layout.foot]) {
    const isLine = row.cells.length === 1 && (row.cells[0]!.colSpan ?? 1) >= width;
    if (wasLine !== null && isLine !== wasLine) lines.push('');
    lines.push(row.cells.map((c) => c.value ?? '').join(' | '));
    wasLine = isLine;
  }
  return lines.join('\n');
}
