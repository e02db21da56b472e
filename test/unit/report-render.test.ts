// One section list, two mail bodies (src/report/render.ts).
import { describe, expect, it } from 'vitest';
import { layoutToHtml, renderMail, type Sections } from '../../src/report/render.ts';
import { plainRow, type SheetLayout } from '../../src/report/types.ts';

const SHEET: SheetLayout = {
  sheetName: 's',
  columnWidths: [10, 10],
  head: [
    { cells: [{ value: '标题', style: 'title', colSpan: 2 }] },
    plainRow(['县', '件数'], ['header', 'header']),
  ],
  headerRows: { first: 2, last: 2 },
  frozenColumns: 0,
  foot: [{ cells: [{ value: '说明：x', style: 'note', colSpan: 2 }] }],
  orientation: 'portrait',
};

describe('renderMail', () => {
  const sections: Sections = [
    { kind: 'title', text: '简报', sub: '单位　本周' },
    { kind: 'heading', text: '一、总体' },
    { kind: 'paragraph', text: 'a<b' },
    { kind: 'image', cid: 'chart', alt: '图', width: 900 },
    null,
    { kind: 'table', headers: ['单位', '件数'], rows: [['住建', 2]] },
    { kind: 'heading', text: '二、案例' },
    { kind: 'record', caption: '案例1', fields: [['编号', 'YH-1']] },
    { kind: 'record', caption: '案例2', fields: [['编号', 'YH-2']] },
    { kind: 'list', items: ['甲', '乙'] },
    { kind: 'note', text: '注' },
  ];
  const mail = renderMail('主题', '简报', sections);

  it('writes the text twin: blocks apart, each heading on the line above its block, no image', () => {
    expect(mail.subject).toBe('主题');
    expect(mail.text).toBe(
      ['简报', '单位　本周', '', '一、总体', 'a<b', '', '单位 | 件数', '住建 | 2', '', '二、案例', '案例1', '编号：YH-1', '', '案例2', '编号：YH-2', '', '1. 甲', '2. 乙', '', '注'].join('\n'),
    );
  });

  it('writes the HTML body with inline styles, escaped, in the same order', () => {
    expect(mail.html.startsWith('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>简报</title>')).toBe(true);
    expect(mail.html).not.toContain('<style');
    expect(mail.html).toContain('>a&lt;b</p>');
    expect(mail.html).toContain('<img src="cid:chart" alt="图" width="900"');
    expect(mail.html).toMatch(/<td[^>]*text-align:left[^>]*>住建<\/td><td[^>]*text-align:center[^>]*>2<\/td>/);
    expect(mail.html).toContain('<ol style="margin:4px 0"><li>甲</li><li>乙</li></ol>');
    const order = ['简报</h1>', '一、总体', 'a&lt;b', 'cid:chart', '住建', '案例1', '案例2', '<li>甲', '>注</p>'].map((s) => mail.html.indexOf(s));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
  });

  it('shows a sheet as its HTML table and as text lines, title and notes apart from the table', () => {
    const rows = [plainRow(['盐湖区', 3], ['center', 'number'])];
    const out = renderMail('s', 't', [{ kind: 'sheet', layout: SHEET, rows }]);
    expect(out.html).toContain(layoutToHtml(SHEET, rows));
    expect(out.text).toBe(['标题', '', '县 | 件数', '盐湖区 | 3', '', '说明：x'].join('\n'));
  });
});
