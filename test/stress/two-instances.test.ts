// Two `wuye start` started by mistake on one database (the SQLite file; a PostgreSQL database), at the same moment,
// with the reports due: each mail is delivered to BOTH instances' SMTP intake at once, and both schedulers catch up
// the same report periods on start. Nothing may go out twice: one case per mail, one acknowledgement, one officer
// message per recipient, one run per report period (job_run) and one copy of each report mail.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Dialect, type Store } from '../../src/store/db.ts';
import { startBotApi, type BotApiPeer } from '../support/bot-api.ts';
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
  markerOf,
  outboxFailed,
  outcomesRecorded,
  outboxPending,
  sinkAcks,
  sinkMessageId,
  removeScratch,
  sleep,
  tempDir,
  waitUntil,
  writeConfig,
  type StressMail,
  type SmtpFeedStats,
} from './support/stack.ts';

const MAILS = 30;
/** Every weekly/monthly report fires each minute, so its current period is due the moment the service starts. */
const EVERY_MINUTE = '* * * * *';
const REPORT_JOBS = ['weekly', 'provinceData', 'province', 'discipline', 'monthly'] as const;
const RECIPIENTS = {
  weekly: ['weekly@bureau.test'],
  province: ['province@bureau.test'],
  discipline: ['discipline@bureau.test'],
  monthly: ['monthly@bureau.test'],
  admin: [],
};

