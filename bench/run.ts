// `npm run bench` — the one benchmark run: every figure measured side by side in this process (children for
// the ledger and the idle service), each with its goal, ratios against baselines measured in the same run. Writes
// bench/results.json and prints the table. Environment:
//   BENCH_ONLY=classify,backlog,delivery,bot,ledger,idle,search   run a subset (default: all)
//   BENCH_BOT_ROWS=1000000       complaints in the bot benchmark's database
//   BENCH_BACKLOG_MAILS=2000     mails in the backlog
//   BENCH_SEARCH_ROWS=1000000    cases in the case search benchmark's SQLite database
//   BENCH_SEARCH_PG_ROWS=1000000 of them copied into PostgreSQL (every k-th case; a million take ~15 min to copy here)
//   BENCH_OUT=bench/results.json where to write the results
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, type PgPeer } from '../test/support/postgres.ts';
import { benchBacklog } from './backlog.ts';
import { benchBot } from './bot.ts';
import { benchClassify } from './classify.ts';
import { benchDelivery } from './delivery.ts';
import { benchIdle } from './idle.ts';
import { benchLedger } from './ledger.ts';
import { benchSearch } from './search.ts';
import { collectGarbage, machine, notesList, table, type BenchResult } from './lib.ts';
import { generateMails } from './mail-gen.ts';

/** The search section's PostgreSQL cluster: shared buffers as a deployment of a million cases would set them. */
const PG_SEARCH_SHARED_BUFFERS = '2GB';
const SECTIONS = ['classify', 'backlog', 'delivery', 'ledger', 'idle', 'bot', 'search'] as const;
type Section = (typeof SECTIONS)[number];

function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}

function selectedSections(): Section[] {
  const only = process.env.BENCH_ONLY;
  if (!only) return [...SECTIONS];
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  return SECTIONS.filter((s) => wanted.includes(s));
}

/** A section that failed still leaves a row, so the table shows what is missing and why. */
function failed(name: string, e: unknown): BenchResult {
  const msg = (e as Error)?.message ?? String(e);
  return { name: `${name} (failed)`, value: Number.NaN, unit: '', goal: '—', pass: false, notes: `the section failed: ${msg.split('\n')[0]}` };
}

async function main(): Promise<void> {
  const started = Date.now();
  const sections = selectedSections();
  const botRows = intEnv('BENCH_BOT_ROWS', 1_000_000);
  const backlogMails = intEnv('BENCH_BACKLOG_MAILS', 2000);
  const searchRows = intEnv('BENCH_SEARCH_ROWS', 1_000_000);
  const searchPgRows = intEnv('BENCH_SEARCH_PG_ROWS', 1_000_000);
  const out = process.env.BENCH_OUT ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
  const load = loadavg();
  const results: BenchResult[] = [];
  const log = (s: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
  const run = async (section: Section, label: string, fn: () => Promise<BenchResult[]>) => {
    if (!sections.includes(section)) return;
    log(`${label} …`);
    collectGarbage();
    try {
      const r = await fn();
      results.push(...r);
      for (const x of r) log(`  ${x.name}: ${x.value} ${x.unit} (goal ${x.goal})${x.pass === false ? ' — MISSED' : ''}`);
    } catch (e) {
      results.push(failed(label, e));
      log(`  FAILED: ${(e as Error)?.stack ?? String(e)}`);
    }
  };

  await run('classify', 'classifications per second', () => benchClassify());

  await run('backlog', `backlog of ${backlogMails} mails (SQLite, PostgreSQL, simpleParser baseline)`, async () => {
    const [mails, pg] = await Promise.all([
      generateMails(backlogMails),
      startPostgres().catch((e: unknown) => {
        log(`  PostgreSQL did not start, its figures are skipped: ${(e as Error).message}`);
        return null as PgPeer | null;
      }),
    ]);
    try {
      const r = await benchBacklog(mails, { pg });
      if (!pg) r.push(failed('backlog ingest, PostgreSQL', new Error('PostgreSQL could not be started (see scripts/provision.mjs)')));
      return r;
    } finally {
      await pg?.close();
    }
  });

  await run('delivery', 'mail delivered to Dovecot → officer message', () => benchDelivery());
  await run('ledger', 'annex 2 ledger of 100,000 rows (child processes)', () => benchLedger());
  await run('idle', 'idle service RSS (wuye start as a child)', () => benchIdle());
  await run('bot', `bot with ${botRows.toLocaleString('en-US')} complaints in SQLite`, () => benchBot({ rows: botRows }));
  await run('search', `case list and search with ${searchRows.toLocaleString('en-US')} cases (SQLite, PostgreSQL)`, async () => {
    // Configured as a deployment of this size would be (PostgreSQL's guide: shared_buffers ~25 % of the memory; the
    // database of a million cases is ~5 GB); the default 128 MB reads most pages from the OS cache (docs/bench.md).
    const pg = await startPostgres({ shared_buffers: PG_SEARCH_SHARED_BUFFERS }).catch((e: unknown) => {
      log(`  PostgreSQL did not start, its figures are skipped: ${(e as Error).message}`);
      return null as PgPeer | null;
    });
    try {
      const r = await benchSearch({ rows: searchRows, pgRows: searchPgRows, pg, log });
      if (!pg) r.push(failed('case search, PostgreSQL', new Error('PostgreSQL could not be started (see scripts/provision.mjs)')));
      return r;
    } finally {
      await pg?.close();
    }
  });

  const report = {
    machine: machine(load),
    at: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    settings: { sections, botRows, backlogMails, searchRows, searchPgRows, loadavgAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
    results,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const m = report.machine;
  process.stdout.write(
    [
      '',
      `Wuye Desk benchmark — ${report.at} — ${m.cpus} × ${m.model}, ${m.mem}, Node ${m.node}, load ${m.loadavg?.join(' ')} at start — ${report.durationS} s`,
      '',
      table(results),
      '',
      notesList(results),
      '',
      `${results.filter((r) => r.pass === false).length} of ${results.filter((r) => r.pass !== null).length} goals missed; results written to ${path.relative(process.cwd(), out) || out}`,
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
