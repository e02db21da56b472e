// 导出 → 附件2 台账 (issue 18): the filtered case list in the official ledger layout of the weekly report (004 附件2),
// opened with exceljs: the ledger's title and headings, the filtered rows only, never another county's. Both dialects.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCase } from '../../src/cases/register.ts';
import { LEDGER_HEADER_ROW, LEDGER_HEADERS, LEDGER_TITLE } from '../../src/report/ledger.ts';
import { DIALECTS } from '../support/stores.ts';
import { PASSWORD, webFixture, type WebFixture } from './web-fixture.ts';

describe.each(DIALECTS)('the 附件2 ledger export of the web console on %s', (dialect) => {
  let f: WebFixture;
  let petition: string;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-ledger');
    const r = await registerCase(f.deps, {
      source: 'petition', county: 'yanhu', complainant: { name: '刘女士', phone: '13912345678', email: null }, compound: '桃园小区', address: null, company: null,
      subject: '供暖不热', body: '桃园小区供暖不热，物业不处理。', receivedAt: f.clock.now().toISOString(), transfer: '运城市信访局 运信转〔2026〕15号',
      classification: { unit: 'housing', units: [{ unit: 'housing', score: 3 }], problem: null, urgent: false, triage: false, score: 3, matched: ['供暖'] },
    });
    if (!r.ok) throw new Error(r.error.message);
    petition = r.complaint.tracking;
  });
  afterAll(async () => {
    await f?.close();
  });

  let client = 0;
  async function login(user: string): Promise<string> {
    const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: user, password: PASSWORD }, remoteAddress: `10.8.0.${++client}` });
    expect(r.statusCode, r.body).toBe(303);
    return `wuye_sid=${r.cookies.find((x) => x.name === 'wuye_sid')!.value}`;
  }

  async function ledger(cookie: string, query: string) {
    const r = await f.app.inject({ method: 'GET', url: `/cases.xlsx?${query}`, headers: { cookie } });
    expect(r.statusCode, r.body).toBe(200);
    expect(String(r.headers['content-disposition'])).toContain(encodeURIComponent('附件2-登记办理台账'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const text = (row: number, col: number) => String(ws.getRow(row).getCell(col).value ?? '');
    const data: string[][] = [];
    for (let row = LEDGER_HEADER_ROW + 1; row <= ws.rowCount; row++) {
      // Data rows are numbered (序号); the 说明 note at the foot is not.
      if (/^\d+$/.test(text(row, 1))) data.push(LEDGER_HEADERS.map((_, i) => text(row, i + 1)));
    }
    return { ws, text, data };
  }

  it('offers 附件2 台账 beside the list export, keeping the filters', async () => {
    const desk = await login('desk');
    const page = await f.app.inject({ method: 'GET', url: `/cases?q=${encodeURIComponent('电梯')}`, headers: { cookie: desk } });
    expect(page.body).toContain('附件2 台账');
    expect(page.body).toMatch(/href="\/cases\.xlsx\?q=%E7%94%B5%E6%A2%AF&amp;layout=ledger"/);
  });

  it('writes the ledger title and headings, and the filtered cases only', async () => {
    const desk = await login('desk');
    const { text, data } = await ledger(desk, `q=${encodeURIComponent('电梯')}&layout=ledger`);
    expect(text(1, 1)).toBe(LEDGER_TITLE);
    expect(LEDGER_HEADERS.map((_, i) => text(LEDGER_HEADER_ROW, i + 1))).toEqual([...LEDGER_HEADERS]);
    expect(text(3, 1)).toContain('王芳'); // 填报人: the person exporting
    expect(data.length).toBe(1);
    expect(data[0]![0]).toBe('1');
    expect(data[0]![9]).toContain(f.cases.lift.tracking);
    expect(data[0]![2]).toContain('电梯坏了');
  });

  it('holds every case of the county in order of receipt, the transfer in 来源, and never another county', async () => {
    const desk = await login('desk');
    const { data } = await ledger(desk, 'layout=ledger');
    const notes = data.map((r) => r[9]!);
    expect(notes.map((n) => n.split('；')[0]).sort()).toEqual([f.cases.lift.tracking, f.cases.triage.tracking, petition].sort());
    expect(notes.join()).not.toContain(f.cases.yongji.tracking);
    expect(data.map((r) => r[0])).toEqual(['1', '2', '3']);
    const row = data.find((r) => r[9]!.startsWith(petition))!;
    expect(row[3]).toBe('信访部门转办（运城市信访局 运信转〔2026〕15号）');
  });

  it('audits a supervisor export with its layout', async () => {
    const jiwei = await login('jiwei');
    const { data } = await ledger(jiwei, 'county=yongji&layout=ledger');
    expect(data.map((r) => r[9]!.split('；')[0])).toEqual([f.cases.yongji.tracking]);
    const rows = await f.deps.db.selectFrom('complaint_event').select(['data', 'actor_login']).where('type', '=', 'viewed').where('actor_login', '=', 'jiwei').execute();
    expect(rows.some((r) => (JSON.parse(r.data ?? '{}') as { what?: string; layout?: string }).layout === 'ledger')).toBe(true);
  });
});
