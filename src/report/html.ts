// HTML primitives for the mailed reports. Inline styles only: mail clients drop <style> blocks.

export const FONT = "font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',SimSun,sans-serif";
export const TABLE = 'border-collapse:collapse;margin:8px 0 16px 0;font-size:13px';
export const TH = 'border:1px solid #999;background:#f0f3f7;padding:4px 8px;text-align:center;font-weight:bold';
export const TD = 'border:1px solid #999;padding:4px 8px;text-align:center';
export const TD_LEFT = 'border:1px solid #999;padding:4px 8px;text-align:left';

export function escapeHtml(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export function table(headers: string[], rows: (string | number)[][], leftColumns: number[] = [0]): string {
  const head = `<tr>${headers.map((h) => `<th style="${TH}">${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr>${r.map((v, i) => `<td style="${leftColumns.includes(i) ? TD_LEFT : TD}">${escapeHtml(v)}</td>`).join('')}</tr>`)
    .join('');
  return `<table style="${TABLE}">${head}${body}</table>`;
}

export function textTable(headers: string[], rows: (string | number)[][]): string {
  return [headers.join(' | '), ...rows.map((r) => r.join(' | '))].join('\n');
}

export function htmlDocument(title: string, inner: string): string {
  return (
    `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="${FONT};color:#222;font-size:14px;line-height:1.6;margin:0;padding:16px">${inner}</body></html>`
  );
}

export const h1 = (s: string) => `<h1 style="font-size:20px;text-align:center;margin:8px 0">${escapeHtml(s)}</h1>`;
export const h2 = (s: string) => `<h2 style="font-size:16px;margin:16px 0 4px 0">${escapeHtml(s)}</h2>`;
export const p = (s: string) => `<p style="margin:4px 0">${escapeHtml(s)}</p>`;
export const muted = (s: string) => `<p style="margin:16px 0 0 0;color:#777;font-size:12px">${escapeHtml(s)}</p>`;
