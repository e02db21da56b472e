// The console's case list past the count's cap (case-search.ts SEARCH_COUNT_CAP), on both dialects: a word in more
// cases than that shows "超过 1,000 件", no last page, and pages on while they come full; the API says
// `totalExact: false`. The cap is what keeps a search for a word in most cases fast on PostgreSQL (bench: search).
// More cases than FEW_MATCHES, so that PostgreSQL walks the list instead of sorting the matches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { FEW_MATCHES, SEARCH_COUNT_CAP, searchCases } from '../../src/store/case-search.ts';
import { DIALECTS } from '../support/stores.ts';
import { insertCase, type NewCase } from '../../src/store/cases.ts';
import { inTransaction } from '../../src/store/db.ts';
import { START, webClient, webFixture, type WebFixture } from './web-fixture.ts';

const EXTRA = Math.max(SEARCH_COUNT_CAP, FEW_MATCHES) + 1;
const PAGES = Math.ceil(EXTRA / 50);
// Cases that make 水地 a common bigram (泥水地面) without 积水 before it, and three where 积水地下 is a phrase: every
// bigram of it (积水, 水地, 地下) is common, the phrase is in three cases.
const MUDDY = 1000;
const RARE_PHRASE = ['积水地下一层', '积水地下二层', '积水地下三层'];

/** The i-th 车库积水 case, received i + 1 minutes before the others (newest first: 第0次 … 第<EXTRA-1>次). */
function sampleCase(i: number, subject = `车库积水第${i}次`, body = '地下车库积水，物业不管。', minutesAgo = MUDDY + RARE_PHRASE.length + i + 1): NewCase {
  return {
    county: 'yanhu', source: 'email', status: 'assigned', unit: 'housing', problem: null, urgent: false, complex: false, supervised: false,
    complainant: { name: null, phone: null, email: null }, compound: '蓝湾小区', address: null, company: null,
    subject, body, classification: null,
    receivedAt: new Date(Date.parse(START) - minutesAgo * 60_000).toISOString(), assignedAt: null, acceptedAt: null, resolvedAt: null,
    writtenOffAt: null, finding: null, result: null, deadlines: {}, extension: null, extended: false, penaltyExtended: false, coUnits: [],
  };
}

