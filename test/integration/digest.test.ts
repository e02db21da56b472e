// The Friday 12:00 digest end to end, on SQLite and PostgreSQL: seeded cases (registered through the workflow and
// moved by named officers) → the scheduler → the outbox → the real OutboxWorker → nodemailer over SMTP → the sink.
// The mail arrives once with annex 2 and annex 3 as XLSX and the chart inline; both sheets are opened with exceljs
// and every header cell, every merge and the figures are checked against the seed text and the seeded cases.
// Then: a missed Friday caught up once on start (late), a restart around 12:00, two schedulers at once, and a
// worker killed between claiming and sending — each yields exactly one digest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { SOURCE_NAMES, UNIT_NAMES, type Case } from '../../src/domain.ts';
import { createLogger } from '../../src/log.ts';
import { createMailSender } from '../../src/outbox/mailer.ts';
import { OutboxWorker } from '../../src/outbox/worker.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { startScheduler, type RunOutcome } from '../../src/scheduler/index.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { recordFigures, type FigureInput } from '../../src/store/figures.ts';
import * as outbox from '../../src/store/outbox.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { DEMO_CASES, seedDemo } from '../../scripts/make-samples.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../support/smtp-sink.ts';
import { DIALECTS, openTestStore } from '../support/stores.ts';

const log = createLogger({ level: 'silent' });
const sh = (wall: string) => new Date(`${wall}+08:00`);

// ─── What the seed documents say the sheets look like ──────────────────────────────────────────────────────────

// 004 附件2, verbatim.
const LEDGER_TITLE = '整治物业服务不履约不到位、侵占业主利益等问题和建立完善物业企业退出机制专项行动登记办理台账';
const LEDGER_HEADERS = ['序号', '投诉(举报)人及联系方式', '问题和舆情简要内容', '来源', '受理和收到时间', '承办科室', '办理进展和结果', '是否办结', '受理人', '备注'];
const LEDGER_NOTE =
  '说明：1.该表每周五上午 12 点前报送一次，填专项行动开展以来的相关情况。2.“来源”包括本领域来信来访来电、信访部门的转办问题、12345 政务服务服务热线转办件等。';

// 004 附件3: the flattened table read column by column (33 columns, a four-row header under the title).
const SUMMARY_TITLE = '整治物业服务不履约不到位、侵占业主利益等问题和建立完善物业企业退出机制情况汇总表';
const SUMMARY_NOTE = '说明：1.本表由县级主管部门汇总后统一填报，数据为逐月累计数；2.“曝光企业”请附上典型案例；3.每周五上午12点前向市局报送工作台账；4.邮箱 fckwy222907@163.com';
/** [merge range or single cell, text] of every header cell. */
const SUMMARY_HEADER: [string, string][] = [
  ['A2:A5', '县域'],
  ['B2:K2', '排查情况'],
  ['L2:T2', '整改情况'],
  ['U2:Y2', '查处情况'],
  ['Z2:AC2', '督导检查情况'],
  ['AD2:AG2', '投诉举报受理情况'],
  ['B3:C3', '全面排查'],
  ['D3:K3', '排查存在问题情况涉及小区数'],
  ['L3:L5', '完成整改小区数'],
  ['M3:T3', '各类问题整改情况涉及小区数'],
  ['U3:U5', '责令整改小区数'],
  ['V3:V5', '重新核级小区数'],
  ['W3:W5', '行政处罚企业数'],
  ['X3:X5', '物业服务退出小区数'],
  ['Y3:Y5', '媒体曝光企业数'],
  ['Z3:Z5', '督导检查次数'],
  ['AA3:AA5', '督导检查小区数'],
  ['AB3:AB5', '发现问题小区数'],
  ['AC3:AC5', '完成整改小区数'],
  ['AD3:AE3', '市级受理'],
  ['AF3:AG3', '接收省厅转办'],
  ['B4:B5', '涉及企业数'],
  ['C4:C5', '排查存在问题小区总数'],
  ['D4:G4', '物业服务不履约不到位行为'],
  ['H4:J4', '物业服务企业侵害业主利益行为'],
  ['K4:K5', '其他违法违规行为'],
  ['M4:P4', '物业服务不履约不到位行为'],
  ['Q4:S4', '物业服务企业侵害业主利益行为'],
  ['T4:T5', '其他违法违规行为'],
  ['AD4:AD5', '受理件数'],
  ['AE4:AE5', '办结件数'],
  ['AF4:AF5', '受理件数'],
  ['AG4:AG5', '办结件数'],
  // 排查 piece: the full names, as printed (未公示公共收支收益情况 included).
  ['D5', '未按照合同约定提供服务'],
  ['E5', '未履行信息公开和报告义务'],
  ['F5', '未按照合同约定提供安全防范工作'],
  ['G5', '未履行物业服务企业的移交义务'],
  ['H5', '擅自利用小区公共部位经营'],
  ['I5', '未公示公共收支收益情况'],
  ['J5', '违规侵占小区公共收益'],
  // 整改 piece: the shortened names, as printed.
  ['M5', '未按照合同约定提供服务'],
  ['N5', '未履行信息公开报告义务'],
  ['O5', '未按照合同约定安全防范工作'],
  ['P5', '未履行物业企业的移交义务'],
  ['Q5', '擅自占用公共部位经营'],
  ['R5', '未公示公共收益情况'],
  ['S5', '违规侵占公共收益'],
];

