// Bulk-loads a realistic complaint table into a migrated SQLite file, fast: the schema comes from the real
// migrations (openStore), the rows go in through one prepared better-sqlite3 INSERT in one transaction.
// Distribution: counties weighted to 盐湖区 and the city, units to housing (the seeds make most property complaints
// a housing matter), statuses by age (old cases are written off, recent ones open), consistent dates and deadlines.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../src/config.ts';
import { PROBLEM_TYPES, type Status, type UnitCode } from '../src/domain.ts';
import { openStore } from '../src/store/db.ts';
import { syncReferenceData } from '../src/store/reference.ts';
import { nowMs } from './lib.ts';
import { COMPANIES, COMPOUNDS, prng } from './mail-gen.ts';
import { readDevSet } from './classify.ts';

const COUNTY_WEIGHTS: Record<string, number> = {
  yuncheng: 10, yanhu: 30, yongji: 7, hejin: 7, wanrong: 4, jishan: 4, xinjiang: 5,
  jiangxian: 3, yuanqu: 3, wenxi: 5, pinglu: 3, xiaxian: 5, linyi: 7, ruicheng: 5,
};
const UNIT_WEIGHTS: Record<UnitCode, number> = {
  housing: 45, 'market-regulation': 12, 'development-reform': 8, fire: 8, police: 6, energy: 5,
  'natural-resources': 4, township: 4, community: 3, health: 2, 'civil-defence': 1.5, approval: 1.5,
};
// Status mixes by the case's age in days.
const OLD: [Status, number][] = [['written_off', 93], ['reviewed', 1.5], ['cosigned', 1], ['resolved', 1.5], ['in_progress', 1.5], ['plan_submitted', 0.5], ['reopened', 0.5], ['accepted', 0.5]];
const MIDDLE: [Status, number][] = [['written_off', 55], ['reviewed', 8], ['cosigned', 5], ['resolved', 10], ['in_progress', 10], ['accepted', 5], ['assigned', 3], ['plan_submitted', 2], ['reopened', 1], ['triage', 1]];
const RECENT: [Status, number][] = [['written_off', 10], ['reviewed', 5], ['cosigned', 3], ['resolved', 12], ['in_progress', 20], ['accepted', 20], ['assigned', 20], ['plan_submitted', 2], ['triage', 5], ['received', 3]];

const DAY = 86_400_000;
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎';
const FINDINGS = ['substantiated', 'partly', 'unsubstantiated'] as const;
const RESULTS = ['已约谈物业企业，限期整改完毕，业主表示认可。', '经现场核查，问题属实，已责令物业公司整改。', '已协调相关单位处理，问题已解决。', '经核查，反映情况与事实不符，已向投诉人说明。'];

function weighted<T extends string>(entries: [T, number][]): (r: number) => T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  const cum: [T, number][] = [];
  let acc = 0;
  for (const [k, w] of entries) cum.push([k, (acc += w / total)]);
  return (r) => cum.find(([, c]) => r < c)?.[0] ?? cum[cum.length - 1]![0];
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** End of the Shanghai day `days` after `ms` (deadlines are 24:00 local). */
const dueAfter = (ms: number, days: number): string => {
  const local = ms + 8 * 3600_000 + days * DAY;
  return iso(Math.floor(local / DAY) * DAY + DAY - 8 * 3600_000);
};

const AFTER_TRIAGE = new Set<Status>(['assigned', 'accepted', 'in_progress', 'plan_submitted', 'resolved', 'cosigned', 'reviewed', 'written_off', 'reopened']);
const AFTER_ACCEPT = new Set<Status>(['accepted', 'in_progress', 'plan_submitted', 'resolved', 'cosigned', 'reviewed', 'written_off', 'reopened']);
const AFTER_RESOLVE = new Set<Status>(['resolved', 'cosigned', 'reviewed', 'written_off']);

export interface BulkResult {
  rows: number;
  ms: number;
  byStatus: Record<string, number>;
}

/**
 * Creates (migrates) the database at `file` and appends `rows` complaints received between `cfg.reports.campaignStart`
 * and `now`, in receipt order.
 */
