// Figure 5 (officer bot): `/tasks` and button presses end-to-end against the loopback Bot API with a million complaints
// in SQLite. The real bot (createBot, telegraf long polling through `apiRoot`) runs on a bulk-loaded database; the
// benchmark plays a housing officer of 盐湖区 — the largest task list (own unit's work plus the county's triage
// queue) — and times each action from `sendText`/`pressButton` to the bot's call that completes the answer, as
// recorded by the peer: the task list (sendMessage), the next page (editMessageText) and 接收 (editMessageText of
// the card after the case was accepted, audited and the outbox written).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBot } from '../src/bot/index.ts';
import { systemClock } from '../src/clock.ts';
import { loadCalendar } from '../src/runtime.ts';
import { openStore } from '../src/store/db.ts';
import { startBotApi, type BotApiPeer, type RecordedCall } from '../test/support/bot-api.ts';
import { testConfig } from '../test/support/service.ts';
import { discardLogger } from './backlog.ts';
import { buildComplaintDb } from './bulk-load.ts';
import { collectGarbage, nowMs, percentile, result, summary, type BenchResult } from './lib.ts';

const CHAT = 7001;

interface Timed {
  ms: number;
  call: RecordedCall;
}

/** Runs `act`, then waits for the first call after it that matches; the time is measured in this process. */
async function timed(api: BotApiPeer, act: () => void, match: (c: RecordedCall) => boolean): Promise<Timed> {
  const after = api.sent.length ? api.sent[api.sent.length - 1]!.seq : -1;
  const t0 = nowMs();
  act();
  const call = await api.waitFor((c) => c.seq > after && match(c), 10_000);
  const ms = nowMs() - t0;
  if (call.status !== 200) throw new Error(`bot bench: ${call.method} answered ${call.status}: ${JSON.stringify(call.response)}`);
  // The update is confirmed only when telegraf polls again after the handler: start the next action from idle.
  await api.drained();
  return { ms, call };
}

const inChat = (method: string) => (c: RecordedCall) => c.method === method && Number(c.params.chat_id) === CHAT;