// ─── What the seeded cases must add up to (worked out by hand from DEMO_CASES) ─────────────────────────────────

// Columns B…AG: 企业, 问题小区, 7 types + 其他 | 完成整改, 7 types + 其他 | 5 查处 | 4 督导 | 市级受理/办结, 省厅受理/办结.
const ZERO9 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
const SUMMARY_FIGURES: Record<string, number[]> = {
  // 凤凰小区 (cases 1 closed, 2 open, 7 open) and 盐湖花园 (3 closed, 4 open); 阳光城 (5) found unsubstantiated; 6 has no type.
  // 查处 and 督导 of 盐湖区 and 永济市 were entered by hand (beforeAll); 河津市's entry is dated after the digest.
  盐湖区: [2, 2, /* types */ 1, 0, 1, 1, 1, 1, 0, 0, /* rectified */ 0, 1, 0, 0, 0, 1, 0, 0, 0, /* 查处 */ 2, 2, 0, 0, 0, /* 督导 */ 5, 4, 0, 0, /* received */ 7, 3, 0, 0],
  // 舜都小区 (8 closed, 9 open), 蒲州苑 (10 closed, 11 closed — 11 from the province).
  永济市: [1, 2, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 2, 1, 1],
  // 龙门小区 (12 closed, 13 open, both 未按照合同约定提供服务), 汾阳小区 (14 closed, no company, from the province).
  河津市: [1, 2, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, ...ZERO9, 2, 1, 1, 1],
};

// Annex 2 rows in receipt order: [demo case, 受理人, 是否办结]. Cases 15 (before the campaign) and 16 (after 12:00) are out.
const LEDGER_ORDER: [number, string, '是' | '否'][] = [
  [5, '王芳', '是'],
  [12, '周敏', '是'],
  [11, '赵磊', '是'],
  [8, '赵磊', '是'],
  [7, '陈静', '否'],
  [1, '王芳', '是'],
  [10, '孙伟', '是'],
  [2, '王芳', '否'],
  [14, '周敏', '是'],
  [3, '王芳', '是'],
  [9, '赵磊', '否'],
  [4, '', '否'],
  [13, '吴刚', '否'],
  [6, '', '否'],
];

// ─── Helpers ───────────────────────────────────────────────────────────────────────────────────────────────────

function cellText(ws: ExcelJS.Worksheet, address: string): string {
  const v = ws.getCell(address).value;
  return v === null || v === undefined ? '' : String(v);
}

function mergesOf(ws: ExcelJS.Worksheet): string[] {
  return [...(ws.model as unknown as { merges: string[] }).merges].sort();
}

async function sheetOf(content: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(content as unknown as ArrayBuffer);
  expect(wb.worksheets).toHaveLength(1);
  return wb.worksheets[0]!;
}

const isDigest = (m: SinkMessage) => (m.parsed?.subject ?? '').startsWith('【工作简报】');
const digestOf = (label: string) => (m: SinkMessage) => isDigest(m) && m.parsed!.subject!.includes(label);

