import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/domain.ts';
import { LEDGER_HEADERS, LEDGER_NOTE, LEDGER_TITLE, ledgerFiledLine, ledgerRowsFromComplaints } from '../../src/report/ledger.ts';
import type { LedgerRow } from '../../src/report/types.ts';
import { writeLedgerXlsx } from '../../src/report/writers/xlsx.ts';

function complaint(over: Partial<Case> & { id: number }): Case {
  return {
    tracking: `YH-2024-${String(over.id).padStart(6, '0')}`,
    county: 'yanhu',
    source: 'email',
    status: 'assigned',
    unit: 'housing',
    problem: 'service-not-delivered',
    urgent: false,
    complex: false,
    supervised: false,
    complainant: { name: '王小明', phone: '13912341234', email: 'wxm@163.com' },
    compound: '阳光花园',
    address: null,
    company: '某某物业服务有限公司',
    subject: '电梯长期故障',
    body: '3号楼电梯坏了20天，物业一直不修。',
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

async function xlsxBuffer(write: (out: NodeJS.WritableStream) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks);
}

async function readSheet(buf: Buffer, name: string): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

const META = { unitName: '运城市住房和城乡建设局', filler: '张三', filledAt: new Date('2024-05-23T16:30:00.000Z') }; // 24 May, Shanghai

describe('ledgerRowsFromComplaints (004 附件2 columns)', () => {
  it('fills every column from the complaint, in Asia/Shanghai time', () => {
    const rows = [
      ...ledgerRowsFromComplaints(
        [
          complaint({ id: 1, source: '12345', status: 'written_off', finding: 'substantiated', result: '已督促物业修复电梯', supervised: true }),
          complaint({ id: 2, unit: null, status: 'triage', complainant: { name: null, phone: null, email: null }, receivedAt: '2024-06-03T16:05:00.000Z' }),
        ],
        { officerOf: (c) => (c.id === 1 ? '李四' : '') },
      ),
    ];
    expect(rows[0]).toEqual<LedgerRow>({
      seq: 1,
      complainant: '王小明\n13912341234\nwxm@163.com',
      summary: '小区：阳光花园；物业企业：某某物业服务有限公司\n电梯长期故障\n3号楼电梯坏了20天，物业一直不修。',
      source: '12345政务服务热线转办',
      receivedAt: '2024-06-03 09:30',
      unit: '住建',
      progress: '已销号；核查属实；已督促物业修复电梯',
      closed: '是',
      officer: '李四',
      note: 'YH-2024-000001；挂牌督办',
    });
    expect(rows[1]).toMatchObject({ seq: 2, complainant: '匿名', unit: '', closed: '否', receivedAt: '2024-06-04 00:05', progress: '待分转' });
  });

  it('办理进展和结果 gives the result, else the latest progress; 来源 names a transfer with its reference', () => {
    const open = complaint({ id: 21, status: 'in_progress', source: 'province' });
    const done = complaint({ id: 22, status: 'resolved', finding: 'partly', result: '已清理' });
    const [a, b] = [...ledgerRowsFromComplaints([open, done], {
      progressOf: (c) => (c.id === 21 ? { text: '已约谈物业经理', at: '2024-05-22T02:00:00.000Z' } : { text: '旧进展', at: '2024-05-20T02:00:00.000Z' }),
      transferOf: (c) => (c.id === 21 ? '山西省住房和城乡建设厅 晋建转〔2024〕3号' : undefined),
    })];
    expect(a!.progress).toBe('办理中；最新进展（2024-05-22）：已约谈物业经理');
    expect(a!.source).toBe('省厅转办（山西省住房和城乡建设厅 晋建转〔2024〕3号）');
    expect(b!.progress).toBe('已办结待会签；核查部分属实；已清理'); // the result, not the older progress
  });

  it('counts resolved, cosigned, reviewed and written-off cases as 办结, reopened ones not', () => {
    const statuses = ['in_progress', 'resolved', 'cosigned', 'reviewed', 'written_off', 'reopened'] as const;
    const rows = [...ledgerRowsFromComplaints(statuses.map((status, i) => complaint({ id: i + 1, status })))];
    expect(rows.map((r) => r.closed)).toEqual(['否', '是', '是', '是', '是', '否']);
  });

  it('masks the complainant when asked and trims long mail bodies', () => {
    const [row] = [...ledgerRowsFromComplaints([complaint({ id: 1, body: '漏水'.repeat(100) })], { mask: true, excerptChars: 10 })];
    expect(row!.complainant).toBe('王** 139****1234');
    expect(row!.summary.endsWith('漏水漏水漏水漏水漏水…')).toBe(true);
    const [masked] = [
      ...ledgerRowsFromComplaints([complaint({ id: 2, body: '我是王小明，电话13912341234，电梯坏了', result: '已回复王小明' })], { mask: true, excerptChars: 12 }),
    ];
    expect(masked!.summary).toBe('小区：阳光花园；物业企业：某某物业服务有限公司\n电梯长期故障\n我是王**，电话139*…');
    expect(masked!.progress).toBe('已分转；已回复王**');
  });
});

describe('writeLedgerXlsx', () => {
  it('writes the official layout: title, filing lines, the 10 headers, data, 说明, with merges, print and view setup', async () => {
    const rows = ledgerRowsFromComplaints([
      complaint({ id: 1 }),
      complaint({ id: 2, source: 'province', status: 'resolved', unit: 'fire', complainant: { name: '李四', phone: null, email: 'ls@qq.com' } }),
    ]);
    const buf = await xlsxBuffer((out) => writeLedgerXlsx(rows, META, out));
    const ws = await readSheet(buf, '登记办理台账');

    expect(ws.getCell('A1').value).toBe(LEDGER_TITLE);
    expect(LEDGER_TITLE).toBe('整治物业服务不履约不到位、侵占业主利益等问题和建立完善物业企业退出机制专项行动登记办理台账');
    expect(ws.getCell('A2').value).toBe('单位（盖章）：运城市住房和城乡建设局');
    expect(ws.getCell('A3').value).toBe('填报人：张三');
    expect(ws.getCell('A4').value).toBe('填报时间：2024 年 5 月 24 日');
    expect(ws.getRow(5).values).toEqual([
      undefined,
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
    ]);
    expect(LEDGER_HEADERS).toHaveLength(10);

    expect(ws.getCell('A6').value).toBe(1);
    expect(ws.getCell('D6').value).toBe('来信(邮件)');
    expect(ws.getCell('E6').value).toBe('2024-06-03 09:30');
    expect(ws.getCell('A7').value).toBe(2);
    expect(ws.getCell('B7').value).toBe('李四\nls@qq.com');
    expect(ws.getCell('D7').value).toBe('省厅转办');
    expect(ws.getCell('F7').value).toBe('消防');
    expect(ws.getCell('H7').value).toBe('是');

    expect(ws.getCell('A8').value).toBe(LEDGER_NOTE);
    expect(LEDGER_NOTE).toBe(
      '说明：1.该表每周五上午 12 点前报送一次，填专项行动开展以来的相关情况。2.“来源”包括本领域来信来访来电、信访部门的转办问题、12345 政务服务服务热线转办件等。',
    );
    expect(ws.rowCount).toBe(8);
    expect([...ws.model.merges].sort()).toEqual(['A1:J1', 'A2:J2', 'A3:J3', 'A4:J4', 'A8:J8'].sort());

    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 });
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '5:5' });
    expect(ws.getColumn(3).width).toBe(44);
    expect(ws.getCell('C6').alignment).toMatchObject({ wrapText: true });
    expect(ws.getCell('E5').border?.top?.style).toBe('thin');
    expect(ws.getCell('J7').border?.right?.style).toBe('thin');
    expect(ws.getCell('A1').font).toMatchObject({ bold: true });
  });

  it('accepts an async source and reports the row count', async () => {
    async function* rows() {
      yield* ledgerRowsFromComplaints([complaint({ id: 1 }), complaint({ id: 2 }), complaint({ id: 3 })]);
    }
    let result: { rows: number } | undefined;
    const buf = await xlsxBuffer(async (out) => {
      result = await writeLedgerXlsx(rows(), META, out);
    });
    expect(result).toEqual({ rows: 3 });
    const ws = await readSheet(buf, '登记办理台账');
    expect(ws.getCell('A8').value).toBe(3);
    expect(ws.getCell('A9').value).toBe(LEDGER_NOTE);
  });

  it('fits every cell within Excel’s 32,767 characters, even a case stored with a 1 MB subject', async () => {
    const huge = complaint({ id: 1, subject: '电梯'.repeat(500_000), body: '漏水'.repeat(100_000) });
    const buf = await xlsxBuffer((out) => writeLedgerXlsx(ledgerRowsFromComplaints([huge]), META, out));
    const ws = await readSheet(buf, '登记办理台账');
    const lengths: number[] = [];
    ws.eachRow((row) => row.eachCell((cell) => lengths.push(String(cell.value ?? '').length)));
    expect(Math.max(...lengths)).toBeGreaterThan(1000); // the long text is there…
    expect(Math.max(...lengths)).toBeLessThanOrEqual(32_767); // …as much of it as a cell can hold
  });

  it('rejects when the row source fails, instead of finishing a truncated file', async () => {
    async function* failing() {
      yield* ledgerRowsFromComplaints([complaint({ id: 1 })]);
      throw new Error('database went away');
    }
    await expect(writeLedgerXlsx(failing(), META, new PassThrough())).rejects.toThrow('database went away');
  });

  it('formats the filing date in Shanghai, not UTC', () => {
    expect(ledgerFiledLine(new Date('2024-12-31T16:00:00.000Z'))).toBe('填报时间：2025 年 1 月 1 日');
  });
});
