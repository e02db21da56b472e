// Composition root: read config, open the store, start intake (IMAP, SMTP, drop folder), the bot, the scheduler
// and the outbox worker; stop them in order on SIGINT/SIGTERM. If a part fails to start (a bad bot token, a port
// in use), whatever already started is stopped again and the error is raised: never half a service.
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { botToken } from './config.ts';
import { createLogger, scrub, type Logger } from './log.ts';
import { systemClock, type Clock } from './clock.ts';
import { openStore, type Store } from './store/db.ts';
import { syncReferenceData } from './store/reference.ts';
import { loadCalendar, loadClassifier, missingHolidayYears } from './runtime.ts';
import { Intake } from './ingest/intake.ts';
import type { Actor } from './domain.ts';
import type { ImapSource } from './ingest/imap.ts';
import { startSmtpIntake, type SmtpIntake } from './ingest/smtp.ts';
import { DropDir } from './ingest/dropdir.ts';
import { createMailSender } from './outbox/mailer.ts';
import { createTelegramClient } from './outbox/telegram.ts';
import { OutboxWorker } from './outbox/worker.ts';
import { createAdminAlerts } from './cases/alerts.ts';
import type { CaseDeps } from './cases/deps.ts';
import { attachmentContent } from './store/attachments.ts';
import { holdInstanceLock } from './instance-lock.ts';
import { startScheduler } from './scheduler/index.ts';

export interface Service {
  store: Store;
  intake: Intake;
  worker: OutboxWorker;
  smtp: SmtpIntake | null;
  imap: ImapSource[];
  stop(): Promise<void>;
}

export interface ServiceOptions {
  log?: Logger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Install SIGINT/SIGTERM handlers (the CLI does; tests do not). */
  signals?: boolean;
  /** How often mail left pending by a failure is taken up again (default a minute). */
  resumeEveryMs?: number;
}

/** Stop steps in start order; `run` stops them in reverse, in groups that may stop side by side. */
class Shutdown {
  readonly #groups: { name: string; steps: (() => Promise<unknown>)[] }[] = [];
  add(name: string, ...steps: (() => Promise<unknown>)[]): void {
    this.#groups.push({ name, steps });
  }
  async run(log: Logger): Promise<void> {
    for (const g of [...this.#groups].reverse()) {
      const results = await Promise.allSettled(g.steps.map((s) => s()));
      for (const r of results) if (r.status === 'rejected') log.warn({ err: (r.reason as Error)?.message, part: g.name }, 'error while stopping');
    }
  }
}

export async function startService(cfg: Config, opts: ServiceOptions = {}): Promise<Service> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger({ level: cfg.log.level });
  const clock = opts.clock ?? systemClock;
  const instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const shutdown = new Shutdown();
  const token = botToken(cfg, env);

