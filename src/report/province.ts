// The week's figures for the province's Thursday dispatch (000 附件 四: 各市及所辖县（市、区）本周物业投诉相关线索
// 办理情况): one sheet description, shown as the mail's table and written as the attached sheet (writers/xlsx.ts).
// Pure: data in, sheet description and mail body out.
import { plainRow, type CellStyle, type SheetLayout, type SheetRow } from './types.ts';
import { renderMail, type MailBody, type Section } from './render.ts';
import { campaignLabel, periodLabel, rate, TALLY_HEADERS, tallyRow, type Period, type Tally } from './tally.ts';

export interface ProvinceWeeklyData {
  city: string;
  reportingUnit: string;
  period: Period;
  campaignStart: string;
  byCounty: Tally[];
  total: Tally;
  /** 存在问题 / 下一步工作: the office's own words. */
  notes: string[];
}

const PROVINCE_HEADERS = ['县（市、区）', ...TALLY_HEADERS, '办结率'];

export function provinceWeeklyLayout(d: ProvinceWeeklyData): SheetLayout {
  const span = PROVINCE_HEADERS.length;
  return {
    sheetName: '本周办理情况',
    columnWidths: [16, 10, 10, 10, 10, 8, 10, 10],
    head: [
      { cells: [{ value: `${d.city}物业投诉举报线索办理情况（${periodLabel(d.period)}）`, style: 'title', colSpan: span }], height: 36 },
      { cells: [{ value: `填报单位：${d.reportingUnit}`, style: 'label', colSpan: span }], height: 20 },
      plainRow(PROVINCE_HEADERS, PROVINCE_HEADERS.map((): CellStyle => 'header'), 30),
    ],
    headerRows: { first: 3, last: 3 },
    frozenColumns: 1,
    foot: [{ cells: [{ value: `说明：累计数自${campaignLabel(d.campaignStart)}起计；超期未办结为统计截止时已超过办理时限的在办线索。`, style: 'note', colSpan: span }], height: 30 }],
    orientation: 'portrait',
  };
}

export function provinceWeeklyRows(d: ProvinceWeeklyData): SheetRow[] {
  const numbers: CellStyle[] = ['center', 'number', 'number', 'number', 'number', 'number', 'number', 'center'];
  const totals: CellStyle[] = ['total', 'totalNumber', 'totalNumber', 'totalNumber', 'totalNumber', 'totalNumber', 'totalNumber', 'total'];
  const row = (t: Tally, styles: CellStyle[]) => plainRow([...tallyRow(t), rate(t.closed, t.received)], styles, 20);
  return [...d.byCounty.map((t) => row(t, numbers)), row({ ...d.total, name: '合计' }, totals)];
}

export function buildProvinceWeekly(d: ProvinceWeeklyData): MailBody {
  const title = `${d.city}物业投诉举报线索办理情况（${periodLabel(d.period)}）`;
  // The sheet's own title row is the mail's title.
  const sections: Section[] = [{ kind: 'sheet', layout: provinceWeeklyLayout(d), rows: provinceWeeklyRows(d) }];
  if (d.notes.length) sections.push({ kind: 'heading', text: '存在问题和下一步工作' }, { kind: 'list', items: d.notes });
  return renderMail(`【周报】${title}`, title, sections);
}
