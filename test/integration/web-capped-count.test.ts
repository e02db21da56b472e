// The console's case list past the count's cap (case-search.ts SEARCH_COUNT_CAP), on both dialects: a word in more
// cases than that shows "超过 1,000 件", no last page, and pages on while they come full; the API says
// `totalExact: false`. The cap is what keeps a search for a word in most cases fast on PostgreSQL (bench: search).
// More cases than FEW_MATCHES, so that PostgreSQL walks the list instead of sorting the matches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEW_MATCHES, SEARCH_COUNT_CAP } from '../../src/store/case-search.ts';
import { DIALECTS } from '../support/stores.ts';
import { insertCase, type NewCase } from '../../src/store/cases.ts';
import { inTransaction } from '../../src/store/db.ts';
import { START, webClient, webFixture, type WebFixture } from './web-fixture.ts';

const EXTRA = Math.max(SEARCH_COUNT_CAP, FEW_MATCHES) + 1;
const PAGES = Math.ceil(EXTRA / 50);

function sampleCase(i: number): NewCase {
  return {
    county: 'yanhu', source: 'email', status: 'assigned', unit: 'housing', problem: null, urgent: false, complex: false, supervised: false,
    complainant: { name: null, phone: null, email: null }, compound: '蓝湾小区', address: null, company: null,
    subject: `车库积水第${i}次`, body: '地下车库积水，物业不管。', classification: null,
    receivedAt: new Date(Date.parse(START) - (i + 1) * 60_000).toISOString(), assignedAt: null, acceptedAt: null, resolvedAt: null,
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
    // A list without words counts exactly up to its own, higher cap.
    const list = (await web.get(desk, '/api/cases')).json() as { total: number; totalExact: boolean };
    expect(list.totalExact).toBe(true);
    expect(list.total).toBeGreaterThan(EXTRA);
  });
});
