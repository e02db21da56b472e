// Realistic demo data for the report samples and the digest tests: cases registered through the workflow
// (cases/register.ts writeNewCase, as intake does) and moved through accept/resolve/co-sign/review/write-off by named officers.
//
//   node --import tsx scripts/make-samples.ts        → docs/samples/: annex 2 and annex 3 XLSX, the chart PNG and
//                                                       the Friday digest as the mailer writes it (.eml)
//
// The digest is the one the scheduler sends on Friday 27 November 2026 12:00 (period 2026-W48).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/config.ts';
import type { Actor, Case, ProblemType, Source, UnitCode } from '../src/domain.ts';
import { commit } from '../src/cases/commit.ts';
import { writeNewCase } from '../src/cases/register.ts';
import { appendEvents, findById, saveCase } from '../src/store/cases.ts';
import { inTransaction, type Db } from '../src/store/db.ts';
import type { Calendar } from '../src/workflow/calendar.ts';
import { transition, type Command } from '../src/workflow/complaint.ts';

export const SAMPLE_FIRE = '2026-11-27T12:00:00+08:00';

export interface DemoOfficer {
  key: string;
  name: string;
  unit: UnitCode;
  county: string;
  role: Actor['role'] & string;
}

/** Officers who act on the demo cases (no Telegram chat: the demo sends no bot messages). */
export const DEMO_OFFICERS: DemoOfficer[] = [
  { key: 'yh-housing', name: '王芳', unit: 'housing', county: 'yanhu', role: 'officer' },
  { key: 'yh-fire', name: '刘洋', unit: 'fire', county: 'yanhu', role: 'officer' },
  { key: 'yh-township', name: '陈静', unit: 'township', county: 'yanhu', role: 'officer' },
  { key: 'yj-housing', name: '赵磊', unit: 'housing', county: 'yongji', role: 'officer' },
  { key: 'yj-police', name: '孙伟', unit: 'police', county: 'yongji', role: 'officer' },
  { key: 'hj-housing', name: '周敏', unit: 'housing', county: 'hejin', role: 'officer' },
  { key: 'hj-market', name: '吴刚', unit: 'market-regulation', county: 'hejin', role: 'officer' },
  { key: 'city-admin', name: '李建国', unit: 'housing', county: 'yuncheng', role: 'admin' },
];

type Step =
  | ['accept' | 'cosign' | 'review' | 'writeOff' | 'supervise', string]
  | ['resolve', string, 'substantiated' | 'partly' | 'unsubstantiated', string]
  | ['progress', string, string]
  | ['assign', string, UnitCode];

export interface DemoCase {
  no: number;
  county: string;
  source: Source;
  unit: UnitCode | null;
  problem: ProblemType | null;
  urgent?: boolean;
  compound: string | null;
  company: string | null;
  name: string | null;
  phone: string | null;
  email?: string | null;
  subject: string;
  body: string;
  /** Shanghai wall time. */
  receivedAt: string;
  steps: Step[];
}

const closeHousing = (at: [string, string, string, string], finding: 'substantiated' | 'partly' | 'unsubstantiated', result: string): Step[] => [
  ['resolve', at[0], finding, result],
  ['cosign', at[1]],
  ['review', at[2]],
  ['writeOff', at[3]],
];

/**
 * The base set the digest test checks by hand (see test/integration/digest.test.ts): 14 cases in the campaign up to
 * Friday 27 Nov 2026 12:00, one before the campaign start (2024-05-21) and one after the digest time.
 */