describe.each<Dialect>(['sqlite', 'postgres'])('two instances on one %s database', (dialect) => {
  let sink: SmtpSink;
  let bot: BotApiPeer;
  let store: Store;
  let cleanupDb: () => Promise<void>;
  const children: ServiceChild[] = [];
  let dir: string | undefined;

  afterAll(async () => {
    await Promise.allSettled(children.map((c) => c.killHard()));
    await store?.close();
    await Promise.allSettled([sink?.close(), bot?.close(), cleanupDb?.()]);
    removeScratch(dir);
  });

  it('sends nothing twice and runs each report period once', async () => {
    const scratch = tempDir(`two-${dialect}`);
    dir = scratch;
    keepOnFailure(scratch);
    const ports = [await freePort(), await freePort()];
    [sink, bot] = await Promise.all([startSmtpSink(), startBotApi()]);
    const db = await freshDatabaseUrl(dialect, 'two');
    cleanupDb = db.cleanup;
    store = await openStore(db.url);
    await linkOfficers(store.db, bot, ['yuncheng', 'yongji']);
    // The scheduler has been running on this database for days: periods since then are caught up on start.
    const installed = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await store.db
      .insertInto('job_run')
      .values({ job: 'scheduler', period_key: 'installed', started_at: installed, finished_at: installed, late: 0, owner: 'earlier', detail: null })
      .execute();
    const configFile = writeConfig({
      dir: scratch,
      db: db.url,
      smtpListen: null,
      sink: { host: sink.host, port: sink.port },
      apiRoot: bot.apiRoot,
      extra: {
        schedule: { weekly: EVERY_MINUTE, provinceData: EVERY_MINUTE, province: EVERY_MINUTE, discipline: EVERY_MINUTE, monthly: EVERY_MINUTE },
        reports: { recipients: RECIPIENTS },
      },
    });
    const mails: StressMail[] = [];
    for (let n = 1; n <= MAILS; n++) mails.push(await makeMail(n, n % 2 ? BOXES.yuncheng : BOXES.yongji, { run: `two-${dialect}` }));

    const logFiles = [0, 1].map((i) => path.join(scratch, `service-${i}.log`));
    for (const i of [0, 1]) {
      children.push(
        spawnWuye({
          configFile,
          logFile: logFiles[i]!,
          label: `instance ${i}`,
          // Same config; only the SMTP intake port differs (the second would otherwise fail to bind and exit).
          env: { TELEGRAM_BOT_TOKEN: bot.token, WUYE_SMTP_LISTEN: `127.0.0.1:${ports[i]}`, WUYE_WEB_LISTEN: 'off' },
        }),
      );
    }
    await Promise.all(children.map((c) => c.ready));

    // Every mail to both instances at the same moment.
    const stats: SmtpFeedStats[] = [0, 1].map(() => ({ attempts: 0, errors: 0, answers: new Map() }));
    await Promise.all([0, 1].map((i) => feedSmtp(() => ({ host: '127.0.0.1', port: ports[i]! }), mails, { concurrency: 2, stats: stats[i]! })));

    await waitUntil(async () => (await outcomesRecorded(store.db)) >= MAILS, 60_000, 'every mail processed', { services: children });
    const reportRuns = () => store.db.selectFrom('job_run').select(['job', 'period_key', 'owner']).where('job', 'in', [...REPORT_JOBS]).execute();
    await waitUntil(async () => new Set((await reportRuns()).map((r) => r.job)).size === REPORT_JOBS.length, 120_000, 'every report period run', { services: children });
    await waitUntil(async () => (await outboxPending(store.db)) === 0, 120_000, 'the outbox drained', { services: children });
    await sleep(2_000);

    const raws = await store.db.selectFrom('raw_mail').select(['id', 'outcome']).execute();
    const cases = await caseRows(store.db);
    const acks = sinkAcks(sink.messages);
    const messages = deliveredMessages(bot);
    const runs = await store.db.selectFrom('job_run').select(['job', 'period_key', 'owner']).execute();
    const reportRows = await store.db.selectFrom('outbox').select(['idempotency_key', 'sent_at']).where('idempotency_key', 'like', 'report:%').execute();
    const reportMails = sink.messages.filter((m) => !sinkMessageId(m).startsWith('<ack.'));
    const trackingAnswers = mails.map((m) => stats.map((s) => /([A-Z]{2}-\d{4}-\d{6})/.exec(s.answers.get(m.n) ?? '')?.[1] ?? null));
    console.log(
      `[stress two-instances ${dialect}] ${JSON.stringify({
        mails: MAILS,
        cases: cases.length,
        acks: acks.length,
        officerMessages: messages.length,
        reportRuns: runs.filter((r) => (REPORT_JOBS as readonly string[]).includes(r.job)).map((r) => `${r.job}:${r.period_key}@${String(r.owner).split(':').slice(1, 2)}`),
        reportMails: reportMails.length,
        runsByInstance: children.map((c) => runs.filter((r) => String(r.owner).includes(`:${c.pid}:`)).length),
        answers: stats.map((s) => [...s.answers.values()].reduce<Record<string, number>>((acc, a) => ((acc[a.split(' ')[2] ?? '?'] = (acc[a.split(' ')[2] ?? '?'] ?? 0) + 1), acc), {})),
      })}`,
    );

    expect(children.every((c) => c.alive())).toBe(true);
    // One case per mail, whichever instance took it; both answered the sender with the same tracking number.
    expect(raws).toHaveLength(MAILS);
    expect(raws.filter((r) => r.outcome !== 'registered')).toEqual([]);
    expect(cases).toHaveLength(MAILS);
    expect(new Set(cases.map((c) => markerOf(c.subject)))).toEqual(new Set(mails.map((m) => m.n)));
    for (const [a, b] of trackingAnswers) {
      expect(a).not.toBeNull();
      expect(b).toBe(a);
    }
    // No double sends.
    expect(duplicates(acks, (a) => a.messageId)).toEqual([]);
    expect(acks).toHaveLength(MAILS);
    expect(duplicates(messages, (m) => `${m.chatId}\n${m.text}`)).toEqual([]);
    const telegramRows = await store.db.selectFrom('outbox').select('id').where('kind', '=', 'telegram').execute();
    expect(messages.length).toBe(telegramRows.length);
    // No double digests: one run per job and period, one outbox row and one delivered copy per report mail.
    expect(duplicates(runs, (r) => `${r.job}\n${r.period_key}`)).toEqual([]);
    for (const job of REPORT_JOBS) expect(runs.filter((r) => r.job === job)).toHaveLength(1);
    expect(reportRows.length).toBeGreaterThanOrEqual(REPORT_JOBS.length);
    expect(reportRows.every((r) => r.sent_at !== null)).toBe(true);
    expect(duplicates(reportMails, sinkMessageId)).toEqual([]);
    expect(reportMails).toHaveLength(reportRows.length);
    expect(await outboxFailed(store.db)).toEqual([]);
    // Both instances really ran the scheduler against the shared database.
    for (const f of logFiles) expect(logLines(f).filter((l) => l.msg === 'Wuye Desk started')).toHaveLength(1);
  });
});
