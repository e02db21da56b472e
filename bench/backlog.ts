// Figures 2 and 3 (intake): backlog ingest — every generated mail through `Intake.ingestMany` (4 in flight), as
// the IMAP catch-up does after an outage — into a file-backed SQLite database and into PostgreSQL; the baseline is
// mailparser's own `simpleParser` over the same bytes in the same run. The machine is shared, so the methods are
// interleaved finely: the backlog is cut into chunks of 100 mails and each chunk goes through simpleParser, the
// intake's parse step, SQLite ingest and PostgreSQL ingest in turn, so a burst of background load hits all of them
// alike. A round is the whole backlog (fresh databases); figures are medians over rounds, after a discarded
// warm-up round; one parser pool serves the whole run, as one serves the service for its lifetime. Rates are wall-clock;
// this process's CPU time is reported beside them (less sensitive to other processes on the machine).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { systemClock } from '../src/clock.ts';
import { Intake, type Outcome } from '../src/ingest/intake.ts';
import { parseMail } from '../src/ingest/parse.ts';
import { defaultParserThreads, ParsePool } from '../src/ingest/parse-pool.ts';
import { createLogger, type Logger } from '../src/log.ts';
import { loadCalendar, loadClassifier } from '../src/runtime.ts';
import { openStore, type Store } from '../src/store/db.ts';
import { syncReferenceData } from '../src/store/reference.ts';
import type { PgPeer } from '../test/support/postgres.ts';
import { testConfig } from '../test/support/service.ts';
import { collectGarbage, median, nowMs, result, type BenchResult } from './lib.ts';
import { describeMails, type GeneratedMail } from './mail-gen.ts';

