// The company chain's human steps (000 附件 三(三)/(四)) on the real stores: a person records a fact — the survey's
// satisfaction, a refusal to fix, a credit rating, a refusal of the regraded fee — and the daily check turns it into
// the actions it triggers, each once, with its deadline. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeCompanyAction, recordCompanyFact, reopenCompanyAction, superviseCompany } from '../../src/cases/company.ts';
import { commit } from '../../src/cases/commit.ts';
import type { CaseDeps } from '../../src/cases/deps.ts';
import { prepareCompanies } from '../../src/cases/jobs.ts';
import type { Actor } from '../../src/domain.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { companyFacts, ensureCompany, findCompany, listCompanyActions } from '../../src/store/companies.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { syncReferenceData } from '../../src/store/reference.ts';
import { memoryLogger, testConfig } from '../support/service.ts';
import { DIALECTS, freshDatabaseUrl } from '../support/stores.ts';

const AT = new Date('2026-12-02T02:00:00Z'); // Wednesday 10:00 in Shanghai
const DESK: Actor = { kind: 'officer', officerId: 1, role: 'officer', unit: 'housing', county: 'yanhu', name: '张科员' };

describe.each(DIALECTS)('company facts on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let deps: CaseDeps;
  let now = AT;
  beforeAll(async () => {
    const db = await freshDatabaseUrl(dialect, 'facts');
    cleanup = db.cleanup;
    const cfg = testConfig({ db: db.url });
    store = await openStore(db.url);
    await syncReferenceData(store.db, cfg);
    deps = { cfg, db: store.db, cal: loadCalendar(cfg), clock: { now: () => now }, log: memoryLogger('warn').log, wakeOutbox: () => undefined };
  });
  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  const check = async (at: Date) => {
    const prepared = await prepareCompanies({ ...deps, owner: 'test' }, at);
    await commit(deps, (w) => prepared.write(w), at);
  };
  const actionsOf = async (id: number) => (await listCompanyActions(store.db, id)).map((a) => [a.type, a.due_at.slice(0, 10)]);

  it('refuses what cannot be recorded, and an unknown company', async () => {
    const id = await ensureCompany(store.db, '阳光物业', 'yanhu', AT.toISOString());
    expect(await recordCompanyFact(deps, { id }, { fact: 'survey', satisfaction: 120, surveyedOn: '2026-12-01', publicised: true }, DESK)).toMatchObject({ ok: false, message: expect.stringContaining('0–100') });
    expect(await recordCompanyFact(deps, { id }, { fact: 'survey', satisfaction: 50, surveyedOn: '2026-12-09', publicised: true }, DESK)).toMatchObject({ ok: false, message: expect.stringContaining('不能晚于今天') });
    expect(await recordCompanyFact(deps, { name: '不存在物业' }, { fact: 'refused-to-fix', on: true }, DESK)).toMatchObject({ ok: false, message: expect.stringContaining('未找到') });
    expect(await companyFacts(store.db, id)).toEqual([]);
  });

  it('a survey under 60 % triggers regrading (5 d) and the fee standard (5 d more); a refused fee the refund (90 d)', async () => {
    const id = await ensureCompany(store.db, '金色家园物业', 'yanhu', AT.toISOString());
    await check(AT);
    expect(await actionsOf(id)).toEqual([]);

    const r = await recordCompanyFact(deps, { name: '金色家园物业' }, { fact: 'survey', satisfaction: 55, surveyedOn: '2026-12-01', publicised: true }, DESK, '满意度调查报告 2026-12-01');
    expect(r).toMatchObject({ ok: true, company: '金色家园物业' });
    const row = await findCompany(store.db, { id });
    expect(row).toMatchObject({ satisfaction: 55, facts_at: AT.toISOString() });
    await check(AT);
    // Wed 2 Dec + 5 days → Mon 7 Dec; + 5 more → Sat 12 Dec, a rest day: the period ends on Mon 14 Dec.
    expect(await actionsOf(id)).toEqual([
      ['regrade', '2026-12-07'],
      ['fee-enforcement', '2026-12-14'],
    ]);

    now = new Date('2026-12-10T02:00:00Z');
    expect((await recordCompanyFact(deps, { id }, { fact: 'refused-fee', on: true }, DESK, '发改抄送：拒不执行')).ok).toBe(true);
    await check(now);
    const refund = (await listCompanyActions(store.db, id)).find((a) => a.type === 'refund-penalty');
    expect(refund).toBeDefined();
    // Each action once: a second check adds nothing.
    await check(now);
    expect((await listCompanyActions(store.db, id)).filter((a) => a.type === 'refund-penalty')).toHaveLength(1);

    // Who, when and the evidence stay: in the facts and in the audit trail.
    const facts = await companyFacts(store.db, id);
    expect(facts.map((f) => [f.fact, f.recorded_by, f.evidence])).toEqual([
      ['survey', '张科员', '满意度调查报告 2026-12-01'],
      ['refused-fee', '张科员', '发改抄送：拒不执行'],
    ]);
    const audit = await store.db.selectFrom('complaint_event').select(['type', 'data']).where('type', '=', 'company-fact').orderBy('id').execute();
    expect(audit.map((e) => JSON.parse(e.data!).fact)).toEqual(['survey', 'refused-fee']);
    now = AT;
  });

  it('an action is marked done and the mark taken back, both in the audit trail', async () => {
    const id = await ensureCompany(store.db, '红星物业', 'yanhu', AT.toISOString());
    await recordCompanyFact(deps, { id }, { fact: 'refused-to-fix', on: true }, DESK);
    await check(AT);
    const regrade = (await listCompanyActions(store.db, id)).find((a) => a.type === 'regrade')!;
    expect(await completeCompanyAction(deps, regrade.id, DESK)).toBe(true);
    expect(await reopenCompanyAction(deps, regrade.id, DESK, '核级结果被撤销，需重新核定')).toBe(true);
    expect(await reopenCompanyAction(deps, regrade.id, DESK)).toBe(false); // not done any more
    expect((await listCompanyActions(store.db, id)).find((a) => a.id === regrade.id)).toMatchObject({ done_at: null, done_by: null });
    const trail = await store.db.selectFrom('complaint_event').select(['type', 'data']).where('type', 'in', ['company-action-done', 'company-action-undone']).orderBy('id').execute();
    expect(trail.filter((e) => JSON.parse(e.data!).actionId === regrade.id).map((e) => e.type)).toEqual(['company-action-done', 'company-action-undone']);
  });

  it('挂牌督办 of a company: on the key-supervision ledger with its reason, once, audited', async () => {
    const id = await ensureCompany(store.db, '紫金物业', 'yanhu', AT.toISOString());
    expect(await superviseCompany(deps, { id }, '  ', DESK)).toMatchObject({ ok: false });
    expect(await superviseCompany(deps, { name: '紫金物业' }, '多次拒不整改消防隐患', DESK)).toMatchObject({ ok: true, company: '紫金物业' });
    expect(await superviseCompany(deps, { id }, '再次', DESK)).toMatchObject({ ok: false, message: '该企业已挂牌督办' });
    expect(await findCompany(store.db, { id })).toMatchObject({ key_supervision: 1 });
    const actions = await listCompanyActions(store.db, id);
    expect(actions.map((a) => [a.type, a.rule, a.reason])).toEqual([['key-supervision', '正文 四(四)', '挂牌督办：多次拒不整改消防隐患']]);
    const audit = await store.db.selectFrom('complaint_event').select('type').where('type', '=', 'company-supervised').execute();
    expect(audit.length).toBeGreaterThan(0);
  });

  it('a refusal to fix and a low credit rating are recorded and undone', async () => {
    const id = await ensureCompany(store.db, '蓝天物业', 'yanhu', AT.toISOString());
    await recordCompanyFact(deps, { id }, { fact: 'credit', level: 'D', low: true }, DESK, '信用平台查询截图');
    await recordCompanyFact(deps, { id }, { fact: 'refused-to-fix', on: true }, DESK);
    expect(await findCompany(store.db, { id })).toMatchObject({ credit_low: 1, refused_to_fix: 1 });
    await check(AT);
    // Low credit → the survey (10 d); refusal → regrading and the fee standard.
    expect((await actionsOf(id)).map(([t]) => t)).toEqual(['survey', 'regrade', 'fee-enforcement']);
    await recordCompanyFact(deps, { id }, { fact: 'refused-to-fix', on: false }, DESK, '已整改到位');
    expect(await findCompany(store.db, { id })).toMatchObject({ refused_to_fix: 0 });
  });
});
