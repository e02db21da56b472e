// Dovecot goes away for 30 s while `wuye start` sits in IDLE. Mail delivered just before the stop, dropped into
// the maildir while the server is down, and delivered just after it returns arrives once each — without a
// restart of the service (the IMAP source reconnects with backoff and catches up above its last UID).
// WUYE_STRESS_IMAP_OUTAGE_S changes the outage length (30).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { startBotApi, type BotApiPeer } from '../support/bot-api.ts';
import { startDovecot, type DovecotPeer } from '../support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { freshDatabaseUrl } from '../support/stores.ts';
import { logLines, spawnWuye, type ServiceChild } from './support/child.ts';
import { dropIntoMaildir } from './support/maildir.ts';
import { envInt } from './support/random.ts';
import {
  BOXES,
  IMAP_PASSWORD,
  IMAP_PASSWORD_ENV,
  caseRows,
  deliveredMessages,
  duplicates,
  keepOnFailure,
  linkOfficers,
  makeMail,
  markerOf,
  outboxPending,
  sinkAcks,
  removeScratch,
  sleep,
  tempDir,
  waitUntil,
  writeConfig,
} from './support/stack.ts';

const OUTAGE_MS = envInt('WUYE_STRESS_IMAP_OUTAGE_S', 30) * 1000;

describe('Dovecot outage during IDLE', () => {
  let dovecot: DovecotPeer;
  let sink: SmtpSink;
  let bot: BotApiPeer;
  let store: Store;
  let cleanupDb: () => Promise<void>;
  let child: ServiceChild;
  let logFile: string;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('imap-outage');
    logFile = path.join(dir, 'service.log');
    [dovecot, sink, bot] = await Promise.all([startDovecot({ users: [BOXES.yanhu] }), startSmtpSink(), startBotApi()]);
    const db = await freshDatabaseUrl('sqlite', 'imap-outage');
    cleanupDb = db.cleanup;
    store = await openStore(db.url);
    await linkOfficers(store.db, bot, ['yanhu']);
    const configFile = writeConfig({
      dir,
      db: db.url,
      smtpListen: null,
      imap: { host: dovecot.host, port: dovecot.port },
      sink: { host: sink.host, port: sink.port },
      apiRoot: bot.apiRoot,
    });
    child = spawnWuye({ configFile, logFile, label: 'imap-outage', env: { TELEGRAM_BOT_TOKEN: bot.token, [IMAP_PASSWORD_ENV]: IMAP_PASSWORD } });
    await child.ready;
    await waitUntil(async () => logLines(logFile).some((l) => l.msg === 'imap: connected'), 20_000, 'the IMAP connection', { services: [child] });
  });

  afterAll(async () => {
    await child?.killHard();
    await store?.close();
    await Promise.allSettled([dovecot?.close(), sink?.close(), bot?.close(), cleanupDb?.()]);
    removeScratch(dir);
  });

  const markers = async () => (await caseRows(store.db)).map((c) => markerOf(c.subject));

  it(`mail from before, during and after a ${OUTAGE_MS / 1000} s outage arrives exactly once, with no service restart`, async () => {
    keepOnFailure(dir);
    const mail = (n: number) => makeMail(n, BOXES.yanhu, { run: 'imap-outage' });

    // IDLE works before the outage: a delivered mail becomes a case within seconds.
    const t0 = Date.now();
    await dovecot.deliver(BOXES.yanhu, (await mail(1)).raw);
    await waitUntil(async () => (await markers()).includes(1), 15_000, 'mail 1 through IDLE', { services: [child] });
    const idleLatencyMs = Date.now() - t0;
    await sleep(500);

    // Delivered just before the server goes: the EXISTS push may or may not reach the service first.
    await dovecot.deliver(BOXES.yanhu, (await mail(2)).raw);
    await dovecot.stop();
    const stoppedAt = Date.now();
    await waitUntil(async () => logLines(logFile).some((l) => l.msg === 'imap: connection lost'), 15_000, 'the service noticing the outage', { services: [child] });

    // Delivered while the server is down (maildir delivery, as an MDA would).
    await sleep(Math.min(5_000, OUTAGE_MS / 4));
    await dropIntoMaildir(dovecot, BOXES.yanhu, (await mail(3)).raw);
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS / 2 - Date.now()));
    await dropIntoMaildir(dovecot, BOXES.yanhu, (await mail(4)).raw);
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));

    await dovecot.start();
    const restartedAt = Date.now();
    // Delivered just after: the service is most likely still backing off.
    await dovecot.deliver(BOXES.yanhu, (await mail(5)).raw);

    await waitUntil(async () => (await markers()).length >= 5, 90_000, 'all five mails after the outage', { services: [child] });
    const recoveredMs = Date.now() - restartedAt;
    await waitUntil(async () => (await outboxPending(store.db)) === 0, 30_000, 'the outbox drained', { services: [child] });
    await sleep(2000);

    const cases = await caseRows(store.db);
    const raws = await store.db.selectFrom('raw_mail').select(['id', 'outcome']).execute();
    const acks = sinkAcks(sink.messages);
    const messages = deliveredMessages(bot);
    const lines = logLines(logFile);
    const figures = {
      outageSeconds: Math.round((restartedAt - stoppedAt) / 1000),
      idleLatencyMs,
      secondsFromServerBackToAllCases: Math.round(recoveredMs / 100) / 10,
      connections: lines.filter((l) => l.msg === 'imap: connected').length,
      connectionLost: lines.filter((l) => l.msg === 'imap: connection lost').length,
    };
    console.log(`[stress imap-outage] ${JSON.stringify(figures)}`);

    expect(child.alive()).toBe(true); // no restart of its own
    expect(lines.filter((l) => l.msg === 'Wuye Desk started')).toHaveLength(1);
    expect(raws).toHaveLength(5);
    expect(raws.every((r) => r.outcome === 'registered')).toBe(true);
    expect(cases.map((c) => markerOf(c.subject)).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(duplicates(acks, (a) => a.messageId)).toEqual([]);
    expect(acks).toHaveLength(5);
    expect(duplicates(messages, (m) => `${m.chatId}\n${m.text}`)).toEqual([]);
    expect(messages.length).toBeGreaterThanOrEqual(5);
    expect(figures.connections).toBeGreaterThanOrEqual(2);
  });
});
