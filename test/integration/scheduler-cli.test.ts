// `wuye report weekly --at … --out … [--send]` and `wuye report list`, in process, on both dialects: the files are
// written without sending; --send queues the period once and says so the second time; a period not yet due is
// refused; the list shows what was sent when.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { figuresSet, figuresShow, type FiguresSetOptions } from '../../src/cli/figures.ts';
import { reportCommand, reportList } from '../../src/cli/report.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { DEMO_CASES, seedDemo } from '../../scripts/make-samples.ts';
import { DIALECTS, openTestStore } from '../support/stores.ts';

async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await fn(), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe.each(DIALECTS)('wuye report on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let cfg: Config;
  let dir: string;

  beforeAll(async () => {
    store = await openTestStore(dialect, 'rcli');
    dir = mkdtempSync(path.join(tmpdir(), 'wuye-rcli-'));
    cfg = { ...loadConfig({ env: {} }), dataDir: dir, db: store.url };
    await syncReferenceData(store.db, cfg);
    await seedDemo(store.db, cfg, loadCalendar(cfg), DEMO_CASES);
  });

  afterAll(async () => {
    await store?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const weeklyRows = () => store.db.selectFrom('outbox').selectAll().where('idempotency_key', 'like', 'report:weekly:%').execute();

  it('writes the brief, both annexes and the chart for the period of --at, sending nothing', async () => {
    const out = path.join(dir, 'files');
    // Wednesday 25 Nov → the digest of Friday 20 Nov 12:00 (2026-W47): nine cases by then.
    const r = await captured(() => reportCommand(cfg, 'weekly', { at: '2026-11-25T10:00', out }));
    expect(r.code).toBe(0);
    expect(r.out).toContain('2026-W47');
    expect(r.out).toContain('台账9行');
    expect(readdirSync(out).sort()).toEqual(['受理情况图-2026-W47.png', '工作简报-2026-W47.html', '附件2-登记办理台账-2026-W47.xlsx', '附件3-情况汇总表-2026-W47.xlsx'].sort());
    const html = readFileSync(path.join(out, '工作简报-2026-W47.html'), 'utf8');
    expect(html).toContain(`src="${encodeURI('受理情况图-2026-W47.png')}"`); // the inline chart, pointed at its file
    expect(await weeklyRows()).toHaveLength(0);
  });

  it('--send queues the period once; the second time it says it was sent', async () => {
    const out = path.join(dir, 'send');
    const first = await captured(() => reportCommand(cfg, 'weekly', { at: '2026-11-20T12:00', out, send: true }));
    expect(first.code).toBe(0);
    expect(first.out).toContain('已写入发件队列 1 封');
    expect(await weeklyRows()).toHaveLength(1);
    const again = await captured(() => reportCommand(cfg, 'weekly', { at: '2026-11-21T09:00', out, send: true }));
    expect(again.code).toBe(0);
    expect(again.out).toContain('不再重复发送');
    expect(await weeklyRows()).toHaveLength(1);
  });

  it('refuses to send a period that is not due yet, and a bad --at', async () => {
    const future = await captured(() => reportCommand(cfg, 'weekly', { at: '2099-01-02T12:00', out: path.join(dir, 'future'), send: true }));
    expect(future.code).toBe(2);
    expect(future.err).toContain('尚未到');
    expect(existsSync(path.join(dir, 'future'))).toBe(false);
    const bad = await captured(() => reportCommand(cfg, 'weekly', { at: '2026-02-30', out: dir }));
    expect(bad.code).toBe(2);
    expect(await weeklyRows()).toHaveLength(1);
  });

  it('report list shows what was sent, when, and whether late', async () => {
    const r = await captured(() => reportList(cfg));
    expect(r.code).toBe(0);
    const line = r.out.split('\n').find((l) => l.startsWith('weekly'))!;
    expect(line.split('\t').slice(1, 2)).toEqual(['2026-W47']);
    expect(line.split('\t')[4]).toBe('是'); // sent after its Friday 12:00
    expect(line).toContain('台账9行');
  });

  it('wuye figures set/show: running totals per county as of a day; bad input refused; a smaller total is flagged', async () => {
    const now = new Date('2026-11-27T03:00:00Z'); // Friday 11:00 in Yuncheng
    const set = (o: FiguresSetOptions) => captured(() => figuresSet(cfg, o, now));
    const ok = await set({ county: '盐湖区', asOf: '2026-11-20', inspections: 3, orderedToRectify: 2, by: '李四' });
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('盐湖区 截至 2026-11-20');
    expect(ok.out).toContain('督导检查·督导检查次数 3');
    expect((await set({ county: 'yanhu', inspections: 2 })).err).toContain('3 → 2'); // as of today, 27 Nov
    expect((await set({ county: 'yongji', exposedCompanies: 1 })).code).toBe(0);

    const refused = [
      await set({ county: 'nowhere', inspections: 1 }),
      await set({ county: 'yanhu' }),
      await set({ county: 'yanhu', asOf: '2026-11-28', inspections: 1 }),
    ];
    expect(refused.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(refused.map((r) => r.err).join('\n')).toMatch(/未知县区[\s\S]*至少给出一项[\s\S]*不能晚于今天/);

    const show = async (at: string) => JSON.parse((await captured(() => figuresShow(cfg, { at, json: true }, now))).out);
    expect(await show('2026-11-19')).toEqual({ asOf: '2026-11-19', counties: {} });
    expect(await show('2026-11-20')).toEqual({ asOf: '2026-11-20', counties: { yanhu: { inspections: 3, orderedToRectify: 2 } } });
    expect(await show('2026-11-27')).toEqual({ asOf: '2026-11-27', counties: { yanhu: { inspections: 2, orderedToRectify: 2 }, yongji: { exposedCompanies: 1 } } });
    const table = (await captured(() => figuresShow(cfg, { at: '2026-11-27' }, now))).out.split('\n');
    expect(table.find((l) => l.startsWith('盐湖区\t'))).toBe('盐湖区\t2\t—\t—\t—\t—\t2\t—\t—\t—');
    const who = await store.db.selectFrom('summary_figure').select(['entered_by']).where('as_of', '=', '2026-11-20').execute();
    expect(who.map((r) => r.entered_by)).toEqual(['李四', '李四']);
  });
});
