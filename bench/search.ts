// The case list and search of the web console at 1,000,000 cases (issue text: list and search p95 < 100 ms, case
// page p95 < 50 ms, on SQLite and on PostgreSQL). The cases are bulk-loaded (bench/bulk-load.ts) with text mixed
// from the real residents' messages of test/fixtures/tipdm/labelled.jsonl (2–5 sentences of different messages per
// case), the search index filled as migration 0014 fills it, and 4 audit events per case. PostgreSQL gets the same
// rows copied over (BENCH_SEARCH_PG_ROWS of them). The queries run in a child process (bench/search-child.ts), whose
// VmHWM is the memory figure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/config.ts';
import { WORKING_STATUSES } from '../src/domain.ts';
import { consoleCountCap, type CaseQuery } from '../src/store/case-search.ts';
import { SEARCHABLE_COLUMNS, caseTokens, searchableOfRow, textKey, type SearchableRow } from '../src/store/case-text.ts';
import { openStore } from '../src/store/db.ts';
import { ftsDocument, tsVector } from '../src/store/search-tokens.ts';
import type { PgPeer } from '../test/support/postgres.ts';
import { testConfig } from '../test/support/service.ts';
import { buildComplaintDb } from './bulk-load.ts';
import { nowMs, percentile, result, type BenchResult } from './lib.ts';
import type { ChildReport, SearchPlan } from './search-child.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, 'search-child.ts');
const TIPDM = path.join(PROJECT_ROOT, 'test/fixtures/tipdm/labelled.jsonl');
const DAY = 86_400_000;

/** Sentences of the real messages, and their subjects. */
export function tipdmPool(): { sentences: string[]; subjects: string[] } {
  const rows = readFileSync(TIPDM, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { subject: string; text: string });
  const sentences = rows.flatMap((r) => r.text.split(/(?<=[。！？!?；;])|\n/u)).map((s) => s.trim()).filter((s) => s.length >= 6 && s.length <= 120);
  return { sentences, subjects: rows.map((r) => r.subject) };
}

export function textFrom(pool: { sentences: string[]; subjects: string[] }) {
  return (rnd: () => number, compound: string) => {
    const n = 2 + Math.floor(rnd() * 4);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(pool.sentences[Math.floor(rnd() * pool.sentences.length)]!);
    return { subject: pool.subjects[Math.floor(rnd() * pool.subjects.length)]!, body: `我是${compound}的业主。${parts.join('')}希望尽快处理。` };
  };
}

interface Seeded {
  indexMs: number;
  eventsMs: number;
  tokens: number;
}

/** Fills the search index as migration 0014 does (same tokens), and 4 audit events per case. */
export function indexAndEvents(file: string): Seeded {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const page = db.prepare(`SELECT ${SEARCHABLE_COLUMNS.join(', ')}, assigned_at, accepted_at FROM complaint WHERE id > ? ORDER BY id LIMIT 5000`);
  const insertText = db.prepare('INSERT INTO complaint_text (rowid, doc) VALUES (?, ?)');
  const insertEvent = db.prepare(
    "INSERT INTO complaint_event (complaint_id, type, at, actor_kind, actor_officer_id, actor_role, actor_name, from_status, to_status, data) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
  );
  let tokens = 0;
  let t0 = nowMs();
  let eventsMs = 0;
  db.transaction(() => {
    for (let after = 0; ; ) {
      const rows = page.all(after) as Record<string, string | number | null>[];
      for (const r of rows) {
        const c = searchableOfRow(r as SearchableRow);
        const tok = caseTokens(c);
        tokens += tok.length;
        insertText.run(textKey(r.id as number, c.receivedAt), ftsDocument(tok));
      }
      const e0 = nowMs();
      for (const r of rows) {
        const id = r.id as number;
        const at = r.received_at as string;
        insertEvent.run(id, 'registered', at, 'system', null, 'intake', null, 'triage', JSON.stringify({ mailbox: 'yhqzjjwy@163.com' }));
        insertEvent.run(id, 'acknowledged', at, 'system', null, 'intake', null, null, JSON.stringify({ to: r.complainant_email }));
        if (r.assigned_at) insertEvent.run(id, 'assigned', r.assigned_at, 'officer', 'officer', '住建局 王科长', 'triage', 'assigned', JSON.stringify({ unit: 'housing' }));
        if (r.accepted_at) insertEvent.run(id, 'accepted', r.accepted_at, 'officer', 'officer', '李四', 'assigned', 'accepted', null);
      }
      eventsMs += nowMs() - e0;
      if (rows.length < 5000) break;
      after = rows[rows.length - 1]!.id as number;
    }
  })();
  const indexMs = nowMs() - t0 - eventsMs;
  t0 = nowMs();
  db.pragma('journal_mode = WAL');
  db.close();
  return { indexMs, eventsMs, tokens };
}