export const DEMO_CASES: DemoCase[] = [
  {
    no: 1, county: 'yanhu', source: 'email', unit: 'housing', problem: 'service-not-delivered', compound: '凤凰小区', company: '运城市安居物业服务有限公司',
    name: '张建华', phone: '13935901234', email: 'zhangjh@example.com', subject: '小区垃圾一周没人清运',
    body: '凤凰小区3号楼前垃圾堆了一周无人清运，气味很大，物业一直推脱。', receivedAt: '2026-11-02T09:15',
    steps: [['accept', '2026-11-02T10:00'], ...closeHousing(['2026-11-05T16:00', '2026-11-06T10:00', '2026-11-09T09:00', '2026-11-09T15:00'], 'substantiated', '已督促物业完成清运并建立日清制度')],
  },
  {
    no: 2, county: 'yanhu', source: 'phone', unit: 'housing', problem: 'public-income-unpublished', compound: '凤凰小区', company: '运城市安居物业服务有限公司',
    name: '李秀英', phone: '13835905678', subject: '电梯广告收入从未公示', body: '电梯里的广告收入去哪了，物业从来没公示过。', receivedAt: '2026-11-10T10:00',
    steps: [['accept', '2026-11-10T14:00'], ['progress', '2026-11-12T10:00', '已约谈物业，要求提供公共收益台账']],
  },
  {
    no: 3, county: 'yanhu', source: '12345', unit: 'housing', problem: 'common-parts-business', compound: '盐湖花园', company: '运城盛世物业管理有限公司',
    name: '王磊', phone: '0359-2088123', subject: '物业把地下车库出租给商户', body: '12345转办：物业擅自把地下车库公共区域出租做仓库。', receivedAt: '2026-11-23T14:00',
    steps: [['accept', '2026-11-23T15:00'], ['resolve', '2026-11-25T10:00', 'partly', '已责令物业清退仓库，收益纳入公共收益账户']],
  },
  {
    no: 4, county: 'yanhu', source: 'visit', unit: 'fire', problem: 'security-not-provided', compound: '盐湖花园', company: '运城盛世物业管理有限公司',
    name: '赵敏', phone: '13513591111', subject: '楼道电动车充电无人管', body: '高层楼道里停满电动车还拉线充电，物业不管。', receivedAt: '2026-11-25T09:00', steps: [],
  },
  {
    no: 5, county: 'yanhu', source: 'letter', unit: 'housing', problem: 'service-not-delivered', compound: '阳光城', company: '运城市安居物业服务有限公司',
    name: '孙丽', phone: '15903591234', subject: '绿化带枯死', body: '小区绿化带大片枯死无人补种。', receivedAt: '2026-06-03T11:20',
    steps: [['accept', '2026-06-03T15:00'], ...closeHousing(['2026-06-08T10:00', '2026-06-09T10:00', '2026-06-10T10:00', '2026-06-10T16:00'], 'unsubstantiated', '经现场核查，为季节性枯黄，物业已按合同养护')],
  },
  {
    no: 6, county: 'yanhu', source: 'email', unit: null, problem: null, compound: null, company: null,
    name: null, phone: '13700000000', subject: '咨询', body: '想问一下业主委员会怎么成立。', receivedAt: '2026-11-26T16:00', steps: [],
  },
  {
    no: 7, county: 'yanhu', source: 'visit', unit: 'township', problem: 'handover-refused', compound: '凤凰小区', company: '运城市安居物业服务有限公司',
    name: '周强', phone: '13903590000', subject: '原物业拒不移交资料', body: '业委会解聘原物业后，原物业拒不移交物业服务用房和图纸资料。', receivedAt: '2026-10-15T09:30',
    steps: [['accept', '2026-10-15T11:00'], ['supervise', '2026-10-20T09:00']],
  },
  {
    no: 8, county: 'yongji', source: 'phone', unit: 'housing', problem: 'public-income-taken', compound: '舜都小区', company: '永济市宏达物业有限公司',
    name: '郑华', phone: '13603591234', subject: '停车费收入被物业挪用', body: '地面停车位收费收入被物业挪作他用。', receivedAt: '2026-09-01T10:00',
    steps: [['accept', '2026-09-01T15:00'], ...closeHousing(['2026-09-07T10:00', '2026-09-08T10:00', '2026-09-09T10:00', '2026-09-09T15:00'], 'substantiated', '已责令退回挪用收益12.6万元')],
  },
  {
    no: 9, county: 'yongji', source: 'email', unit: 'housing', problem: 'no-disclosure', compound: '舜都小区', company: '永济市宏达物业有限公司',
    name: '冯军', phone: '13703592222', subject: '物业费收支不公开', body: '物业多年不公开收费标准和收支情况。', receivedAt: '2026-11-24T08:40',
    steps: [['accept', '2026-11-24T09:30']],
  },
  {
    no: 10, county: 'yongji', source: 'phone', unit: 'police', problem: 'other', compound: '蒲州苑', company: '永济市宏达物业有限公司',
    name: '陈涛', phone: '18935593333', subject: '有人饲养烈性犬', body: '楼下住户饲养烈性犬经常不拴绳，吓到孩子。', receivedAt: '2026-11-05T19:10',
    steps: [['accept', '2026-11-06T09:00'], ['resolve', '2026-11-21T10:00', 'substantiated', '已依法处罚并责令犬只拴绳']],
  },
  {
    no: 11, county: 'yongji', source: 'province', unit: 'housing', problem: 'public-income-unpublished', compound: '蒲州苑', company: '永济市宏达物业有限公司',
    name: '褚红', phone: '13503594444', subject: '省厅转办：公共收益不公示', body: '省厅转办：小区公共收益从未公示。', receivedAt: '2026-08-10T09:00',
    steps: [['accept', '2026-08-10T10:00'], ...closeHousing(['2026-08-14T10:00', '2026-08-15T10:00', '2026-08-17T10:00', '2026-08-17T15:00'], 'substantiated', '已督促物业在小区公告栏公示2025年度公共收益')],
  },
  {
    no: 12, county: 'hejin', source: 'letter', unit: 'housing', problem: 'service-not-delivered', compound: '龙门小区', company: '河津市鑫源物业服务有限公司',
    name: '卫东', phone: '13333595555', subject: '路灯坏了半年', body: '小区路灯坏了半年没人修，晚上出行不安全。', receivedAt: '2026-07-01T08:30',
    steps: [['accept', '2026-07-01T09:00'], ...closeHousing(['2026-07-06T10:00', '2026-07-07T10:00', '2026-07-08T10:00', '2026-07-08T15:00'], 'substantiated', '已修复全部路灯')],
  },
  {
    no: 13, county: 'hejin', source: 'phone', unit: 'market-regulation', problem: 'service-not-delivered', urgent: true, compound: '龙门小区', company: '河津市鑫源物业服务有限公司',
    name: '蒋涛', phone: '13203596666', subject: '电梯困人', body: '2号楼电梯又困人了，维保单位半年没来过。', receivedAt: '2026-11-26T08:30',
    steps: [['accept', '2026-11-26T08:45']],
  },
  {
    no: 14, county: 'hejin', source: 'province', unit: 'housing', problem: 'other', compound: '汾阳小区', company: null,
    name: '沈玉', phone: '13103597777', subject: '省厅转办：私搭乱建', body: '省厅转办：小区内有人私搭乱建。', receivedAt: '2026-11-12T10:00',
    steps: [['accept', '2026-11-12T11:00'], ['resolve', '2026-11-24T16:00', 'substantiated', '已拆除违建']],
  },
  {
    no: 15, county: 'yanhu', source: 'phone', unit: 'housing', problem: 'service-not-delivered', compound: '凤凰小区', company: '运城市安居物业服务有限公司',
    name: '韩梅', phone: '13903591010', subject: '专项行动前的投诉', body: '楼道灯不亮。', receivedAt: '2024-05-10T10:00',
    steps: [['accept', '2024-05-10T11:00'], ...closeHousing(['2024-05-13T10:00', '2024-05-14T10:00', '2024-05-15T10:00', '2024-05-15T15:00'], 'substantiated', '已修复')],
  },
  {
    no: 16, county: 'yanhu', source: 'phone', unit: 'housing', problem: 'other', compound: '盐湖花园', company: '运城盛世物业管理有限公司',
    name: '杨帆', phone: '13903592020', subject: '周五下午的来电', body: '楼下装修噪音扰民。', receivedAt: '2026-11-27T14:00', steps: [],
  },
];

