// scripts/check-layers.mjs on small trees: each case writes a few files under a temp src/, runs the script with
// --root and --json, and compares the violations (`file:line rule`) with exactly the expected list.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'check-layers.mjs');

interface Violation {
  file: string;
  line: number;
  rule: string;
  detail: string;
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wuye-layers-'));
  made.push(dir);
  mkdirSync(path.join(dir, 'src'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function run(dir: string, json = true): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, '--root', dir, ...(json ? ['--json'] : [])], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function violationsOf(files: Record<string, string>): { status: number | null; found: string[]; all: Violation[] } {
  const r = run(tree(files));
  const out = JSON.parse(r.stdout) as { files: number; violations: Violation[] };
  return { status: r.status, found: out.violations.map((v) => `${v.file}:${v.line} ${v.rule}`), all: out.violations };
}

const cases: { name: string; files: Record<string, string>; expected: string[] }[] = [
  // A. imports between layers
  {
    name: 'store importing workflow',
    files: { 'src/store/x.ts': "import { due } from '../workflow/rules.ts';\n" },
    expected: ['src/store/x.ts:1 A-layer'],
  },
  {
    name: 'store: a type import counts too',
    files: { 'src/store/x.ts': "import type { Case } from '../workflow/complaint.ts';\n" },
    expected: ['src/store/x.ts:1 A-layer'],
  },
  {
    name: 'store importing domain, time, config and itself',
    files: {
      'src/store/x.ts':
        "import { UNITS } from '../domain.ts';\nimport { dayOf } from '../time.ts';\nimport type { Config } from '../config.ts';\nimport { db } from './db.ts';\n",
    },
    expected: [],
  },
  {
    name: 'store importing log (infra but config)',
    files: { 'src/store/x.ts': "import { log } from '../log.ts';\n" },
    expected: ['src/store/x.ts:1 A-layer'],
  },
  {
    name: 'bot importing ingest',
    files: { 'src/bot/x.ts': "import { registerCase } from '../ingest/register-case.ts';\n" },
    expected: ['src/bot/x.ts:1 A-layer'],
  },
  {
    name: 'bot importing outbox',
    files: { 'src/bot/x.ts': "import { enqueue } from '../outbox/effects.ts';\n" },
    expected: ['src/bot/x.ts:1 A-layer'],
  },
  {
    name: 'bot importing cases, store, pure, report writers, infra and its own folder',
    files: {
      'src/bot/commands/x.ts': [
        "import { open } from '../../cases/open.ts';",
        "import { find } from '../../store/cases.ts';",
        "import { texts } from '../../messages/index.ts';",
        "import { transition } from '../../workflow/complaint.ts';",
        "import { sheet } from '../../report/writers/xlsx.ts';",
        "import { log } from '../../log.ts';",
        "import { ui } from '../ui.ts';",
        '',
      ].join('\n'),
    },
    expected: [],
  },
  {
    name: 'cli/ingest.ts importing ingest/intake.ts (named exception)',
    files: { 'src/cli/ingest.ts': "import { intake } from '../ingest/intake.ts';\n" },
    expected: [],
  },
  {
    name: 'another cli file importing ingest/intake.ts (the exception is that file only)',
    files: { 'src/cli/report.ts': "import { intake } from '../ingest/intake.ts';\n" },
    expected: ['src/cli/report.ts:1 A-layer'],
  },
  {
    name: 'cli/ingest.ts importing another ingest file (the exception is that target only)',
    files: { 'src/cli/ingest.ts': "import { parse } from '../ingest/parse.ts';\n" },
    expected: ['src/cli/ingest.ts:1 A-layer'],
  },
  {
    name: 'cli/doctor.ts probing with the adapters\' clients (named exception)',
    files: {
      'src/cli/doctor.ts':
        "import { probe } from '../ingest/imap.ts';\nimport { verify } from '../outbox/mailer.ts';\nimport { getMe } from '../outbox/telegram.ts';\n",
    },
    expected: [],
  },
  {
    name: 'outbox importing messages',
    files: { 'src/outbox/worker.ts': "import { letter } from '../messages/letters.ts';\n" },
    expected: ['src/outbox/worker.ts:1 A-layer'],
  },
  {
    name: 'outbox importing store, domain and infra',
    files: {
      'src/outbox/worker.ts':
        "import { claim } from '../store/outbox.ts';\nimport type { Unit } from '../domain.ts';\nimport { log } from '../log.ts';\n",
    },
    expected: [],
  },
  {
    name: 'workflow importing messages and a report layout',
    files: {
      'src/workflow/x.ts': "import { texts } from '../messages/index.ts';\nimport type { Brief } from '../report/brief.ts';\n",
    },
    expected: ['src/workflow/x.ts:1 A-layer', 'src/workflow/x.ts:2 A-layer'],
  },
  {
    name: 'messages importing workflow and domain',
    files: { 'src/messages/x.ts': "import { RULES } from '../workflow/rules.ts';\nimport { UNITS } from '../domain.ts';\n" },
    expected: [],
  },
  {
    name: 'a report layout importing a report writer',
    files: { 'src/report/brief.ts': "import { chart } from './writers/chart.ts';\n" },
    expected: ['src/report/brief.ts:1 A-layer'],
  },
  {
    name: 'cases importing outbox',
    files: { 'src/cases/x.ts': "import { enqueue } from '../outbox/effects.ts';\n" },
    expected: ['src/cases/x.ts:1 A-layer'],
  },
  {
    name: 'runtime.ts building the calendar and the classifier',
    files: {
      'src/runtime.ts': "import { Calendar } from './workflow/calendar.ts';\nimport { load } from './classifier/load.ts';\n",
    },
    expected: [],
  },
  {
    name: 'main.ts importing anything',
    files: {
      'src/main.ts': [
        "import { intake } from './ingest/intake.ts';",
        "import { createBot } from './bot/index.ts';",
        "import { worker } from './outbox/worker.ts';",
        "import { db } from './store/db.ts';",
        "const { x } = await import('./scheduler/index.ts');",
        '',
      ].join('\n'),
    },
    expected: [],
  },
  {
    name: 'multi-line import list, export … from and dynamic import, on their own lines',
    files: {
      'src/store/x.ts': [
        '// store',
        'import {',
        '  a,',
        '  b,',
        "} from '../workflow/rules.ts';",
        "export { c } from '../messages/index.ts';",
        'export async function f() {',
        "  return (await import('../bot/index.ts')).x;",
        '}',
        '',
      ].join('\n'),
    },
    expected: ['src/store/x.ts:2 A-layer', 'src/store/x.ts:6 A-layer', 'src/store/x.ts:8 A-layer'],
  },
  {
    name: 'an import in a comment, and in a string (a worker\'s source)',
    files: {
      'src/store/x.ts': [
        "// import { a } from '../workflow/rules.ts';",
        "/* export { c } from '../bot/index.ts'; */",
        "const WORKER = `const { parentPort } = require('node:worker_threads'); import('../bot/x.ts');`;",
        '',
      ].join('\n'),
    },
    expected: [],
  },
  {
    name: 'a file in no layer',
    files: { 'src/misc/x.ts': 'export const x = 1;\n' },
    expected: ['src/misc/x.ts:1 A-layer'],
  },
  // B. I/O in pure modules
  {
    name: 'node:fs in messages',
    files: { 'src/messages/x.ts': "import { readFileSync } from 'node:fs';\n" },
    expected: ['src/messages/x.ts:1 B-io'],
  },
  {
    name: 'a bare built-in and a type import of an I/O package in workflow',
    files: { 'src/workflow/x.ts': "import path from 'path';\nimport type { Kysely } from 'kysely';\n" },
    expected: ['src/workflow/x.ts:1 B-io', 'src/workflow/x.ts:2 B-io'],
  },
  {
    name: 'node:crypto, chinese-days, yaml and zod in workflow',
    files: {
      'src/workflow/x.ts': [
        "import { createHash } from 'node:crypto';",
        "import days from 'chinese-days/dist/chinese-days.json';",
        "import { parse } from 'yaml';",
        "import { z } from 'zod';",
        '',
      ].join('\n'),
    },
    expected: [],
  },
  {
    name: 'exceljs in a report layout, but not in a report writer',
    files: {
      'src/report/ledger.ts': "import ExcelJS from 'exceljs';\n",
      'src/report/writers/xlsx.ts': "import ExcelJS from 'exceljs';\nimport { createWriteStream } from 'node:fs';\n",
    },
    expected: ['src/report/ledger.ts:1 B-io'],
  },
  {
    name: 'Date.now() in workflow',
    files: { 'src/workflow/x.ts': 'export function f() {\n  return Date.now();\n}\n' },
    expected: ['src/workflow/x.ts:2 B-clock'],
  },
  {
    name: 'a bare new Date() in the classifier, but not new Date(ms)',
    files: { 'src/classifier/x.ts': 'export const a = new Date();\nexport const b = (ms: number) => new Date(ms);\n' },
    expected: ['src/classifier/x.ts:1 B-clock'],
  },
  {
    name: 'Date.now() in a comment or a string in workflow',
    files: {
      'src/workflow/x.ts': "// never Date.now(): time is an argument\n/* new Date() */\nexport const s = 'Date.now()';\n",
    },
    expected: [],
  },
  {
    name: 'Date.now() in an adapter',
    files: { 'src/bot/x.ts': 'export const now = Date.now();\n' },
    expected: [],
  },
  // C. SQL outside src/store
  {
    name: 'a query builder call in bot',
    files: { 'src/bot/x.ts': "export const q = (db: any) => db.selectFrom('complaint').selectAll();\n" },
    expected: ['src/bot/x.ts:1 C-sql'],
  },
  {
    name: 'the same in store',
    files: { 'src/store/x.ts': "import { sql } from 'kysely';\nexport const q = (db: any) => db.selectFrom('complaint').where(sql`1 = 1`);\n" },
    expected: [],
  },
  {
    name: 'import type from kysely in cases',
    files: { 'src/cases/x.ts': "import type { Selectable } from 'kysely';\nimport { type Kysely } from 'kysely';\n" },
    expected: [],
  },
  {
    name: 'import { sql } from kysely in cases',
    files: { 'src/cases/x.ts': "import { sql } from 'kysely';\n" },
    expected: ['src/cases/x.ts:1 C-sql'],
  },
  {
    name: 'a sql template, an insert and a delete in the scheduler',
    files: {
      'src/scheduler/x.ts': [
        'export async function f(db: any, sql: any) {',
        "  await db.insertInto('job').values({}).execute();",
        '  await db',
        "    .deleteFrom('job')",
        '    .where(sql<number>`n > 1`);',
        '}',
        '',
      ].join('\n'),
    },
    expected: ['src/scheduler/x.ts:2 C-sql', 'src/scheduler/x.ts:4 C-sql', 'src/scheduler/x.ts:5 C-sql'],
  },
  {
    name: 'a query builder call in a comment or a string',
    files: { 'src/bot/x.ts': "// db.selectFrom('complaint')\nexport const help = 'use .selectFrom( in src/store';\n" },
    expected: [],
  },
];

describe('check-layers', () => {
  it.each(cases)('$name', ({ files, expected }) => {
    const { status, found } = violationsOf(files);
    expect(found).toEqual(expected);
    expect(status).toBe(expected.length ? 1 : 0);
  });

  it('names both layers and the target in the detail', () => {
    const { all } = violationsOf({ 'src/bot/x.ts': "import { registerCase } from '../ingest/register-case.ts';\n" });
    expect(all).toEqual([
      { file: 'src/bot/x.ts', line: 1, rule: 'A-layer', detail: 'bot → ingest: import of src/ingest/register-case.ts' },
    ]);
  });

  it('a clean tree: exit 0 and the ✓ line', () => {
    const dir = tree({
      'src/domain.ts': "export const UNITS = ['housing'];\n",
      'src/workflow/rules.ts': "import { UNITS } from '../domain.ts';\nexport const n = (now: Date) => now.getTime() + UNITS.length;\n",
      'src/messages/index.ts': "import { n } from '../workflow/rules.ts';\nexport const t = (now: Date) => `${n(now)}`;\n",
      'src/store/db.ts': "import Database from 'better-sqlite3';\nexport const q = (db: any) => db.selectFrom('x');\n",
      'src/main.ts': "import { t } from './messages/index.ts';\nimport { q } from './store/db.ts';\n",
    });
    const r = run(dir, false);
    expect(r.stdout.trim()).toBe('✓ layers: 5 files, no crossing');
    expect(r.status).toBe(0);
  });

  it('a tree with violations: one line each, then the summary, exit 1', () => {
    const dir = tree({
      'src/bot/x.ts': "import { registerCase } from '../ingest/register-case.ts';\nexport const q = (db: any) => db.selectFrom('x');\n",
    });
    const r = run(dir, false);
    expect(r.stdout.trim().split('\n')).toEqual([
      'src/bot/x.ts:1  A-layer  bot → ingest: import of src/ingest/register-case.ts',
      'src/bot/x.ts:2  C-sql  .selectFrom( outside src/store',
      '✗ layers: 2 violations in 1 of 1 files (A-layer 1, C-sql 1); see README, "Architecture"',
    ]);
    expect(r.status).toBe(1);
  });
});
