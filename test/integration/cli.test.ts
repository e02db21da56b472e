// The CLI contracts scripts rely on, run as a user would run them (the real `wuye` binary).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { until } from '../support/wait.ts';
import { complaintMail } from '../support/intake-kit.ts';
import { startBotApi } from '../support/bot-api.ts';

function wuye(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/wuye.js', ...args], { env: { ...process.env, ...opts.env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

describe('wuye CLI', () => {
  it.each([
    [['workdays', 'add', '2026-09-30', '7'], '2026-10-15'], // 1–7 Oct off, Sat 10 Oct a make-up working day
    [['workdays', 'add', '2026-02-13', '1'], '2026-02-14'], // Sat 14 Feb 2026 is a make-up working day before 春节
    [['workdays', 'add', '2026-12-31', '0'], '2026-12-31'],
  ])('workdays %j → %s', async (args, out) => {
    const r = await wuye(args);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(out);
  });

  it('holidays show: a year with no State Council notice lists the statutory days and says 调休 is missing', async () => {
    const r = await wuye(['holidays', 'show', '2027']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('来源 source: statutory');
    expect(r.stdout).toMatch(/2027-02-05 {2}春节/);
    expect(r.stdout).toContain('调休上班 make-up working days (0)');
    const lib = await wuye(['holidays', 'show', '2026']);
    expect(lib.stdout).toContain('来源 source: library');
    expect(lib.stdout).toMatch(/ {2}2026-02-14\n/); // a 调休 Saturday worked before 春节
    const later = await wuye(['workdays', 'add', '2027-02-04', '1']);
    expect(later.stdout.trim()).toBe('2027-02-09');
  });

  it('deadline prints {rule, from, due} in +08:00', async () => {
    const r = await wuye(['deadline', '--from', '2026-09-30T10:00:00+08:00', '--rule', 'transfer']);
    expect(JSON.parse(r.stdout)).toEqual({ rule: 'transfer', from: '2026-09-30T10:00:00+08:00', due: '2026-10-16T00:00:00+08:00' });
    const p = await wuye(['deadline', '--from', '2026-05-20T09:00:00+08:00', '--rule', 'penalty-extended']);
    expect(JSON.parse(p.stdout).due).toMatch(/^2026-09-1\dT00:00:00\+08:00$/);
  });

  it.each([
    [['deadline', '--from', 'yesterday', '--rule', 'close']],
    [['deadline', '--from', '2026-09-30T10:00:00+08:00', '--rule', 'bogus']],
    [['workdays', 'add', '2026-13-01', '3']],
    [['holidays', 'show', '27']],
    [['no-such-command']],
  ])('bad arguments %j exit 2 with a message', async (args) => {
    const r = await wuye(args);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeGreaterThan(0);
  });

  it('classify: one line out per line in, same order; bad lines get an error and the run goes on', async () => {
    const input = [
      JSON.stringify({ id: '1', subject: '楼道电动车充电', text: '我们楼是高层，楼道里天天有人给电动车充电，太危险了' }),
      'not json',
      JSON.stringify({ id: '3', subject: '小区电梯困人', text: '电梯突然下坠，里面困了两个人，物业电话打不通' }),
    ].join('\n');
    const r = await wuye(['classify'], { input });
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ id: '1', unit: 'fire' });
    expect(Object.keys(out[0]).sort()).toEqual(['id', 'matched', 'problem', 'score', 'triage', 'unit', 'units', 'urgent'].sort());
    expect(out[1]).toMatchObject({ id: null, error: expect.any(String) });
    expect(out[2]).toMatchObject({ id: '3', urgent: true });
  });

  it('doctor with a bad config file lists every bad field and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-bad-'));
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, 'mailboxes:\n  - { address: nope, county: yanhu, imap: { host: h, port: x, user: u, passwordEnv: P } }\nbot: { apiRoot: 42 }\n');
    const r = await wuye(['doctor'], { env: { WUYE_CONFIG: f } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mailboxes[0].address');
    expect(r.stderr).toContain('mailboxes[0].imap.port: 应为数字 / expected number');
    expect(r.stderr).toContain('bot.apiRoot');
  });

  it('doctor on the embedded defaults checks the database and says what is off', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-doc-'));
    const r = await wuye(['doctor', '--json'], { env: { WUYE_DATA_DIR: dir, WUYE_CONFIG: '', TELEGRAM_BOT_TOKEN: '' } });
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    const byName = Object.fromEntries(out.checks.map((c) => [c.name, c]));
    expect(byName.database!.ok).toBe(true);
    expect(byName.smtp!.ok).toBe(true); // the file outbox
    expect(byName.bot!.detail).toMatch(/机器人关闭/);
    // The seed prints the city's weekly address two ways: the default is 五(五)'s, and both are named.
    expect(byName['weekly address']!.detail).toMatch(/周报发往 fckwy2222907@163\.com；.*附件3 说明印作 fckwy222907@163\.com/);
    // Nobody is linked yet: every county's units are named as receiving no cases (a warning, not a failure).
    expect(byName.officers).toMatchObject({ ok: true, warn: true });
    expect(byName.officers!.detail).toMatch(/尚无任何已绑定的工作人员：各县区的案件无人接收/);
    // 2027 holiday data is not published yet: doctor must say so (✗) while the clock is in late 2026.
    expect(byName.holidays!.ok).toBe(!/2027/.test(byName.holidays!.detail));
    expect(r.code).toBe(out.ok ? 0 : 1);
  });

  it('officer invite: the unit by its Chinese name, the real bot name from getMe, the expiry in Beijing time', async () => {
    const api = await startBotApi();
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'wuye-invite-'));
      const env = { WUYE_DATA_DIR: dir, WUYE_CONFIG: '', WUYE_DB: '', WUYE_SMTP_LISTEN: 'off', WUYE_WEB_LISTEN: 'off', TELEGRAM_API_ROOT: api.apiRoot, TELEGRAM_BOT_TOKEN: api.token };
      const r = await wuye(['officer', 'invite', '--unit', '住房和城乡建设局', '--county', '盐湖区', '--role', 'officer'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toMatch(new RegExp(`^https://t\\.me/${api.bot.username}\\?start=\\S+$`));
      expect(r.stderr).toMatch(/盐湖区·住建，有效期至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/);
      const short = await wuye(['officer', 'invite', '--unit', '消防', '--county', 'yanhu', '--role', 'officer'], { env });
      expect(short.code, short.stderr).toBe(0);
      const listed = await wuye(['officer', 'list'], { env });
      expect(listed.stdout).toMatch(/\tfire\tyanhu\tofficer\t有效\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}\n/);
    } finally {
      await api.close();
    }
  });

  it('company facts: survey, refusal and credit entered by the desk; the check records the steps they trigger', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-facts-'));
    const { WUYE_DB: _db, ...base } = process.env;
    const env = { ...base, WUYE_DATA_DIR: dir, WUYE_CONFIG: '', TELEGRAM_BOT_TOKEN: '' };
    const file = path.join(dir, 'mail.eml');
    writeFileSync(file, complaintMail({ to: 'yhqzjjwy@163.com', from: 'li@example.com', subject: '物业不修电梯', body: '我是阳光花园业主，金盾物业服务有限公司一直不修电梯，电梯坏了两个月。' }));
    expect(JSON.parse((await wuye(['ingest', file], { env })).stdout).outcome).toBe('registered');
    const listed = (await wuye(['company', 'list', '--json'], { env })).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; name: string });
    const company = listed.find((c) => c.name.includes('金盾'))!;
    expect(company).toBeDefined();

    const bad = await wuye(['company', 'survey', company.name, '--satisfaction', '130'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('0–100');
    const ok = await wuye(['company', 'survey', company.name, '--satisfaction', '52', '--on', '2026-11-30', '--publicised', '--evidence', '调查报告', '--by', '张科员'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect((await wuye(['company', 'credit', String(company.id), '--level', 'C', '--low'], { env })).code).toBe(0);
    const facts = (await wuye(['company', 'facts', company.name, '--json'], { env })).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(facts.map((f) => [f.fact, f.by ?? null])).toEqual([
      ['survey', '张科员'],
      ['credit', expect.anything()],
    ]);
    expect(facts[0]).toMatchObject({ satisfaction: 52, surveyedOn: '2026-11-30', publicised: true, evidence: '调查报告' });

    const checked = await wuye(['company', 'check'], { env });
    expect(checked.code, checked.stderr).toBe(0);
    const actions = (await wuye(['company', 'actions', '--json'], { env })).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(actions.map((a) => a.type).sort()).toEqual(['fee-enforcement', 'regrade', 'survey']);
  }, 120_000);

  it('report note: the office’s 经验做法 goes into the week’s brief, its 难点、堵点 into the discipline report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-notes-'));
    const { WUYE_DB: _db, ...base } = process.env;
    const env = { ...base, WUYE_DATA_DIR: dir, WUYE_CONFIG: '', TELEGRAM_BOT_TOKEN: '' };
    const practice = await wuye(['report', 'note', '--kind', 'practice', '--text', '盐湖区建立“物业服务红黑榜”月度通报机制', '--week', '2026-W48', '--by', '张科员'], { env });
    expect(practice.code, practice.stderr).toBe(0);
    expect(practice.stdout).toContain('2026-W48');
    expect((await wuye(['report', 'note', '--kind', '难点堵点', '--text', '老旧小区无物业，维修资金难以启用', '--week', '2026-W48'], { env })).code).toBe(0);
    expect((await wuye(['report', 'note', '--kind', 'nonsense', '--text', 'x'], { env })).code).toBe(2);
    const out = path.join(dir, 'out');
    expect((await wuye(['report', 'weekly', '--at', '2026-11-27T12:00', '--out', out], { env })).code).toBe(0);
    expect((await wuye(['report', 'discipline', '--at', '2026-11-27T16:00', '--out', out], { env })).code).toBe(0);
    const html = readdirSync(out).filter((f) => f.endsWith('.html')).map((f) => readFileSync(path.join(out, f), 'utf8'));
    expect(html.some((h) => h.includes('七、经验做法') && h.includes('盐湖区建立“物业服务红黑榜”月度通报机制'))).toBe(true);
    expect(html.some((h) => h.includes('四、难点、堵点') && h.includes('老旧小区无物业，维修资金难以启用'))).toBe(true);
  }, 120_000);

  it('compound register: imported from CSV, and a case naming a registered compound gets its company', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-compound-'));
    const { WUYE_DB: _db, ...base } = process.env;
    const env = { ...base, WUYE_DATA_DIR: dir, WUYE_CONFIG: '', TELEGRAM_BOT_TOKEN: '' };
    const csv = path.join(dir, '小区台账.csv');
    writeFileSync(csv, '小区,县区,物业企业,乡镇(街道),社区\n凤凰小区,盐湖区,运城市金盾物业服务有限公司,北城街道,凤凰社区\n锦绣华庭,yanhu,,南城街道,锦绣社区\n');
    const imported = await wuye(['compound', 'import', csv, '--by', '张科员'], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('新增 2，更新 0');
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, '小区,县区\n某小区,火星区\n');
    const refused = await wuye(['compound', 'import', bad], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('未知县区“火星区”');
    const listed = (await wuye(['compound', 'list', '--json'], { env })).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(listed.find((r) => r.name === '凤凰小区')).toMatchObject({ county: 'yanhu', company: '运城市金盾物业服务有限公司', township: '北城街道', community: '凤凰社区', registered: true });

    const mail = path.join(dir, 'mail.eml');
    writeFileSync(mail, complaintMail({ to: 'yhqzjjwy@163.com', from: 'qian@example.com', subject: '楼道灯不亮', body: '我是凤凰小区的业主，楼道灯坏了一个月了，物业一直不修。' }));
    const ingested = JSON.parse((await wuye(['ingest', mail], { env })).stdout) as { tracking: string };
    const shown = JSON.parse((await wuye(['case', 'show', ingested.tracking, '--json'], { env })).stdout) as { case: { compound: string; company: string } };
    expect(shown.case).toMatchObject({ compound: '凤凰小区', company: '运城市金盾物业服务有限公司' });
  }, 120_000);

  it('restore refuses while the service runs on the data folder, and restores atomically once it has stopped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-restore-'));
    const { WUYE_DB: _db, ...base } = process.env;
    const env = { ...base, WUYE_DATA_DIR: dir, WUYE_CONFIG: '', WUYE_SMTP_LISTEN: 'off', WUYE_WEB_LISTEN: 'off', TELEGRAM_BOT_TOKEN: '' };
    const service = spawn(process.execPath, ['bin/wuye.js', 'start'], { env, stdio: 'ignore' });
    const stopped = new Promise<void>((resolve) => service.once('exit', () => resolve()));
    try {
      const runDir = path.join(dir, 'run');
      await until(() => existsSync(runDir) && readdirSync(runDir).length > 0, 'the service to mark the data folder', 120_000);
      const backup = path.join(dir, 'backup.db');
      expect((await wuye(['backup', '--out', backup], { env })).code).toBe(0);
      const db = path.join(dir, 'wuye.db');
      const before = statSync(db).ino;
      const refused = await wuye(['restore', '--from', backup], { env });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/服务正在运行.*the service is running.*pid \d+/s);
      expect(statSync(db).ino).toBe(before); // untouched
      service.kill('SIGTERM');
      await stopped;
      expect(readdirSync(runDir)).toEqual([]); // a clean stop removes its mark
      const restored = await wuye(['restore', '--from', backup], { env });
      expect(restored.code, restored.stderr).toBe(0);
      expect(statSync(db).ino).not.toBe(before); // renamed into place whole
      expect(readdirSync(dir).some((f) => f.startsWith('wuye.db.before-restore-'))).toBe(true);
    } finally {
      service.kill('SIGKILL');
    }
  }, 240_000);

  it('mail list / show / promote: an ignored mail stays visible and the desk can register it through the normal path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wuye-mail-'));
    const { WUYE_DB: _db, ...base } = process.env;
    const env = { ...base, WUYE_DATA_DIR: dir, WUYE_CONFIG: '', TELEGRAM_BOT_TOKEN: '' };
    const file = path.join(dir, 'fever.eml');
    // The keywords see nothing of housing in it: the intake leaves it unregistered. A person should still see it.
    writeFileSync(file, complaintMail({ to: 'yhqzjjwy@163.com', from: 'zhao@example.com', subject: '求助', body: '我们单元好几户人家都发烧咳嗽，怀疑是传染病，请有关部门来看看。' }));
    const ingested = JSON.parse((await wuye(['ingest', file], { env })).stdout) as { outcome: string };
    expect(ingested.outcome).toBe('ignored');

    const listed = (await wuye(['mail', 'list', '--outcome', 'ignored', '--json'], { env })).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; subject: string; from: string; reason: string });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ subject: '求助', from: 'zhao@example.com' });
    expect(listed[0]!.reason).toBeTruthy();
    const id = listed[0]!.id;
    const shown = await wuye(['mail', 'show', String(id)], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('怀疑是传染病');

    const promoted = await wuye(['mail', 'promote', String(id), '--by', '张科员'], { env });
    expect(promoted.code, promoted.stderr).toBe(0);
    const tracking = /YH-\d{4}-\d{6}/.exec(promoted.stdout)?.[0];
    expect(tracking).toBeTruthy();
    const shownCase = JSON.parse((await wuye(['case', 'show', tracking!, '--json'], { env })).stdout) as { case: { status: string; complainant: { email: string } }; events: { type: string; actor: { name?: string } }[] };
    expect(shownCase.case.complainant.email).toBe('zhao@example.com');
    expect(shownCase.events.find((e) => e.type === 'promoted')?.actor.name).toBe('张科员');
    // Registered through the normal path: the resident's acknowledgement is queued in the outbox.
    expect(shownCase.events.map((e) => e.type)).toContain('registered');
    const sqlite = new Database(path.join(dir, 'wuye.db'), { readonly: true });
    try {
      const acks = sqlite.prepare("select recipient from outbox where idempotency_key like 'ack:%'").all() as { recipient: string }[];
      expect(acks.map((a) => a.recipient)).toEqual(['zhao@example.com']);
    } finally {
      sqlite.close();
    }
    expect((await wuye(['mail', 'list', '--outcome', 'ignored', '--json'], { env })).stdout.trim()).toBe('');
    // Once only.
    const again = await wuye(['mail', 'promote', String(id)], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/已处理|registered/);
  }, 120_000);
});