describe.each(DIALECTS)('the Friday digest on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let sink: SmtpSink;
  let cfg: Config;
  let dataDir: string;
  let seeded: Map<number, Case>;
  const cal = loadCalendar(loadConfig({ env: {} }));

  beforeAll(async () => {
    store = await openTestStore(dialect, 'digest');
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'wuye-digest-'));
    const base = loadConfig({ env: {} });
    cfg = {
      ...base,
      dataDir,
      db: store.url,
      mail: { from: base.mail.from, smtp: { host: sink.host, port: sink.port, secure: false, rejectUnauthorized: false } },
      reports: { ...base.reports, filler: '张三' },
    };
    await syncReferenceData(store.db, cfg);
    seeded = await seedDemo(store.db, cfg, cal, DEMO_CASES);
    // Annex 3's hand-entered figures (wuye figures set): the W48 digest (Friday 27 Nov) takes, per county and
    // figure, the latest entry as of 27 Nov — a same-day correction wins, an entry dated after it is left out.
    const enter = (county: string, asOf: string, values: FigureInput['values']) =>
      recordFigures(store.db, { county, asOf, values, enteredBy: '测试', enteredAt: `${asOf}T02:00:00.000Z` });
    await enter('yanhu', '2026-11-20', { orderedToRectify: 2, inspections: 3 });
    await enter('yanhu', '2026-11-26', { inspections: 5, inspectedCompounds: 4, regraded: 1 });
    await enter('yanhu', '2026-11-26', { regraded: 2 });
    await enter('yongji', '2026-11-27', { exposedCompanies: 1 });
    await enter('hejin', '2026-11-30', { penalisedCompanies: 9 });
  });

  afterAll(async () => {
    await sink?.close();
    await store?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function scheduler(clock: ReturnType<typeof fixedClock>, db = store.db, owner = 'test') {
    return startScheduler({ cfg, db, log, clock, cal, owner, wakeOutbox: () => undefined, timers: false });
  }

  function worker(id: string, clock: ReturnType<typeof fixedClock>) {
    return new OutboxWorker({ db: store.db, log, clock, workerId: id, mail: createMailSender(cfg, {}) });
  }

  /** Delivers everything that is due, as the worker loop would. */
  async function drain(w: OutboxWorker): Promise<void> {
    for (let i = 0; i < 50 && (await w.drainOnce()) > 0; i++);
  }

  async function digestRows(period: string) {
    return store.db.selectFrom('outbox').selectAll().where('idempotency_key', 'like', `report:weekly:${period}:%`).execute();
  }

  const outcome = (rs: RunOutcome[], job: string) => rs.find((r) => r.job === job)!;

  it('a Friday missed while the service was down is caught up once on start, marked late, and arrives once', async () => {
    // The service ran on Thursday, then was down over Friday 12:00.
    const clock = fixedClock(sh('2026-11-26T10:00'));
    const first = scheduler(clock);
    expect(outcome(await first.ready, 'weekly').status).toBe('not-due'); // the 20 Nov digest predates the installation
    await first.stop();

    clock.set(sh('2026-11-28T09:00'));
    const second = scheduler(clock);
    const caughtUp = outcome(await second.ready, 'weekly');
    expect(caughtUp).toMatchObject({ status: 'done', period: '2026-W48', late: true, rows: 1 });
    await second.stop();

    clock.set(sh('2026-11-28T09:30'));
    const third = scheduler(clock);
    expect(outcome(await third.ready, 'weekly')).toMatchObject({ status: 'already-done', period: '2026-W48' });
    await third.stop();

    const run = await store.db.selectFrom('job_run').selectAll().where('job', '=', 'weekly').execute();
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ period_key: '2026-W48', late: 1 });
    expect(await digestRows('2026-W48')).toHaveLength(1);

    const w = worker('w1', clock);
    await drain(w);
    const got = sink.messages.filter(isDigest);
    expect(got).toHaveLength(1);
    expect(got[0]!.to).toEqual(['fckwy2222907@163.com']); // 004 五(五)'s spelling is the default
    expect(got[0]!.parsed!.subject).toBe('【工作简报】运城市物业投诉举报受理情况（2026年11月20日—11月27日）');
  });

  it('carries annex 2, annex 3 and the chart inline', async () => {
    const mail = sink.messages.find(isDigest)!.parsed!;
    const names = mail.attachments.map((a) => a.filename).sort();
    expect(names).toEqual(['受理情况图-2026-W48.png', '附件2-登记办理台账-2026-W48.xlsx', '附件3-情况汇总表-2026-W48.xlsx'].sort());
    const chart = mail.attachments.find((a) => a.contentType === 'image/png')!;
    expect(chart.cid).toBe('chart');
    expect(chart.content.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(chart.content.length).toBeGreaterThan(10_000);
    // The body points at the chart by Content-ID; mailparser resolves cid:chart to the inline part's data.
    expect(mail.html).toContain('<img src="data:image/png;base64,');
    expect(sink.messages.find(isDigest)!.raw.toString('latin1')).toMatch(/Content-ID: <chart>/i);
    // Brief figures: 14 cases since the campaign start; this week (20 Nov 12:00 – 27 Nov 12:00) cases 3, 4, 6, 9, 13
    // received, 3, 10, 14 closed; open and past a deadline: 2 (close 17 Nov) and 7 (close 22 Oct).
    const text = mail.text!;
    expect(text).toContain('新受理物业投诉举报5件，办结3件');
    expect(text).toContain('累计受理14件，办结8件');
    expect(text).toContain('其中超期未办结2件');
    expect(text).not.toContain('13935901234'); // the brief masks complainants
  });

  it('annex 2 has the seed layout and one row per case since the campaign start, in receipt order', async () => {
    const mail = sink.messages.find(isDigest)!.parsed!;
    const ws = await sheetOf(mail.attachments.find((a) => a.filename!.startsWith('附件2'))!.content);
    expect(cellText(ws, 'A1')).toBe(LEDGER_TITLE);
    expect(cellText(ws, 'A2')).toBe('单位（盖章）：运城市住房和城乡建设局');
    expect(cellText(ws, 'A3')).toBe('填报人：张三'); // a person (reports.filler), not the system
    expect(cellText(ws, 'A4')).toBe('填报时间：2026 年 11 月 27 日');
    expect(LEDGER_HEADERS.map((_, i) => cellText(ws, `${String.fromCharCode(65 + i)}5`))).toEqual(LEDGER_HEADERS);
    const last = 5 + LEDGER_ORDER.length;
    expect(mergesOf(ws)).toEqual(['A1:J1', 'A2:J2', 'A3:J3', 'A4:J4', `A${last + 1}:J${last + 1}`].sort());
    expect(cellText(ws, `A${last + 1}`)).toBe(LEDGER_NOTE);
    expect(ws.rowCount).toBe(last + 1);

    LEDGER_ORDER.forEach(([no, officer, closed], i) => {
      const r = 6 + i;
      const demo = DEMO_CASES.find((d) => d.no === no)!;
      const c = seeded.get(no)!;
      expect(ws.getCell(`A${r}`).value, `row ${r}`).toBe(i + 1);
      expect(cellText(ws, `B${r}`)).toBe([demo.name, demo.phone, demo.email].filter(Boolean).join('\n') || '匿名');
      expect(cellText(ws, `C${r}`)).toContain(demo.subject);
      expect(cellText(ws, `D${r}`)).toBe(SOURCE_NAMES[demo.source]);
      expect(cellText(ws, `E${r}`)).toBe(demo.receivedAt.replace('T', ' '));
      expect(cellText(ws, `F${r}`)).toBe(demo.unit ? UNIT_NAMES[demo.unit] : '');
      expect(cellText(ws, `H${r}`)).toBe(closed);
      expect(cellText(ws, `I${r}`)).toBe(officer);
      expect(cellText(ws, `J${r}`).split('；')[0]).toBe(c.tracking);
    });
    // 办理进展和结果: the result when there is one, else the latest progress in the officer's words (case 2).
    expect(cellText(ws, `G${6 + LEDGER_ORDER.findIndex(([n]) => n === 2)}`)).toBe('办理中；最新进展（2026-11-12）：已约谈物业，要求提供公共收益台账');
    expect(cellText(ws, `G${6 + LEDGER_ORDER.findIndex(([n]) => n === 1)}`)).toContain('已督促物业完成清运并建立日清制度');
    // Flags in 备注: 13 is a danger case, 7 is under supervision.
    expect(cellText(ws, `J${6 + LEDGER_ORDER.findIndex(([n]) => n === 13)}`)).toContain('危及房屋使用和人身安全');
    expect(cellText(ws, `J${6 + LEDGER_ORDER.findIndex(([n]) => n === 7)}`)).toContain('挂牌督办');
  });

  it('annex 3 has every header cell and merge of the seed and the seeded figures per county', async () => {
    const mail = sink.messages.find(isDigest)!.parsed!;
    const ws = await sheetOf(mail.attachments.find((a) => a.filename!.startsWith('附件3'))!.content);
    expect(cellText(ws, 'A1')).toBe(SUMMARY_TITLE);
    for (const [range, text] of SUMMARY_HEADER) expect(cellText(ws, range.split(':')[0]!), range).toBe(text);

    const counties = cfg.counties.map((k) => k.name);
    const dataRows = counties.length + 1; // + 合计
    const noteRow = 5 + dataRows + 1;
    const expectedMerges = ['A1:AG1', ...SUMMARY_HEADER.filter(([r]) => r.includes(':')).map(([r]) => r), `A${noteRow}:AG${noteRow}`];
    expect(mergesOf(ws)).toEqual(expectedMerges.sort());
    expect(cellText(ws, `A${noteRow}`)).toBe(SUMMARY_NOTE);

    const figures = (r: number) => Array.from({ length: 32 }, (_, i) => ws.getRow(r).getCell(i + 2).value);
    const total = Array(32).fill(0) as number[];
    counties.forEach((name, i) => {
      const r = 6 + i;
      expect(cellText(ws, `A${r}`)).toBe(name);
      const want = SUMMARY_FIGURES[name] ?? Array(32).fill(0);
      expect(want).toHaveLength(32);
      expect(figures(r), name).toEqual(want);
      want.forEach((v, j) => (total[j] += v));
    });
    expect(cellText(ws, `A${6 + counties.length}`)).toBe('合计');
    expect(figures(6 + counties.length)).toEqual(total);
    expect(total[29]! + total[31]!).toBe(8); // closed cases, city + province: 1, 3, 5, 8, 10, 11, 12, 14
  });

  it('restarting around the send time (Friday 11:30, before noon) yields one digest', async () => {
    const clock = fixedClock(sh('2026-12-04T11:29:30'));
    const before = scheduler(clock, store.db, 'a');
    await before.ready;
    expect(await digestRows('2026-W49')).toHaveLength(0); // not yet
    clock.set(sh('2026-12-04T11:30:00'));
    expect(outcome(await before.runDue(), 'weekly')).toMatchObject({ status: 'done', period: '2026-W49', late: false });
    clock.set(sh('2026-12-04T11:30:20'));
    await before.stop();
    const after = scheduler(clock, store.db, 'b');
    expect(outcome(await after.ready, 'weekly').status).toBe('already-done');
    clock.set(sh('2026-12-04T11:40:00'));
    expect(outcome(await after.runDue(), 'weekly').status).toBe('already-done');
    await after.stop();
    expect(await digestRows('2026-W49')).toHaveLength(1);
  });

  it('two schedulers started at once (two processes on one database) yield one digest', async () => {
    const other: Store = await openStore(store.url);
    try {
      const clock = fixedClock(sh('2026-12-11T12:00:05'));
      const [a, b] = [scheduler(clock, store.db, 'p1'), scheduler(clock, other.db, 'p2')];
      const outcomes = (await Promise.all([a.ready, b.ready])).map((rs) => outcome(rs, 'weekly').status).sort();
      expect(outcomes).toEqual(['already-done', 'done']);
      await Promise.all([a.stop(), b.stop()]);
      expect(await digestRows('2026-W50')).toHaveLength(1);
      const runs = await store.db.selectFrom('job_run').selectAll().where('job', '=', 'weekly').where('period_key', '=', '2026-W50').execute();
      expect(runs).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('a worker killed between claiming the digest and sending it: the next worker sends it once', async () => {
    const clock = fixedClock(sh('2026-12-18T12:00:00'));
    await drain(worker('w-earlier', clock)); // the earlier Fridays go first (one recipient's mail leaves in order)
    const s = scheduler(clock);
    expect(outcome(await s.ready, 'weekly')).toMatchObject({ status: 'done', period: '2026-W51' });
    await s.stop();
    const [row] = await digestRows('2026-W51');

    // Worker A takes the rows with a 60 s lease and dies before sending.
    const claimed = await outbox.claim(store.db, 'killed-worker', clock.now().toISOString(), 60_000, 20);
    expect(claimed.map((r) => r.id)).toContain(row!.id);

    clock.set(sh('2026-12-18T12:00:30'));
    const b = worker('w2', clock);
    await drain(b);
    expect(sink.messages.filter(digestOf('12月18日'))).toHaveLength(0); // still leased to the dead worker

    clock.set(sh('2026-12-18T12:01:10'));
    await drain(b);
    await drain(worker('w3', clock));
    expect(sink.messages.filter(digestOf('12月11日—12月18日'))).toHaveLength(1);
    const sent = await store.db.selectFrom('outbox').select(['sent_at', 'attempts']).where('id', '=', row!.id).executeTakeFirstOrThrow();
    expect(sent.sent_at).not.toBeNull();
  });

  it('in the end every Friday arrived exactly once', async () => {
    const clock = fixedClock(sh('2026-12-18T12:05:00'));
    await drain(worker('w4', clock));
    const labels = ['11月20日—11月27日', '11月27日—12月4日', '12月4日—12月11日', '12月11日—12月18日'];
    expect(labels.map((l) => sink.messages.filter(digestOf(l)).length)).toEqual([1, 1, 1, 1]);
    expect(sink.messages.filter(isDigest)).toHaveLength(4);
    expect(await outbox.pendingCount(store.db)).toBe(0);
  });
});