/** A production-like logger (info level, JSON) whose output is discarded. */
export function discardLogger(level = 'info'): Logger {
  return createLogger({ level, pretty: false, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
}

const CHUNK = 100;
/** Mails of the discarded warm-up round. */
const WARM_UP = 400;

/** Wall and CPU milliseconds spent by one method over a round, and per chunk. */
class Meter {
  wall = 0;
  cpu = 0;
  chunks: { wall: number; cpu: number }[] = [];
  async time(fn: () => Promise<void>): Promise<void> {
    const c0 = process.cpuUsage();
    const t0 = nowMs();
    await fn();
    const wall = nowMs() - t0;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    this.wall += wall;
    this.cpu += cpu;
    this.chunks.push({ wall, cpu });
  }
  rate(n: number): { wall: number; cpu: number } {
    return { wall: (n / this.wall) * 1000, cpu: (n / this.cpu) * 1000 };
  }
}

interface Target {
  label: 'sqlite' | 'postgres';
  store: Store;
  intake: Intake;
  outcomes: Record<Outcome, number>;
  meter: Meter;
  cleanup: () => Promise<void>;
}

async function openTarget(label: Target['label'], url: string, dataDir: string, pool: ParsePool, cleanup: () => Promise<void>): Promise<Target> {
  const cfg = testConfig({ db: url, dataDir });
  const store = await openStore(url);
  await syncReferenceData(store.db, cfg);
  const intake = new Intake({ cfg, db: store.db, log: discardLogger(), clock: systemClock, cal: loadCalendar(cfg), classify: loadClassifier(cfg), wakeOutbox: () => undefined, parse: (raw, o) => pool.parse(raw, o) });
  return {
    label,
    store,
    intake,
    outcomes: { registered: 0, reply: 0, duplicate: 0, quarantined: 0, ignored: 0 },
    meter: new Meter(),
    cleanup: async () => {
      await store.close();
      await cleanup();
    },
  };
}

/** Every mail must have its outcome in the store, or the rate would be a lie. */
async function checkOutcomes(t: Target, n: number): Promise<void> {
  const done = await t.store.db.selectFrom('raw_mail').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', 'is not', null).executeTakeFirstOrThrow();
  if (Number(done.n) !== n) throw new Error(`backlog (${t.label}): ${done.n} of ${n} mails have an outcome`);
}

interface Rates {
  wall: number;
  cpu: number;
  /** Per chunk: milliseconds of wall and CPU time. */
  chunks: { wall: number; cpu: number }[];
}
interface Round {
  simple: Rates;
  parse: Rates;
  targets: ({ label: Target['label']; outcomes: Record<Outcome, number> } & Rates)[];
}

async function round(mails: GeneratedMail[], r: number, pg: PgPeer | null, pool: ParsePool): Promise<Round> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wuye-bench-backlog-'));
  const targets: Target[] = [];
  try {
    targets.push(await openTarget('sqlite', `sqlite:${path.join(dir, 'wuye.db')}`, dir, pool, async () => {}));
    if (pg) {
      const name = `bench_backlog_${process.pid}_${r < 0 ? 'warm' : r}`;
      const url = await pg.createDatabase(name);
      targets.push(await openTarget('postgres', url, dir, pool, () => pg.dropDatabase(name).catch(() => undefined)));
    }
    const simple = new Meter();
    const parse = new Meter();
    let chars = 0;
    let parsed = 0;
    collectGarbage();
    for (let start = 0; start < mails.length; start += CHUNK) {
      const chunk = mails.slice(start, start + CHUNK);
      await simple.time(async () => {
        for (const m of chunk) chars += ((await simpleParser(m.raw)).text ?? '').length;
      });
      await parse.time(async () => {
        for (const m of chunk) if ((await parseMail(m.raw)).ok) parsed++;
      });
      for (const t of targets) {
        await t.meter.time(async () => {
          // The backlog path `wuye ingest` takes: up to 4 mails in flight (Intake.ingestMany).
          const items = chunk.map((m, i) => ({ raw: () => m.raw, meta: { source: 'imap' as const, mailbox: m.mailbox, uidvalidity: 1, uid: start + i + 1 } }));
          for await (const res of t.intake.ingestMany(items, 4)) {
            if ('error' in res) throw res.error;
            t.outcomes[res.outcome]++;
          }
        });
      }
    }
    if (chars === 0 || parsed === 0) throw new Error('backlog: the parsers produced nothing');
    for (const t of targets) await checkOutcomes(t, mails.length);
    return {
      simple: { ...simple.rate(mails.length), chunks: simple.chunks },
      parse: { ...parse.rate(mails.length), chunks: parse.chunks },
      targets: targets.map((t) => ({ label: t.label, ...t.meter.rate(mails.length), chunks: t.meter.chunks, outcomes: t.outcomes })),
    };
  } finally {
    for (const t of targets) await t.cleanup().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function outcomeText(o: Record<Outcome, number>): string {
  return Object.entries(o)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

const list = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');

export interface BacklogOptions {
  reps?: number;
  /** A running PostgreSQL cluster for figure 3; figure 3 is skipped without it. */
  pg?: PgPeer | null;
}

/** Median over every chunk of every round of (time of the baseline ÷ time of `of`) = rate(of) ÷ rate(baseline). */
function chunkRatio(rounds: Round[], of: (r: Round) => Rates, kind: 'wall' | 'cpu'): number {
  const ratios: number[] = [];
  for (const r of rounds) {
    const a = of(r).chunks;
    r.simple.chunks.forEach((b, i) => ratios.push(b[kind] / a[i]![kind]));
  }
  return median(ratios);
}

/** Mails per second over all rounds together. */
function overall(rounds: Round[], of: (r: Round) => Rates, n: number, kind: 'wall' | 'cpu'): number {
  const ms = rounds.reduce((s, r) => s + of(r).chunks.reduce((t, c) => t + c[kind], 0), 0);
  return ((n * rounds.length) / ms) * 1000;
}

export async function benchBacklog(mails: GeneratedMail[], opts: BacklogOptions = {}): Promise<BenchResult[]> {
  const reps = opts.reps ?? 2;
  const rounds: Round[] = [];
  // One parser pool for the whole run, as the service keeps one for its lifetime; a discarded warm-up round over
  // the first mails brings every method (and the parser thread) to steady state before anything is counted.
  const pool = new ParsePool();
  try {
    await round(mails.slice(0, WARM_UP), -1, opts.pg ?? null, pool);
    for (let r = 0; r < reps; r++) rounds.push(await round(mails, r, opts.pg ?? null, pool));
  } finally {
    await pool.close();
  }
  const n = mails.length;
  const chunks = Math.ceil(n / CHUNK);

  const simple = (r: Round) => r.simple;
  const baseRate = overall(rounds, simple, n, 'wall');
  const baseline = { name: 'mailparser simpleParser', value: Math.round(baseRate), unit: 'mails/s' };
  const perRound = (of: (r: Round) => Rates) => `rounds ${list(rounds.map((r) => of(r).wall))} mails/s wall, ${list(rounds.map((r) => of(r).cpu))} per CPU-second of this process`;
  const out: BenchResult[] = [];
  for (const label of ['sqlite', 'postgres'] as const) {
    if (!rounds[0]!.targets.some((t) => t.label === label)) continue;
    const of = (r: Round) => r.targets.find((t) => t.label === label)!;
    const wall = overall(rounds, of, n, 'wall');
    const ratio = chunkRatio(rounds, of, 'wall');
    const name = label === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const how =
      label === 'sqlite'
        ? `${describeMails(mails)}. Intake.ingestMany, 4 mails in flight, ${defaultParserThreads()} parser thread(s) with mails posted ahead (one pool for the run, as in the service; a discarded warm-up round of ${WARM_UP} mails first) (store raw → parse with GB18030 repairs → signals → classify → register case + audit + ack in one transaction) into a file-backed SQLite (WAL, synchronous=NORMAL)`
        : `the same mails into a private PostgreSQL 15 cluster on loopback (test cluster: fsync=off, synchronous_commit=off), pool of 8, 4 mails in flight; CPU time excludes the server's`;
    out.push(
      result(`backlog ingest, ${name}`, wall, 'mails/s', { op: '>=', value: 1000 }, `${how}; ${reps} rounds, all mails/all time: ${Math.round(wall)} mails/s wall, ${Math.round(overall(rounds, of, n, 'cpu'))} per CPU-second; ${perRound(of)}; outcomes per round: ${outcomeText(of(rounds[0]!).outcomes)}`, { baseline, ratio }),
      result(`backlog ingest ÷ simpleParser, ${name}`, ratio, '×', { op: '>=', value: 0.5 }, `median over ${reps} × ${chunks} chunks of 100 mails of (ingest rate ÷ simpleParser rate on the same chunk, measured back to back); by CPU time ${chunkRatio(rounds, of, 'cpu').toFixed(2)}×; simpleParser ${perRound(simple)}`, { baseline, ratio }),
    );
  }
  const parse = (r: Round) => r.parse;
  out.splice(
    2,
    0,
    result('parseMail alone (the intake parse step)', overall(rounds, parse, n, 'wall'), 'mails/s', { op: 'none' }, `for reference: the intake's parse step without storage or classification (mailsplit charset/structure repairs, then simpleParser, HTML → text) on the same chunks; ${perRound(parse)}`, { baseline, ratio: chunkRatio(rounds, parse, 'wall') }),
  );
  return out;
}