/**
 * Copies every `stride`-th case (its text index and events too) from the SQLite file into a migrated PostgreSQL
 * database: the same mix of counties, statuses and ages at a smaller N.
 */
export async function copyToPostgres(file: string, url: string, stride: number): Promise<number> {
  const t0 = nowMs();
  const store = await openStore(url);
  await store.close();
  const src = new SqliteDatabase(file, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Bulk-load as one would: the GIN index is built once at the end instead of row by row.
    await client.query('DROP INDEX complaint_text_doc');
    const caseCols = (src.prepare('SELECT * FROM complaint LIMIT 1').columns() as { name: string }[]).map((c) => c.name);
    const eventCols = ['complaint_id', 'type', 'at', 'actor_kind', 'actor_role', 'actor_name', 'from_status', 'to_status', 'data'];
    const page = src.prepare('SELECT * FROM complaint WHERE id > ? AND id % ? = 0 ORDER BY id LIMIT 1000');
    const events = src.prepare(`SELECT ${eventCols.join(', ')} FROM complaint_event WHERE complaint_id BETWEEN ? AND ? ORDER BY id`);
    const insert = async (table: string, cols: string[], values: unknown[][], cast: Record<string, string> = {}) => {
      if (!values.length) return;
      const params: unknown[] = [];
      const tuples = values.map((v) => `(${v.map((x, i) => (params.push(x), `$${params.length}${cast[cols[i]!] ?? ''}`)).join(', ')})`);
      await client.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params);
    };
    for (let after = 0; ; ) {
      const cases = page.all(after, stride) as Record<string, unknown>[];
      if (!cases.length) break;
      await client.query('BEGIN');
      await insert('complaint', caseCols, cases.map((c) => caseCols.map((k) => c[k])));
      await insert(
        'complaint_text',
        ['complaint_id', 'doc'],
        cases.map((c) => [
          c.id,
          tsVector(caseTokens(searchableOfRow(c as SearchableRow))),
        ]),
        { doc: '::tsvector' },
      );
      const evs = (events.all(cases[0]!.id, cases[cases.length - 1]!.id) as Record<string, unknown>[]).filter((e) => (e.complaint_id as number) % stride === 0);
      for (let i = 0; i < evs.length; i += 5000) await insert('complaint_event', eventCols, evs.slice(i, i + 5000).map((e) => eventCols.map((k) => e[k])));
      await client.query('COMMIT');
      after = cases[cases.length - 1]!.id as number;
    }
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query('CREATE INDEX complaint_text_doc ON complaint_text USING gin (doc)');
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
    src.close();
  }
  return nowMs() - t0;
}