  try {
    const store = await openStore(cfg.db, { onPoolError: (e) => log.warn({ err: e.message }, 'postgres: client error; the pool replaces the client') });
    shutdown.add('store', () => store.close());
    // While this lives, `wuye restore` refuses to replace the database under it.
    const releaseLock = holdInstanceLock(cfg.dataDir, clock.now());
    shutdown.add('instance lock', async () => releaseLock());
    await syncReferenceData(store.db, cfg);
    log.info({ db: store.dialect, dataDir: cfg.dataDir }, 'store ready');

    const cal = loadCalendar(cfg);
    const missing = missingHolidayYears(cal, clock.now());
    if (missing.length) {
      log.warn({ years: missing }, `节假日数据缺少 ${missing.join('、')} 年：工作日将按周一至周五计算，请在 config/holidays.yaml 补充 / holiday data missing`);
    }
    // One classifier for the service (intake, bot, the console's registration): each copy holds its own automata and
    // model (the bot's own copy was ~25 MB of the idle service's RSS).
    const classify = loadClassifier(cfg);

    const mail = createMailSender(cfg, env);
    shutdown.add('mail', async () => mail.close());
    const telegram = token ? await createTelegramClient(cfg, token) : null;
    if (telegram) {
      // A wrong token is a configuration error: say so now, before anything else starts. An unreachable Bot API is
      // not: the rest of the service starts and the bot connects when it can.
      // Loaded only with a token: without one the bot's libraries never load (idle memory).
      const { tokenRejected } = await import('./bot/index.ts');
      try {
        const me = await telegram.getMe();
        if (!cfg.bot.username) cfg.bot.username = me.username ?? null;
      } catch (e) {
        if (tokenRejected(e)) throw new Error(`机器人令牌无效 / bot token refused: ${scrub((e as Error).message, [token])}`);
        log.warn({ err: scrub((e as Error).message, [token]) }, '无法连接 Bot API，机器人将在后台重试 / Bot API unreachable; the bot will retry');
      }
    }
    // What every use case gets; the one after-commit hook wakes the worker created just below.
    const cases: CaseDeps = { cfg, db: store.db, cal, clock, log, wakeOutbox: () => worker.kick() };
    const alerts = createAdminAlerts(cases, {
      mail: (to, subject, text) => mail.send({ to, subject, text }),
      ...(telegram ? { telegram: (chatId: number, text: string) => telegram.sendMessage(chatId, text) } : {}),
    });
    const worker: OutboxWorker = new OutboxWorker({
      db: store.db,
      log,
      clock,
      workerId: instance,
      mail,
      telegram,
      onBlocked: alerts.onBlocked,
      onPermanentFailure: alerts.onPermanentFailure,
      loadAttachment: (id) => attachmentContent(store.db, id),
    });
    const intake = new Intake({ ...cases, classify, onStoreFull: alerts.storeFull });
    // Stopped after the intake sources (registered later, so stopped earlier): flush briefly, then stop.
    shutdown.add('outbox', async () => {
      await intake.close();
      await worker.drainOnce().catch(() => 0);
      await worker.stop(3000);
    });

    // Mail stored before a crash but never processed goes first; then, now and then, any mail whose processing
    // failed meanwhile (a full disk) is taken up again without waiting for a restart.
    const resumed = await intake.resume();
    if (resumed) log.info({ resumed }, 'intake: resumed mail stored before the last stop');
    let resuming: Promise<unknown> | null = null;
    const resumeTimer = setInterval(() => {
      resuming ??= intake
        .resume({ olderThanMs: 30_000 })
        .then((n) => n && log.info({ resumed: n }, 'intake: processed mail left pending by an earlier failure'))
        .catch((e: unknown) => log.warn({ err: (e as Error).message }, 'intake: pending mail still cannot be processed'))
        .finally(() => (resuming = null));
    }, opts.resumeEveryMs ?? 60_000);
    resumeTimer.unref();
    shutdown.add('resume', async () => {
      clearInterval(resumeTimer);
      await resuming;
    });

    const parts: Record<string, string> = {};
    worker.start();
    parts.outbox = `on (mail → ${mail.describe}${telegram ? ', telegram' : ''})`;

    const scheduler = startScheduler({ ...cases, owner: instance });
    shutdown.add('scheduler', () => scheduler.stop());
    parts.scheduler = 'on (Asia/Shanghai)';

    if (token) {
      const { createBot } = await import('./bot/index.ts');
      // The desk's 登记为投诉 button registers a mail through this intake.
      const bot = createBot({ ...cases, token, classify, promoteMail: (rawMailId: number, by: Actor) => intake.promote(rawMailId, by) });
      // Telegram being down must not keep mail and the desk from working: the bot connects when it can.
      const first = await bot.connect();
      shutdown.add('bot', () => bot.stop());
      const via = cfg.bot.apiRoot ? ` via ${cfg.bot.apiRoot}` : '';
      parts.bot = first === 'connected' ? `on${via}` : `connecting${via} (Bot API unreachable; retrying in the background)`;
    } else parts.bot = `off (${cfg.bot.tokenEnv} not set)`;

    if (cfg.web.listen) {
      const { startWebServer } = await import('./web/server.ts');
      // The console is the desk's window, not the intake: a port it cannot have is reported, and mail and the bot
      // keep working.
      try {
        const web = await startWebServer(
          { ...cases, classify, promoteMail: (rawMailId: number, by: Actor) => intake.promote(rawMailId, by), secureCookies: cfg.web.secureCookies, trustProxy: cfg.web.trustProxy },
          cfg.web.listen,
        );
        shutdown.add('web', () => web.close());
        parts.web = `on http://${cfg.web.listen.replace(/:\d+$/, '')}:${web.port}`;
      } catch (e) {
        log.error({ err: (e as Error).message, listen: cfg.web.listen }, 'web console not started');
        parts.web = `failed on ${cfg.web.listen}: ${(e as Error).message}`;
      }
    } else parts.web = 'off (web.listen / WUYE_WEB_LISTEN is off)';

    // Intake last: nothing arrives before the rest can handle it.
    let smtp: SmtpIntake | null = null;
    if (cfg.intake.smtpListen) {
      smtp = await startSmtpIntake(cfg, intake, log);
      const s = smtp;
      shutdown.add('smtp', () => s.close());
      parts.smtp = `on ${cfg.intake.smtpListen.replace(/:\d+$/, '')}:${smtp.port}`;
    } else parts.smtp = 'off (intake.smtpListen / WUYE_SMTP_LISTEN is off)';

    if (cfg.intake.dropDir) {
      const drop = new DropDir(path.join(cfg.dataDir, 'inbox'), intake, log);
      drop.start();
      shutdown.add('dropDir', () => drop.stop());
      parts.dropDir = `on ${drop.dir}`;
    } else parts.dropDir = 'off (intake.dropDir: false)';

    const withImap = cfg.mailboxes.filter((m) => m.imap);
    // Loaded only when a mailbox is read over IMAP: imapflow is ~10–15 MB of the idle service on the embedded defaults.
    const { ImapSource: Source } = withImap.length ? await import('./ingest/imap.ts') : { ImapSource: null };
    const imap = Source ? withImap.map((m) => new Source(m, { db: store.db, log, intake, env })) : [];
    for (const s of imap) s.start();
    shutdown.add('imap', ...imap.map((s) => () => s.stop()));
    parts.imap = imap.length ? `on ${imap.length} mailbox(es)` : 'off (no mailbox has imap settings)';

    log.info(parts, 'Wuye Desk started');

    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        log.info('stopping: intake first, then bot and scheduler, then a short outbox flush');
        await shutdown.run(log);
        log.info('stopped');
      })());

    if (opts.signals) {
      const onSignal = (sig: string) => {
        log.info({ signal: sig }, 'signal received');
        stop().then(
          () => process.exit(0),
          (e) => {
            log.error({ err: e }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => onSignal('SIGINT'));
      process.once('SIGTERM', () => onSignal('SIGTERM'));
    }
    return { store, intake, worker, smtp, imap, stop };
  } catch (e) {
    log.error({ err: scrub((e as Error).message ?? String(e), [token]) }, 'start failed; stopping what had started');
    await shutdown.run(log);
    throw e;
  }
}

export async function runService(cfg: Config): Promise<void> {
  try {
    await startService(cfg, { signals: true });
  } catch (e) {
    process.stderr.write(`错误 error: ${scrub((e as Error).message ?? String(e), [botToken(cfg)])}\n`);
    // Whatever a library left behind (sockets, timers) must not keep a failed service half alive.
    process.exit(1);
  }
  // Keep running until a signal arrives.
  await new Promise(() => {});
}