export async function buildComplaintDb(
  file: string,
  cfg: Config,
  rows: number,
  opts: { seed?: number; now?: Date; text?: (rnd: () => number, compound: string) => { subject: string; body: string } } = {},
): Promise<BulkResult> {
  mkdirSync(path.dirname(file), { recursive: true });
  const store = await openStore(`sqlite:${file}`);
  await syncReferenceData(store.db, cfg);
  await store.close();

  const t0 = nowMs();
  const rnd = prng(opts.seed ?? 7);
  const now = (opts.now ?? new Date()).getTime();
  const start = Date.parse(`${cfg.reports.campaignStart}T00:00:00+08:00`);
  const prefixOf = new Map(cfg.counties.map((c) => [c.code, c.prefix]));
  const county = weighted(Object.entries(COUNTY_WEIGHTS).filter(([c]) => prefixOf.has(c)));
  const unit = weighted(Object.entries(UNIT_WEIGHTS) as [UnitCode, number][]);
  const byAge = { old: weighted(OLD), middle: weighted(MIDDLE), recent: weighted(RECENT) };
  const cores = readDevSet().filter((r) => r.text.length > 10);
  const classification = new Map<string, string>();
  const classOf = (u: UnitCode | null, problem: string): string => {
    const key = `${u}|${problem}`;
    let v = classification.get(key);
    if (!v) {
      v = JSON.stringify({ unit: u, units: u ? [{ unit: u, score: 3 }] : [], problem, urgent: false, triage: u === null, score: 3, matched: ['物业', '维修'] });
      classification.set(key, v);
    }
    return v;
  };

  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  const insert = db.prepare(`INSERT INTO complaint (
      tracking, county, source, status, unit, problem, urgent, complex, supervised,
      complainant_name, complainant_phone, complainant_email, complainant_key, compound, address, company, company_id,
      subject, body, classification, received_at, assigned_at, accepted_at, resolved_at, written_off_at, finding, result,
      due_transfer, due_close, due_plan, due_progress, due_verify, due_penalty, extension, extended,
      raw_mail_id, ack_message_id, version, created_at, updated_at)
    VALUES (
      @tracking, @county, @source, @status, @unit, @problem, @urgent, @complex, @supervised,
      @name, @phone, @email, @key, @compound, @address, @company, NULL,
      @subject, @body, @classification, @received, @assigned, @accepted, @resolved, @writtenOff, @finding, @result,
      @dueTransfer, @dueClose, @duePlan, @dueProgress, NULL, NULL, NULL, 0,
      NULL, NULL, @version, @received, @updated)`);
  const seq = new Map<string, number>();
  const byStatus: Record<string, number> = {};
  const span = now - start;

  const load = db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      // Receipt times increase with i, so id order is receipt order (as with real intake).
      const received = start + Math.floor(((i + rnd()) / rows) * span);
      const ageDays = (now - received) / DAY;
      const status = (ageDays > 45 ? byAge.old : ageDays > 15 ? byAge.middle : byAge.recent)(rnd());
      const c = county(rnd());
      const year = new Date(received + 8 * 3600_000).getUTCFullYear();
      const seqKey = `${prefixOf.get(c)}-${year}`;
      const n = (seq.get(seqKey) ?? 0) + 1;
      seq.set(seqKey, n);
      const routed = AFTER_TRIAGE.has(status);
      const u = routed ? unit(rnd()) : null;
      const problem = PROBLEM_TYPES[Math.floor(rnd() * PROBLEM_TYPES.length)]!;
      const complex = rnd() < 0.05;
      const assigned = routed ? received + Math.floor(rnd() * 2 * DAY) : null;
      const accepted = assigned !== null && AFTER_ACCEPT.has(status) ? assigned + Math.floor(rnd() * DAY) : null;
      const resolvedAt = accepted !== null && AFTER_RESOLVE.has(status) ? Math.min(now, accepted + Math.floor(rnd() * (complex ? 30 : 7) * DAY)) : null;
      const writtenOff = status === 'written_off' && resolvedAt !== null ? Math.min(now, resolvedAt + Math.floor(rnd() * 5 * DAY)) : null;
      const core = cores[Math.floor(rnd() * cores.length)]!;
      const compound = COMPOUNDS[Math.floor(rnd() * COMPOUNDS.length)]!;
      const surname = SURNAMES[Math.floor(rnd() * SURNAMES.length)]!;
      const phone = `13${Math.floor(100000000 + rnd() * 899999999)}`;
      const row = {
        tracking: `${seqKey}-${String(n).padStart(6, '0')}`,
        county: c,
        source: rnd() < 0.8 ? 'email' : rnd() < 0.5 ? 'phone' : '12345',
        status,
        unit: u,
        problem,
        urgent: rnd() < 0.02 ? 1 : 0,
        complex: complex ? 1 : 0,
        supervised: rnd() < 0.01 ? 1 : 0,
        name: `${surname}${rnd() < 0.5 ? '女士' : '先生'}`,
        phone,
        email: rnd() < 0.8 ? `u${phone}@163.com` : null,
        key: `phone:${phone}`,
        compound,
        address: `${1 + Math.floor(rnd() * 28)}号楼${1 + Math.floor(rnd() * 4)}单元`,
        company: rnd() < 0.6 ? COMPANIES[Math.floor(rnd() * COMPANIES.length)]! : null,
        ...(opts.text ? opts.text(rnd, compound) : { subject: core.subject, body: `我是${compound}的业主。${core.text}希望尽快处理。` }),
        classification: classOf(u, problem),
        received: iso(received),
        assigned: assigned === null ? null : iso(assigned),
        accepted: accepted === null ? null : iso(accepted),
        resolved: resolvedAt === null ? null : iso(resolvedAt),
        writtenOff: writtenOff === null ? null : iso(writtenOff),
        finding: resolvedAt === null ? null : FINDINGS[Math.floor(rnd() * 3)]!,
        result: resolvedAt === null ? null : RESULTS[Math.floor(rnd() * RESULTS.length)]!,
        dueTransfer: dueAfter(received, 9), // 7 working days ≈ 9 calendar days
        dueClose: assigned === null ? null : dueAfter(assigned, complex ? 30 : 7),
        duePlan: complex && assigned !== null ? dueAfter(assigned, 7) : null,
        dueProgress: complex && accepted !== null && resolvedAt === null ? dueAfter(accepted, 30) : null,
        version: AFTER_RESOLVE.has(status) ? 4 : routed ? 1 : 0,
        updated: iso(writtenOff ?? resolvedAt ?? accepted ?? assigned ?? received),
      };
      insert.run(row);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
    const seqInsert = db.prepare('INSERT INTO tracking_seq (prefix, year, next) VALUES (?, ?, ?) ON CONFLICT (prefix, year) DO UPDATE SET next = excluded.next');
    for (const [k, n] of seq) {
      const [prefix, year] = k.split('-');
      seqInsert.run(prefix, Number(year), n);
    }
  });
  load();
  db.pragma('journal_mode = WAL');
  db.close();
  return { rows, ms: nowMs() - t0, byStatus };
}