/**
 * More cases for the committed samples and the scheduler tests: fifteen distinct owners of 凤凰小区 complaining about
 * 安居物业 (eleven over the autumn, four in spring) — the company passes the key-supervision threshold (more than 10
 * complainants, 11 of them verified) — so the brief's 重点督办 section, the black list and the weekly trend have
 * something to show.
 */
export function extraDemoCases(): DemoCase[] {
  return [...autumnCases(), ...springCases()];
}

/**
 * Four more owners whose complaints about 安居物业 were verified in spring, over half a year ago: with the autumn's
 * seven verified ones the company has more than 10 complainants with verified complaints (the public black list
 * counts only those, 000 附件 五), while the half-year count that calls for a survey (三(三)) stays at seven.
 */
function springCases(): DemoCase[] {
  return ['钱', '孙', '周', '吴'].map((s, i) => {
    const received = `2026-04-${String(6 + i * 3).padStart(2, '0')}T09:00`;
    const at = (h: number) => new Date(new Date(`${received}:00+08:00`).getTime() + h * 3600_000 + 8 * 3600_000).toISOString().slice(0, 16);
    return {
      no: 120 + i,
      county: 'yanhu',
      source: 'phone',
      unit: 'housing',
      problem: 'service-not-delivered',
      compound: '凤凰小区',
      company: '运城市安居物业服务有限公司',
      name: `${s}女士`,
      phone: `1390359${String(4000 + i).padStart(4, '0')}`,
      subject: '楼道灯长期不亮',
      body: '楼道灯坏了一个多月，物业一直不修。',
      receivedAt: received,
      steps: [['accept', at(2)], ...closeHousing([at(50), at(70), at(90), at(95)], 'substantiated', '已督促更换灯具')],
    } satisfies DemoCase;
  });
}

