import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/domain.ts';
import {
  SUMMARY_NOTE,
  SUMMARY_TITLE,
  summaryFigures,
  summaryRowsFromComplaints,
  summaryTotal,
} from '../../src/report/summary.ts';
import type { SummaryCountyRow } from '../../src/report/types.ts';
import { writeSummaryXlsx } from '../../src/report/writers/xlsx.ts';

function complaint(over: Partial<Case> & { id: number }): Case {
  return {
    tracking: `T-${over.id}`,
    county: 'yanhu',
    source: 'email',
    status: 'assigned',
    unit: 'housing',
    problem: null,
    urgent: false,
    complex: false,
    supervised: false,
    complainant: { name: '王小明', phone: '13912341234', email: null },
    compound: null,
    address: null,
    company: null,
    subject: '投诉',
    body: '内容',
    classification: null,
    receivedAt: '2024-06-03T01:30:00.000Z',
    assignedAt: null,
    acceptedAt: null,
    resolvedAt: null,
    writtenOffAt: null,
    finding: null,
    result: null,
    deadlines: {},
    extension: null,
    extended: false, penaltyExtended: false,
    coUnits: [],
    ...over,
  };
}

const COUNTIES = [
  { code: 'yanhu', name: '盐湖区' },
  { code: 'yongji', name: '永济市' },
  { code: 'hejin', name: '河津市' },
];

// 盐湖: three compounds with problems (阳光花园 open, 金水湾 rectified, 翠苑 open), one unsubstantiated and one
// untyped case that show no problem, one case forwarded by the province. 永济: one rectified compound.
// 'mystery' is a county missing from the list.
const SEED: Case[] = [
  complaint({ id: 1, compound: '阳光花园', company: 'A物业', problem: 'service-not-delivered', status: 'written_off', finding: 'substantiated' }),
  complaint({ id: 2, compound: '阳光花园', company: 'A物业', problem: 'public-income-taken', status: 'in_progress' }),
  complaint({ id: 3, compound: '金水湾', company: 'B物业', problem: 'service-not-delivered', status: 'resolved', finding: 'partly' }),
  complaint({ id: 4, compound: '金水湾', company: 'B物业', problem: 'no-disclosure', status: 'written_off', finding: 'unsubstantiated' }),
  complaint({ id: 5, compound: '翠苑', status: 'triage', unit: null }),
  complaint({ id: 6, compound: '翠苑', company: 'C物业', problem: 'other', status: 'assigned', source: 'province' }),
  complaint({ id: 7, county: 'yongji', compound: '河畔', company: 'D物业', problem: 'handover-refused', status: 'cosigned', finding: 'substantiated', source: '12345' }),
  complaint({ id: 8, county: 'mystery', compound: '某小区', problem: 'other', status: 'received' }),
];

function zeros(): Record<string, number> {
  return { 'service-not-delivered': 0, 'no-disclosure': 0, 'security-not-provided': 0, 'handover-refused': 0, 'common-parts-business': 0, 'public-income-unpublished': 0, 'public-income-taken': 0, other: 0 };
}

describe('summaryRowsFromComplaints (004 附件3)', () => {
  const rows = summaryRowsFromComplaints(SEED, { counties: COUNTIES, manual: { hejin: { inspections: 2, inspectedCompounds: 5 }, yanhu: { exposedCompanies: 1 } } });

  it('keeps the configured county order and adds unlisted counties at the end', () => {
    expect(rows.map((r) => r.county)).toEqual(['盐湖区', '永济市', '河津市', 'mystery']);
  });

  it('counts distinct compounds and companies with problems, rectified compounds, and cases by source', () => {
    expect(rows[0]).toEqual<SummaryCountyRow>({
      county: '盐湖区',
      companies: 3, // A, B, C (B via 金水湾's substantiated case)
      compoundsWithProblems: 3,
      byType: { ...zeros(), 'service-not-delivered': 2, 'public-income-taken': 1, other: 1 } as SummaryCountyRow['byType'],
      rectifiedCompounds: 1, // 金水湾: its only problem case is closed; 阳光花园 and 翠苑 have open ones
      rectifiedByType: { ...zeros(), 'service-not-delivered': 2 } as SummaryCountyRow['rectifiedByType'],
      orderedToRectify: 0,
      regraded: 0,
      penalisedCompanies: 0,
      exitedCompounds: 0,
      exposedCompanies: 1, // manual
      inspections: 0,
      inspectedCompounds: 0,
      inspectionProblemCompounds: 0,
      inspectionRectified: 0,
      cityReceived: 5,
      cityClosed: 3,
      provinceReceived: 1,
      provinceClosed: 0,
    });
    expect(rows[1]).toMatchObject({ companies: 1, compoundsWithProblems: 1, rectifiedCompounds: 1, cityReceived: 1, cityClosed: 1 });
    expect(rows[1]!.byType['handover-refused']).toBe(1);
    expect(rows[1]!.rectifiedByType['handover-refused']).toBe(1);
    expect(rows[2]).toMatchObject({ companies: 0, compoundsWithProblems: 0, inspections: 2, inspectedCompounds: 5, cityReceived: 0 });
    expect(rows[3]).toMatchObject({ compoundsWithProblems: 1, rectifiedCompounds: 0, cityReceived: 1 });
  });

  it('sums the columns into 合计', () => {
    const total = summaryTotal(rows);
    expect(total).toMatchObject({ county: '合计', companies: 4, compoundsWithProblems: 5, rectifiedCompounds: 2, cityReceived: 7, cityClosed: 4, provinceReceived: 1, inspections: 2, exposedCompanies: 1 });
    expect(total.byType['service-not-delivered']).toBe(2);
    expect(total.byType.other).toBe(2);
    expect(summaryFigures(total)).toHaveLength(32);
  });
});