function runChild(url: string, plan: SearchPlan, dir: string): Promise<ChildReport> {
  const planFile = path.join(dir, `plan-${Date.now()}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, planFile], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`search child exited ${code}: ${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildReport);
      } catch {
        reject(new Error(`search child printed no report: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
      }
    });
  });
}

/** The queries of each figure: a county desk's and an officer's lists, filters, words of each kind. */
export function planOf(now: string, trackings: string[], rounds: number, city: string): SearchPlan {
  const yanhu = ['yanhu'];
  const monthAgo = new Date(Date.parse(now) - 30 * DAY).toISOString();
  // Counted as the console counts (up to its caps: case-search.ts).
  const list = (label: string, q: Omit<CaseQuery, 'now'>) => ({ kind: 'list' as const, label, q: { now, countUpTo: consoleCountCap(q.text), ...q } });
  const figures: SearchPlan['figures'] = {
    'case list, default page': [
      list('盐湖区 desk, newest first', { counties: yanhu }),
      list('all counties (city), newest first', {}),
      list('fire officer of 盐湖区 (own and co-handled)', { counties: yanhu, ownUnit: 'fire' }),
    ],
    'case list with filters': [
      list('盐湖区, working statuses, by deadline', { counties: yanhu, status: [...WORKING_STATUSES], sort: 'deadline' }),
      list('盐湖区, overdue', { counties: yanhu, overdue: true }),
      list('housing, urgent, page 3', { unit: 'housing', urgent: true, page: 3 }),
      list('compound 花园, last 30 days', { compound: '花园', receivedFrom: monthAgo }),
      list('not yet assigned, by deadline', { unit: 'none', sort: 'deadline' }),
      list('盐湖区, source 12345, oldest first, page 5', { counties: yanhu, source: '12345', sort: 'received', page: 5 }),
    ],
    'search, common 2-character word': ['物业', '电梯', '小区', '噪音', '停车'].map((w) => list(w, { text: w })),
    'search, rare word': ['蟑螂', '地暖', '鞭炮', trackings[7]!, `${trackings[3]!} 物业`].map((w) => list(w, { text: w })),
    'search, 4-character word': ['物业公司', '噪音扰民', '电梯故障', '停车收费', '乱收费用'].map((w) => list(w, { text: w, counties: yanhu })),
    'search, one character': ['霉', '漏'].map((w) => list(w, { text: w })),
    'search by deadline': [
      list('电梯, by deadline', { text: '电梯', sort: 'deadline' }),
      list('噪音 in 盐湖区, by deadline, page 3', { text: '噪音', counties: yanhu, sort: 'deadline', page: 3 }),
      list('物业公司 in 盐湖区, by deadline', { text: '物业公司', counties: yanhu, sort: 'deadline' }),
      list('地暖, by deadline', { text: '地暖', sort: 'deadline' }),
    ],
    'case page (findByTracking + eventsOf)': [{ kind: 'page' as const, label: 'case page', trackings }],
    // Every number of the console's dashboard (routes-dashboard.ts dashboardNumbers): 7 figures, overdue by unit and
    // by county, 8 weeks of received / closed / overdue.
    'dashboard (every number)': [
      { kind: 'dashboard' as const, label: 'city admin (every county)', now, user: { role: 'admin', county: city, unit: null } },
      { kind: 'dashboard' as const, label: '盐湖区 desk', now, user: { role: 'desk', county: 'yanhu', unit: null } },
      { kind: 'dashboard' as const, label: 'fire officer of 盐湖区', now, user: { role: 'officer', county: 'yanhu', unit: 'fire' } },
    ],
  };
  // Each variant twice before timing: a round runs one variant of each figure, so 5 warm-up rounds left the first
  // runs of some variants — the cache still cold for their cases — among the timed ones (120–200 ms at 1,000,000 on
  // PostgreSQL, against 40–60 ms for the same query afterwards).
  return { rounds, warmup: 2 * Math.max(...Object.values(figures).map((v) => v.length)), figures };
}

const GOALS: Record<string, number> = {
  'case list, default page': 100,
  'case list with filters': 100,
  'search, common 2-character word': 100,
  'search, rare word': 100,
  'search, 4-character word': 100,
  'search, one character': 100,
  'search by deadline': 100,
  'case page (findByTracking + eventsOf)': 50,
  'dashboard (every number)': 500,
};

function figures(dialect: string, rows: number, report: ChildReport, setup: string): BenchResult[] {
  const n = rows.toLocaleString('en-US');
  return Object.entries(report.samples).map(([figure, xs]) => {
    const per = Object.entries(report.variants[figure] ?? {})
      .map(([label, ys]) => `${label}${report.totals[label] !== undefined ? ` (${report.totals[label]!.toLocaleString('en-US')}${report.capped?.includes(label) ? '+' : ''} ${figure.startsWith('case page') ? 'events' : figure.startsWith('dashboard') ? 'cases in scope' : 'matches'})` : ''} p50 ${percentile(ys, 50).toFixed(1)} / p95 ${percentile(ys, 95).toFixed(1)} ms`)
      .join('; ');
    return result(
      `${figure} p95, ${dialect} (${n} cases)`,
      percentile(xs, 95),
      'ms',
      { op: '<', value: GOALS[figure] ?? 100 },
      `p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms over ${xs.length} queries (variants in turn): ${per}. ${setup}`,
    );
  });
}

export async function benchSearch(opts: { rows: number; pgRows: number; pg: PgPeer | null; rounds?: number; log?: (s: string) => void }): Promise<BenchResult[]> {
  const log = opts.log ?? (() => undefined);
  const rounds = opts.rounds ?? 60;
  const dir = mkdtempSync(path.join(tmpdir(), 'wuye-bench-search-'));
  const out: BenchResult[] = [];
  try {
    const file = path.join(dir, 'wuye.db');
    const cfg = testConfig({ db: `sqlite:${file}`, dataDir: dir });
    const now = new Date();
    const built = await buildComplaintDb(file, cfg, opts.rows, { seed: 23, now, text: textFrom(tipdmPool()) });
    log(`  ${opts.rows} cases bulk-loaded in ${(built.ms / 1000).toFixed(1)} s`);
    const seeded = indexAndEvents(file);
    log(`  search index filled in ${(seeded.indexMs / 1000).toFixed(1)} s (${seeded.tokens} tokens), events in ${(seeded.eventsMs / 1000).toFixed(1)} s`);
    const probe = new SqliteDatabase(file, { readonly: true });
    const stride = Math.max(1, Math.ceil(opts.rows / opts.pgRows));
    const sample = (every: number) => (probe.prepare('SELECT tracking FROM complaint WHERE id % ? = 0 LIMIT 200').all(every) as { tracking: string }[]).map((r) => r.tracking);
    const trackings = sample(997);
    const pgTrackings = sample(97 * stride);
    const ftsMb = ((probe.prepare("SELECT sum(pgsize) AS b FROM dbstat WHERE name LIKE 'complaint_text%'").get() as { b: number | null }).b ?? 0) / 1024 / 1024;
    probe.close();
    const plan = planOf(now.toISOString(), trackings, rounds, cfg.city.code);
    const sqliteSetup = `${opts.rows.toLocaleString('en-US')} cases bulk-loaded (${(built.ms / 1000).toFixed(0)} s; text of 2–5 sentences of the tipdm messages each), search index filled as migration 0014 does (${(seeded.indexMs / 1000).toFixed(0)} s, ${(seeded.tokens / opts.rows).toFixed(0)} tokens a case, FTS5 ${ftsMb.toFixed(0)} MB of a ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB file, incremental segments as written, not optimized), 4 audit events a case; queries in a child process, one at a time, ${rounds} rounds after each variant ran twice untimed`;
    const sqlite = await runChild(`sqlite:${file}`, plan, dir);
    out.push(...figures('SQLite', opts.rows, sqlite, sqliteSetup));
    let peak = sqlite.peakRssMb ?? 0;
    let peakNote = `SQLite child ${sqlite.peakRssMb?.toFixed(0)} MB`;
    if (opts.pg) {
      const name = `wuye_bench_search_${process.pid}`;
      const url = await opts.pg.createDatabase(name);
      try {
        const pgRows = Math.floor(opts.rows / stride);
        const copyMs = await copyToPostgres(file, url, stride);
        log(`  ${pgRows} cases copied to PostgreSQL in ${(copyMs / 1000).toFixed(1)} s`);
        const pgPlan = planOf(now.toISOString(), pgTrackings, rounds, cfg.city.code);
        const pgReport = await runChild(url, pgPlan, dir);
        out.push(...figures('PostgreSQL', pgRows, pgReport, `every ${stride === 1 ? '' : `${stride}th `}case of the SQLite database (${pgRows.toLocaleString('en-US')}) with their index and events copied into a private PostgreSQL 15 cluster (test settings: fsync off; shared_buffers 2 GB, as a deployment of this size would set it), GIN index built after the copy, VACUUM ANALYZE (${(copyMs / 1000).toFixed(0)} s); queries in a child process, pool of 8, one at a time, ${rounds} rounds after each variant ran twice untimed`));
        if ((pgReport.peakRssMb ?? 0) > peak) peak = pgReport.peakRssMb ?? 0;
        peakNote += `, PostgreSQL child ${pgReport.peakRssMb?.toFixed(0)} MB (client side; the server's memory is not counted)`;
      } finally {
        await opts.pg.dropDatabase(name).catch(() => undefined);
      }
    }
    out.push(result('case search: peak RSS (worst run)', peak, 'MB', { op: 'none' }, `VmHWM of the query child: ${peakNote}`));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
