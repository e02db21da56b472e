// PostgreSQL restarted under load: `wuye start` on a private cluster keeps receiving mail through its SMTP intake
// while the server restarts (fast shutdown cuts every connection) and later stays down for a few seconds. The
// service must come through on its own — same process, no restart — with every mail stored once and handled
// once: while the database is away the intake answers 451 and the sender's MTA tries again.
//
// KNOWN FAILURES (found by this test; src/ is not changed here — see docs/stress.md, "Findings"):
//  1. The service can die with "Unhandled 'error' event" on a pg Client (ECONNRESET, or 57P01 "terminating
//     connection due to administrator command") when the server shuts down while the pool has a client checked
//     out between two queries (a kysely transaction awaiting JS work). The pool's `pool.on('error')`
//     (src/store/db.ts) covers idle clients only. Fix: `pool.on('connect', (c) => c.on('error', () => {}))` — the
//     query in flight is still rejected, and pg-pool drops the broken client on release.
//  2. A mail the relay accepted while the database was away is sent a second time: src/outbox/worker.ts records
//     the delivery (`markSent`) inside the same try as the send, so a failed `markSent` falls into the
//     delivery-failure branch (`markRetry`, or the lease expiring when that fails too) and the row goes out again.
//     Fix: once the peer has accepted, retry only the recording (in memory, with backoff) — never the send.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { startBotApi, type BotApiPeer } from '../support/bot-api.ts';
import { freePort } from '../support/ports.ts';
import { startPostgres, type PgPeer } from '../support/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { exitIsFailure, logLines, spawnWuye, type ServiceChild } from './support/child.ts';
import {
  BOXES,
  caseRows,
  deliveredMessages,
  duplicates,
  feedSmtp,
  keepOnFailure,
  linkOfficers,
  makeMail,
  markerOf,
  missingDeadlines,
  outboxFailed,
  outcomesRecorded,
  outboxPending,
  sinkAcks,
  removeScratch,
  sleep,
  tempDir,
  waitUntil,
  writeConfig,
  type StressMail,
  type SmtpFeedStats,
} from './support/stack.ts';

const MAILS = 60;

describe('PostgreSQL restarted under load', () => {
  let pg: PgPeer;
  let sink: SmtpSink;
  let bot: BotApiPeer;
  let store: Store | null = null;
  let url: string;
  let child: ServiceChild;
  let logFile: string;
  let smtpPort: number;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('pg-restart');
    logFile = path.join(dir, 'service.log');
    [pg, sink, bot, smtpPort] = await Promise.all([startPostgres(), startSmtpSink(), startBotApi(), freePort()]);
    url = await pg.createDatabase('wuye_pg_restart');
    const s = await openStore(url, { poolSize: 2 });
    await linkOfficers(s.db, bot, ['yuncheng', 'yongji']);
    await s.close();
    const configFile = writeConfig({ dir, db: url, smtpListen: `127.0.0.1:${smtpPort}`, sink: { host: sink.host, port: sink.port }, apiRoot: bot.apiRoot });
    child = spawnWuye({ configFile, logFile, label: 'pg-restart', env: { TELEGRAM_BOT_TOKEN: bot.token } });
    await child.ready;
  });

  afterAll(async () => {
    await child?.killHard();
    await store?.close();
    await Promise.allSettled([sink?.close(), bot?.close(), pg?.close()]);
    removeScratch(dir);
  });

  it('keeps every mail, handles each once, and recovers without a restart', async () => {
    keepOnFailure(dir);
    const mails: StressMail[] = [];
    for (let n = 1; n <= MAILS; n++) mails.push(await makeMail(n, n % 2 ? BOXES.yuncheng : BOXES.yongji, { run: 'pg-restart' }));
    const stats: SmtpFeedStats = { attempts: 0, errors: 0, answers: new Map() };
    // A steady trickle, so the restarts land in the middle of intake and outbox work.
    const feeding = (async () => {
      for (let i = 0; i < mails.length; i += 4) {
        await feedSmtp(() => ({ host: '127.0.0.1', port: smtpPort }), mails.slice(i, i + 4), { concurrency: 2, stats });
        await sleep(150);
      }
    })();

    const answered = () => stats.answers.size;
    await waitUntil(async () => answered() >= MAILS / 4, 60_000, 'a quarter of the mails in', { services: [child] });
    const restart1 = Date.now();
    await pg.restart(); // fast shutdown: open connections are cut mid-transaction
    const restart1Ms = Date.now() - restart1;

    await waitUntil(async () => answered() >= MAILS / 2, 60_000, 'half of the mails in after the first restart', { services: [child] });
    await pg.stop();
    const downAt = Date.now();
    await sleep(4_000); // the database is away for a while: the intake must refuse (451), not lose
    await pg.start();
    const downMs = Date.now() - downAt;

    // A crash of the service ends the wait at once instead of after the feeder's own deadline.
    await Promise.race([feeding, exitIsFailure(child)]);
    store = await openStore(url, { poolSize: 2 });
    await waitUntil(async () => (await outcomesRecorded(store!.db)) >= MAILS, 60_000, 'every mail processed', { services: [child] });
    await waitUntil(async () => (await outboxPending(store!.db)) === 0, 90_000, 'the outbox drained', { services: [child] });
    await sleep(1_000);

    const raws = await store.db.selectFrom('raw_mail').select(['id', 'outcome']).execute();
    const cases = await caseRows(store.db);
    const acks = sinkAcks(sink.messages);
    const messages = deliveredMessages(bot);
    const lines = logLines(logFile);
    console.log(
      `[stress pg-restart] ${JSON.stringify({ mails: MAILS, smtpAttempts: stats.attempts, smtpRetries: stats.errors, restartMs: restart1Ms, downMs, intakeErrorsLogged: lines.filter((l) => l.msg === 'smtp intake: could not store mail').length, outboxBatchFailures: lines.filter((l) => l.msg === 'outbox: batch failed, will retry').length })}`,
    );

    expect(child.alive()).toBe(true);
    expect(lines.filter((l) => l.msg === 'Wuye Desk started')).toHaveLength(1);
    // The outage was felt: some mail had to be sent again.
    expect(stats.errors).toBeGreaterThan(0);
    expect(raws).toHaveLength(MAILS);
    expect(raws.filter((r) => r.outcome !== 'registered')).toEqual([]);
    expect(cases).toHaveLength(MAILS);
    expect(new Set(cases.map((c) => markerOf(c.subject)))).toEqual(new Set(mails.map((m) => m.n)));
    expect(missingDeadlines(cases)).toEqual([]);
    expect(duplicates(acks, (a) => a.messageId)).toEqual([]);
    expect(new Set(acks.map((a) => a.tracking))).toEqual(new Set(cases.map((c) => c.tracking)));
    expect(duplicates(messages, (m) => `${m.chatId}\n${m.text}`)).toEqual([]);
    expect(await outboxFailed(store.db)).toEqual([]);
  });
});
