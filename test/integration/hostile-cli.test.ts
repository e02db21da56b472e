// Bad CLI arguments and bad configuration files for every `wuye` command (hostile input), run as an
// operator would run them (the real bin/wuye.js in a child process). The contract (src/cli.ts header): exit 0 ok,
// 1 a check or an operation failed, 2 bad configuration or bad arguments; every error says what is wrong in
// Chinese and in English, on stderr, without a stack trace.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';

const ROOT = process.cwd();
const TMP = mkdtempSync(path.join(tmpdir(), 'wuye-hostile-cli-'));
const DATA = path.join(TMP, 'data');
const FIXTURE = path.join(ROOT, 'test/fixtures/mail/complaint-housing-heating.eml');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The operator's environment: embedded defaults, a temp data dir, no token; `undefined` removes a variable. */
function baseEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return { WUYE_DATA_DIR: DATA, WUYE_CONFIG: undefined, WUYE_DB: undefined, TELEGRAM_BOT_TOKEN: undefined, WUYE_DEBUG: undefined, ...env };
}

/**
 * `wuye …` in this process through src/cli.ts main() (what bin/wuye.js runs), with stdout, stderr and the exit
 * code captured: one tsx start-up per command would cost seconds each on this machine. Runs one at a time
 * (process.env and process.exitCode are global). A few runs below go through the real binary as well.
 */
