// Building a service config for tests: embedded defaults, a temp data dir, and the peers the test wires in.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/log.ts';

export interface TestConfigOptions {
  db: string;
  dataDir?: string;
  /** IMAP for these addresses (they must be Dovecot users with password `secret` unless given). */
  imap?: { host: string; port: number; addresses: string[]; passwordEnv?: string };
  smtpSink?: { host: string; port: number };
  smtpListen?: string | null;
  apiRoot?: string;
  dropDir?: boolean;
}

export function testConfig(o: TestConfigOptions): Config {
  const cfg = loadConfig({ env: { WUYE_DATA_DIR: o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'wuye-data-')), WUYE_DB: o.db } });
  if (o.imap) {
    for (const m of cfg.mailboxes) {
      if (o.imap.addresses.includes(m.address)) {
        m.imap = { host: o.imap.host, port: o.imap.port, secure: false, user: m.address, passwordEnv: o.imap.passwordEnv ?? 'WUYE_TEST_IMAP_PASSWORD', rejectUnauthorized: false, mailbox: 'INBOX' };
      }
    }
  }
  cfg.mail.smtp = o.smtpSink ? { host: o.smtpSink.host, port: o.smtpSink.port, secure: false, rejectUnauthorized: false } : null;
  cfg.intake.smtpListen = o.smtpListen === undefined ? null : o.smtpListen;
  cfg.intake.dropDir = o.dropDir ?? false;
  // No web console unless a test starts one itself: parallel services must not race for one port.
  cfg.web.listen = null;
  if (o.apiRoot) cfg.bot.apiRoot = o.apiRoot;
  cfg.bot.username = 'wuye_test_bot';
  // Quiet hours off in tests unless a test sets them: messages go out at once whatever the wall clock says.
  cfg.schedule.quietHours = { start: '00:00', end: '00:00' };
  return cfg;
}

/** A logger that keeps lines in memory (tests grep them, e.g. for leaked secrets). */
export function memoryLogger(level = 'info'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = { write: (s: string) => void lines.push(s) } as unknown as NodeJS.WritableStream;
  return { log: createLogger({ level, pretty: false, destination: stream }), lines };
}