function autumnCases(): DemoCase[] {
  const surnames = ['马', '胡', '郭', '何', '高', '林', '罗', '梁', '宋', '唐', '许'];
  const topics: [ProblemType, string, string][] = [
    ['service-not-delivered', '二次供水水箱多年未清洗', '水箱多年未清洗，自来水有异味。'],
    ['public-income-unpublished', '公共收益不公示', '物业不公示电梯广告和停车收益。'],
    ['security-not-provided', '消防通道被占用', '消防通道长期被车辆占用，物业不管。'],
    ['common-parts-business', '物业用房出租开超市', '物业服务用房被出租开超市。'],
  ];
  return surnames.map((s, i) => {
    const [problem, subject, body] = topics[i % topics.length]!;
    const day = 2 + i * 5; // from 2 Oct, every five days
    const received = new Date(Date.UTC(2026, 9, day, 1 + (i % 8), 10 * (i % 6)));
    const local = new Date(received.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
    const closed = i % 3 !== 0;
    const at = (h: number) => new Date(received.getTime() + h * 3600_000 + 8 * 3600_000).toISOString().slice(0, 16);
    return {
      no: 100 + i,
      county: 'yanhu',
      source: (['email', 'phone', '12345', 'visit'] as const)[i % 4]!,
      unit: 'housing',
      problem,
      compound: '凤凰小区',
      company: '运城市安居物业服务有限公司',
      name: `${s}先生`,
      phone: `1390359${String(3000 + i).padStart(4, '0')}`,
      subject,
      body,
      receivedAt: local,
      steps: closed
        ? [['accept', at(2)], ...closeHousing([at(50), at(70), at(90), at(95)], i % 2 ? 'substantiated' : 'partly', '已责令整改并复查到位')]
        : [['accept', at(3)]],
    } satisfies DemoCase;
  });
}

const at = (wall: string) => new Date(`${wall}:00+08:00`);

/** Inserts the demo officers; returns their ids by key. */
export async function seedOfficers(db: Db, now: Date): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const o of DEMO_OFFICERS) {
    const row = await db
      .insertInto('officer')
      .values({ chat_id: null, name: o.name, unit: o.unit, county: o.county, role: o.role, active: 1, reachable: 1, created_at: now.toISOString(), linked_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(o.key, row.id);
  }
  return ids;
}

function actorFor(officers: Map<string, number>, c: Case, step: Step[0]): Actor {
  const admin = DEMO_OFFICERS.find((o) => o.key === 'city-admin')!;
  if (step === 'accept' || step === 'resolve' || step === 'progress') {
    const o = DEMO_OFFICERS.find((x) => x.unit === c.unit && x.county === c.county) ?? admin;
    return { kind: 'officer', officerId: officers.get(o.key)!, role: o.role, unit: o.unit, county: o.county, name: o.name };
  }
  // The city's admin (市本级) may act on every county's cases.
  return { kind: 'officer', officerId: officers.get(admin.key)!, role: 'admin', unit: admin.unit, county: admin.county, cityLevel: true, name: admin.name };
}

function command(step: Step): Command {
  switch (step[0]) {
    case 'resolve':
      return { type: 'resolve', finding: step[2], result: step[3] };
    case 'progress':
      return { type: 'progress', text: step[2] };
    case 'assign':
      return { type: 'assign', unit: step[2] };
    case 'cosign':
      return { type: 'cosign', opinion: '同意办结' };
    case 'review':
      return { type: 'review' };
    default:
      return { type: step[0] };
  }
}

/** Registers each case and applies its steps; returns the final case by demo number. */
export async function seedDemo(db: Db, cfg: Config, cal: Calendar, cases: DemoCase[] = DEMO_CASES): Promise<Map<number, Case>> {
  const officers = await seedOfficers(db, at('2024-05-01T09:00'));
  const out = new Map<number, Case>();
  for (const d of cases) {
    const now = at(d.receivedAt);
    const reg = await commit(
      { db, clock: { now: () => now }, wakeOutbox: () => undefined },
      (w) =>
        writeNewCase(w, { cfg, cal }, {
          source: d.source,
          county: d.county,
          complainant: { name: d.name, phone: d.phone, email: d.email ?? null },
          compound: d.compound,
          address: null,
          company: d.company,
          subject: d.subject,
          body: d.body,
          receivedAt: now.toISOString(),
          classification: {
            unit: d.unit,
            units: d.unit ? [{ unit: d.unit, score: 3 }] : [],
            problem: d.problem,
            urgent: d.urgent ?? false,
            triage: d.unit === null,
            score: d.unit ? 3 : 0,
            matched: [],
          },
        }),
      now,
    );
    if (!reg.ok) throw new Error(`demo case ${d.no}: ${reg.error.message}`);
    for (const step of d.steps) {
      const c = (await findById(db, reg.complaint.id))!;
      const when = at(step[1]);
      const r = transition(c, command(step), actorFor(officers, c, step[0]), when, cal);
      if (!r.ok) throw new Error(`demo case ${d.no} ${step[0]}: ${r.error.message}`);
      await inTransaction(db, async (tx) => {
        await saveCase(tx, r.case, c.version, when.toISOString());
        await appendEvents(tx, c.id, r.events);
      });
    }
    out.set(d.no, (await findById(db, reg.complaint.id))!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { loadConfig } = await import('../src/config.ts');
  const { openStore } = await import('../src/store/db.ts');
  const { syncReferenceData } = await import('../src/store/reference.ts');
  const { loadCalendar } = await import('../src/runtime.ts');
  const { createMailSender } = await import('../src/outbox/mailer.ts');
  const { createLogger } = await import('../src/log.ts');
  const { fixedClock } = await import('../src/clock.ts');
  const { jobSpecs, latestPeriod, prepareReport, reportMessages } = await import('../src/cases/jobs.ts');

  const tmp = mkdtempSync(path.join(tmpdir(), 'wuye-samples-'));
  const cfg: Config = { ...loadConfig({ env: {} }), dataDir: tmp, db: `sqlite:${path.join(tmp, 'wuye.db')}` };
  cfg.mail = { ...cfg.mail, smtp: null };
  const store = await openStore(cfg.db);
  try {
    await syncReferenceData(store.db, cfg);
    const cal = loadCalendar(cfg);
    await seedDemo(store.db, cfg, cal, [...DEMO_CASES, ...extraDemoCases()]);
    const fire = new Date(SAMPLE_FIRE);
    const period = latestPeriod(jobSpecs(cfg).find((s) => s.name === 'weekly')!, fire)!;
    const ctx = { cfg, db: store.db, cal, log: createLogger({ level: 'warn' }), clock: fixedClock(fire), owner: 'samples', wakeOutbox: () => undefined };
    const prepared = await prepareReport(ctx, 'weekly', period);

    const outDir = path.join(root, 'docs', 'samples');
    mkdirSync(outDir, { recursive: true });
    const { writeFileSync } = await import('node:fs');
    for (const a of prepared.bundle.mails[0]!.attachments) writeFileSync(path.join(outDir, a.filename), a.content);

    // The digest exactly as the outbox worker hands it to the mailer (no SMTP configured → an .eml file).
    const mailer = createMailSender(cfg);
    const [row] = reportMessages(cfg, prepared.bundle);
    const payload = row!.payload as Parameters<typeof mailer.send>[0];
    // Dated as sent on time (the mailer would stamp the moment this script runs).
    await mailer.send({ ...payload, headers: { ...payload.headers, Date: fire.toUTCString().replace('GMT', '+0000') } });
    const eml = readdirSync(path.join(tmp, 'outbox')).find((f) => f.endsWith('.eml'))!;
    copyFileSync(path.join(tmp, 'outbox', eml), path.join(outDir, `周报邮件-${period.key}.eml`));
    process.stdout.write(`${prepared.detail}\nwritten to ${outDir}\n`);
  } finally {
    await store.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