let queue: Promise<unknown> = Promise.resolve();
function wuye(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const run = queue.then(async (): Promise<Run> => {
    const vars = baseEnv(env);
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const setEnv = (v: Record<string, string | undefined>) => {
      for (const [k, val] of Object.entries(v)) {
        if (val === undefined) delete process.env[k];
        else process.env[k] = val;
      }
    };
    let stdout = '';
    let stderr = '';
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
    setEnv(vars);
    process.exitCode = undefined;
    try {
      await main(['node', 'wuye', ...args]);
      return { code: Number(process.exitCode ?? 0), stdout, stderr };
    } finally {
      process.exitCode = undefined;
      process.stdout.write = out;
      process.stderr.write = err;
      setEnv(saved);
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

/** The real binary in a child process. */
function wuyeBinary(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(baseEnv(env))) {
      if (v === undefined) delete childEnv[k];
      else childEnv[k] = v;
    }
    const child = execFile(process.execPath, ['bin/wuye.js', ...args], { cwd: ROOT, timeout: 60_000, env: childEnv }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input ?? '');
  });
}

const HAN = /[\u4e00-\u9fff]/;
const LATIN = /[A-Za-z]{3,}/;

/** A failure an operator can act on: non-empty, Chinese and English, no stack trace. */
function expectClearError(r: Run, label: string): void {
  const what = `${label}: exit ${r.code}\nstderr: ${r.stderr.slice(0, 1500)}\nstdout: ${r.stdout.slice(0, 500)}`;
  const message = `${r.stderr}\n${r.stdout}`;
  expect(message.trim().length, what).toBeGreaterThan(0);
  expect(message, what).toMatch(HAN);
  expect(message, what).toMatch(LATIN);
  expect(r.stderr, what).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

const file = (name: string) => path.join(TMP, name);

beforeAll(() => {
  mkdirSync(DATA, { recursive: true });
  mkdirSync(file('a-directory'), { recursive: true });
  writeFileSync(file('plain.txt'), 'not a directory\n');
  writeFileSync(file('not-a-database.db'), 'SQLite format 2? no.\n');
  writeFileSync(file('not-jsonl.jsonl'), '{"id": 1, "subject": \n[[[\n');
  writeFileSync(file('empty.yaml'), '');
  writeFileSync(file('bad-yaml.yaml'), 'counties: [1, 2\n  bot: }\n\t- :\n');
  writeFileSync(file('scalar.yaml'), '42\n');
  writeFileSync(file('list.yaml'), '- a\n- b\n');
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  writeFileSync(file('binary.yaml'), garbage);
  writeFileSync(
    file('bad-fields.yaml'),
    [
      'counties: nope',
      'mailboxes:',
      '  - { address: not-an-address, county: atlantis, imap: { host: h, port: "x", user: u, passwordEnv: lower-case } }',
      'intake: { maxMessageBytes: -1, smtpListen: "no port" }',
      'schedule: { quietHours: { start: "25:00", end: "8" } }',
      'log: { level: loud }',
      'frobnicate: true',
      '',
    ].join('\n'),
  );
  writeFileSync(file('secrets.yaml'), 'bot:\n  token: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"\nmail:\n  smtp: { host: h, port: 25, password: hunter2 }\n');
  // A "billion laughs" document: each level multiplies the one before by nine.
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (const [prev, cur] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g']]) levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  writeFileSync(file('alias-bomb.yaml'), `${levels.join('\n')}\n`);
});

describe('bad arguments: exit 2 with a clear message', () => {
  const cases: [string, string[]][] = [
    ['no command at all', []],
    ['an unknown command', ['frobnicate']],
    ['help for an unknown command', ['help', 'frobnicate']],
    ['an unknown option', ['doctor', '--bogus']],
    ['start with an unknown option', ['start', '--bogus']],
    ['migrate with an extra argument', ['migrate', 'extra']],
    ['workdays add without arguments', ['workdays', 'add']],
    ['workdays add with a negative count', ['workdays', 'add', '2026-01-01', '-3']],
    ['workdays add with a fractional count', ['workdays', 'add', '2026-01-01', '1.5']],
    ['workdays add with a month 13', ['workdays', 'add', '2026-13-01', '1']],
    // Regression (fixed): Date.parse rolls 2026-02-30 over to March; isoDate() now requires the round trip.
    ['workdays add with 30 February', ['workdays', 'add', '2026-02-30', '1']],
    // Regression (fixed): an unbounded count looped the calendar for seconds; workdayCount() caps it at 2500.
    ['workdays add with two million days', ['workdays', 'add', '2026-01-01', '2000000']],
    ['deadline without --from', ['deadline', '--rule', 'close']],
    ['deadline with an impossible --from', ['deadline', '--from', '2026-13-45', '--rule', 'close']],
    ['deadline with an unknown rule', ['deadline', '--from', '2026-09-30T10:00:00+08:00', '--rule', 'DROP TABLE']],
    ['case show without a number', ['case', 'show']],
    ['officer invite with unknown unit, county and role', ['officer', 'invite', '--unit', 'xxx', '--county', 'atlantis', '--role', 'god']],
    ['officer invite without --county', ['officer', 'invite', '--unit', 'housing', '--role', 'officer']],
    ['officer deactivate with a non-number', ['officer', 'deactivate', 'abc']],
    ['officer revoke without a code', ['officer', 'revoke']],
    ['an unknown report', ['report', 'bogus']],
    ['report with an impossible --at', ['report', 'weekly', '--at', 'yesterday']],
    ['report --send for a period not yet due', ['report', 'weekly', '--send', '--at', '2030-01-01T00:00:00Z', '--out', file('reports-future')]],
    ['export in an unknown format', ['export', '--format', 'pdf', '--out', file('x.pdf')]],
    ['export without --out', ['export', '--format', 'csv']],
    ['backup without --out', ['backup']],
    ['restore from a file that does not exist', ['restore', '--from', file('missing.db')]],
    ['figures set for an unknown county', ['figures', 'set', '--county', 'atlantis', '--inspections', '1']],
    ['figures set with a negative figure', ['figures', 'set', '--county', 'yanhu', '--inspections', '-1']],
    ['figures set without any figure', ['figures', 'set', '--county', 'yanhu']],
    ['figures show with 30 February', ['figures', 'show', '--at', '2026-02-30']],
    ['company done with a non-number', ['company', 'done', 'abc']],
    ['ingest without files', ['ingest']],
    ['ingest to a mailbox that is not configured', ['ingest', '--mailbox', 'nobody@example.com', FIXTURE]],
  ];
  it.each(cases)('%s', async (label, args) => {
    const r = await wuye(args);
    expect(r.code, `${label}: ${r.stderr}`).toBe(2);
    expectClearError(r, label);
  });

  it('lists every bad officer-invite value at once', async () => {
    const r = await wuye(['officer', 'invite', '--unit', 'xxx', '--county', 'atlantis', '--role', 'god']);
    expect(r.stderr).toContain('--unit');
    expect(r.stderr).toContain('--county');
    expect(r.stderr).toContain('--role');
  });
});

describe('operations that fail: exit 1 with a clear message', () => {
  const cases: [string, string[], RegExp][] = [
    ['case show of a case that does not exist', ['case', 'show', 'YH-2099-999999'], /未找到案件 no such case/],
    ['officer deactivate of nobody', ['officer', 'deactivate', '99999'], /无此人员 no such officer/],
    ['officer revoke of an unknown code', ['officer', 'revoke', 'no-such-code'], /邀请不存在或已使用 no such unused invite/],
    ['company done of an action that does not exist', ['company', 'done', '99999'], /无此未完成事项 no such open action/],
    ['export into a path under a regular file', ['export', '--format', 'csv', '--out', path.join(file('plain.txt'), 'x.csv')], /ENOTDIR|not a directory/],
    ['backup into a path under a regular file', ['backup', '--out', path.join(file('plain.txt'), 'x.db')], /ENOTDIR|not a directory|unable to open|cannot open/i],
    ['restore from a file that is not a database', ['restore', '--from', file('not-a-database.db')], /not a database/],
    ['classify from a file that does not exist', ['classify', '--file', file('missing.jsonl')], /ENOENT|no such file/],
    // Regression (fixed): `--file <文件...>` was not variadic for commander, so every path was read letter by letter.
    ['eval-classify from a file that does not exist', ['eval-classify', '--file', file('missing.jsonl')], /ENOENT|no such file/],
    ['eval-classify from a file that is not JSON lines', ['eval-classify', '--file', file('not-jsonl.jsonl')], /JSON|json/],
  ];
  it.each(cases)('%s', async (label, args, reason) => {
    const r = await wuye(args);
    expect(r.code, `${label}: ${r.stderr}`).toBe(1);
    expectClearError(r, label);
    expect(r.stderr + r.stdout, label).toMatch(reason);
  });

  it('ingest of an unreadable file reports it as quarantined and exits 0 (documented)', async () => {
    const r = await wuye(['ingest', file('missing.eml'), file('a-directory')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; reason: string });
    expect(lines.map((l) => l.outcome)).toEqual(['quarantined', 'quarantined']);
    for (const l of lines) expect(l.reason).toMatch(/无法读取文件 cannot read file/);
  });
});

describe('bad configuration files: exit 2 naming the file and every bad field', () => {
  const kinds: [string, string, RegExp[]][] = [
    ['a file that does not exist', 'missing.yaml', [/文件不存在 file not found/]],
    ['a directory', 'a-directory', [/无法读取文件 cannot read file/]],
    ['invalid YAML', 'bad-yaml.yaml', [/YAML/]],
    ['a scalar document', 'scalar.yaml', [/root/]],
    ['a list document', 'list.yaml', [/root/]],
    ['binary garbage', 'binary.yaml', [/配置无效/]],
    [
      'wrong types, formats and unknown keys',
      'bad-fields.yaml',
      [/counties/, /mailboxes\[0\]\.address/, /mailboxes\[0\]\.imap\.port/, /mailboxes\[0\]\.county: 未知县区/, /intake\.maxMessageBytes/, /schedule\.quietHours\.start/, /log\.level/, /frobnicate: 未知字段/],
    ],
    ['secrets written into the file', 'secrets.yaml', [/bot\.token: 不得直接写入密钥/, /mail\.smtp\.password: 不得直接写入密钥/]],
    // Regression (fixed): an alias bomb used to escape as a plain error (exit 1); readYaml() reports it as bad config.
    ['a YAML alias bomb', 'alias-bomb.yaml', [/YAML/]],
  ];
  it.each(kinds)('%s', async (label, name, expected) => {
    const r = await wuye(['doctor'], { WUYE_CONFIG: file(name) });
    expect(r.code, `${label}: ${r.stderr}`).toBe(2);
    expectClearError(r, label);
    expect(r.stderr).toContain('配置无效 invalid configuration');
    expect(r.stderr).toContain(file(name));
    for (const re of expected) expect(r.stderr, label).toMatch(re);
    // Secrets written into the file are named, never echoed.
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toContain('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });

  const commands: string[][] = [
    ['start'],
    ['migrate'],
    ['doctor', '--json'],
    ['ingest', FIXTURE],
    ['workdays', 'add', '2026-01-05', '1'],
    ['deadline', '--from', '2026-09-30T10:00:00+08:00', '--rule', 'close'],
    ['case', 'show', 'YH-2026-000001'],
    ['officer', 'invite', '--unit', 'housing', '--county', 'yanhu', '--role', 'officer'],
    ['officer', 'list'],
    ['officer', 'revoke', 'abcdefgh'],
    ['officer', 'deactivate', '1'],
    ['report', 'list'],
    ['report', 'weekly', '--out', file('r1')],
    ['report', 'province', '--out', file('r2')],
    ['report', 'discipline', '--out', file('r3')],
    ['report', 'monthly', '--out', file('r4')],
    ['export', '--format', 'csv', '--out', file('e.csv')],
    ['backup', '--out', file('b.db')],
    ['restore', '--from', FIXTURE],
  ];
  it.each(commands.map((c) => [c.join(' '), c] as const))('wuye %s with a bad config file', async (_label, args) => {
    const r = await wuye([...args], { WUYE_CONFIG: file('bad-fields.yaml') });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('配置无效 invalid configuration');
    expect(r.stderr).toMatch(/log\.level/);
    expectClearError(r, args.join(' '));
  });

  it('classify needs no configuration, so a bad file does not stop it (the real binary)', async () => {
    const input = `${JSON.stringify({ id: '1', subject: '电梯坏了', text: '小区电梯坏了一个月，物业不修' })}\n`;
    const r = await wuyeBinary(['classify'], { WUYE_CONFIG: file('bad-fields.yaml') }, input);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ id: '1' });
  });

  it('an empty config file means the embedded defaults', async () => {
    const r = await wuye(['workdays', 'add', '2026-01-05', '1'], { WUYE_CONFIG: file('empty.yaml') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('2026-01-06');
  });
});

describe('bad configuration from the environment', () => {
  // Regression (fixed): an unsupported WUYE_DB used to exit 1 from openStore; loadConfig now refuses it as bad config.
  it('an unsupported database URL: exit 2, the password in it masked', async () => {
    const r = await wuye(['migrate'], { WUYE_DB: 'mysql://admin:S3cretPass@db.example.com/wuye' });
    expect(r.code, r.stderr).toBe(2);
    expectClearError(r, 'WUYE_DB=mysql://…');
    expect(r.stderr).toMatch(/数据库地址|database URL/);
    expect(r.stderr).not.toContain('S3cretPass');
  });

  it('a database that cannot be reached: doctor says so, exit 1, the password masked', async () => {
    const r = await wuye(['doctor', '--json'], { WUYE_DB: 'postgres://wuye:S3cretPass@127.0.0.1:1/wuye' });
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    const db = out.checks.find((c) => c.name === 'database')!;
    expect(db.ok).toBe(false);
    expect(db.detail.length).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain('S3cretPass');
  });
});

describe('help and version: exit 0', () => {
  it.each([[['--help']], [['help']], [['--version']], [['report', '--help']]])('wuye %j', async (args) => {
    const r = await wuye(args);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(args[0] === '--version' ? /^\d+\.\d+\.\d+/ : HAN);
  });

  it('the exit codes are documented where the commands are', () => {
    const src = readFileSync(path.join(ROOT, 'src/cli.ts'), 'utf8');
    expect(src).toMatch(/Exit codes: 0 success · 1 a check failed or an operation failed · 2 bad configuration or bad arguments/);
  });
});

describe('the real binary (bin/wuye.js) keeps the same exit codes', () => {
  it('2 for a bad argument, 2 for a bad config file, 1 for a failed operation, 0 for --version', async () => {
    const [usage, config, failed, version] = await Promise.all([
      wuyeBinary(['frobnicate']),
      wuyeBinary(['doctor'], { WUYE_CONFIG: file('bad-fields.yaml') }),
      wuyeBinary(['case', 'show', 'YH-2099-999999']),
      wuyeBinary(['--version']),
    ]);
    expect([usage.code, config.code, failed.code, version.code]).toEqual([2, 2, 1, 0]);
    expectClearError(usage, 'frobnicate');
    expect(config.stderr).toContain('配置无效 invalid configuration');
    expect(failed.stderr).toContain('未找到案件 no such case');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
