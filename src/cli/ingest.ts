// `wuye ingest FILE…`: ingests raw .eml files into the configured database, each under the county its recipients
// name (or as if it arrived at --mailbox, when given).
// One JSON line per file: {"file","outcome","tracking","reason"}. Exit 0 even when some are quarantined; a
// progress bar on stderr when it is a TTY. The running service's outbox worker delivers what this writes.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { systemClock } from '../clock.ts';
import { Intake } from '../ingest/intake.ts';
import { loadCalendar, loadClassifier } from '../runtime.ts';
import { withStore } from './common.ts';

function progress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

export async function ingestCommand(cfg: Config, files: string[], mailbox?: string): Promise<number> {
  // Without --mailbox each file's own recipients (Delivered-To, To, Cc) name its county; --mailbox overrides.
  const box = mailbox ?? '';
  if (!cfg.mailboxes.length) {
    process.stderr.write('未配置邮箱 / no mailbox configured\n');
    return 2;
  }
  if (box && !cfg.mailboxes.some((m) => m.address.toLowerCase() === box.toLowerCase())) {
    process.stderr.write(`--mailbox: 未配置的邮箱 unknown mailbox ${box}\n`);
    return 2;
  }
  const log = createLogger({ level: process.env.WUYE_LOG_LEVEL ?? 'warn', pretty: false, destination: process.stderr });
  const tty = process.stderr.isTTY === true;
  return withStore(cfg, async ({ db }) => {
    const intake = new Intake({ cfg, db, log, clock: systemClock, cal: loadCalendar(cfg), classify: loadClassifier(cfg), wakeOutbox: () => undefined });
    let done = 0;
    try {
      // Up to 4 files in flight (parse of one beside the storage of another); lines come out in file order.
      const items = files.map((file) => ({ raw: () => readFileSync(file), meta: { source: 'file' as const, mailbox: box } }));
      let i = 0;
      for await (const r of intake.ingestMany(items, 4)) {
        const file = files[i++]!;
        let line: Record<string, unknown>;
        if ('error' in r) {
          const err = r.error as NodeJS.ErrnoException;
          if (err.code !== 'ENOENT' && err.code !== 'EISDIR' && err.code !== 'EACCES') throw err;
          line = { file, outcome: 'quarantined', tracking: null, reason: `无法读取文件 cannot read file: ${err.message}` };
        } else line = { file, outcome: r.outcome, tracking: r.tracking, reason: r.reason };
        process.stdout.write(`${JSON.stringify(line)}\n`);
        if (tty) progress(++done, files.length);
      }
    } finally {
      await intake.close();
    }
    return 0;
  });
}
