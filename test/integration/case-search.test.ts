// The console's case list on both dialects: scope, every filter, the order and the page, and free-text search in
// Chinese (two-character words, one character, words longer than a bigram, not the reversed pair), tracking
// numbers, phones and e-mails; a case's new company name is found once it is saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUSES, type Case, type Status, type UnitCode } from '../../src/domain.ts';
import { casesOfUnits, countByReceiptSpans, countCases, countCasesBy, searchCases, type CaseQuery } from '../../src/store/case-search.ts';
import { findById, insertCase, saveCase, type NewCase } from '../../src/store/cases.ts';
import { sql } from 'kysely';
import { inTransaction, openStore } from '../../src/store/db.ts';
import { KEY_OF_ROW_SQL, textKey } from '../../src/store/case-text.ts';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.ts';
import { NEXT_DUE_SQL } from '../../src/store/migrations/0014_case_search.ts';
import { nextDueSql, nextRunningDeadline } from '../../src/store/running-deadlines.ts';
import { due } from '../../src/workflow/complaint.ts';
import { DIALECTS, freshDatabaseUrl, openTestStore } from '../support/stores.ts';

const NOW = '2026-11-20T04:00:00.000Z';
const PAST = '2026-11-18T16:00:00.000Z';
const SOON = '2026-11-25T16:00:00.000Z';
const LATER = '2026-12-05T16:00:00.000Z';

function newCase(over: Partial<NewCase>): NewCase {
  return {
    county: 'yanhu', source: 'email', status: 'triage', unit: null, problem: null, urgent: false, complex: false, supervised: false,
    complainant: { name: null, phone: null, email: null }, compound: null, address: null, company: null,
    subject: '投诉', body: '', classification: null, receivedAt: NOW, assignedAt: null, acceptedAt: null, resolvedAt: null,
    writtenOffAt: null, finding: null, result: null, deadlines: {}, extension: null, extended: false, penaltyExtended: false, coUnits: [],
    ...over,
  };
}

