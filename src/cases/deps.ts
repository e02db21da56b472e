// What every use case needs. The adapters (mail intake, bot, scheduler, CLI, web) hold one of these, built once by
// the composition root (main.ts, or a CLI command), and pass it to the use cases they call.
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import type { Calendar } from '../workflow/calendar.ts';

export interface CaseDeps {
  cfg: Config;
  db: Db;
  cal: Calendar;
  clock: Clock;
  log: Logger;
  /** Wakes the outbox worker; called by commit.ts after a commit that wrote outbox rows, and nowhere else. */
  wakeOutbox: () => void;
}
