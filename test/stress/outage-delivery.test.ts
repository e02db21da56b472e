// Outbound outages while `wuye start` keeps registering complaints:
//   - the SMTP relay refuses (451) and then is gone altogether (connection refused), then comes back: every
//     acknowledgement is delivered once, and one resident's letters arrive in the order they were written;
//   - the Bot API answers 429 with retry_after and bursts of 5xx: every officer message is delivered once, in order
//     per chat, and no retry comes before retry_after has passed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { startBotApi, type BotApiPeer, type RecordedCall } from '../support/bot-api.ts';
import { freePort } from '../support/ports.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { freshDatabaseUrl } from '../support/stores.ts';
import { logLines, spawnWuye, type ServiceChild } from './support/child.ts';
import {
  BOXES,
  caseRows,
  deliveredMessages,
  duplicates,
  feedSmtp,
  keepOnFailure,
  linkOfficers,
  makeMail,
  outboxFailed,
  outboxPending,
  sinkAcks,
  removeScratch,
  sleep,
  tempDir,
  waitUntil,
  writeConfig,
  type StressMail,
} from './support/stack.ts';

const RETRY_AFTER_S = 2;

describe('outbound outages: SMTP relay and Bot API', () => {
  let sink: SmtpSink;
  let bot: BotApiPeer;
  let store: Store;
  let cleanupDb: () => Promise<void>;
  let child: ServiceChild;
  let logFile: string;
  let smtpPort: number;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('delivery-outage');
    logFile = path.join(dir, 'service.log');
    [sink, bot, smtpPort] = await Promise.all([startSmtpSink(), startBotApi(), freePort()]);
    const db = await freshDatabaseUrl('sqlite', 'delivery-outage');
    cleanupDb = db.cleanup;
    store = await openStore(db.url);
    await linkOfficers(store.db, bot, ['yuncheng', 'yongji']);
    const configFile = writeConfig({
      dir,
      db: db.url,
      smtpListen: `127.0.0.1:${smtpPort}`,
      sink: { host: sink.host, port: sink.port },
      apiRoot: bot.apiRoot,
      // One family writes several letters within the hour in the SMTP scenario.
      extra: { intake: { ackPerSenderPerHour: 100 } },
    });
    child = spawnWuye({ configFile, logFile, label: 'delivery-outage', env: { TELEGRAM_BOT_TOKEN: bot.token } });
    await child.ready;
  });

  afterAll(async () => {
    await child?.killHard();
    await store?.close();
    await Promise.allSettled([sink?.close(), bot?.close(), cleanupDb?.()]);
    removeScratch(dir);
  });

  const intake = () => ({ host: '127.0.0.1', port: smtpPort });

  it('SMTP relay down (451, then refusing connections) and back: every letter once, in order per recipient', async () => {
    keepOnFailure(dir);
    const FAMILIES = 3;
    const LETTERS = 8;
    sink.setDown(true, 451);
    const mails: StressMail[] = [];
    for (let i = 0; i < FAMILIES * LETTERS; i++) {
      mails.push(await makeMail(100 + i, BOXES.yuncheng, { from: `family${i % FAMILIES}@example.cn`, run: 'smtp-outage' }));
    }
    await feedSmtp(intake, mails, { concurrency: 1 });
    await waitUntil(async () => sink.rejected >= FAMILIES, 15_000, 'the relay refusing the first letters', { services: [child] });
    await sleep(2_000);
    // Worse: the relay is gone (connection refused) for a while.
    await sink.stop();
    sink.setDown(false);
    await sleep(3_000);
    const downFor = 5_000;
    await sink.start();
    const upAt = Date.now();

    const rows = await store.db.selectFrom('outbox').select(['id', 'recipient', 'idempotency_key', 'sent_at', 'attempts']).where('kind', '=', 'email').execute();
    expect(rows).toHaveLength(FAMILIES * LETTERS);
    await waitUntil(
      async () => {
        const left = await store.db.selectFrom('outbox').select('id').where('kind', '=', 'email').where('sent_at', 'is', null).execute();
        return left.length === 0;
      },
      90_000,
      'every letter sent after the relay returned',
      { services: [child] },
    );
    const recoveredMs = Date.now() - upAt;
    await sleep(1_000);

    const cases = await caseRows(store.db);
    const trackingOfCase = new Map(cases.map((c) => [c.id, c.tracking]));
    const sent = await store.db.selectFrom('outbox').select(['id', 'recipient', 'idempotency_key', 'attempts']).where('kind', '=', 'email').orderBy('id').execute();
    const outboxIdOfTracking = new Map(sent.map((r) => [trackingOfCase.get(Number(r.idempotency_key.replace('ack:', ''))), r.id]));
    const acks = sinkAcks(sink.messages);
    console.log(
      `[stress smtp-outage] ${JSON.stringify({ letters: acks.length, refusedBySink: sink.rejected, relayDownSeconds: downFor / 1000, secondsFromRelayBackToAllSent: Math.round(recoveredMs / 100) / 10, maxAttempts: Math.max(...sent.map((r) => r.attempts)) })}`,
    );

    expect(sink.rejected).toBeGreaterThanOrEqual(FAMILIES);
    expect(duplicates(acks, (a) => a.messageId)).toEqual([]);
    expect(acks).toHaveLength(FAMILIES * LETTERS);
    expect(new Set(acks.map((a) => a.tracking))).toEqual(new Set(cases.filter((c) => c.complainant_email?.startsWith('family')).map((c) => c.tracking)));
    // Order per recipient: the sink saw each family's letters in the order the outbox wrote them.
    for (let f = 0; f < FAMILIES; f++) {
      const seen = acks.filter((a) => a.to === `family${f}@example.cn`).map((a) => outboxIdOfTracking.get(a.tracking)!);
      expect(seen).toHaveLength(LETTERS);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
    expect(sent.some((r) => r.attempts > 1)).toBe(true);
    expect(await outboxFailed(store.db)).toEqual([]);
  });

  it('Bot API answering 429 retry_after and bursts of 5xx: every message once, in order per chat, retry_after honoured', async () => {
    keepOnFailure(dir);
    // The first scenario's officer messages are out of the way, so every injected failure hits this one's.
    await waitUntil(async () => (await outboxPending(store.db)) === 0, 30_000, 'an empty outbox', { services: [child] });
    const before = bot.sent.length;
    bot.rateLimit({ retryAfter: RETRY_AFTER_S, everyN: 3 });
    bot.failNext('sendMessage', { code: 500, description: 'Internal Server Error' }, 3);
    const mails: StressMail[] = [];
    for (let i = 0; i < 16; i++) mails.push(await makeMail(200 + i, BOXES.yongji, { run: 'bot-outage' }));
    await feedSmtp(intake, mails.slice(0, 8), { concurrency: 1 });
    bot.failNext('sendMessage', { code: 502, description: 'Bad Gateway' }, 4);
    await feedSmtp(intake, mails.slice(8), { concurrency: 1 });
    const startedAt = Date.now();

    const yongjiCases = async () => (await caseRows(store.db)).filter((c) => c.tracking.startsWith('YJ-'));
    await waitUntil(async () => (await yongjiCases()).length === mails.length, 30_000, 'the cases', { services: [child] });
    const caseIds = (await yongjiCases()).map((c) => c.id);
    await waitUntil(
      async () => {
        const left = await store.db
          .selectFrom('outbox')
          .select('id')
          .where('kind', '=', 'telegram')
          .where('complaint_id', 'in', caseIds)
          .where('sent_at', 'is', null)
          .execute();
        return left.length === 0;
      },
      120_000,
      'every officer message sent',
      { services: [child] },
    );
    const drainedMs = Date.now() - startedAt;
    bot.rateLimit(null);
    await sleep(1_000);

    const rows = await store.db
      .selectFrom('outbox')
      .select(['id', 'recipient', 'payload', 'attempts'])
      .where('kind', '=', 'telegram')
      .where('complaint_id', 'in', caseIds)
      .orderBy('id')
      .execute();
    const idOf = new Map(rows.map((r) => [`${r.recipient}\n${(JSON.parse(r.payload) as { params: { text: string } }).params.text}`, r.id]));
    const calls = bot.sent.slice(before).filter((c) => c.method === 'sendMessage');
    const keyOf = (c: RecordedCall) => `${Number(c.params.chat_id)}\n${String(c.params.text)}`;
    const mine = calls.filter((c) => idOf.has(keyOf(c)));
    const ok = mine.filter((c) => c.status === 200);
    const limited = mine.filter((c) => c.status === 429);
    const failed5xx = mine.filter((c) => c.status >= 500);

    // retry_after honoured: the next try of the same message comes no sooner than retry_after after the 429.
    const gaps: number[] = [];
    for (const c of limited) {
      const next = mine.find((n) => n.seq > c.seq && keyOf(n) === keyOf(c));
      expect(next, `a retry after the 429 of ${keyOf(c).slice(0, 40)}`).toBeDefined();
      gaps.push(next!.at - c.at);
    }
    console.log(
      `[stress bot-outage] ${JSON.stringify({ messages: rows.length, calls: mine.length, status429: limited.length, status5xx: failed5xx.length, minGapAfter429Ms: Math.min(...gaps), secondsToDrain: Math.round(drainedMs / 100) / 10 })}`,
    );

    expect(limited.length).toBeGreaterThan(0);
    expect(failed5xx.length).toBe(7);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
    // Every message delivered exactly once.
    expect(duplicates(ok, keyOf)).toEqual([]);
    expect(ok.length).toBe(rows.length);
    expect(new Set(ok.map(keyOf))).toEqual(new Set(idOf.keys()));
    // In order per chat.
    for (const chat of new Set(ok.map((c) => Number(c.params.chat_id)))) {
      const seq = ok.filter((c) => Number(c.params.chat_id) === chat).map((c) => idOf.get(keyOf(c))!);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    // And nowhere else twice either.
    expect(duplicates(deliveredMessages(bot), (m) => `${m.chatId}\n${m.text}`)).toEqual([]);
    expect(await outboxFailed(store.db)).toEqual([]);
    expect(child.alive()).toBe(true);
    expect(logLines(logFile).filter((l) => l.msg === 'Wuye Desk started')).toHaveLength(1);
  });
});