describe.each(DIALECTS)('case list past the count’s cap on %s', (dialect) => {
  let f: WebFixture;
  let web: ReturnType<typeof webClient>;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-capped-count');
    await inTransaction(f.deps.db, async (tx) => {
      for (let i = 0; i < EXTRA; i++) await insertCase(tx, sampleCase(i), `YH-2026-${String(900_000 + i)}`, START);
      // Received after every 车库积水 case, so that the oldest case is still 车库积水第<EXTRA-1>次.
      for (let i = 0; i < MUDDY; i++) await insertCase(tx, sampleCase(i, `泥水地面第${i}处`, '楼下泥水地面没人清扫。', RARE_PHRASE.length + i + 1), `YH-2026-${String(800_000 + i)}`, START);
      for (const [i, subject] of RARE_PHRASE.entries()) await insertCase(tx, sampleCase(i, subject, '地下室进水。', i + 1), `YH-2026-${String(700_000 + i)}`, START);
    });
    web = webClient(f, '10.9.0');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('says “more than” the cap, offers the next page while pages come full, and the API says the total is a floor', async () => {
    const desk = await web.login('desk');
    const q = encodeURIComponent('车库积水');
    const api = (await web.get(desk, `/api/cases?q=${q}`)).json() as { total: number; totalExact: boolean; items: unknown[] };
    expect([api.total, api.totalExact, api.items.length]).toEqual([SEARCH_COUNT_CAP, false, 50]);
    const first = (await web.get(desk, `/cases?q=${q}`)).body;
    expect(first).toContain(`超过 ${SEARCH_COUNT_CAP.toLocaleString('en-US')} 件`);
    expect(first).toContain('第 1 页');
    expect(first).not.toMatch(/第 1 \/ \d+ 页/);
    expect(first).toContain('下一页');
    // The last page holds the oldest case, and offers no next page.
    const last = (await web.get(desk, `/cases?q=${q}&page=${PAGES}`)).body;
    expect(last).toContain(`车库积水第${EXTRA - 1}次`);
    expect(last).not.toContain('下一页');
    expect((await web.get(desk, `/cases?q=${q}&page=${PAGES - 1}`)).body).toContain('下一页');
    // A word in fewer cases than the cap is counted exactly.
    const exact = (await web.get(desk, `/api/cases?q=${encodeURIComponent('车库积水第999次')}`)).json() as { total: number; totalExact: boolean };
    expect([exact.total, exact.totalExact]).toEqual([1, true]);
    // By deadline: none of these cases has one, so the oldest comes first (receipt orders equal deadlines).
    const byDeadline = (await web.get(desk, `/api/cases?q=${q}&sort=deadline`)).json() as { total: number; totalExact: boolean; items: { subject: string }[] };
    expect([byDeadline.total, byDeadline.totalExact, byDeadline.items[0]!.subject, byDeadline.items[1]!.subject]).toEqual([SEARCH_COUNT_CAP, false, `车库积水第${EXTRA - 1}次`, `车库积水第${EXTRA - 2}次`]);
    // A phrase whose every bigram is common, in three cases: all three, newest first, counted exactly.
    const rare = (await web.get(desk, `/api/cases?q=${encodeURIComponent('积水地下')}`)).json() as { total: number; totalExact: boolean; items: { subject: string }[] };
    expect([rare.total, rare.totalExact, rare.items.map((i) => i.subject)]).toEqual([3, true, RARE_PHRASE]);
    // A list without words counts exactly up to its own, higher cap.
    const list = (await web.get(desk, '/api/cases')).json() as { total: number; totalExact: boolean };
    expect(list.totalExact).toBe(true);
    expect(list.total).toBeGreaterThan(EXTRA);
  });

  it('on PostgreSQL, with the statistics of ANALYZE, asks the index only for uncommon tokens and trusts a large estimate', async () => {
    if (dialect !== 'postgres') return;
    await sql`ANALYZE complaint_text`.execute(f.deps.db);
    const q = { now: START, counties: ['yanhu'], text: '车库积水' };
    // Every token of 车库积水 is in nearly every case: a phrase, so it is counted (up to the cap).
    const trusted = await searchCases(f.deps.db, { ...q, countUpTo: 100 });
    expect([trusted.total, trusted.totalExact, trusted.items.length]).toEqual([100, false, 50]);
    expect(trusted.items[0]!.subject).toBe('车库积水第0次');
    // A word of one token is estimated from ANALYZE's share of it (积水: in nearly every case) and not counted.
    const word = await searchCases(f.deps.db, { ...q, text: '积水', countUpTo: 100 });
    expect([word.total, word.totalExact, word.items.length]).toEqual([100, false, 50]);
    // Near the cap, the common tokens are counted.
    const counted = await searchCases(f.deps.db, { ...q, countUpTo: 1000 });
    expect([counted.total, counted.totalExact]).toEqual([1000, false]);
    expect((await searchCases(f.deps.db, q)).total).toBe(EXTRA);
    // Every bigram of 积水地下 is common (水地 through 泥水地面), the phrase is in three cases: counted, then fetched whole;
    // by deadline too (none has one: receipt decides, oldest first).
    const few = await searchCases(f.deps.db, { ...q, text: '积水地下', countUpTo: 1000 });
    expect([few.total, few.totalExact, few.items.map((i) => i.subject)]).toEqual([3, true, RARE_PHRASE]);
    const fewByDeadline = await searchCases(f.deps.db, { ...q, text: '积水地下', countUpTo: 1000, sort: 'deadline' });
    expect(fewByDeadline.items.map((i) => i.subject)).toEqual([...RARE_PHRASE].reverse());
    // A common word by deadline walks the deadline order: the oldest case first, more than the cap.
    const common = await searchCases(f.deps.db, { ...q, text: '积水', countUpTo: 100, sort: 'deadline', page: 2 });
    expect([common.total, common.totalExact, common.items[0]!.subject]).toEqual([100, false, `车库积水第${EXTRA - 51}次`]);
    // A rare token finds its candidates; the common ones and the phrase are checked on them.
    const one = await searchCases(f.deps.db, { ...q, text: '车库积水第4999次', countUpTo: 1000 });
    expect([one.total, one.totalExact, one.items.map((i) => i.subject)]).toEqual([1, true, ['车库积水第4999次']]);
    expect((await searchCases(f.deps.db, { ...q, text: '积水车库第4999次' })).total).toBe(0);
    // Another county's desk: the scope is checked on each case, and its short first page is its whole, exact list.
    const elsewhere = await searchCases(f.deps.db, { ...q, counties: ['yongji'], countUpTo: 100 });
    expect([elsewhere.total, elsewhere.totalExact, elsewhere.items.length]).toEqual([0, true, 0]);
  });
});