describe.each(DIALECTS)('case search on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  const ids: Record<string, number> = {};
  const trackings: Record<string, string> = {};
  let companyId = 0;

  const search = (q: Partial<CaseQuery>) => searchCases(store.db, { now: NOW, ...q });
  const found = async (q: Partial<CaseQuery>) => (await search({ pageSize: 200, ...q })).items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id)).sort();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'case-search');
    companyId = (
      await store.db
        .insertInto('company')
        .values({ name: '恒信物业服务有限公司', county: 'yanhu', key_supervision: 0, refused_to_fix: 0, credit_low: 0, created_at: NOW })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const cases: Record<string, [NewCase, number | null]> = {
      lift: [
        newCase({
          subject: '电梯坏了', body: '小区电梯经常停运，漏水严重。<script>alert("x")</script> 请处理', compound: '阳光花园', address: '3号楼2单元',
          company: '恒信物业服务有限公司', complainant: { name: '王丽', phone: '13812345678', email: 'wang.li@163.com' },
          status: 'assigned', unit: 'housing', receivedAt: '2026-11-01T02:00:00.000Z', deadlines: { transfer: PAST, close: PAST },
        }),
        companyId,
      ],
      roof: [
        newCase({
          subject: '楼顶漏水', body: '楼顶漏水，家里墙面发霉，水严重超标', compound: '锦绣华庭', status: 'in_progress', unit: 'fire', coUnits: ['police'],
          urgent: true, receivedAt: '2026-11-05T02:00:00.000Z', deadlines: { close: SOON },
        }),
        null,
      ],
      fee: [
        newCase({
          county: 'yongji', subject: '物业费', body: '物业费收费不合理，没有公示公共收益', source: '12345', status: 'triage',
          receivedAt: '2026-11-10T02:00:00.000Z', deadlines: { transfer: PAST },
        }),
        null,
      ],
      old: [
        newCase({
          subject: '电梯维修', body: '电梯 维修 已完成', status: 'written_off', unit: 'housing', receivedAt: '2026-10-01T02:00:00.000Z',
          deadlines: { close: '2026-10-08T16:00:00.000Z' },
        }),
        null,
      ],
      watched: [
        newCase({
          subject: '停车位', body: '公共车位被物业出租', status: 'resolved', unit: 'housing', supervised: true, receivedAt: '2026-11-12T02:00:00.000Z',
          deadlines: { close: PAST, progress: LATER },
        }),
        null,
      ],
    };
    for (const [key, [c, company]] of Object.entries(cases)) {
      const created = await inTransaction(store.db, async (tx) => {
        const n = Object.keys(ids).length + 1;
        const prefix = c.county === 'yongji' ? 'YJ' : 'YH';
        return insertCase(tx, c, `${prefix}-2026-${String(n).padStart(6, '0')}`, NOW, { companyId: company });
      });
      ids[key] = created.id;
      trackings[key] = created.tracking;
    }
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('computes a case’s text-index key in SQL as textKey does, and as the index holds it (SQLite)', async () => {
    if (dialect !== 'sqlite') return;
    // Compared in SQL: the keys (~4.6·10¹⁷) are beyond a JavaScript number's exact integers.
    const rows = (await sql<{ id: number; received_at: string; indexed: number }>`
      SELECT complaint.id, complaint.received_at, (SELECT count(*) FROM complaint_text WHERE rowid = ${sql.raw(KEY_OF_ROW_SQL)}) AS indexed
      FROM complaint`.execute(store.db)).rows;
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(Number(r.indexed)).toBe(1);
      const same = await sql<{ same: number }>`SELECT ${sql.raw(KEY_OF_ROW_SQL)} = ${textKey(r.id, r.received_at)} AS same FROM complaint WHERE id = ${r.id}`.execute(store.db);
      expect(same.rows[0]!.same).toBe(1);
    }
    // Fractions of a second are dropped as textKey drops them.
    const at = '2026-11-20T04:00:00.999Z';
    const frac = KEY_OF_ROW_SQL.replaceAll('complaint.received_at', `'${at}'`).replaceAll('complaint.id', '7');
    expect((await sql<{ same: number }>`SELECT ${sql.raw(frac)} = ${textKey(7, at)} AS same`.execute(store.db)).rows[0]!.same).toBe(1);
    expect((await sql<{ same: number }>`SELECT ${sql.raw(frac)} = ${textKey(7, at) + 1n} AS same`.execute(store.db)).rows[0]!.same).toBe(0);
  });

  it('finds two-character words, and every word of several', async () => {
    expect(await found({ text: '电梯' })).toEqual(['lift', 'old']);
    expect(await found({ text: '漏水' })).toEqual(['lift', 'roof']);
    expect(await found({ text: '电梯 漏水' })).toEqual(['lift']);
    expect(await found({ text: '  电梯　 维修 ' })).toEqual(['old']);
  });

  it('finds one character, at the start, inside and at the end of a run of Chinese', async () => {
    expect(await found({ text: '霉' })).toEqual(['roof']);
    expect(await found({ text: '墙' })).toEqual(['roof']);
    expect(await found({ text: '梯' })).toEqual(['lift', 'old']);
  });

  it('finds a four-character word only where its characters stand together, and not the reversed pair', async () => {
    expect(await found({ text: '漏水严重' })).toEqual(['lift']);
    expect(await found({ text: '经常停运' })).toEqual(['lift']);
    expect(await found({ text: '电梯漏水' })).toEqual([]);
    expect(await found({ text: '梯电' })).toEqual([]);
    expect(await found({ text: '严重漏水' })).toEqual([]);
  });

  it('finds a tracking number, a phone, an e-mail, a name, a compound and an address', async () => {
    expect(await found({ text: trackings.lift })).toEqual(['lift']);
    expect(await found({ text: trackings.lift!.toLowerCase() })).toEqual(['lift']);
    expect(await found({ text: '13812345678' })).toEqual(['lift']);
    expect(await found({ text: '1381234' })).toEqual(['lift']);
    expect(await found({ text: 'wang.li@163.com' })).toEqual(['lift']);
    expect(await found({ text: '王丽' })).toEqual(['lift']);
    expect(await found({ text: '锦绣华庭' })).toEqual(['roof']);
    expect(await found({ text: '3号楼' })).toEqual(['lift']);
    expect(await found({ text: '恒信物业' })).toEqual(['lift']);
  });

  it('takes markup and search syntax in the text as plain text', async () => {
    expect(await found({ text: 'alert' })).toEqual(['lift']);
    expect(await found({ text: '<script>alert("x")</script>' })).toEqual(['lift']);
    for (const text of ['"', '电梯" OR "漏水', '* AND NOT', '(', "'; drop table complaint; --", '%', '_', '\\', '：，。']) {
      const r = await search({ text });
      expect(r.total, text).toBe(r.items.length);
    }
    expect(await found({ text: '电梯" OR "漏水' })).toEqual([]);
    const lift = (await search({ text: '电梯坏了' })).items[0]!;
    expect(lift.subject).toBe('电梯坏了');
  });

  it('keeps to the user’s scope: counties, and a unit’s own cases as lead or co-handling unit', async () => {
    expect(await found({ counties: ['yongji'] })).toEqual(['fee']);
    expect(await found({ counties: [] })).toEqual([]);
    expect(await found({ counties: null })).toEqual(['fee', 'lift', 'old', 'roof', 'watched']);
    expect(await found({ ownUnit: 'police' })).toEqual(['roof']);
    expect(await found({ ownUnit: 'fire' })).toEqual(['roof']);
    expect(await found({ ownUnit: 'fire', counties: ['yongji'] })).toEqual([]);
    expect(await found({ text: '漏水', counties: ['yanhu'], ownUnit: 'housing' })).toEqual(['lift']);
  });

  it('applies each filter', async () => {
    expect(await found({ county: 'yanhu' })).toEqual(['lift', 'old', 'roof', 'watched']);
    expect(await found({ unit: 'housing' })).toEqual(['lift', 'old', 'watched']);
    expect(await found({ unit: 'none' })).toEqual(['fee']);
    expect(await found({ status: ['triage', 'in_progress'] })).toEqual(['fee', 'roof']);
    expect(await found({ status: [] })).toHaveLength(5);
    // Running clocks only: the written-off case's and the resolved case's close deadlines have passed but stopped.
    expect(await found({ overdue: true })).toEqual(['fee', 'lift']);
    expect(await found({ urgent: true })).toEqual(['roof']);
    expect(await found({ source: '12345' })).toEqual(['fee']);
    expect(await found({ companyId })).toEqual(['lift']);
    expect(await found({ compound: '花园' })).toEqual(['lift']);
    expect(await found({ receivedFrom: '2026-11-05T02:00:00.000Z', receivedTo: '2026-11-12T02:00:00.000Z' })).toEqual(['fee', 'roof']);
  });

  it('counts without a page what the list counts, and the overdue cases by lead unit in one pass', async () => {
    const queries: Partial<CaseQuery>[] = [
      {},
      { overdue: true },
      { overdue: true, unit: 'housing' },
      { overdue: true, unit: 'none' },
      { overdue: true, county: 'yongji' },
      { receivedFrom: '2026-11-01T00:00:00.000Z', receivedTo: '2026-11-11T00:00:00.000Z', status: ['triage', 'assigned'] },
      { receivedFrom: '2026-11-01T00:00:00.000Z', unit: 'housing', status: ['assigned', 'resolved'] },
      { urgent: true, status: ['in_progress'] },
      { counties: ['yanhu'], ownUnit: 'police' },
      { counties: [] },
      { text: '电梯' },
    ];
    const counted = [];
    for (const q of queries) counted.push([(await countCases(store.db, { now: NOW, ...q })).total, (await search(q)).total]);
    expect(counted.map(([c]) => c)).toEqual([5, 2, 1, 1, 1, 2, 2, 1, 1, 0, 2]);
    expect(counted.map(([c, listed]) => c === listed)).toEqual(queries.map(() => true));

    const byUnit = async (q: Partial<CaseQuery>) => Object.fromEntries(await countCasesBy(store.db, { now: NOW, ...q }, ['unit']));
    expect(await byUnit({ overdue: true })).toEqual({ housing: 1, '': 1 });
    expect(await byUnit({})).toEqual({ housing: 3, fire: 1, '': 1 });
    expect(await byUnit({ counties: ['yanhu'], overdue: true })).toEqual({ housing: 1 });
    expect(await byUnit({ counties: ['yanhu'], ownUnit: 'police' })).toEqual({ fire: 1 }); // co-handled: counted under its lead unit
    expect(await byUnit({ counties: [] })).toEqual({});
    expect(Object.fromEntries(await countCasesBy(store.db, { now: NOW }, ['county', 'unit']))).toEqual({ 'yanhu:housing': 3, 'yanhu:fire': 1, 'yongji:': 1 });
    expect(Object.fromEntries(await countCasesBy(store.db, { now: NOW, overdue: true }, ['county', 'unit']))).toEqual({ 'yanhu:housing': 1, 'yongji:': 1 });

    // The cases of some (county, unit) pairs: danger first, then by nearest running deadline.
    const keyOf = (id: number) => Object.keys(ids).find((k) => ids[k] === id);
    const live = ['assigned', 'in_progress', 'resolved'] as const;
    expect((await casesOfUnits(store.db, { now: NOW, status: live }, [{ county: 'yanhu', units: ['housing', 'fire'] }], 10)).map((i) => keyOf(i.id))).toEqual(['roof', 'lift', 'watched']);
    expect((await casesOfUnits(store.db, { now: NOW, status: live }, [{ county: 'yanhu', units: ['housing', 'fire'] }], 2)).map((i) => keyOf(i.id))).toEqual(['roof', 'lift']);
    expect((await casesOfUnits(store.db, { now: NOW, status: live }, [{ county: 'yanhu', units: ['police'] }, { county: 'yongji', units: ['housing'] }], 10))).toEqual([]);
    expect((await casesOfUnits(store.db, { now: NOW, status: live }, [{ county: 'yanhu', units: [] }], 10))).toEqual([]);

    // Received per span, and of those closed and overdue now: as three counts a span would say.
    const bounds = ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-06T00:00:00.000Z', '2026-11-11T00:00:00.000Z', '2026-11-30T00:00:00.000Z'];
    for (const scope of [{}, { counties: ['yanhu'] }, { counties: ['yanhu'], ownUnit: 'police' as const }, { counties: [] }]) {
      const spans = await countByReceiptSpans(store.db, { now: NOW, ...scope }, bounds, ['resolved', 'cosigned', 'reviewed', 'written_off']);
      const expected = [];
      for (let i = 0; i + 1 < bounds.length; i++) {
        const range = { now: NOW, ...scope, receivedFrom: bounds[i]!, receivedTo: bounds[i + 1]! };
        const n = async (q: Partial<CaseQuery>) => (await countCases(store.db, { ...range, ...q })).total;
        expected.push({ received: await n({}), closed: await n({ status: ['resolved', 'cosigned', 'reviewed', 'written_off'] }), overdue: await n({ overdue: true }) });
      }
      expect(spans, JSON.stringify(scope)).toEqual(expected);
    }
    expect(await countByReceiptSpans(store.db, { now: NOW }, bounds, ['written_off'])).toEqual([
      { received: 1, closed: 1, overdue: 0 }, // old
      { received: 2, closed: 0, overdue: 1 }, // lift (overdue), roof
      { received: 1, closed: 0, overdue: 1 }, // fee
      { received: 1, closed: 0, overdue: 0 }, // watched (resolved: not in this list of statuses)
    ]);
  });

  it('labels each case with its nearest running deadline and whether it is overdue', async () => {
    const items = (await search({})).items;
    const byKey = (k: string) => items.find((i) => i.id === ids[k])!;
    expect(byKey('lift')).toMatchObject({ nextDue: { kind: 'close', at: PAST }, overdue: true, company: '恒信物业服务有限公司', compound: '阳光花园' });
    expect(byKey('roof')).toMatchObject({ nextDue: { kind: 'close', at: SOON }, overdue: false, urgent: true, unit: 'fire' });
    expect(byKey('watched')).toMatchObject({ nextDue: { kind: 'progress', at: LATER }, overdue: false, supervised: true });
    expect(byKey('old')).toMatchObject({ nextDue: null, overdue: false, status: 'written_off' });
  });

  it('orders newest first by default, oldest first, or by the nearest running deadline with none last', async () => {
    expect((await search({})).items.map((i) => i.id)).toEqual(['watched', 'fee', 'roof', 'lift', 'old'].map((k) => ids[k]));
    expect((await search({ sort: 'received' })).items.map((i) => i.id)).toEqual(['old', 'lift', 'roof', 'fee', 'watched'].map((k) => ids[k]));
    // lift and fee share the same overdue instant: the lower id first.
    expect((await search({ sort: 'deadline' })).items.map((i) => i.id)).toEqual(['lift', 'fee', 'roof', 'watched', 'old'].map((k) => ids[k]));
  });

  it('searches within the scope and the filters, in each order, page by page', async () => {
    expect(await found({ text: '物业' })).toEqual(['fee', 'lift', 'watched']);
    expect(await found({ text: '物业', counties: ['yanhu', 'yongji'] })).toEqual(['fee', 'lift', 'watched']);
    expect(await found({ text: '物业', counties: ['yongji'] })).toEqual(['fee']);
    expect(await found({ text: '物业', county: 'yanhu' })).toEqual(['lift', 'watched']);
    expect(await found({ text: '漏水', ownUnit: 'police' })).toEqual(['roof']);
    expect(await found({ text: '漏水', ownUnit: 'police', counties: ['yongji'] })).toEqual([]);
    expect(await found({ text: '物业', status: ['triage'] })).toEqual(['fee']);
    expect(await found({ text: '物业', overdue: true })).toEqual(['fee', 'lift']);
    expect(await found({ text: '漏水', unit: 'housing' })).toEqual(['lift']);
    expect(await found({ text: '物业', unit: 'none' })).toEqual(['fee']);
    expect(await found({ text: '漏水', urgent: true })).toEqual(['roof']);
    expect(await found({ text: '物业', source: '12345' })).toEqual(['fee']);
    expect(await found({ text: '物业', companyId })).toEqual(['lift']);
    expect(await found({ text: '物业', compound: '花园' })).toEqual(['lift']);
    expect(await found({ text: '物业', receivedFrom: '2026-11-10T02:00:00.000Z' })).toEqual(['fee', 'watched']);
    expect(await found({ text: '物业', receivedTo: '2026-11-10T02:00:00.000Z', county: 'yanhu' })).toEqual(['lift']);
    const order = async (q: Partial<CaseQuery>) => (await search(q)).items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));
    expect(await order({ text: '物业' })).toEqual(['watched', 'fee', 'lift']);
    expect(await order({ text: '物业', sort: 'received' })).toEqual(['lift', 'fee', 'watched']);
    expect(await order({ text: '物业', sort: 'deadline' })).toEqual(['lift', 'fee', 'watched']);
    expect(await order({ text: '物业', source: 'email' })).toEqual(['watched', 'lift']);
    expect(await order({ text: '物业', source: 'email', sort: 'received' })).toEqual(['lift', 'watched']);
    const p2 = await search({ text: '物业', pageSize: 1, page: 2 });
    expect([p2.total, p2.items.map((i) => i.id)]).toEqual([3, [ids.fee]]);
    const f2 = await search({ text: '物业', source: 'email', pageSize: 1, page: 2 });
    expect([f2.total, f2.items.map((i) => i.id)]).toEqual([2, [ids.lift]]);
    expect((await search({ text: '物业', pageSize: 1, page: 4 })).items).toEqual([]);
  });

  it('pages with an exact total', async () => {
    const p1 = await search({ pageSize: 2 });
    const p2 = await search({ pageSize: 2, page: 2 });
    const p3 = await search({ pageSize: 2, page: 3 });
    const p4 = await search({ pageSize: 2, page: 4 });
    expect([p1.total, p2.total, p3.total, p4.total]).toEqual([5, 5, 5, 5]);
    expect([p1.items.length, p2.items.length, p3.items.length, p4.items.length]).toEqual([2, 2, 1, 0]);
    expect(new Set([...p1.items, ...p2.items, ...p3.items].map((i) => i.id)).size).toBe(5);
    expect((await search({ text: '漏水', pageSize: 1 })).total).toBe(2);
    expect((await search({ pageSize: 10_000 })).items).toHaveLength(5);
    expect((await search({ page: 0, pageSize: 0 })).items).toHaveLength(1);
  });

  it('counts up to a cap when asked, saying whether the number is exact, and pages on past it', async () => {
    // 物业 is in 3 cases: a cap below that is a floor, on both dialects (PostgreSQL, which fetches a few matches whole
    // and knows their number, tells it as the cap all the same); at or above it the number is exact.
    const under = await search({ text: '物业', countUpTo: 2, pageSize: 1 });
    expect([under.total, under.totalExact, under.items.map((i) => i.id)]).toEqual([2, false, [ids.watched]]);
    const third = await search({ text: '物业', countUpTo: 2, pageSize: 1, page: 3 });
    expect([third.totalExact, third.items.map((i) => i.id)]).toEqual([false, [ids.lift]]);
    const exact = await search({ text: '物业', countUpTo: 3 });
    expect([exact.total, exact.totalExact, exact.items.length]).toEqual([3, true, 3]);
    // The same on a list without words, and with a filter only the case row answers.
    expect(await search({ countUpTo: 4 }).then((r) => [r.total, r.totalExact, r.items.length])).toEqual([4, false, 5]);
    expect(await search({ countUpTo: 5 }).then((r) => [r.total, r.totalExact])).toEqual([5, true]);
    expect(await search({ text: '物业', companyId, countUpTo: 0 }).then((r) => [r.total, r.totalExact, r.items.length])).toEqual([0, false, 1]);
    expect(await search({ text: '物业', countUpTo: 1, sort: 'deadline', pageSize: 1, page: 2 }).then((r) => r.items.map((i) => i.id))).toEqual([ids.fee]);
    expect((await search({ text: '没有这个词', countUpTo: 1 })).totalExact).toBe(true);
  });

  it('finds a case by what was saved after registration, and no longer by what was replaced', async () => {
    const before = (await findById(store.db, ids.roof!))!;
    await inTransaction(store.db, (tx) =>
      saveCase(tx, { ...before, company: '新城物业管理有限公司', complainant: { ...before.complainant, phone: '13700001111' } }, before.version, NOW),
    );
    expect(await found({ text: '新城物业' })).toEqual(['roof']);
    expect(await found({ text: '13700001111' })).toEqual(['roof']);
    expect(await found({ text: '漏水 新城' })).toEqual(['roof']);
    const again = (await findById(store.db, ids.roof!))!;
    await saveCase(store.db, { ...again, company: '安居物业' }, again.version, NOW);
    expect(await found({ text: '新城物业' })).toEqual([]);
    expect(await found({ text: '安居' })).toEqual(['roof']);
  });

  it('finds a case in the scope of the unit it was given, and no longer in the scope of the unit it was taken from', async () => {
    const before = (await findById(store.db, ids.roof!))!;
    await saveCase(store.db, { ...before, unit: 'housing', coUnits: ['energy'] }, before.version, NOW);
    expect(await found({ text: '漏水', ownUnit: 'police' })).toEqual([]);
    expect(await found({ text: '漏水', ownUnit: 'fire' })).toEqual([]);
    expect(await found({ text: '漏水', ownUnit: 'housing' })).toEqual(['lift', 'roof']);
    expect(await found({ text: '漏水', ownUnit: 'energy' })).toEqual(['roof']);
    expect(await found({ ownUnit: 'energy' })).toEqual(['roof']);
    const assigned = (await findById(store.db, ids.roof!))!;
    await inTransaction(store.db, (tx) => saveCase(tx, { ...assigned, status: 'resolved', urgent: false }, assigned.version, NOW));
    expect(await found({ text: '漏水', status: ['resolved'] })).toEqual(['roof']);
    expect(await found({ text: '漏水', status: ['in_progress'] })).toEqual([]);
    expect(await found({ text: '漏水', urgent: true })).toEqual([]);
  });

  it('indexes the cases registered before migration 0014', async () => {
    const db = await freshDatabaseUrl(dialect, 'migrate-0014');
    const old = await openStore(db.url, { migrate: false });
    try {
      await migrateTo(old.db, dialect, '0012_compound_register');
      for (const [n, body] of [[1, '地下室漏水，电梯停运'], [2, '垃圾无人清理']] as const) {
        await sql`insert into complaint (tracking, county, source, status, subject, body, received_at, created_at, updated_at, complainant_phone)
          values (${`YH-2026-00000${n}`}, 'yanhu', 'email', 'triage', '投诉', ${body}, ${NOW}, ${NOW}, ${NOW}, ${`1390000000${n}`})`.execute(old.db);
      }
      await migrateToLatest(old.db, dialect);
      const hits = async (text: string) => (await searchCases(old.db, { now: NOW, text })).items.map((i) => i.tracking);
      expect(await hits('漏水')).toEqual(['YH-2026-000001']);
      expect(await hits('垃圾')).toEqual(['YH-2026-000002']);
      expect(await hits('13900000002')).toEqual(['YH-2026-000002']);
      expect(await hits('水电')).toEqual([]);
    } finally {
      await old.close();
      await db.cleanup();
    }
  });

  it('finds a word the text wrote with Kangxi radicals or a compatibility ideograph, and not one split by punctuation', async () => {
    // ⽓ U+2F53 and ⽔ U+2F54 are 气 and 水 once normalised (NFKC), as pasted from some documents; 龜 U+F907 is 龜.
    const created = await inTransaction(store.db, (tx) =>
      insertCase(tx, newCase({ subject: '墙面\uF907裂', body: '家里暖⽓片坏了，暖气，片区停⽔', county: 'wanrong' }), 'WR-2026-000777', NOW),
    );
    const hits = async (text: string) => (await searchCases(store.db, { now: NOW, text, counties: ['wanrong'] })).items.map((i) => i.id);
    expect(await hits('暖气片')).toEqual([created.id]);
    expect(await hits('龜裂')).toEqual([created.id]);
    expect(await hits('停水')).toEqual([created.id]);
    expect(await hits('⽔')).toEqual([created.id]);
    // 暖气，片区: the characters stand on either side of a comma, which the index does not bridge.
    expect(await hits('气片区')).toEqual([]);
    expect(await hits('裂墙')).toEqual([]);
  });
});