export async function benchBot(opts: { rows: number; iterations?: number; warmup?: number }): Promise<BenchResult[]> {
  const iterations = opts.iterations ?? 150;
  const warmup = opts.warmup ?? 10;
  const dir = mkdtempSync(path.join(tmpdir(), 'wuye-bench-bot-'));
  const file = path.join(dir, 'wuye.db');
  const url = `sqlite:${file}`;
  const api = await startBotApi();
  const cfg = testConfig({ db: url, dataDir: dir, apiRoot: api.apiRoot });
  let stopBot: (() => Promise<void>) | null = null;
  let closeStore: (() => Promise<void>) | null = null;
  try {
    const built = await buildComplaintDb(file, cfg, opts.rows);
    const dbMb = statSync(file).size / 1024 / 1024;
    collectGarbage();
    const store = await openStore(url);
    closeStore = () => store.close();
    const now = new Date().toISOString();
    await store.db
      .insertInto('officer')
      .values({ chat_id: CHAT, name: '基准测试', unit: 'housing', county: 'yanhu', role: 'officer', active: 1, reachable: 1, created_at: now, linked_at: now })
      .execute();
    const bot = createBot({ cfg, db: store.db, log: discardLogger('warn'), clock: systemClock, cal: loadCalendar(cfg), token: api.token, wakeOutbox: () => {} });
    await bot.start();
    stopBot = () => bot.stop();

    const cases = await store.db
      .selectFrom('complaint')
      .select(['id', 'tracking'])
      .where('unit', '=', 'housing')
      .where('county', '=', 'yanhu')
      .where('status', '=', 'assigned')
      .orderBy('id', 'desc')
      .limit(iterations + warmup)
      .execute();
    if (cases.length < iterations + warmup) throw new Error(`bot bench: only ${cases.length} assigned housing cases in 盐湖区; raise BENCH_BOT_ROWS`);

    const tasks: number[] = [];
    const page: number[] = [];
    const caseCmd: number[] = [];
    const accept: number[] = [];
    const acceptAnswer: number[] = [];
    let listTotal = '';
    for (let i = 0; i < iterations + warmup; i++) {
      const record = i >= warmup;
      const c = cases[i]!;
      // /tasks → the list.
      const list = await timed(api, () => api.sendText(CHAT, '/tasks'), inChat('sendMessage'));
      const listMsg = (list.call.response as { result: { message_id: number; text: string; reply_markup?: { inline_keyboard: { callback_data?: string }[][] } } }).result;
      listTotal ||= /共\s*\d+\s*件|\d+\s*件/.exec(listMsg.text)?.[0] ?? '';
      const next = listMsg.reply_markup?.inline_keyboard.flat().find((b) => b.callback_data === 'tk:1');
      if (!next) throw new Error(`bot bench: the task list has no next-page button: ${listMsg.text.slice(0, 200)}`);
      // 下一页 → the list message edited.
      const pg = await timed(api, () => api.pressButton(CHAT, listMsg.message_id, 'tk:1'), inChat('editMessageText'));
      // /case <tracking> → the card with 接收.
      const card = await timed(api, () => api.sendText(CHAT, `/case ${c.tracking}`), inChat('sendMessage'));
      const cardMsg = (card.call.response as { result: { message_id: number } }).result;
      // 接收 → answerCallbackQuery, then the card redrawn.
      let answered = 0;
      const before = api.sent.at(-1)?.seq ?? -1;
      const t0 = nowMs();
      const answerSeen = api.waitFor((x) => x.method === 'answerCallbackQuery' && x.seq > before, 10_000).then(() => (answered = nowMs() - t0));
      const acc = await timed(api, () => api.pressButton(CHAT, cardMsg.message_id, `acc:${c.id}`), inChat('editMessageText'));
      await answerSeen;
      if (!String((acc.call.params as { text?: string }).text ?? '').includes('已接收')) throw new Error('bot bench: the card was not redrawn as accepted');
      if (record) {
        tasks.push(list.ms);
        page.push(pg.ms);
        caseCmd.push(card.ms);
        accept.push(acc.ms);
        acceptAnswer.push(answered);
      }
    }
    const accepted = await store.db.selectFrom('complaint').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', cases.map((c) => c.id)).where('status', '=', 'accepted').executeTakeFirstOrThrow();
    if (Number(accepted.n) !== cases.length) throw new Error(`bot bench: ${accepted.n} of ${cases.length} pressed cases are accepted`);

    const rowsText = opts.rows.toLocaleString('en-US');
    const setup = `${rowsText} complaints bulk-loaded in ${(built.ms / 1000).toFixed(1)} s (${Math.round(dbMb)} MB file; open ${Object.entries(built.byStatus)
      .filter(([s]) => ['received', 'triage', 'assigned', 'accepted', 'in_progress', 'plan_submitted', 'reopened'].includes(s))
      .reduce((n, [, v]) => n + v, 0)
      .toLocaleString('en-US')}); officer = housing/盐湖区 (own work + county triage${listTotal ? `, list ${listTotal}` : ''}); ${iterations} timed rounds after ${warmup} warm-up, one action at a time`;
    const fmt = (xs: number[]) => {
      const s = summary(xs);
      return `p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
    };
    return [
      result(`bot /tasks p50 (${rowsText} cases)`, percentile(tasks, 50), 'ms', { op: 'none' }, `${setup}; sendText('/tasks') → the list's sendMessage at the peer`),
      result(`bot /tasks p99 (${rowsText} cases)`, percentile(tasks, 99), 'ms', { op: '<', value: 50 }, `${fmt(tasks)} over ${tasks.length} requests`),
      result(`bot button 下一页 p99 (${rowsText} cases)`, percentile(page, 99), 'ms', { op: '<', value: 50 }, `pressButton('tk:1') → editMessageText of the list; ${fmt(page)}`),
      result(`bot button 接收 p50 (${rowsText} cases)`, percentile(accept, 50), 'ms', { op: 'none' }, `pressButton('acc:<id>') on the card → editMessageText of the card (accept transition, audit event and outbox rows committed first); answerCallbackQuery came at p50 ${percentile(acceptAnswer, 50).toFixed(1)} ms, p99 ${percentile(acceptAnswer, 99).toFixed(1)} ms`),
      result(`bot button 接收 p99 (${rowsText} cases)`, percentile(accept, 99), 'ms', { op: '<', value: 50 }, `${fmt(accept)}; /case <tracking> (the card) for comparison: ${fmt(caseCmd)}`),
    ];
  } finally {
    await stopBot?.().catch(() => undefined);
    await closeStore?.().catch(() => undefined);
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
