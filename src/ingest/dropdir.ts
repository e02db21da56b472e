// Drop folder intake: <dataDir>/inbox/*.eml are ingested and moved to done/ or failed/. Files are picked up by a
// watcher and a periodic scan (watchers miss events on some file systems).
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.ts';
import type { Intake } from './intake.ts';

export class DropDir {
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(
    readonly dir: string,
    private readonly intake: Intake,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const d of [this.dir, path.join(this.dir, 'done'), path.join(this.dir, 'failed')]) mkdirSync(d, { recursive: true });
    this.#watcher = watch(this.dir, () => this.kick());
    this.#watcher.on('error', () => {});
    this.#timer = setInterval(() => this.kick(), 2000);
    this.#timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.scan()
      .then(() => undefined)
      .catch((e) => this.log.error({ err: e }, 'dropdir: scan failed'))
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async scan(): Promise<number> {
    let n = 0;
    for (const name of readdirSync(this.dir).filter((f) => f.toLowerCase().endsWith('.eml')).sort()) {
      if (this.#stopped) break;
      const file = path.join(this.dir, name);
      try {
        // Skip files still being written (modified in the last half second).
        if (Date.now() - statSync(file).mtimeMs < 500) {
          this.#again = true;
          continue;
        }
        // A saved file was addressed to one of the published mailboxes or another: its headers say which.
        const r = await this.intake.ingest(readFileSync(file), { source: 'dropdir', mailbox: '' });
        const to = r.outcome === 'quarantined' ? 'failed' : 'done';
        renameSync(file, path.join(this.dir, to, name));
        n++;
      } catch (e) {
        this.log.error({ err: e, file }, 'dropdir: could not ingest; will retry');
      }
    }
    return n;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watcher?.close();
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