async function readSummary(rows: SummaryCountyRow[]): Promise<ExcelJS.Worksheet> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeSummaryXlsx(rows, out);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as unknown as ExcelJS.Buffer);
  const ws = wb.getWorksheet('情况汇总表');
  if (!ws) throw new Error('no sheet');
  return ws;
}

describe('writeSummaryXlsx', () => {
  const rows = summaryRowsFromComplaints(SEED, { counties: COUNTIES, manual: { hejin: { inspections: 2, inspectedCompounds: 5 } } });

  it('writes the title and every header cell of the reconstructed four-row header', async () => {
    const ws = await readSummary(rows);
    expect(ws.getCell('A1').value).toBe(SUMMARY_TITLE);
    expect(SUMMARY_TITLE).toBe('整治物业服务不履约不到位、侵占业主利益等问题和建立完善物业企业退出机制情况汇总表');
    const expected: Record<string, string> = {
      A2: '县域',
      B2: '排查情况',
      L2: '整改情况',
      U2: '查处情况',
      Z2: '督导检查情况',
      AD2: '投诉举报受理情况',
      B3: '全面排查',
      D3: '排查存在问题情况涉及小区数',
      L3: '完成整改小区数',
      M3: '各类问题整改情况涉及小区数',
      U3: '责令整改小区数',
      V3: '重新核级小区数',
      W3: '行政处罚企业数',
      X3: '物业服务退出小区数',
      Y3: '媒体曝光企业数',
      Z3: '督导检查次数',
      AA3: '督导检查小区数',
      AB3: '发现问题小区数',
      AC3: '完成整改小区数',
      AD3: '市级受理',
      AF3: '接收省厅转办',
      B4: '涉及企业数',
      C4: '排查存在问题小区总数',
      D4: '物业服务不履约不到位行为',
      H4: '物业服务企业侵害业主利益行为',
      K4: '其他违法违规行为',
      M4: '物业服务不履约不到位行为',
      Q4: '物业服务企业侵害业主利益行为',
      T4: '其他违法违规行为',
      AD4: '受理件数',
      AE4: '办结件数',
      AF4: '受理件数',
      AG4: '办结件数',
      D5: '未按照合同约定提供服务',
      E5: '未履行信息公开和报告义务',
      F5: '未按照合同约定提供安全防范工作',
      G5: '未履行物业服务企业的移交义务',
      H5: '擅自利用小区公共部位经营',
      I5: '未公示公共收支收益情况',
      J5: '违规侵占小区公共收益',
      M5: '未按照合同约定提供服务',
      N5: '未履行信息公开报告义务',
      O5: '未按照合同约定安全防范工作',
      P5: '未履行物业企业的移交义务',
      Q5: '擅自占用公共部位经营',
      R5: '未公示公共收益情况',
      S5: '违规侵占公共收益',
    };
    for (const [address, text] of Object.entries(expected)) expect([address, ws.getCell(address).value]).toEqual([address, text]);
  });

  it('merges the header exactly as reconstructed, and the title and note across all 33 columns', async () => {
    const ws = await readSummary(rows);
    const noteRow = 6 + rows.length + 1; // county rows, 合计, then the note
    expect([...ws.model.merges].sort()).toEqual(
      [
        'A1:AG1',
        'A2:A5', 'B2:K2', 'L2:T2', 'U2:Y2', 'Z2:AC2', 'AD2:AG2',
        'B3:C3', 'D3:K3', 'L3:L5', 'M3:T3',
        'U3:U5', 'V3:V5', 'W3:W5', 'X3:X5', 'Y3:Y5', 'Z3:Z5', 'AA3:AA5', 'AB3:AB5', 'AC3:AC5',
        'AD3:AE3', 'AF3:AG3',
        'B4:B5', 'C4:C5', 'D4:G4', 'H4:J4', 'K4:K5', 'M4:P4', 'Q4:S4', 'T4:T5',
        'AD4:AD5', 'AE4:AE5', 'AF4:AF5', 'AG4:AG5',
        `A${noteRow}:AG${noteRow}`,
      ].sort(),
    );
    expect(ws.getCell(`A${noteRow}`).value).toBe(SUMMARY_NOTE);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: 5 });
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, printTitlesRow: '2:5', printTitlesColumn: 'A:A' });
    // Covered cells of a merge carry the border too, so the printed grid is whole.
    expect(ws.getCell('C2').border?.bottom?.style).toBe('thin');
  });

  it('writes one row per county with its 32 figures, then 合计', async () => {
    const ws = await readSummary(rows);
    const values = (r: number) => (ws.getRow(r).values as unknown[]).slice(1);
    expect(values(6)).toEqual(['盐湖区', ...summaryFigures(rows[0]!)]);
    expect(values(6).slice(0, 12)).toEqual(['盐湖区', 3, 3, 2, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(ws.getCell('AD6').value).toBe(5); // 市级受理·受理件数
    expect(ws.getCell('AF6').value).toBe(1); // 接收省厅转办·受理件数
    expect(values(8)).toEqual(['河津市', ...summaryFigures(rows[2]!)]);
    expect(ws.getCell('Z8').value).toBe(2); // 督导检查次数 (manual)
    const totalRow = 6 + rows.length;
    expect(values(totalRow)).toEqual(['合计', ...summaryFigures(summaryTotal(rows))]);
    expect(ws.getCell(`B${totalRow}`).value).toBe(4);
    expect(ws.getCell(`A${totalRow}`).font).toMatchObject({ bold: true });
  });
});
