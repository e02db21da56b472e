import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatPath, loadConfig, mergeConfig } from '../../src/config.ts';
import { UNIT_CODES } from '../../src/domain.ts';
import { jobSpecs } from '../../src/cases/jobs.ts';

function file(text: string): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'wuye-cfg-')), 'c.yaml');
  writeFileSync(f, text);
  return f;
}

function problemsOf(text: string): string[] {
  try {
    loadConfig({ env: {}, file: file(text) });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('deployment.level (domain.md, Reporting: who reports what to whom)', () => {
  const county = 'deployment: { level: county }\ncounties:\n  - { code: yanhu, name: 盐湖区, prefix: YH }\nmailboxes:\n  - { address: yhqzjjwy@163.com, county: yanhu }\n';
  it('a city collects its counties and feeds the province’s Friday report (the default)', () => {
    const cfg = loadConfig({ env: {}, cwd: '/srv/wuye' });
    expect(cfg.deployment.level).toBe('city');
    expect(jobSpecs(cfg).filter((j) => j.scheduled).map((j) => j.name)).toContain('province');
  });
  it('a county sends its annexes to the city and has no Friday 17:00 province report scheduled', () => {
    const cfg = loadConfig({ env: {}, file: file(county) });
    expect(cfg.deployment.level).toBe('county');
    const specs = jobSpecs(cfg);
    expect(specs.find((j) => j.name === 'province')!.scheduled).toBe(false);
    expect(specs.filter((j) => j.scheduled).map((j) => j.name)).toEqual(expect.arrayContaining(['weekly', 'provinceData']));
  });
  it('a county deployment serves exactly one county', () => {
    expect(problemsOf('deployment: { level: county }\n').join('\n')).toMatch(/deployment\.level.*县级部署只能配置一个县区/);
    expect(problemsOf('deployment: { level: province }\n').join('\n')).toMatch(/deployment\.level/);
  });
});

describe('config', () => {
  it('loads the embedded defaults: 12 units, 14 published mailboxes, SQLite in ./data', () => {
    const cfg = loadConfig({ env: {}, cwd: '/srv/wuye' });
    expect(cfg.units.map((u) => u.code).sort()).toEqual([...UNIT_CODES].sort());
    expect(cfg.mailboxes).toHaveLength(14);
    expect(cfg.mailboxes.find((m) => m.county === 'yanhu')?.address).toBe('yhqzjjwy@163.com');
    expect(cfg.dataDir).toBe('/srv/wuye/data');
    expect(cfg.db).toBe('sqlite:/srv/wuye/data/wuye.db');
    expect(cfg.intake.smtpListen).toBe('127.0.0.1:2525');
  });

  it.each([
    [{ WUYE_DATA_DIR: '/var/lib/wuye' }, (c: ReturnType<typeof loadConfig>) => c.db === 'sqlite:/var/lib/wuye/wuye.db'],
    [{ WUYE_DB: 'postgres://u@h:5432/w' }, (c: ReturnType<typeof loadConfig>) => c.db === 'postgres://u@h:5432/w'],
    [{ WUYE_SMTP_LISTEN: '0.0.0.0:25' }, (c: ReturnType<typeof loadConfig>) => c.intake.smtpListen === '0.0.0.0:25'],
    [{ WUYE_SMTP_LISTEN: 'off' }, (c: ReturnType<typeof loadConfig>) => c.intake.smtpListen === null],
    [{ TELEGRAM_API_ROOT: 'http://127.0.0.1:8081' }, (c: ReturnType<typeof loadConfig>) => c.bot.apiRoot === 'http://127.0.0.1:8081'],
    [{ HTTPS_PROXY: 'http://proxy:3128' }, (c: ReturnType<typeof loadConfig>) => c.bot.proxy === 'http://proxy:3128'],
  ])('environment override %j', (env, check) => {
    expect(check(loadConfig({ env, cwd: '/srv/wuye' }))).toBe(true);
  });

  it('lists every bad field with its path, in Chinese and English', () => {
    const problems = problemsOf(`
mailboxes:
  - { address: ok@163.com, county: yanhu }
  - { address: ok2@163.com, county: yanhu }
  - { address: ok3@163.com, county: yanhu }
  - { address: x@163.com, county: nowhere, imap: { host: h, port: "993", user: u, password: hunter2 } }
schedule: { quietHours: { start: '25:00', end: '08:00' } }
reports: { campaignStart: 'May 2024' }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'mailboxes[3].imap.port: 应为数字 / expected number',
        expect.stringMatching(/^mailboxes\[3\]\.imap\.passwordEnv: 必填/),
        expect.stringMatching(/^mailboxes\[3\]\.imap\.password: 不得直接写入密钥/),
        'mailboxes[3].county: 未知县区 unknown county "nowhere"',
        'schedule.quietHours.start: 格式应为 HH:MM / expected format HH:MM',
        'reports.campaignStart: 格式应为 YYYY-MM-DD / expected format YYYY-MM-DD',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('refuses a schedule that is not a cron expression', () => {
    expect(problemsOf(`schedule: { weekly: 'every friday' }`)).toEqual(['schedule.weekly: 无效的 cron 表达式 invalid cron expression "every friday"']);
  });

  it('a bot webhook must be an https address (Telegram delivers to nothing else)', () => {
    expect(problemsOf(`bot: { webhook: { url: 'http://desk.example.cn/tg', listen: '127.0.0.1:8443' } }`)).toEqual(['bot.webhook.url: Telegram 只向 https 地址推送 webhook url must be https://']);
    expect(problemsOf(`bot: { webhook: { url: 'https://desk.example.cn/tg', listen: '127.0.0.1:8443' } }`)).toEqual([]);
  });

  it('reports YAML syntax errors and missing files', () => {
    expect(problemsOf('mailboxes: [ {')[0]).toMatch(/^YAML:/);
    expect(() => loadConfig({ env: { WUYE_CONFIG: '/nonexistent.yaml' } })).toThrow(ConfigError);
  });

  it('merges objects and replaces lists', () => {
    expect(mergeConfig({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });

  it.each([
    [['mailboxes', 3, 'port'], 'mailboxes[3].port'],
    [['bot'], 'bot'],
    [[], '(根 root)'],
  ])('formats path %j', (p, s) => expect(formatPath(p as PropertyKey[])).toBe(s));
});
