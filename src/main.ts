// Composition root: read config, open the store, start intake (IMAP, SMTP, drop folder), the bot, the scheduler
// and the outbox worker; stop them in order on SIGINT/SIGTERM.
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { botToken } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { systemClock, type Clock } from './clock.ts';
import { openStore, type Store } from './store/db.ts';
import { syncReferenceData } from './store/reference.ts';
import { loadCalendar, loadClassifier, missingHolidayYears } from './runtime.ts';
import { Intake } from './ingest/intake.ts';
import { ImapSource } from './ingest/imap.ts';
import { startSmtpIntake, type SmtpIntake } from './ingest/smtp.ts';
import { DropDir } from './ingest/dropdir.ts';
import { createMailSender } from './outbox/mailer.ts';
import { createTelegramClient } from './outbox/telegram.ts';
import { OutboxWorker } from './outbox/worker.ts';
import { createAdminAlerts } from './outbox/alerts.ts';
import { startScheduler, type Scheduler } from './scheduler/index.ts';

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
}

export async function startService(cfg: Config, opts: ServiceOptions = {}): Promise<Service> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger({ level: cfg.log.level });
  const clock = opts.clock ?? systemClock;
  const instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  const store = await openStore(cfg.db);
  await syncReferenceData(store.db, cfg);
  log.info({ db: store.dialect, dataDir: cfg.dataDir }, 'store ready');

  const cal = loadCalendar(cfg);
  const missing = missingHolidayYears(cal, clock.now());
  if (missing.length) {
    log.warn({ years: missing }, `节假日数据缺少 ${missing.join('、')} 年：工作日将按周一至周五计算，请在 config/holidays.yaml 补充 / holiday data missing`);
  }
  const classify = loadClassifier(cfg);

  const token = botToken(cfg, env);
  const mail = createMailSender(cfg, env);
  const telegram = token ? await createTelegramClient(cfg, token) : null;
  const alerts = createAdminAlerts({ cfg, db: store.db, clock });
  const worker = new OutboxWorker({
    db: store.db,
    log,
    clock,
    workerId: instance,
    mail,
    telegram,
    onBlocked: alerts.onBlocked,
    onPermanentFailure: alerts.onPermanentFailure,
    loadAttachment: alerts.loadAttachment,
  });
  const intake = new Intake({ cfg, db: store.db, log, clock, cal, classify, onOutbox: () => worker.kick() });

  // Mail stored before a crash but never processed goes first.
  const resumed = await intake.resume();
  if (resumed) log.info({ resumed }, 'intake: resumed mail stored before the last stop');

  const parts: Record<string, string> = {};
  let smtp: SmtpIntake | null = null;
  if (cfg.intake.smtpListen) {
    smtp = await startSmtpIntake(cfg, intake, log);
    parts.smtp = `on ${cfg.intake.smtpListen.replace(/:\d+$/, '')}:${smtp.port}`;
  } else parts.smtp = 'off (intake.smtpListen / WUYE_SMTP_LISTEN is off)';

  let drop: DropDir | null = null;
  if (cfg.intake.dropDir) {
    const firstBox = cfg.mailboxes[0]?.address ?? 'dropdir';
    drop = new DropDir(path.join(cfg.dataDir, 'inbox'), firstBox, intake, log);
    drop.start();
    parts.dropDir = `on ${drop.dir}`;
  } else parts.dropDir = 'off (intake.dropDir: false)';

  const imap = cfg.mailboxes.filter((m) => m.imap).map((m) => new ImapSource(m, { db: store.db, log, intake, env }));
  for (const s of imap) s.start();
  parts.imap = imap.length ? `on ${imap.length} mailbox(es)` : 'off (no mailbox has imap settings)';

  worker.start();
  parts.outbox = `on (mail → ${mail.describe}${telegram ? ', telegram' : ''})`;

  let bot: { stop(): Promise<void> } | null = null;
  if (token) {
    const { createBot } = await import('./bot/index.ts');
    const b = createBot({ cfg, db: store.db, log, clock, cal, token, kickOutbox: () => worker.kick() });
    await b.start();
    bot = b;
    parts.bot = `on${cfg.bot.apiRoot ? ` via ${cfg.bot.apiRoot}` : ''}`;
  } else parts.bot = `off (${cfg.bot.tokenEnv} not set)`;

  const scheduler: Scheduler = startScheduler({ cfg, db: store.db, log, clock, cal, owner: instance, kickOutbox: () => worker.kick() });
  parts.scheduler = 'on (Asia/Shanghai)';
  log.info(parts, 'Wuye Desk started');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('stopping: intake first, then bot and scheduler, then a short outbox flush');
      await Promise.allSettled([smtp?.close(), drop?.stop(), ...imap.map((s) => s.stop())]);
      await Promise.allSettled([bot?.stop(), scheduler.stop()]);
      await intake.close();
      await worker.drainOnce().catch(() => 0);
      await worker.stop(3000);
      mail.close();
      await store.close();
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
}

export async function runService(cfg: Config): Promise<void> {
  await startService(cfg, { signals: true });
  // Keep running until a signal arrives.
  await new Promise(() => {});
}