describe('the running deadlines of the case list', () => {
  it('are the clocks workflow.due() reminds by, for every status and flag', () => {
    const now = new Date(NOW);
    const deadlines = { transfer: '2026-11-21T16:00:00.000Z', close: '2026-11-24T16:00:00.000Z', plan: '2026-11-22T16:00:00.000Z', progress: '2026-11-23T16:00:00.000Z', verify: '2026-11-25T16:00:00.000Z', penalty: '2026-11-26T16:00:00.000Z' };
    const orders = [deadlines, { ...deadlines, transfer: '2026-12-21T16:00:00.000Z', plan: '2026-12-22T16:00:00.000Z', close: '2026-12-24T16:00:00.000Z' }, { close: PAST, verify: PAST }];
    let checked = 0;
    for (const status of STATUSES) {
      for (const complex of [false, true]) {
        for (const supervised of [false, true]) {
          for (const unit of [null, 'housing'] as (UnitCode | null)[]) {
            for (const d of orders) {
              const c = { ...newCase({ status: status as Status, complex, supervised, unit, deadlines: d }), id: 1, tracking: 'YH-2026-000001' } as Case;
              const first = due(c, now, 100_000)[0];
              expect(nextRunningDeadline(c, d), `${status} complex=${complex} supervised=${supervised} unit=${unit}`).toEqual(
                first ? { kind: first.deadline, at: first.dueAt } : null,
              );
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(STATUSES.length * 24);
  });

  it('are what the index of migration 0014 holds, on both dialects', () => {
    expect(NEXT_DUE_SQL.sqlite).toBe(nextDueSql('sqlite'));
    expect(NEXT_DUE_SQL.postgres).toBe(nextDueSql('postgres'));
  });
});
